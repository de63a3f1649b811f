/**
 * A generator of warehouse maps in the MovingAI format, written for this project: shelf bars in rows,
 * aisles between them, and open staging areas at the west and east ends — the structure of the
 * MovingAI benchmark's `warehouse-10-20-10-2-1` (161 × 63). With the defaults it writes a 161 × 63 map of
 * 10 columns × 20 rows of shelf bars (each 10 cells long, 1 cell deep), 2-cell aisles between bar
 * rows and between bar columns, and 21/22-cell open areas at the west/east ends; the cells are ours,
 * not a copy of the benchmark file (which the fleet bench loads instead when it is present).
 *
 * @module
 */
import { InvalidArgumentError } from '../../../src/errors.js';

/** Shape of a generated warehouse map; defaults in brackets. */
export interface WarehouseMapShape {
  /** Map width, cells [161]. */
  readonly width?: number;
  /** Map height, cells [63]. */
  readonly height?: number;
  /** Shelf bars per row [10]. */
  readonly barColumns?: number;
  /** Rows of shelf bars [20]. */
  readonly barRows?: number;
  /** Cells per bar along a row [10]. */
  readonly barLength?: number;
  /** Cells per bar across a row [1]. */
  readonly barDepth?: number;
  /** Aisle width between bar rows and between bar columns, cells [2]. */
  readonly aisle?: number;
}

/**
 * The map's text in the MovingAI format (`type octile`, `height`, `width`, `map`, then rows of `@` and `.`).
 * Bars are centred: the remaining width goes to the west (floor half) and east (ceil half) open areas,
 * the remaining height to the north and south aisles.
 * @throws {@link InvalidArgumentError} when the bars and aisles do not fit in `width` × `height`.
 */
export function generateWarehouseMap(shape: WarehouseMapShape = {}): string {
  const { width = 161, height = 63, barColumns = 10, barRows = 20, barLength = 10, barDepth = 1, aisle = 2 } = shape;
  for (const [k, v] of Object.entries({ width, height, barColumns, barRows, barLength, barDepth, aisle })) {
    if (!Number.isSafeInteger(v) || v < 1) throw new InvalidArgumentError(`generateWarehouseMap: expected \`${k}\` to be a positive integer, got ${v}`);
  }
  const shelfWidth = barColumns * barLength + (barColumns - 1) * aisle;
  const shelfHeight = barRows * barDepth + (barRows - 1) * aisle;
  if (shelfWidth + 2 > width || shelfHeight + 2 > height) {
    throw new InvalidArgumentError(
      `generateWarehouseMap: ${barColumns}×${barRows} bars with aisles ${aisle} need at least ${shelfWidth + 2}×${shelfHeight + 2} cells (a free border), got width ${width}, height ${height}`,
    );
  }
  const x0 = Math.floor((width - shelfWidth) / 2);
  const z0 = Math.floor((height - shelfHeight) / 2);
  const rows: string[] = [];
  for (let r = 0; r < height; r++) {
    let line = '';
    for (let c = 0; c < width; c++) {
      const dx = c - x0;
      const dz = r - z0;
      const inBar = dx >= 0 && dz >= 0 && dx < shelfWidth && dz < shelfHeight && dx % (barLength + aisle) < barLength && dz % (barDepth + aisle) < barDepth;
      line += inBar ? '@' : '.';
    }
    rows.push(line);
  }
  return `type octile\nheight ${height}\nwidth ${width}\nmap\n${rows.join('\n')}\n`;
}
