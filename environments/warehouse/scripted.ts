/**
 * Scripted greedy baseline for `Warehouse-v0` (lift mode): each robot drives to a docking point
 * beside its target package (the observation's nearest free package), grips, carries the package
 * until its centre is over the nearest drop zone, stops and releases. Paths come from a breadth-first
 * search over the layout grid, smoothed by steering at the furthest of the next few waypoints that the
 * robot's footprint (robot plus carried package) can reach in a straight line without touching a
 * shelf. Robots do not coordinate: in multi-robot layouts they may bump into each other.
 *
 * The controller reads only the observation plus the layout and geometry of the environment it was
 * built for, so it works on the flat single-robot view and, block by block, on multi-robot views.
 *
 * @module
 */
import type { Env } from '../../src/env.js';
import { InvalidArgumentError, describeValue } from '../../src/errors.js';
import type { Policy } from '../../src/policy.js';
import { resolveWarehouseOptions, type WarehouseConfig, type WarehouseOptions } from './config.js';
import { footprintIsFree, shortestGridPath, type Layout } from './layout.js';
import { WAREHOUSE_OBS as O, observationLayout } from './observation.js';

/** Tuning of {@link WarehouseGreedyPolicy}; defaults in brackets. */
export interface WarehouseGreedyOptions {
  /** Speed per metre of remaining distance near a goal, 1/s [2.5]. */
  readonly gain?: number;
  /** Waypoints ahead considered for straight-line shortcuts [4]. */
  readonly lookahead?: number;
  /** Release when the package centre is within this of the zone centre (per axis), m [0.3]. */
  readonly releaseTolerance?: number;
}

/** One robot's next task (see {@link WarehouseGreedyPolicy.task}). */
export interface RobotTask {
  /** Where the robot's centre is to go, grid frame x, m (its start cell's centre when it has nothing to fetch). */
  readonly x: number;
  /** Same, z, m. */
  readonly z: number;
  /** Grip command: 1 grips (or keeps holding), −1 releases (or stays empty). */
  readonly grip: number;
  /** Stand still: the robot is releasing its package over a drop zone. */
  readonly hold: boolean;
  /** Carried package centre − robot centre, x, m (0 when not carrying). */
  readonly carriedDx: number;
  /** Same, z, m. */
  readonly carriedDz: number;
}

/** What the policy needs to know about the environment: its layout and validated options. */
export interface WarehouseSetup {
  readonly layout: Layout;
  readonly config: WarehouseConfig;
}

function isSetup(x: unknown): x is WarehouseSetup {
  return typeof x === 'object' && x !== null && 'layout' in x && 'config' in x && typeof (x as WarehouseSetup).layout === 'object';
}

/** The setup of `source` itself, or of the environment a wrapper stack (`unwrapped`) ends in. */
function setupOf(source: unknown): WarehouseSetup | undefined {
  if (isSetup(source)) return source;
  const inner = typeof source === 'object' && source !== null && 'unwrapped' in source ? (source as { unwrapped: unknown }).unwrapped : undefined;
  return isSetup(inner) ? inner : undefined;
}

/**
 * The greedy pick-carry-release controller. Build it from the environment (a `WarehouseEnv`, a
 * wrapper stack around one, or anything with its `layout` and `config`) or from the same options the
 * environment was made with.
 *
 * @example
 * ```ts
 * const env = make('Warehouse-v0');
 * const policy = new WarehouseGreedyPolicy(env);
 * const action = policy.act((await env.reset({ seed: 0 })).observation);
 * ```
 */
export class WarehouseGreedyPolicy implements Policy<Float32Array, Float32Array> {
  readonly name = 'scripted:warehouse-greedy';
  private readonly layout: Layout;
  private readonly config: WarehouseConfig;
  private readonly gain: number;
  private readonly lookahead: number;
  private readonly releaseTolerance: number;
  private readonly robotDim: number;
  private readonly numRobots: number;
  private readonly paths = new Map<number, readonly number[] | undefined>();

  /**
   * @param setup - the environment (a `WarehouseEnv` or a wrapper stack around one, e.g. from `make`),
   *   or the options it was made with
   * @param options - tuning
   */
  constructor(setup: WarehouseSetup | Env<Float32Array, Float32Array> | WarehouseOptions = {}, options: WarehouseGreedyOptions = {}) {
    const found = setupOf(setup);
    if (found === undefined && typeof (setup as Partial<Env>).step === 'function') {
      throw new InvalidArgumentError(
        `WarehouseGreedyPolicy: expected a Warehouse-v0 environment (or a wrapper stack around one), got one with spec.id ${describeValue((setup as Env).spec?.id)}`,
      );
    }
    const { layout, config } = found ?? resolveWarehouseOptions(setup as WarehouseOptions, 'WarehouseGreedyPolicy setup');
    if (config.gripMode !== 'lift')
      throw new InvalidArgumentError(`WarehouseGreedyPolicy: expected gripMode 'lift', got ${JSON.stringify(config.gripMode)} (the greedy baseline grips)`);
    this.layout = layout;
    this.config = config;
    this.gain = options.gain ?? 2.5;
    this.lookahead = options.lookahead ?? 4;
    this.releaseTolerance = options.releaseTolerance ?? 0.3;
    this.numRobots = layout.robots.length;
    this.robotDim = observationLayout(this.numRobots, config.lidarRays).robotDim;
  }

  act(observation: Float32Array): Float32Array {
    if (observation.length !== this.numRobots * this.robotDim) {
      throw new InvalidArgumentError(`WarehouseGreedyPolicy.act: expected an observation of ${this.numRobots * this.robotDim} values, got ${observation.length}`);
    }
    const out = new Float32Array(this.numRobots * 3);
    for (let i = 0; i < this.numRobots; i++) this.actRobot(observation, i * this.robotDim, out, i * 3);
    return out;
  }

  /** One robot's `[vx, vz, grip]` from its observation block at `o`, yielding to a robot ahead. */
  private actRobot(obs: Float32Array, o: number, out: Float32Array, a: number): void {
    this.driveRobot(obs, o, out, a, (o / this.robotDim) | 0);
    const other = observationLayout(this.numRobots, this.config.lidarRays).otherOffset;
    if (other < 0) return;
    const dx = obs[o + other]!;
    const dz = obs[o + other + 1]!;
    const d = Math.hypot(dx, dz);
    const vx = out[a]!;
    const vz = out[a + 1]!;
    const v = Math.hypot(vx, vz);
    if (d > this.config.cellSize * 1.1 || v < 1e-6 || vx * dx + vz * dz < 0.5 * v * d) return;
    // Head-on in a one-cell aisle nobody passes: the robot with the larger (x, z) backs off sideways
    // and away, the other keeps going. Both see the same pair, so exactly one yields.
    const px = obs[o + O.x]!;
    const pz = obs[o + O.z]!;
    const yields = px > px + dx || (px === px + dx && pz > pz + dz);
    if (!yields) return;
    out[a] = (-dx / d) * 0.6 + (-dz / d) * 0.4;
    out[a + 1] = (-dz / d) * 0.6 + (dx / d) * 0.4;
  }

  /**
   * The task layer of robot `robot` (its block of the flat `observation`): where its centre is to go next
   * and its grip command. The greedy fleet steers to it along grid paths; learned fleet MPC plans motions to
   * it (`WarehouseFleetMpcPolicy`), so both do the same task.
   * @throws {@link InvalidArgumentError} for a robot index outside the fleet
   */
  task(observation: Float32Array, robot: number): RobotTask {
    if (!Number.isSafeInteger(robot) || robot < 0 || robot >= this.numRobots) {
      throw new InvalidArgumentError(`WarehouseGreedyPolicy.task: expected a robot index in [0, ${this.numRobots - 1}], got ${describeValue(robot)}`);
    }
    const obs = observation;
    const o = robot * this.robotDim;
    const c = this.config;
    const px = obs[o + O.x]!;
    const pz = obs[o + O.z]!;
    const hr = c.robotSize / 2;
    if (obs[o + O.hasTarget]! < 0.5) {
      // Nothing to fetch: go back to the start cell, out of the aisles the others still use.
      const home = this.layout.robots[robot]!;
      return { x: (home.col + 0.5) * c.cellSize, z: (home.row + 0.5) * c.cellSize, grip: -1, hold: false, carriedDx: 0, carriedDz: 0 };
    }
    const hp = c.packageSize / 2;
    const tdx = obs[o + O.targetDx]!;
    const tdz = obs[o + O.targetDz]!;
    const kx = px + tdx;
    const kz = pz + tdz;
    if (obs[o + O.carrying]! > 0.5) {
      const zx = px + obs[o + O.zoneDx]!;
      const zz = pz + obs[o + O.zoneDz]!;
      const speed = Math.hypot(obs[o + O.vx]!, obs[o + O.vz]!);
      // Release (and stand still) once the package is over the zone centre and slow.
      const hold = Math.max(Math.abs(zx - kx), Math.abs(zz - kz)) < this.releaseTolerance && speed < 0.2;
      return { x: zx - tdx, z: zz - tdz, grip: hold ? -1 : 1, hold, carriedDx: tdx, carriedDz: tdz };
    }
    const [x, z] = this.dockingPoint(px, pz, kx, kz, px + obs[o + O.zoneDx]!, pz + obs[o + O.zoneDz]!);
    // Grip as soon as the package is close: the environment attaches once the gap is within reach.
    const grip = Math.max(Math.abs(tdx), Math.abs(tdz)) < hr + hp + c.gripReach + 0.1 ? 1 : -1;
    return { x, z, grip, hold: false, carriedDx: 0, carriedDz: 0 };
  }

  private driveRobot(obs: Float32Array, o: number, out: Float32Array, a: number, robot: number): void {
    const task = this.task(obs, robot);
    out[a + 2] = task.grip;
    if (task.hold) return; // release, stand still
    const px = obs[o + O.x]!;
    const pz = obs[o + O.z]!;
    const hr = this.config.robotSize / 2;
    if (task.carriedDx === 0 && task.carriedDz === 0) {
      [out[a], out[a + 1]] = this.steer(px, pz, task.x, task.z, hr, hr);
      return;
    }
    // Steer the bounding box of robot + package so that the package centre ends on the zone centre.
    const hp = this.config.packageSize / 2;
    const kx = px + task.carriedDx;
    const kz = pz + task.carriedDz;
    const x0 = Math.min(px - hr, kx - hp);
    const x1 = Math.max(px + hr, kx + hp);
    const z0 = Math.min(pz - hr, kz - hp);
    const z1 = Math.max(pz + hr, kz + hp);
    const cx = (x0 + x1) / 2;
    const cz = (z0 + z1) / 2;
    // The zone centre as the observation gives it (not task.x + carriedDx: the same value, rounded otherwise).
    const zx = px + obs[o + O.zoneDx]!;
    const zz = pz + obs[o + O.zoneDz]!;
    [out[a], out[a + 1]] = this.steer(cx, cz, zx + (cx - kx), zz + (cz - kz), (x1 - x0) / 2, (z1 - z0) / 2);
  }

  /** The point beside the package (one of four sides, clear of shelves) that is quickest to reach. */
  private dockingPoint(px: number, pz: number, kx: number, kz: number, zx: number, zz: number): [number, number] {
    const c = this.config;
    const hr = c.robotSize / 2;
    const d = hr + c.packageSize / 2 + Math.min(0.02, c.gripReach / 2);
    const sides: [number, number][] = [
      [kx + d, kz],
      [kx - d, kz],
      [kx, kz + d],
      [kx, kz - d],
    ];
    let best = sides[0]!;
    let bestCost = Infinity;
    for (const s of sides) {
      if (!footprintIsFree(this.layout, s[0], s[1], hr, hr, c.cellSize)) continue;
      const path = this.path(this.cellOf(px, pz), this.cellOf(s[0], s[1]));
      if (path === undefined) continue;
      // Prefer sides from which the package can be set down on the zone centre without the robot
      // touching a shelf (the robot keeps the same offset to the package while carrying).
      const dropClear = footprintIsFree(this.layout, zx + s[0] - kx, zz + s[1] - kz, hr, hr, c.cellSize);
      const cost = path.length * c.cellSize + Math.hypot(s[0] - px, s[1] - pz) + (dropClear ? 0 : 2 * c.cellSize);
      if (cost < bestCost) {
        bestCost = cost;
        best = s;
      }
    }
    return best;
  }

  /**
   * Normalised velocity command moving a footprint (half sizes `hx`, `hz`) centred at (`x`, `z`) toward
   * (`gx`, `gz`) along the grid path, shortcutting to the furthest waypoint in clear straight line.
   */
  private steer(x: number, z: number, gx: number, gz: number, hx: number, hz: number): [number, number] {
    const c = this.config;
    const s = c.cellSize;
    let tx = gx;
    let tz = gz;
    let final = true;
    if (!this.clearLine(x, z, gx, gz, hx, hz)) {
      const path = this.path(this.cellOf(x, z), this.cellOf(gx, gz));
      if (path !== undefined && path.length > 1) {
        // Furthest of the next few cell centres reachable in a clear straight line (at least the next).
        const cols = this.layout.cols;
        let pick = 1;
        for (let k = Math.min(path.length - 1, this.lookahead); k >= 1; k--) {
          const cx = ((path[k]! % cols) + 0.5) * s;
          const cz = (Math.floor(path[k]! / cols) + 0.5) * s;
          if (this.clearLine(x, z, cx, cz, hx, hz)) {
            pick = k;
            break;
          }
        }
        tx = ((path[pick]! % cols) + 0.5) * s;
        tz = (Math.floor(path[pick]! / cols) + 0.5) * s;
        final = false;
      }
    }
    const dx = tx - x;
    const dz = tz - z;
    const dist = Math.hypot(dx, dz);
    if (dist < 1e-6) return [0, 0];
    const speed = Math.min(c.maxSpeed, this.gain * dist + (final ? 0 : 0.5));
    const clip = (v: number) => Math.max(-1, Math.min(1, v));
    return [clip(((dx / dist) * speed) / c.maxSpeed), clip(((dz / dist) * speed) / c.maxSpeed)];
  }

  /** Whether a footprint can slide from (x0, z0) to (x1, z1) without overlapping shelves (sampled every 10 cm). */
  private clearLine(x0: number, z0: number, x1: number, z1: number, hx: number, hz: number): boolean {
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, z1 - z0) / 0.1));
    const margin = 0.03;
    for (let k = 0; k <= n; k++) {
      const t = k / n;
      if (!footprintIsFree(this.layout, x0 + (x1 - x0) * t, z0 + (z1 - z0) * t, hx + margin, hz + margin, this.config.cellSize)) return false;
    }
    return true;
  }

  /** Grid path between two cells, memoised (the layout never changes). */
  private path(from: { row: number; col: number }, to: { row: number; col: number }): readonly number[] | undefined {
    const n = this.layout.rows * this.layout.cols;
    const key = (from.row * this.layout.cols + from.col) * n + to.row * this.layout.cols + to.col;
    if (this.paths.has(key)) return this.paths.get(key);
    if (this.paths.size >= 20_000) this.paths.clear();
    const path = shortestGridPath(this.layout, from, to);
    this.paths.set(key, path);
    return path;
  }

  private cellOf(x: number, z: number): { row: number; col: number } {
    const s = this.config.cellSize;
    return {
      row: Math.min(this.layout.rows - 1, Math.max(0, Math.floor(z / s))),
      col: Math.min(this.layout.cols - 1, Math.max(0, Math.floor(x / s))),
    };
  }
}
