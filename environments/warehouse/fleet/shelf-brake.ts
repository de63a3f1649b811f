/**
 * The shelf brake: speed and separation monitoring, as warehouse robots run it under whatever plans their
 * motion — never drive toward a shelf or wall faster than the drive can still stop short of it.
 *
 * Per axis of a velocity command, the free distance from the leading edge of the robot's footprint (grown to
 * hold its carried package) to the first blocked cell (or the grid's edge) across the footprint's width is
 * measured on the layout grid, and the command's component toward it is limited by {@link brakeCap}; while
 * one axis brakes, the other keeps its current speed (the drive's acceleration limit is on the vector). A
 * planner that knows its dynamics well never meets the limit; one whose model brakes too late (a learned
 * model, catching up on a late plan at full speed) is stopped short of the shelf instead of in it.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../../../src/errors.js';
import type { WarehouseConfig } from '../config.js';
import { type Layout, isBlocked } from '../layout.js';

/**
 * `v` limited so that, moving toward a point `d` away (signed, same axis), it can still stop there braking at
 * `a` after driving one more step `dt` at `v` (the drive reaches a command only during the step it is given
 * in): v·dt + v²/2a ≤ |d|. A `v` away from the point (or zero) is returned as it is; a point already
 * reached (`d` = 0) allows no speed toward it.
 */
export function brakeCap(v: number, d: number, a: number, dt: number): number {
  if (v === 0 || (d !== 0 && v * d < 0)) return v;
  const cap = a * (Math.sqrt(dt * dt + (2 * Math.abs(d)) / a) - dt);
  return Math.abs(v) > cap ? Math.sign(v) * cap : v;
}

/** The acceleration a robot's drive gives it, m/s²: `maxAcceleration`, less while carrying (the package's mass rides along). */
export function driveAcceleration(config: WarehouseConfig, carrying: boolean): number {
  return config.maxAcceleration * (carrying ? config.robotMass / (config.robotMass + config.packageMass) : 1);
}

/** Below this, two edges touch: a footprint flush with a cell boundary does not reach into that cell. */
const EPS = 1e-6;

/**
 * Free distance, m, from the footprint `[x0, x1] × [z0, z1]` (grid frame) along `axis` in direction `dir`
 * to the first blocked cell or the grid's edge across the footprint's width, at most `limit`; 0 when the
 * leading edge is already in one.
 */
export function freeDistance(layout: Layout, cellSize: number, box: readonly [number, number, number, number], axis: 'x' | 'z', dir: 1 | -1, limit: number): number {
  const s = cellSize;
  const [x0, x1, z0, z1] = box;
  const [lo, hi] = axis === 'x' ? [z0, z1] : [x0, x1];
  const edge = axis === 'x' ? (dir > 0 ? x1 : x0) : dir > 0 ? z1 : z0;
  const n = axis === 'x' ? layout.cols : layout.rows;
  const across = axis === 'x' ? layout.rows : layout.cols;
  const a0 = Math.max(0, Math.floor((lo + EPS) / s));
  const a1 = Math.min(across - 1, Math.floor((hi - EPS) / s));
  let k = Math.floor((edge - dir * EPS) / s);
  for (;;) {
    const d = dir > 0 ? k * s - edge : edge - (k + 1) * s;
    if (d >= limit) return limit;
    if (k < 0 || k >= n) return Math.max(0, dir > 0 ? n * s - edge : edge);
    for (let m = a0; m <= a1; m++) {
      const cell = axis === 'x' ? m * layout.cols + k : k * layout.cols + m;
      if (isBlocked(layout.cells[cell]!)) return Math.max(0, d);
    }
    k += dir;
  }
}

/** What {@link shelfBrake} needs of the environment. */
export interface ShelfBrakeSetup {
  readonly layout: Layout;
  readonly config: WarehouseConfig;
  readonly controlDt: number;
}

/** Tuning of {@link shelfBrake}. */
export interface ShelfBrakeOptions {
  /** Gap kept to shelves, m [0.03]. */
  readonly margin?: number;
  /** Fraction of the drive's acceleration braked with [0.8]. */
  readonly brakeFraction?: number;
}

/** The defaults of {@link ShelfBrakeOptions}. */
export const SHELF_BRAKE_DEFAULTS: Required<ShelfBrakeOptions> = Object.freeze({ margin: 0.03, brakeFraction: 0.8 });

/**
 * `options` with the defaults filled in.
 * @throws {@link InvalidArgumentError} for a negative or non-finite `margin` or a `brakeFraction` outside (0, 1], naming `where`
 */
export function resolveShelfBrakeOptions(options: ShelfBrakeOptions, where: string): Required<ShelfBrakeOptions> {
  const { margin, brakeFraction } = { ...SHELF_BRAKE_DEFAULTS, ...options };
  if (!(margin >= 0 && Number.isFinite(margin))) throw new InvalidArgumentError(`${where}: expected shelfBrake.margin ≥ 0 (m), got ${describeValue(margin)}`);
  if (!(brakeFraction > 0 && brakeFraction <= 1)) throw new InvalidArgumentError(`${where}: expected shelfBrake.brakeFraction in (0, 1], got ${describeValue(brakeFraction)}`);
  return { margin, brakeFraction };
}

/**
 * A velocity command `[vx, vz]` (m/s) for a robot at (`x`, `z`) carrying a package at (`x + carriedDx`,
 * `z + carriedDz`) (both 0 when not carrying), limited per axis so that the robot can stop `margin` short of
 * the shelves ahead braking at `brakeFraction` of its drive's acceleration (less the package's share of the
 * mass while carrying).
 */
export function shelfBrake(
  setup: ShelfBrakeSetup,
  robot: {
    readonly x: number;
    readonly z: number;
    readonly vx: number;
    readonly vz: number;
    readonly carriedDx: number;
    readonly carriedDz: number;
    readonly carrying: boolean;
  },
  vx: number,
  vz: number,
  options: ShelfBrakeOptions = {},
): [number, number] {
  const { config: c, layout, controlDt: dt } = setup;
  const { margin, brakeFraction } = { ...SHELF_BRAKE_DEFAULTS, ...options };
  const hr = c.robotSize / 2;
  const hp = c.packageSize / 2;
  const box: [number, number, number, number] = [robot.x - hr, robot.x + hr, robot.z - hr, robot.z + hr];
  if (robot.carrying) {
    const px = robot.x + robot.carriedDx;
    const pz = robot.z + robot.carriedDz;
    box[0] = Math.min(box[0], px - hp);
    box[1] = Math.max(box[1], px + hp);
    box[2] = Math.min(box[2], pz - hp);
    box[3] = Math.max(box[3], pz + hp);
  }
  const a = brakeFraction * driveAcceleration(c, robot.carrying);
  // Farther than the stopping distance from full speed, nothing limits.
  const limit = c.maxSpeed * dt + (c.maxSpeed * c.maxSpeed) / (2 * a) + margin + c.cellSize;
  // Free distance per axis and direction (−x, +x, −z, +z), read off the grid once each.
  const free = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
  const cap = (v: number, axis: 'x' | 'z'): number => {
    if (v === 0) return 0;
    const dir = v > 0 ? 1 : -1;
    const k = (axis === 'x' ? 0 : 2) + (dir > 0 ? 1 : 0);
    if (Number.isNaN(free[k]!)) free[k] = Math.max(0, freeDistance(layout, c.cellSize, box, axis, dir, limit) - margin);
    return brakeCap(v, dir * free[k]!, a, dt);
  };
  // The drive's acceleration limit is on the velocity vector. While the robot moves toward a shelf on an axis
  // faster than it may, that axis brakes without reversing, and an axis that need not brake keeps its current
  // speed, so the braking gets all of it.
  const brakingX = Math.abs(cap(robot.vx, 'x')) < Math.abs(robot.vx);
  const brakingZ = Math.abs(cap(robot.vz, 'z')) < Math.abs(robot.vz);
  if (!brakingX && !brakingZ) return [cap(vx, 'x'), cap(vz, 'z')];
  const axis = (braking: boolean, v: number, actual: number, name: 'x' | 'z'): number => (!braking ? actual : v * actual <= 0 ? 0 : cap(v, name));
  return [axis(brakingX, vx, robot.vx, 'x'), axis(brakingZ, vz, robot.vz, 'z')];
}
