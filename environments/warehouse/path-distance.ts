/**
 * Path distances on a warehouse layout, for reward shaping that respects shelves (`shaping: 'path'`): the
 * length of the shortest route through free cells, not the straight line that runs through a shelf. A
 * dense reward on straight-line distance points a robot in an aisle layout at the shelf between it and its
 * target; with a planning horizon of a second or two, robots then press into shelf faces.
 *
 * Distances are Dijkstra fields over the layout's standable cells, 8-connected with octile costs (a diagonal
 * step only where both side cells are free, so no corner is cut), from cell centres. A point's distance is
 * `min over its own and the 8 neighbouring cells c of (|point − centre(c)| + field[c])`: continuous inside a
 * cell and exact at centres, so it decreases steadily along a route. Hand-written: it is ~60 lines over the
 * layout's own grid, and a graph library would still need the same grid-to-graph and interpolation code.
 *
 * @module
 */
import type { Layout } from './layout.js';
import { MinHeap } from './min-heap.js';

const SQRT2 = Math.SQRT2;

/** Shortest-route distances over a layout's standable cells (see the module docs). */
export class PathDistances {
  private readonly zoneField: Float64Array;
  private readonly fromCell = new Map<number, Float64Array>();

  constructor(
    private readonly layout: Layout,
    private readonly cellSize: number,
  ) {
    this.zoneField = this.field(layout.dropZones.map((z) => z.row * layout.cols + z.col));
  }

  /** Whether a robot can stand on cell (row, col). */
  private free(row: number, col: number): boolean {
    const L = this.layout;
    return row >= 0 && col >= 0 && row < L.rows && col < L.cols && L.reachable[row * L.cols + col] === 1;
  }

  /** Dijkstra from the centres of `sources` (cell indices), in metres; Infinity where unreachable. */
  private field(sources: readonly number[]): Float64Array {
    const L = this.layout;
    const s = this.cellSize;
    const dist = new Float64Array(L.rows * L.cols).fill(Number.POSITIVE_INFINITY);
    const heap = new MinHeap();
    for (const k of sources) {
      dist[k] = 0;
      heap.push(0, k);
    }
    while (heap.size > 0) {
      const d = heap.topKey!;
      const k = heap.pop();
      if (d > dist[k]!) continue;
      const row = Math.floor(k / L.cols);
      const col = k % L.cols;
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          if ((dr === 0 && dc === 0) || !this.free(row + dr, col + dc)) continue;
          if (dr !== 0 && dc !== 0 && !(this.free(row + dr, col) && this.free(row, col + dc))) continue;
          const n = (row + dr) * L.cols + col + dc;
          const nd = d + (dr !== 0 && dc !== 0 ? SQRT2 : 1) * s;
          if (nd < dist[n]!) {
            dist[n] = nd;
            heap.push(nd, n);
          }
        }
      }
    }
    return dist;
  }

  /**
   * The best free cell around (x, z) in `field`: the one minimising `|point − centre| + field` among the
   * point's own cell (when `own`) and its 8 neighbours, first in row-major order on ties; undefined when
   * none reaches.
   */
  private nearest(field: Float64Array, x: number, z: number, own: boolean): { d: number; cx: number; cz: number } | undefined {
    const s = this.cellSize;
    const row = Math.floor(z / s);
    const col = Math.floor(x / s);
    let bd = Number.POSITIVE_INFINITY;
    let bx = 0;
    let bz = 0;
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) {
        const r = row + dr;
        const c = col + dc;
        if ((!own && dr === 0 && dc === 0) || !this.free(r, c)) continue;
        const cx = (c + 0.5) * s;
        const cz = (r + 0.5) * s;
        const d = Math.hypot(x - cx, z - cz) + field[r * this.layout.cols + c]!;
        if (d < bd) {
          bd = d;
          bx = cx;
          bz = cz;
        }
      }
    }
    return bd === Number.POSITIVE_INFINITY ? undefined : { d: bd, cx: bx, cz: bz };
  }

  /** The distance of point (x, z) in `field` (see the module docs); undefined when no nearby cell reaches. */
  private at(field: Float64Array, x: number, z: number): number | undefined {
    return this.nearest(field, x, z, true)?.d;
  }

  /**
   * Toward the nearest drop zone (`goal` undefined) or the point `goal`: the route length from (x, z) (as
   * {@link PathDistances.toZone} / {@link PathDistances.between} give it) and the unit direction to the next
   * cell on the route — the free neighbour minimising `|point − centre| + field` — or, in the goal's own
   * cell, to the goal itself. Undefined when unreachable.
   */
  route(x: number, z: number, goal?: readonly [number, number]): { length: number; dx: number; dz: number } | undefined {
    const s = this.cellSize;
    const cols = this.layout.cols;
    let field = this.zoneField;
    let length = this.toZone(x, z);
    if (goal !== undefined) {
      const k = this.cellOf(goal[0], goal[1]);
      if (k === undefined) return undefined;
      field = this.fieldFrom(k);
      length = this.between(x, z, goal[0], goal[1]);
    }
    if (length === undefined) return undefined;
    const row = Math.floor(z / s);
    const col = Math.floor(x / s);
    const own = this.free(row, col) ? field[row * cols + col]! : Number.POSITIVE_INFINITY;
    let tx: number;
    let tz: number;
    if (own === 0) {
      // In the goal's cell (a zone's, or the target's): straight at it.
      [tx, tz] = goal ?? [(col + 0.5) * s, (row + 0.5) * s];
    } else {
      const next = this.nearest(field, x, z, false);
      tx = next?.cx ?? x;
      tz = next?.cz ?? z;
    }
    const n = Math.hypot(tx - x, tz - z);
    return n < 1e-9 ? { length, dx: 0, dz: 0 } : { length, dx: (tx - x) / n, dz: (tz - z) / n };
  }

  /** The cell index holding (x, z), or undefined outside the grid. */
  private cellOf(x: number, z: number): number | undefined {
    const s = this.cellSize;
    const row = Math.floor(z / s);
    const col = Math.floor(x / s);
    const L = this.layout;
    return row < 0 || col < 0 || row >= L.rows || col >= L.cols ? undefined : row * L.cols + col;
  }

  /** The field from cell `k`'s centre (cached). */
  private fieldFrom(k: number): Float64Array {
    let field = this.fromCell.get(k);
    if (field === undefined) {
      field = this.field([k]);
      this.fromCell.set(k, field);
    }
    return field;
  }

  /** Route length from (x, z) to the nearest drop zone's centre; undefined when none is reachable from there. */
  toZone(x: number, z: number): number | undefined {
    return this.at(this.zoneField, x, z);
  }

  /**
   * Route length from (x, z) to the point (tx, tz) (a package, a docking point); undefined when unreachable.
   * Inside the point's own cell it is the straight distance (a free cell is convex), so it keeps falling all
   * the way to the point rather than levelling off at the cell's centre.
   */
  between(x: number, z: number, tx: number, tz: number): number | undefined {
    const k = this.cellOf(tx, tz);
    if (k === undefined) return undefined;
    if (this.cellOf(x, z) === k && this.free(Math.floor(k / this.layout.cols), k % this.layout.cols)) return Math.hypot(x - tx, z - tz);
    const s = this.cellSize;
    const d = this.at(this.fieldFrom(k), x, z);
    return d === undefined ? undefined : d + Math.hypot(tx - ((k % this.layout.cols) + 0.5) * s, tz - (Math.floor(k / this.layout.cols) + 0.5) * s);
  }
}

/** One {@link PathDistances} per layout and cell size (its fields are cached inside). */
const shared = new WeakMap<Layout, Map<number, PathDistances>>();

/** The {@link PathDistances} of `layout` at `cellSize`, shared by every caller (built on first use). */
export function pathDistancesFor(layout: Layout, cellSize: number): PathDistances {
  let bySize = shared.get(layout);
  if (bySize === undefined) {
    bySize = new Map();
    shared.set(layout, bySize);
  }
  let paths = bySize.get(cellSize);
  if (paths === undefined) {
    paths = new PathDistances(layout, cellSize);
    bySize.set(cellSize, paths);
  }
  return paths;
}
