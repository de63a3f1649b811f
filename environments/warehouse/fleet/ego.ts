/**
 * Ego-centric per-robot observations for one model shared by every robot of a fleet: what a robot
 * sees relative to itself — its own motion and task, its k nearest robots and its nearest shelf cells —
 * and never where it is on the map. The vector has the same length for any fleet size and any map, so
 * a model trained on these works on maps and fleet sizes it was not trained on.
 *
 * | index | meaning | units |
 * |---|---|---|
 * | 0, 1 | own velocity x, z | m/s |
 * | 2 | carrying (1/0) | – |
 * | 3 | has a target package (1/0) | – |
 * | 4, 5 | target package − robot, x, z | m |
 * | 6, 7 | drop zone nearest the target (or the robot) − robot, x, z | m |
 * | then 5 per robot slot (`robots` slots, nearest first) | present (1/0), other − robot x, z, other's velocity x, z | –, m, m/s |
 * | then 3 per shelf slot (`shelves` slots, nearest first) | present (1/0), shelf-cell centre − robot x, z (cells within `range`; outside the grid counts as wall) | –, m |
 * | then, with `route: true`, 3 | route length to the robot's goal (its target package, or the nearest drop zone while carrying), unit direction x, z to the next cell on that route (path-distance.ts) | m, – |
 *
 * Empty slots (fewer robots or shelves in range) are all zeros. Ties are broken by index (robots) and
 * row-major order (cells), so the vector is a deterministic function of the flat observation.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../../../src/errors.js';
import type { WarehouseConfig } from '../config.js';
import { type Layout, isBlocked } from '../layout.js';
import { WAREHOUSE_OBS as O, observationLayout } from '../observation.js';
import { type PathDistances, pathDistancesFor } from '../path-distance.js';

/** Sizes of the ego-centric vector; defaults in brackets. */
export interface EgoObservationOptions {
  /** Nearest robots described [4]. */
  readonly robots?: number;
  /** Nearest shelf cells described [8]. */
  readonly shelves?: number;
  /** Shelf cells farther than this (centre distance, m) are left out [3]. */
  readonly range?: number;
  /** Append the route to the robot's goal around shelves (length, next-cell direction) [false]. */
  readonly route?: boolean;
}

/** Entries before the robot slots. */
export const EGO_BASE = 8;

/** Length of one robot's ego-centric vector. */
export function egoObservationDim(options: EgoObservationOptions = {}): number {
  const { robots = 4, shelves = 8, route = false } = options;
  return EGO_BASE + 5 * robots + 3 * shelves + (route ? 3 : 0);
}

/**
 * Every robot's ego-centric vector (`N × egoObservationDim`, robot order) from the flat `Warehouse-v0`
 * observation of an environment with `setup`'s layout and options.
 * @throws {@link InvalidArgumentError} when the observation does not match the setup or the sizes are bad.
 */
export function egoObservations(
  observation: Float32Array,
  setup: { readonly layout: Layout; readonly config: WarehouseConfig },
  options: EgoObservationOptions = {},
): Float32Array {
  const { robots: k = 4, shelves: m = 8, range = 3, route = false } = options;
  if (!Number.isSafeInteger(k) || k < 0 || !Number.isSafeInteger(m) || m < 0 || !(range > 0)) {
    throw new InvalidArgumentError(`egoObservations: expected robots ≥ 0, shelves ≥ 0 (integers) and range > 0, got ${describeValue(options)}`);
  }
  const N = setup.layout.robots.length;
  const D = observationLayout(N, setup.config.lidarRays).robotDim;
  if (observation.length !== N * D) throw new InvalidArgumentError(`egoObservations: expected a flat observation of ${N} × ${D} values, got ${observation.length}`);
  const E = egoObservationDim({ robots: k, shelves: m, route });
  const paths = route ? pathDistancesFor(setup.layout, setup.config.cellSize) : undefined;
  const out = new Float32Array(N * E);
  const order = Array.from({ length: N }, (_, j) => j);
  const dist = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const o = i * D;
    const e = i * E;
    const x = observation[o + O.x]!;
    const z = observation[o + O.z]!;
    const own = [O.vx, O.vz, O.carrying, O.hasTarget, O.targetDx, O.targetDz, O.zoneDx, O.zoneDz];
    own.forEach((idx, q) => {
      out[e + q] = observation[o + idx]!;
    });
    for (let j = 0; j < N; j++) dist[j] = j === i ? Infinity : Math.hypot(observation[j * D + O.x]! - x, observation[j * D + O.z]! - z);
    order.sort((a, b) => dist[a]! - dist[b]! || a - b);
    for (let s = 0; s < Math.min(k, N - 1); s++) {
      const j = order[s]!;
      const b = e + EGO_BASE + 5 * s;
      out[b] = 1;
      out[b + 1] = observation[j * D + O.x]! - x;
      out[b + 2] = observation[j * D + O.z]! - z;
      out[b + 3] = observation[j * D + O.vx]!;
      out[b + 4] = observation[j * D + O.vz]!;
    }
    writeShelves(setup, x, z, m, range, out, e + EGO_BASE + 5 * k);
    if (paths) writeRoute(paths, observation, o, x, z, out, e + EGO_BASE + 5 * k + 3 * m);
  }
  return out;
}

/** The `m` nearest blocked cells (or cells outside the grid) within `range` of (x, z), as present/dx/dz triples at `at`. */
function writeShelves(setup: { readonly layout: Layout; readonly config: WarehouseConfig }, x: number, z: number, m: number, range: number, out: Float32Array, at: number): void {
  if (m === 0) return;
  const { layout } = setup;
  const s = setup.config.cellSize;
  const reach = Math.ceil(range / s) + 1;
  const c0 = Math.floor(x / s);
  const r0 = Math.floor(z / s);
  const found: [number, number, number][] = [];
  for (let r = r0 - reach; r <= r0 + reach; r++) {
    for (let c = c0 - reach; c <= c0 + reach; c++) {
      const outside = r < 0 || c < 0 || r >= layout.rows || c >= layout.cols;
      if (!outside && !isBlocked(layout.cells[r * layout.cols + c]!)) continue;
      const dx = (c + 0.5) * s - x;
      const dz = (r + 0.5) * s - z;
      const d = Math.hypot(dx, dz);
      if (d <= range) found.push([d, dx, dz]);
    }
  }
  found.sort((a, b) => a[0] - b[0]);
  for (let q = 0; q < Math.min(m, found.length); q++) {
    out[at + 3 * q] = 1;
    out[at + 3 * q + 1] = found[q]![1];
    out[at + 3 * q + 2] = found[q]![2];
  }
}

/** The route to the robot's goal (length, next-cell direction) at `at`; zeros without a goal or a route. */
function writeRoute(paths: PathDistances, observation: Float32Array, o: number, x: number, z: number, out: Float32Array, at: number): void {
  const carrying = observation[o + O.carrying]! > 0.5;
  const hasTarget = observation[o + O.hasTarget]! > 0.5;
  if (!carrying && !hasTarget) return;
  const goal: [number, number] | undefined = carrying ? undefined : [x + observation[o + O.targetDx]!, z + observation[o + O.targetDz]!];
  const r = paths.route(x, z, goal);
  if (r === undefined) return;
  out[at] = r.length;
  out[at + 1] = r.dx;
  out[at + 2] = r.dz;
}
