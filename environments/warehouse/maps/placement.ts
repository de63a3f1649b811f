/**
 * Fleets on maps: where robots start, where packages wait and where they go, for an imported map
 * (MovingAI / League of Robot Runners, see {@link parseMovingAiMap}) or for an ASCII layout whose robot or
 * package count is changed.
 *
 * - **Shelves**: every obstacle cell becomes a shelf cell. The physics merges shelf cells into
 *   rectangles (one collider per shelf run, see `mergedRectangles`), so a 161 × 63 map with hundreds of
 *   shelf cells costs a few hundred static colliders, not thousands.
 * - **The floor** is the largest 4-connected region of passable cells (ties: the first in reading
 *   order); robots and packages are placed only there.
 * - **Drop zones** (`dropZones`): `'marked'` uses the map's stations (`S` cells of a League of Robot
 *   Runners map); `'north'`, `'south'`, `'west'`, `'east'` use the floor cells of the outermost row or
 *   column on that side that has any floor cell (the west column of a map whose border is open, the
 *   column just inside a walled border);
 *   `'auto'` (default) is `'marked'` when the map has stations, else `'west'`.
 * - **Pickup points**: the map's emitters (`E` cells) when it has any, else every floor cell beside
 *   (4-neighbour) a shelf. Packages start on distinct pickup points.
 * - **Robots** start on floor cells that are neither drop zones nor package cells, away from shelves
 *   first (cells that are not pickup points), then on the remaining pickup points.
 *
 * Which cells are drawn is fixed by `mapSeed` (a partial Fisher–Yates shuffle of the candidates in
 * reading order with `Rng.fromSeed(mapSeed)`), so a map and its options always give the same layout.
 *
 * @module
 */
import { InvalidArgumentError } from '../../../src/errors.js';
import { Rng } from '../../../src/rng.js';
import { CellKind, type GridCell, type Layout, LayoutError, isBlocked, parseLayout } from '../layout.js';
import type { GridMap } from './movingai.js';

/** Where drop zones come from (see the module docs). */
export const DROP_ZONE_SOURCES = ['auto', 'marked', 'north', 'south', 'west', 'east'] as const;
/** One of {@link DROP_ZONE_SOURCES}. */
export type DropZoneSource = (typeof DROP_ZONE_SOURCES)[number];

/** Robots placed on an imported map when `robots` is not given. */
export const DEFAULT_IMPORTED_ROBOTS = 8;

/** How many robots and packages a map gets, and where its drop zones are. Every field is optional. */
export interface FleetPlacementOptions {
  /** Robots. Default: the layout's `R` cells (ASCII), {@link DEFAULT_IMPORTED_ROBOTS} (imported maps). */
  readonly robots?: number;
  /** Packages. Default: the layout's `P` cells (ASCII), one per robot (imported maps). */
  readonly packages?: number;
  /** Drop zones of an imported map (ASCII layouts take their `D` cells). Default `'auto'`. */
  readonly dropZones?: DropZoneSource;
  /** Seed of the cells drawn for robots and packages. Default 0. */
  readonly mapSeed?: number;
}

/** Takes `n` entries of `candidates` (shuffled in place, partially) with `rng`. */
function draw(candidates: number[], n: number, rng: Rng): number[] {
  const k = Math.min(n, candidates.length);
  for (let i = 0; i < k; i++) {
    const j = rng.integer(i, candidates.length - 1);
    const t = candidates[i]!;
    candidates[i] = candidates[j]!;
    candidates[j] = t;
  }
  return candidates.slice(0, k);
}

/** Row-major 1 for floor cells (reachable, not blocked, not a drop zone) with a shelf or wall 4-neighbour. */
function besideShelves(kinds: Uint8Array, reachable: Uint8Array, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if (!reachable[i] || kinds[i] !== CellKind.Floor) continue;
      const n =
        (r > 0 && isBlocked(kinds[i - cols]!)) ||
        (r < rows - 1 && isBlocked(kinds[i + cols]!)) ||
        (c > 0 && isBlocked(kinds[i - 1]!)) ||
        (c < cols - 1 && isBlocked(kinds[i + 1]!));
      if (n) out[i] = 1;
    }
  }
  return out;
}

/** The largest 4-connected region of free cells (ties: first in reading order), as a row-major mask. */
function largestRegion(blocked: Uint8Array, rows: number, cols: number): Uint8Array {
  const label = new Int32Array(rows * cols).fill(-1);
  const queue = new Int32Array(rows * cols);
  let best = -1;
  let bestSize = 0;
  let next = 0;
  for (let s = 0; s < rows * cols; s++) {
    if (blocked[s] || label[s] !== -1) continue;
    const id = next++;
    let head = 0;
    let tail = 0;
    label[s] = id;
    queue[tail++] = s;
    while (head < tail) {
      const i = queue[head++]!;
      const r = (i / cols) | 0;
      const c = i - r * cols;
      for (const j of [r > 0 ? i - cols : -1, r < rows - 1 ? i + cols : -1, c > 0 ? i - 1 : -1, c < cols - 1 ? i + 1 : -1]) {
        if (j < 0 || blocked[j] || label[j] !== -1) continue;
        label[j] = id;
        queue[tail++] = j;
      }
    }
    if (tail > bestSize) {
      bestSize = tail;
      best = id;
    }
  }
  const mask = new Uint8Array(rows * cols);
  for (let i = 0; i < mask.length; i++) if (label[i] === best) mask[i] = 1;
  return mask;
}

/** Draws the ASCII map of `kinds` with robots and packages and parses it. */
function render(name: string, rows: number, cols: number, kinds: Uint8Array, robots: readonly number[], packages: readonly number[]): Layout {
  const chars = Array.from(kinds, (k): string => (k === CellKind.Shelf ? '#' : k === CellKind.Wall ? 'W' : k === CellKind.DropZone ? 'D' : '.'));
  for (const i of robots) chars[i] = 'R';
  for (const i of packages) chars[i] = 'P';
  const lines = Array.from({ length: rows }, (_, r) => chars.slice(r * cols, (r + 1) * cols).join(''));
  return parseLayout(lines.join('\n'), name);
}

/** Candidate robot cells: floor cells not taken, away from shelves first (both groups drawn with `rng`). */
function robotCells(n: number, kinds: Uint8Array, floor: Uint8Array, pickup: Uint8Array, taken: Set<number>, rng: Rng): number[] {
  const away: number[] = [];
  const beside: number[] = [];
  for (let i = 0; i < kinds.length; i++) {
    if (!floor[i] || kinds[i] !== CellKind.Floor || taken.has(i)) continue;
    (pickup[i] ? beside : away).push(i);
  }
  const first = draw(away, n, rng);
  return first.length === n ? first : [...first, ...draw(beside, n - first.length, rng)];
}

/** The drop-zone cells of an imported map. */
function dropCells(map: GridMap, source: DropZoneSource, floor: Uint8Array): number[] {
  const { rows, cols } = map;
  const line = (row: number) => map.firstLine + row;
  const chosen = source === 'auto' ? (map.stations.length > 0 ? 'marked' : 'west') : source;
  if (chosen === 'marked') {
    if (map.stations.length === 0) {
      throw new LayoutError(
        `MovingAI map: dropZones 'marked' needs station cells (\`S\` in a League of Robot Runners map, one with \`E\` cells); this map has none — pick an edge ('north', 'south', 'west', 'east') at line ${map.firstLine}, column 1`,
        1,
        1,
        map.firstLine,
      );
    }
    for (const s of map.stations) {
      if (!floor[s.row * cols + s.col]) {
        throw new LayoutError(
          `MovingAI map: unreachable drop zone (station) at line ${line(s.row)}, column ${s.col + 1} (no path from the map's largest open region)`,
          s.row + 1,
          s.col + 1,
          line(s.row),
        );
      }
    }
    return map.stations.map((s) => s.row * cols + s.col);
  }
  // The edge is the outermost row or column (on that side) with a cell of the largest open region.
  const vertical = chosen === 'west' || chosen === 'east';
  const lines = vertical ? cols : rows;
  const along = vertical ? rows : cols;
  const at = (k: number, j: number) => (vertical ? j * cols + k : k * cols + j);
  const order = Array.from({ length: lines }, (_, k) => (chosen === 'east' || chosen === 'south' ? lines - 1 - k : k));
  for (const k of order) {
    const cells: number[] = [];
    for (let j = 0; j < along; j++) if (floor[at(k, j)]) cells.push(at(k, j));
    if (cells.length > 0) return cells.sort((a, b) => a - b);
  }
  throw new InvalidArgumentError(`MovingAI map: no cell of the ${chosen} edge is in the map's largest open region`);
}

/**
 * The warehouse layout of an imported map: shelves, floor, drop zones, packages on pickup points and
 * robots (see the module docs).
 * @throws {@link LayoutError} for drop zones no robot can reach (naming line and column);
 * {@link InvalidArgumentError} when the map has fewer pickup points or free cells than packages or robots.
 */
export function layoutFromGridMap(map: GridMap, options: FleetPlacementOptions = {}, name: string = map.format): Layout {
  const { rows, cols } = map;
  const floor = largestRegion(map.blocked, rows, cols);
  const kinds = Uint8Array.from(map.blocked, (b) => (b ? CellKind.Shelf : CellKind.Floor));
  for (const i of dropCells(map, options.dropZones ?? 'auto', floor)) kinds[i] = CellKind.DropZone;
  const robots = options.robots ?? DEFAULT_IMPORTED_ROBOTS;
  const packages = options.packages ?? robots;
  const rng = Rng.fromSeed(options.mapSeed ?? 0);
  const pickup = besideShelves(kinds, floor, rows, cols);
  const points = map.emitters.length > 0 ? map.emitters.map((e) => e.row * cols + e.col).filter((i) => floor[i] && kinds[i] === CellKind.Floor) : [];
  if (map.emitters.length === 0) for (let i = 0; i < pickup.length; i++) if (pickup[i]) points.push(i);
  if (points.length < packages) {
    throw new InvalidArgumentError(`MovingAI map: ${packages} packages need as many pickup points (floor cells beside shelves, or \`E\` cells); the map has ${points.length}`);
  }
  const packageCells = draw(points, packages, rng);
  const robotAt = robotCells(robots, kinds, floor, pickup, new Set(packageCells), rng);
  if (robotAt.length < robots)
    throw new InvalidArgumentError(`MovingAI map: ${robots} robots need as many free floor cells (not drop zones or package cells); the map has ${robotAt.length}`);
  return render(name, rows, cols, kinds, robotAt, packageCells);
}

/**
 * `layout` with `robots` and `packages` changed (unchanged when neither is given): the first `n` of the
 * layout's own `R` / `P` cells (reading order), then cells drawn with `mapSeed` — robots on floor cells away
 * from shelves first, packages on floor cells beside shelves first.
 * @throws {@link InvalidArgumentError} when the layout has too few free cells, or for a `dropZones` edge (ASCII layouts mark theirs with `D`).
 */
export function withFleetSize(layout: Layout, options: FleetPlacementOptions = {}): Layout {
  const source = options.dropZones ?? 'auto';
  if (source !== 'auto' && source !== 'marked') {
    throw new InvalidArgumentError(`Warehouse layout: \`dropZones\` ${JSON.stringify(source)} applies to MovingAI maps; an ASCII layout marks its drop zones with \`D\``);
  }
  if (options.robots === undefined && options.packages === undefined) return layout;
  const { rows, cols, cells, reachable } = layout;
  const index = (c: GridCell) => c.row * cols + c.col;
  const rng = Rng.fromSeed(options.mapSeed ?? 0);
  const pickup = besideShelves(cells, reachable, rows, cols);
  const keepR = layout.robots.slice(0, options.robots ?? layout.robots.length).map(index);
  const keepP = layout.packages.slice(0, options.packages ?? layout.packages.length).map(index);
  const taken = new Set([...layout.robots.map(index), ...layout.packages.map(index)]);
  const extraR = robotCells(Math.max(0, (options.robots ?? 0) - keepR.length), cells, reachable, pickup, taken, rng);
  for (const i of extraR) taken.add(i);
  const wantP = Math.max(0, (options.packages ?? 0) - keepP.length);
  const beside: number[] = [];
  const open: number[] = [];
  for (let i = 0; i < cells.length; i++) if (reachable[i] && cells[i] === CellKind.Floor && !taken.has(i)) (pickup[i] ? beside : open).push(i);
  const firstP = draw(beside, wantP, rng);
  const extraP = firstP.length === wantP ? firstP : [...firstP, ...draw(open, wantP - firstP.length, rng)];
  const robots = [...keepR, ...extraR];
  const packages = [...keepP, ...extraP];
  if (robots.length < (options.robots ?? 0) || packages.length < (options.packages ?? 0)) {
    throw new InvalidArgumentError(
      `Warehouse layout '${layout.name}': ${options.robots ?? layout.robots.length} robots and ${options.packages ?? layout.packages.length} packages need as many free floor cells; it has room for ${robots.length} robots and ${packages.length} packages`,
    );
  }
  return render(layout.name, rows, cols, cells, robots, packages);
}
