/**
 * MovingAI grid maps (the MAPF benchmark format of movingai.com) and the League of Robot Runners
 * maps, which use the same format with two more symbols.
 *
 * ```
 * type octile
 * height 4
 * width 6
 * map
 * @@@@@@
 * @....@
 * @.TT.@
 * @@@@@@
 * ```
 *
 * | symbol | MovingAI meaning | here |
 * |---|---|---|
 * | `@`, `O` | out of bounds | obstacle (becomes shelf) |
 * | `T` | tree | obstacle (becomes shelf) |
 * | `W` | water | obstacle (becomes shelf) |
 * | `.`, `G` | passable terrain | floor |
 * | `S` | swamp (passable) | floor; in a League of Robot Runners map (one with an `E` cell): a station, marked drop zone |
 * | `E` | League of Robot Runners emitter | floor, marked pickup point |
 *
 * Row 1 is the first line after `map`; in errors, `line` counts every line of the text (the header
 * included) and `column` counts characters from 1.
 *
 * @module
 */
import { type GridCell, LayoutError } from '../layout.js';

/** A parsed MovingAI / League of Robot Runners map, before robots, packages and drop zones are placed. */
export interface GridMap {
  /** `'lorr'` when the map has emitter (`E`) cells, else `'movingai'`. */
  readonly format: 'movingai' | 'lorr';
  readonly rows: number;
  readonly cols: number;
  /** Row-major: 1 for an obstacle (`@ O T W`), 0 for a passable cell. */
  readonly blocked: Uint8Array;
  /** Marked drop zones: the `S` cells of a League of Robot Runners map, in reading order (none in a MovingAI map). */
  readonly stations: readonly GridCell[];
  /** Marked pickup points: the `E` cells, in reading order. */
  readonly emitters: readonly GridCell[];
  /** 1-based line of the map's first row in the text. */
  readonly firstLine: number;
}

const OBSTACLES = '@OTW';
const PASSABLE = '.GSE';

/** Whether `text` is a MovingAI-format map: its first non-blank line is a `type …` header. */
export function isMovingAiMap(text: string): boolean {
  return /^\s*type\s+\S+/.test(text);
}

/** The error for a problem at `line`, `column` of the text (`row` is the map row, 0 when in the header). */
function mapError(message: string, line: number, column: number, row: number): LayoutError {
  return new LayoutError(`MovingAI map: ${message} at line ${line}, column ${column}`, Math.max(1, row), column, line);
}

/** Reads a `<key> <positive integer>` header line. */
function headerNumber(lines: readonly string[], index: number, key: string): number {
  const line = lines[index];
  const m = line === undefined ? null : new RegExp(`^${key}\\s+(\\d+)\\s*$`).exec(line);
  if (m === null || Number(m[1]) < 1) {
    throw mapError(`expected the header line \`${key} <positive integer>\`, got ${JSON.stringify(line ?? '(end of text)')}`, index + 1, 1, 0);
  }
  return Number(m[1]);
}

/**
 * Parses a MovingAI or League of Robot Runners map (see the module docs for the symbols).
 * @throws {@link LayoutError} naming the line and column of: a malformed header (`type octile`,
 * `height H`, `width W`, `map`), a row longer or shorter than `width` (ragged rows), too few or too many
 * rows for `height`, an unknown symbol, or a map without a passable cell.
 */
export function parseMovingAiMap(text: string): GridMap {
  const lines = text.replace(/\r/g, '').split('\n');
  let first = 0;
  while (first < lines.length && lines[first]!.trim() === '') first++;
  const type = /^type\s+(\S+)\s*$/.exec(lines[first] ?? '');
  if (type === null || type[1] !== 'octile') {
    throw mapError(`expected the header line \`type octile\`, got ${JSON.stringify(lines[first] ?? '(end of text)')}`, first + 1, 1, 0);
  }
  const rows = headerNumber(lines, first + 1, 'height');
  const cols = headerNumber(lines, first + 2, 'width');
  if ((lines[first + 3] ?? '').trim() !== 'map') {
    throw mapError(`expected the header line \`map\`, got ${JSON.stringify(lines[first + 3] ?? '(end of text)')}`, first + 4, 1, 0);
  }
  const start = first + 4;
  let end = lines.length;
  while (end > start && lines[end - 1]!.trim() === '') end--;
  if (end - start < rows) {
    throw mapError(`the header says height ${rows}, but the map has ${end - start} rows (expected a row of ${cols} symbols)`, end + 1, 1, end - start + 1);
  }
  if (end - start > rows) throw mapError(`the header says height ${rows}, but the map has ${end - start} rows (a row too many)`, start + rows + 1, 1, rows + 1);

  const blocked = new Uint8Array(rows * cols);
  const stations: GridCell[] = [];
  const emitters: GridCell[] = [];
  let free = 0;
  for (let r = 0; r < rows; r++) {
    const line = lines[start + r]!.replace(/\s+$/, '');
    if (line.length !== cols) {
      const column = Math.min(line.length, cols) + 1;
      throw mapError(`ragged rows: row ${r + 1} has ${line.length} symbols, expected ${cols} (the header's width)`, start + r + 1, column, r + 1);
    }
    for (let c = 0; c < cols; c++) {
      const ch = line[c]!;
      if (OBSTACLES.includes(ch)) blocked[r * cols + c] = 1;
      else if (PASSABLE.includes(ch)) {
        free++;
        if (ch === 'S') stations.push({ row: r, col: c });
        else if (ch === 'E') emitters.push({ row: r, col: c });
      } else {
        throw mapError(`unknown symbol ${JSON.stringify(ch)} (expected one of @ O T W, impassable, or . G S E, passable)`, start + r + 1, c + 1, r + 1);
      }
    }
  }
  if (free === 0) throw mapError(`no free cell in the ${rows}×${cols} map (every cell is one of @ O T W)`, start + 1, 1, 1);
  const lorr = emitters.length > 0;
  return { format: lorr ? 'lorr' : 'movingai', rows, cols, blocked, stations: lorr ? stations : [], emitters, firstLine: start + 1 };
}
