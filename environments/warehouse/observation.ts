/**
 * The per-robot observation block of the warehouse environments: its index table, its bounds, and
 * the action layout. The flat `Warehouse-v0` observation is one block per robot, concatenated.
 *
 * | index | name | meaning | units |
 * |---|---|---|---|
 * | 0 | `x` | robot centre x (grid frame: x = column × cellSize) | m |
 * | 1 | `z` | robot centre z (z = row × cellSize) | m |
 * | 2 | `vx` | robot velocity x | m/s |
 * | 3 | `vz` | robot velocity z | m/s |
 * | 4 | `carrying` | 1 while the robot holds a package, else 0 | – |
 * | 5 | `hasTarget` | 1 when the robot has a target package, else 0 (then 5–9 are 0) | – |
 * | 6 | `targetDx` | target package centre − robot centre, x | m |
 * | 7 | `targetDz` | target package centre − robot centre, z | m |
 * | 8 | `targetHeight` | target package height above its resting height (lifted, falling, stacked) | m |
 * | 9 | `targetVx` | target package velocity x | m/s |
 * | 10 | `targetVz` | target package velocity z | m/s |
 * | 11 | `zoneDx` | centre of the drop zone nearest the target (or the robot, without target) − robot centre, x | m |
 * | 12 | `zoneDz` | same, z | m |
 * | 13 | `remaining` | undelivered packages / all packages | – |
 * | 14, 15 | `otherDx`, `otherDz` | nearest other robot − this robot (only when the layout has several robots) | m |
 * | then K | `lidar[k]` | distance along ray k at angle 2πk/K from +x toward +z, clipped to `lidarRange` (only with `lidarRays` = K > 0) | m |
 *
 * The target is the package the robot carries, else the nearest (planar distance, lowest index on
 * ties) package that is neither delivered nor carried by another robot.
 *
 * @module
 */
import { Box } from '../../src/spaces.js';
import type { WarehouseConfig } from './config.js';
import type { Layout } from './layout.js';
import { nearestZone } from './task.js';

/** Indices into a robot's observation block. */
export const WAREHOUSE_OBS = {
  x: 0,
  z: 1,
  vx: 2,
  vz: 3,
  carrying: 4,
  hasTarget: 5,
  targetDx: 6,
  targetDz: 7,
  targetHeight: 8,
  targetVx: 9,
  targetVz: 10,
  zoneDx: 11,
  zoneDz: 12,
  remaining: 13,
  /** First of `otherDx`, `otherDz` (multi-robot layouts only). */
  otherDx: 14,
  otherDz: 15,
} as const;

/** Entries of the block before the optional other-robot and lidar parts. */
export const WAREHOUSE_OBS_BASE = 14;

/** Indices into a robot's action block: `[vx, vz, grip]` (`grip` only in `'lift'` mode). */
export const WAREHOUSE_ACT = { vx: 0, vz: 1, grip: 2 } as const;

/** Sizes of one robot's observation block. */
export interface ObservationLayout {
  /** Length of one robot's block. */
  readonly robotDim: number;
  /** Offset of `otherDx` in the block, or −1 when there is a single robot. */
  readonly otherOffset: number;
  /** Offset of the first lidar reading, or −1 without lidar. */
  readonly lidarOffset: number;
}

/** The block layout for `numRobots` robots and `lidarRays` rays. */
export function observationLayout(numRobots: number, lidarRays: number): ObservationLayout {
  let dim = WAREHOUSE_OBS_BASE;
  const otherOffset = numRobots > 1 ? dim : -1;
  if (numRobots > 1) dim += 2;
  const lidarOffset = lidarRays > 0 ? dim : -1;
  dim += lidarRays;
  return { robotDim: dim, otherOffset, lidarOffset };
}

/**
 * The Box of one robot's block. Positions are bounded by the grid (padded by one cell, so contact
 * penetration never leaves the box); velocities and heights are unbounded.
 */
export function robotObservationSpace(layout: Layout, config: WarehouseConfig): Box {
  const numRobots = layout.robots.length;
  const { robotDim, otherOffset, lidarOffset } = observationLayout(numRobots, config.lidarRays);
  const s = config.cellSize;
  const w = layout.cols * s;
  const h = layout.rows * s;
  const low = new Float32Array(robotDim).fill(-Infinity);
  const high = new Float32Array(robotDim).fill(Infinity);
  const set = (i: number, lo: number, hi: number) => {
    low[i] = lo;
    high[i] = hi;
  };
  const O = WAREHOUSE_OBS;
  set(O.x, -s, w + s);
  set(O.z, -s, h + s);
  set(O.carrying, 0, 1);
  set(O.hasTarget, 0, 1);
  set(O.targetDx, -w - 2 * s, w + 2 * s);
  set(O.targetDz, -h - 2 * s, h + 2 * s);
  set(O.zoneDx, -w - 2 * s, w + 2 * s);
  set(O.zoneDz, -h - 2 * s, h + 2 * s);
  set(O.remaining, 0, 1);
  if (otherOffset >= 0) {
    set(otherOffset, -w - 2 * s, w + 2 * s);
    set(otherOffset + 1, -h - 2 * s, h + 2 * s);
  }
  for (let k = 0; k < config.lidarRays; k++) set(lidarOffset + k, 0, config.lidarRange);
  return new Box(low, high);
}

/** Entries of one robot's action block: 3 in `'lift'` mode, 2 in `'push'` mode. */
export function robotActionDim(config: WarehouseConfig): number {
  return config.gripMode === 'lift' ? 3 : 2;
}

/** What {@link writeObservations} reads. Positions and velocities are `[x, y, z]` triples. */
export interface ObservationSource {
  readonly robotPos: Float64Array;
  readonly robotVel: Float64Array;
  readonly packagePos: Float64Array;
  readonly packageVel: Float64Array;
  readonly attached: Int32Array;
  readonly targets: Int32Array;
  /** Drop-zone centres, `[x, z]` pairs. */
  readonly zones: Float64Array;
  /** Number of packages not yet delivered. */
  remaining(): number;
  readonly numPackages: number;
}

/**
 * Writes every robot's block (without lidar) into `out` (length N × robotDim): see the module docs
 * for the table. `restY` is a package's resting centre height.
 */
export function writeObservations(src: ObservationSource, layout: ObservationLayout, restY: number, out: Float32Array): void {
  const N = src.attached.length;
  const D = layout.robotDim;
  const remaining = src.remaining() / src.numPackages;
  for (let i = 0; i < N; i++) {
    const o = i * D;
    const rx = src.robotPos[3 * i]!;
    const rz = src.robotPos[3 * i + 2]!;
    out[o + WAREHOUSE_OBS.x] = rx;
    out[o + WAREHOUSE_OBS.z] = rz;
    out[o + WAREHOUSE_OBS.vx] = src.robotVel[3 * i]!;
    out[o + WAREHOUSE_OBS.vz] = src.robotVel[3 * i + 2]!;
    out[o + WAREHOUSE_OBS.carrying] = src.attached[i]! >= 0 ? 1 : 0;
    const p = src.targets[i]!;
    let ax = rx;
    let az = rz;
    if (p >= 0) {
      ax = src.packagePos[3 * p]!;
      az = src.packagePos[3 * p + 2]!;
      out[o + WAREHOUSE_OBS.hasTarget] = 1;
      out[o + WAREHOUSE_OBS.targetDx] = ax - rx;
      out[o + WAREHOUSE_OBS.targetDz] = az - rz;
      out[o + WAREHOUSE_OBS.targetHeight] = src.packagePos[3 * p + 1]! - restY;
      out[o + WAREHOUSE_OBS.targetVx] = src.packageVel[3 * p]!;
      out[o + WAREHOUSE_OBS.targetVz] = src.packageVel[3 * p + 2]!;
    }
    const k = nearestZone(src.zones, ax, az) * 2;
    out[o + WAREHOUSE_OBS.zoneDx] = src.zones[k]! - rx;
    out[o + WAREHOUSE_OBS.zoneDz] = src.zones[k + 1]! - rz;
    out[o + WAREHOUSE_OBS.remaining] = remaining;
    const other = layout.otherOffset;
    if (other >= 0) {
      let best = Infinity;
      for (let q = 0; q < N; q++) {
        if (q === i) continue;
        const dx = src.robotPos[3 * q]! - rx;
        const dz = src.robotPos[3 * q + 2]! - rz;
        const d = dx * dx + dz * dz;
        if (d < best) {
          best = d;
          out[o + other] = dx;
          out[o + other + 1] = dz;
        }
      }
    }
  }
}
