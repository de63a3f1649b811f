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
