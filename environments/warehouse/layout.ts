/**
 * Warehouse layouts from ASCII maps.
 *
 * | symbol | meaning |
 * |---|---|
 * | `#` | shelf (static box, one cell) |
 * | `W` | wall (static, like a shelf; drawn differently) |
 * | `.` | floor |
 * | `R` | robot start (on floor) |
 * | `P` | package start (on floor) |
 * | `D` | drop zone (on floor) |
 *
 * Row 1 is the top line of the map and maps to the smallest z; column 1 is the leftmost character and
 * maps to the smallest x. Rows and columns in errors are 1-based and counted after dropping blank
 * lines at the start and end of the string and the indentation common to all rows (so a map may be
 * written as an indented template literal). The grid is always enclosed by boundary walls, so a map
 * need not draw its own border (drawing one with `#` or `W` is fine too).
 *
 * @module
 */
import { InvalidArgumentError } from '../../src/errors.js';

/** A grid cell, 0-based. */
export interface GridCell {
  readonly row: number;
  readonly col: number;
}

/** What a cell is. Numeric codes are stored in {@link Layout.cells}. */
export const CellKind = {
  Floor: 0,
  Shelf: 1,
  Wall: 2,
  DropZone: 3,
} as const;
/** One of the {@link CellKind} codes. */
export type CellKind = (typeof CellKind)[keyof typeof CellKind];

/** A parsed, validated layout. Immutable. */
export interface Layout {
  /** Name of a built-in layout, or `'custom'`. */
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
  /** The map lines, normalised (no blank edge lines, no common indentation). */
  readonly lines: readonly string[];
  /** Row-major {@link CellKind} codes; robot and package cells are floor. */
  readonly cells: Uint8Array;
  /** Row-major: 1 where a robot can stand (floor, drop zone) and which a robot start reaches. */
  readonly reachable: Uint8Array;
  /** Robot starts in reading order (robot `i` is the `i`-th `R`). */
  readonly robots: readonly GridCell[];
  /** Package starts in reading order. */
  readonly packages: readonly GridCell[];
  /** Drop zones in reading order. */
  readonly dropZones: readonly GridCell[];
}

/**
 * A malformed layout or map. `row` and `column` (1-based) point at the offending character of the map;
 * `line`, when set, is the 1-based line of the map's text (a MovingAI map's header comes before its
 * first row), so a file reader can name the line without knowing the format.
 */
export class LayoutError extends InvalidArgumentError {
  constructor(
    message: string,
    /** 1-based row of the problem. */
    readonly row: number,
    /** 1-based column of the problem. */
    readonly column: number,
    /** 1-based line of the problem in the map's text, when the format has lines that are not rows. */
    readonly line?: number,
  ) {
    super(message);
  }
}

const SYMBOLS = '#W.RPD';

/** Whether a cell code blocks robots (shelf or wall). */
export function isBlocked(kind: number): boolean {
  return kind === CellKind.Shelf || kind === CellKind.Wall;
}

/** Splits a map string into normalised lines (see the module docs). */
function normaliseLines(map: string): string[] {
  const raw = map
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''));
  let start = 0;
  let end = raw.length;
  while (start < end && raw[start]!.length === 0) start++;
  while (end > start && raw[end - 1]!.length === 0) end--;
  const lines = raw.slice(start, end);
  let indent = Infinity;
  for (const l of lines) if (l.length > 0) indent = Math.min(indent, /^ */.exec(l)![0].length);
  return Number.isFinite(indent) ? lines.map((l) => l.slice(indent)) : lines;
}

/**
 * Parses an ASCII map into a {@link Layout}.
 *
 * @param map - the map (see the module docs for symbols)
 * @param name - a name to record (default `'custom'`)
 * @throws {@link LayoutError} for an empty map, ragged rows, an unknown symbol, no robot, no package,
 * no drop zone, or a drop zone or package that no robot can reach (flood fill over non-shelf cells).
 */
export function parseLayout(map: string, name = 'custom'): Layout {
  if (typeof map !== 'string') {
    throw new LayoutError(`Warehouse layout: expected an ASCII map string, got ${typeof map} at row 1, column 1`, 1, 1);
  }
  const lines = normaliseLines(map);
  if (lines.length === 0) {
    throw new LayoutError(`Warehouse layout: empty map at row 1, column 1 (expected rows of ${SYMBOLS.split('').join(' ')})`, 1, 1);
  }
  const cols = lines[0]!.length;
  const rows = lines.length;
  for (let r = 0; r < rows; r++) {
    const len = lines[r]!.length;
    if (len !== cols) {
      const column = Math.min(len, cols) + 1;
      throw new LayoutError(
        `Warehouse layout: ragged rows: row ${r + 1} has ${len} columns, expected ${cols} (the width of row 1), at row ${r + 1}, column ${column}`,
        r + 1,
        column,
      );
    }
  }
  const cells = new Uint8Array(rows * cols);
  const robots: GridCell[] = [];
  const packages: GridCell[] = [];
  const dropZones: GridCell[] = [];
  for (let r = 0; r < rows; r++) {
    const line = lines[r]!;
    for (let c = 0; c < cols; c++) {
      const ch = line[c]!;
      const i = r * cols + c;
      switch (ch) {
        case '#':
          cells[i] = CellKind.Shelf;
          break;
        case 'W':
          cells[i] = CellKind.Wall;
          break;
        case '.':
          cells[i] = CellKind.Floor;
          break;
        case 'R':
          cells[i] = CellKind.Floor;
          robots.push({ row: r, col: c });
          break;
        case 'P':
          cells[i] = CellKind.Floor;
          packages.push({ row: r, col: c });
          break;
        case 'D':
          cells[i] = CellKind.DropZone;
          dropZones.push({ row: r, col: c });
          break;
        default:
          throw new LayoutError(
            `Warehouse layout: unknown symbol ${JSON.stringify(ch)} at row ${r + 1}, column ${c + 1} (expected one of ${SYMBOLS.split('').join(' ')})`,
            r + 1,
            c + 1,
          );
      }
    }
  }
  const extent = `the ${rows}×${cols} map (rows 1–${rows}, columns 1–${cols})`;
  if (robots.length === 0) throw new LayoutError(`Warehouse layout: no robot \`R\` in ${extent}; at row 1, column 1`, 1, 1);
  if (packages.length === 0) throw new LayoutError(`Warehouse layout: no package \`P\` in ${extent}; at row 1, column 1`, 1, 1);
  if (dropZones.length === 0) throw new LayoutError(`Warehouse layout: no drop zone \`D\` in ${extent}; at row 1, column 1`, 1, 1);

  const reachable = floodFill(cells, rows, cols, robots);
  for (const d of dropZones) {
    if (!reachable[d.row * cols + d.col]) {
      throw new LayoutError(`Warehouse layout: unreachable drop zone at row ${d.row + 1}, column ${d.col + 1} (no robot can get there past the shelves)`, d.row + 1, d.col + 1);
    }
  }
  for (const p of packages) {
    if (!reachable[p.row * cols + p.col]) {
      throw new LayoutError(`Warehouse layout: unreachable package at row ${p.row + 1}, column ${p.col + 1} (no robot can get there past the shelves)`, p.row + 1, p.col + 1);
    }
  }
  return Object.freeze({
    name,
    rows,
    cols,
    lines: Object.freeze(lines),
    cells,
    reachable,
    robots: Object.freeze(robots),
    packages: Object.freeze(packages),
    dropZones: Object.freeze(dropZones),
  });
}

/** 4-connected flood fill over non-blocked cells from every robot start. */
function floodFill(cells: Uint8Array, rows: number, cols: number, starts: readonly GridCell[]): Uint8Array {
  const seen = new Uint8Array(rows * cols);
  const queue = new Int32Array(rows * cols);
  let head = 0;
  let tail = 0;
  for (const s of starts) {
    const i = s.row * cols + s.col;
    if (!seen[i]) {
      seen[i] = 1;
      queue[tail++] = i;
    }
  }
  while (head < tail) {
    const i = queue[head++]!;
    const r = (i / cols) | 0;
    const c = i - r * cols;
    if (r > 0) visit(i - cols);
    if (r < rows - 1) visit(i + cols);
    if (c > 0) visit(i - 1);
    if (c < cols - 1) visit(i + 1);
  }
  return seen;

  function visit(j: number): void {
    if (seen[j] || isBlocked(cells[j]!)) return;
    seen[j] = 1;
    queue[tail++] = j;
  }
}

/**
 * Shortest 4-connected path between two cells over reachable cells (breadth-first search), as
 * row-major cell indices from `from` to `to` inclusive; `undefined` when there is none.
 */
export function shortestGridPath(layout: Layout, from: GridCell, to: GridCell): number[] | undefined {
  const { rows, cols } = layout;
  const inside = (c: GridCell) => c.row >= 0 && c.row < rows && c.col >= 0 && c.col < cols;
  if (!inside(from) || !inside(to)) return undefined;
  const start = from.row * cols + from.col;
  const goal = to.row * cols + to.col;
  if (isBlocked(layout.cells[goal]!)) return undefined;
  const parent = new Int32Array(rows * cols).fill(-1);
  const queue = new Int32Array(rows * cols);
  let head = 0;
  let tail = 0;
  parent[start] = start;
  queue[tail++] = start;
  while (head < tail) {
    const i = queue[head++]!;
    if (i === goal) break;
    const r = (i / cols) | 0;
    const c = i - r * cols;
    // Fixed neighbour order keeps paths deterministic.
    if (r > 0) visit(i, i - cols);
    if (r < rows - 1) visit(i, i + cols);
    if (c > 0) visit(i, i - 1);
    if (c < cols - 1) visit(i, i + 1);
  }
  if (parent[goal] === -1) return undefined;
  const path: number[] = [];
  for (let i = goal; i !== start; i = parent[i]!) path.push(i);
  path.push(start);
  return path.reverse();

  function visit(from: number, j: number): void {
    if (parent[j] !== -1 || isBlocked(layout.cells[j]!)) return;
    parent[j] = from;
    queue[tail++] = j;
  }
}

/**
 * Whether an axis-aligned footprint centred at (`x`, `z`) with half sizes `hx`, `hz` (metres) lies
 * inside the grid and overlaps no shelf or wall cell of size `cellSize`.
 */
export function footprintIsFree(layout: Layout, x: number, z: number, hx: number, hz: number, cellSize: number): boolean {
  const eps = 1e-9;
  const x0 = x - hx;
  const x1 = x + hx;
  const z0 = z - hz;
  const z1 = z + hz;
  if (x0 < -eps || z0 < -eps || x1 > layout.cols * cellSize + eps || z1 > layout.rows * cellSize + eps) return false;
  return blockedCellUnder(layout, x0, x1, z0, z1, cellSize) === undefined;
}

/** The first shelf or wall cell (row-major) that the rectangle [x0,x1]×[z0,z1] overlaps, if any. */
export function blockedCellUnder(layout: Layout, x0: number, x1: number, z0: number, z1: number, cellSize: number): GridCell | undefined {
  const eps = 1e-9;
  const c0 = Math.max(0, Math.floor((x0 + eps) / cellSize));
  const c1 = Math.min(layout.cols - 1, Math.floor((x1 - eps) / cellSize));
  const r0 = Math.max(0, Math.floor((z0 + eps) / cellSize));
  const r1 = Math.min(layout.rows - 1, Math.floor((z1 - eps) / cellSize));
  for (let r = r0; r <= r1; r++) {
    for (let c = c0; c <= c1; c++) if (isBlocked(layout.cells[r * layout.cols + c]!)) return { row: r, col: c };
  }
  return undefined;
}

/**
 * Axis-aligned rectangles covering every cell of `kind`, merged greedily (row runs, then extended
 * down over identical runs), in row-major order of their top-left cell. Fewer, larger static
 * colliders step faster and have no seams for boxes to catch on.
 */
export function mergedRectangles(layout: Layout, kind: CellKind): { row: number; col: number; rows: number; cols: number }[] {
  const { rows, cols, cells } = layout;
  const used = new Uint8Array(rows * cols);
  const out: { row: number; col: number; rows: number; cols: number }[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (used[r * cols + c] || cells[r * cols + c] !== kind) continue;
      let w = 1;
      while (c + w < cols && !used[r * cols + c + w] && cells[r * cols + c + w] === kind) w++;
      let h = 1;
      outer: while (r + h < rows) {
        for (let k = 0; k < w; k++) {
          const j = (r + h) * cols + c + k;
          if (used[j] || cells[j] !== kind) break outer;
        }
        h++;
      }
      for (let dr = 0; dr < h; dr++) for (let k = 0; k < w; k++) used[(r + dr) * cols + c + k] = 1;
      out.push({ row: r, col: c, rows: h, cols: w });
    }
  }
  return out;
}
