/**
 * The `render('ansi')` view of the warehouse: the layout grid with robots, packages and drop zones
 * drawn in the cells their centres are in, and a status line.
 *
 * Glyphs: `#` shelf, `W` wall, `.` floor, `D` drop zone, `P` package, `p` carried package, `R` the
 * robot (single-robot layouts) or `0`–`9`, `a`–`z` (robot index; `*` beyond 36). Robots are drawn over
 * packages, packages over zones.
 *
 * @module
 */
import type { Info } from '../../src/env.js';
import { CellKind, type Layout } from './layout.js';

/** What the text view draws. Positions are `[x, y, z]` triples, metres. */
export interface AnsiView {
  readonly robotPos: Float64Array;
  readonly packagePos: Float64Array;
  readonly attached: Int32Array;
  readonly delivered: Uint8Array;
  readonly step: number;
  readonly info: Info;
}

const BASE: Record<number, string> = { [CellKind.Floor]: '.', [CellKind.Shelf]: '#', [CellKind.Wall]: 'W', [CellKind.DropZone]: 'D' };

function robotGlyph(i: number, n: number): string {
  if (n === 1) return 'R';
  if (i < 10) return String(i);
  if (i < 36) return String.fromCharCode(97 + i - 10);
  return '*';
}

/** Draws the grid and a status line. */
export function renderWarehouseAnsi(layout: Layout, cellSize: number, view: AnsiView): string {
  const { rows, cols } = layout;
  const grid = Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => BASE[layout.cells[r * cols + c]!]!));
  const put = (x: number, z: number, glyph: string) => {
    const c = Math.min(cols - 1, Math.max(0, Math.floor(x / cellSize)));
    const r = Math.min(rows - 1, Math.max(0, Math.floor(z / cellSize)));
    grid[r]![c] = glyph;
  };
  const carried = new Set(Array.from(view.attached).filter((j) => j >= 0));
  for (let j = 0; j < view.delivered.length; j++) {
    if (!view.delivered[j]) put(view.packagePos[3 * j]!, view.packagePos[3 * j + 2]!, carried.has(j) ? 'p' : 'P');
  }
  const n = view.attached.length;
  for (let i = 0; i < n; i++) put(view.robotPos[3 * i]!, view.robotPos[3 * i + 2]!, robotGlyph(i, n));
  const i = view.info;
  const robots = Array.from({ length: n }, (_, k) => {
    const x = view.robotPos[3 * k]!.toFixed(2);
    const z = view.robotPos[3 * k + 2]!.toFixed(2);
    const a = view.attached[k]!;
    return `${robotGlyph(k, n)}@(${x}, ${z})${a >= 0 ? ` carrying package ${a}` : ''}`;
  }).join('; ');
  const status = `step ${view.step}  delivered ${i.deliveries}/${view.delivered.length}  collisions ${i.collisions}  idle ${i.idleSteps}`;
  return `${grid.map((row) => row.join('')).join('\n')}\n${status}\n${robots}`;
}
