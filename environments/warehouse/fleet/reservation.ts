/**
 * Space-time planning on the warehouse grid for prioritised (cooperative A*-style) fleets: a
 * reservation table over (tick, cell) and an A* search that avoids it.
 *
 * **Conflicts.** A robot may be in cell c at tick t only when nobody else has reserved (t, c) — a
 * vertex conflict — nor (t − 1, c) or (t + 1, c) — following conflicts, which also rule out two robots
 * swapping cells. So a robot only ever moves into a cell that was empty a whole tick before:
 * physical robots that track their plans with some lag keep at least one cell between them in a
 * queue, and never meet head-on.
 *
 * @module
 */
import { MinHeap } from '../min-heap.js';

/** Reservations of a planning window: who holds each (tick, cell), ticks 0…window. */
export class ReservationTable {
  private readonly owner: Int32Array;

  /**
   * @param cells - grid cells (rows × cols)
   * @param window - last tick planned (ticks 0…window)
   */
  constructor(
    readonly cells: number,
    readonly window: number,
  ) {
    this.owner = new Int32Array((window + 1) * cells).fill(-1);
  }

  /** Forgets every reservation. */
  clear(): void {
    this.owner.fill(-1);
  }

  /** The robot holding `cell` at tick `t` (ticks past the window read as the window's last), or −1. */
  holder(t: number, cell: number): number {
    return this.owner[Math.min(t, this.window) * this.cells + cell]!;
  }

  /** Reserves `cell` for `robot` at tick `t` (the last reservation of a (tick, cell) wins). */
  reserve(t: number, cell: number, robot: number): void {
    if (t <= this.window) this.owner[t * this.cells + cell] = robot;
  }

  /** Reserves a path (one cell per tick from tick 0), then its last cell until the end of the window. */
  reservePath(path: readonly number[], robot: number): void {
    for (let t = 0; t <= this.window; t++) this.reserve(t, path[Math.min(t, path.length - 1)]!, robot);
  }

  /**
   * Whether `robot` may be in `cell` at tick `t`: nobody else holds it then (vertex conflict), the tick
   * before (it would follow that robot in) or the tick after (that robot would follow it in).
   */
  free(t: number, cell: number, robot: number): boolean {
    const now = this.holder(t, cell);
    if (now !== -1 && now !== robot) return false;
    const before = t > 0 ? this.holder(t - 1, cell) : -1;
    if (before !== -1 && before !== robot) return false;
    const after = t < this.window ? this.holder(t + 1, cell) : -1;
    return after === -1 || after === robot;
  }
}

/** Breadth-first distances (in cells) to `goal` over cells where `open[i]` is 1; −1 where unreachable. */
export function distanceMap(open: Uint8Array, rows: number, cols: number, goal: number): Int32Array {
  const dist = new Int32Array(rows * cols).fill(-1);
  const queue = new Int32Array(rows * cols);
  let head = 0;
  let tail = 0;
  dist[goal] = 0;
  queue[tail++] = goal;
  while (head < tail) {
    const i = queue[head++]!;
    const r = (i / cols) | 0;
    const c = i - r * cols;
    const d = dist[i]! + 1;
    if (r > 0 && open[i - cols] && dist[i - cols] === -1) (dist[i - cols] = d), (queue[tail++] = i - cols);
    if (r < rows - 1 && open[i + cols] && dist[i + cols] === -1) (dist[i + cols] = d), (queue[tail++] = i + cols);
    if (c > 0 && open[i - 1] && dist[i - 1] === -1) (dist[i - 1] = d), (queue[tail++] = i - 1);
    if (c < cols - 1 && open[i + 1] && dist[i + 1] === -1) (dist[i + 1] = d), (queue[tail++] = i + 1);
  }
  return dist;
}

/**
 * Windowed space-time A* for `robot` from `start` (tick 0) toward `goal`, avoiding `table`'s
 * reservations and cells where `open` is 0. Each tick costs 1 (moving or waiting) until the robot is
 * at the goal and may stay there to the end of the window; moves are to the 4 neighbours or staying,
 * tried in a fixed order so results are deterministic. The heuristic is `dist` (BFS distances to the
 * goal, {@link distanceMap}), exact on the empty grid.
 *
 * @returns the cells at ticks 0…k (k ≤ window): to the goal and able to stay there, else the partial path
 * ending at the tick-`window` state closest to the goal; `undefined` when the robot cannot even stay
 * put at tick 1 nor move anywhere.
 */
export function spaceTimeAStar(
  table: ReservationTable,
  open: Uint8Array,
  rows: number,
  cols: number,
  robot: number,
  start: number,
  goal: number,
  dist: Int32Array,
): number[] | undefined {
  const W = table.window;
  const cells = rows * cols;
  const h = (c: number) => (dist[c]! < 0 ? rows * cols : dist[c]!);
  const g = new Map<number, number>();
  const parent = new Map<number, number>();
  const heap = new MinHeap();
  const key0 = start; // key = t · cells + cell
  g.set(key0, 0);
  heap.push(h(start), key0);
  let best = -1;
  let bestH = Infinity;
  const staysToEnd = (t: number, c: number) => {
    for (let u = t; u <= W; u++) if (!table.free(u, c, robot)) return false;
    return true;
  };
  while (heap.size > 0) {
    const key = heap.pop();
    const t = (key / cells) | 0;
    const c = key - t * cells;
    const gk = g.get(key)!;
    if (c === goal && staysToEnd(t, c)) return unwind(key);
    if (t === W) {
      if (h(c) < bestH) {
        bestH = h(c);
        best = key;
      }
      continue;
    }
    const r = (c / cols) | 0;
    const col = c - r * cols;
    const next = [c, r > 0 ? c - cols : -1, r < rows - 1 ? c + cols : -1, col > 0 ? c - 1 : -1, col < cols - 1 ? c + 1 : -1];
    for (const n of next) {
      if (n < 0 || (n !== c && !open[n]) || !table.free(t + 1, n, robot)) continue;
      const nk = (t + 1) * cells + n;
      const gn = gk + 1;
      if (g.has(nk) && g.get(nk)! <= gn) continue;
      g.set(nk, gn);
      parent.set(nk, key);
      heap.push(gn + h(n) + (n === c ? 1e-3 : 0), nk);
    }
  }
  return best >= 0 ? unwind(best) : undefined;

  function unwind(key: number): number[] {
    const path: number[] = [];
    for (let k: number | undefined = key; k !== undefined; k = parent.get(k)) path.push(k % cells);
    return path.reverse();
  }
}
