/**
 * A fleet baseline that does not collide: prioritised planning with a reservation table (cooperative
 * A*, windowed), the scripted fleet policy beside the greedy one.
 *
 * **Grid time.** Plans are made on the layout grid in ticks of `stepsPerMove` control steps: in one
 * tick a robot moves to a 4-neighbour cell or stays. At every tick boundary all robots are replanned,
 * in priority order, `window` ticks ahead ({@link spaceTimeAStar} over a {@link ReservationTable}): a
 * robot may only enter a cell that is not reserved at that tick and was not held by another robot the
 * tick before (no vertex, swap or following conflicts). Robots busy gripping or releasing plan first
 * (they hold their cells), then robots carrying a package, then the rest, each group in robot order. A
 * robot that can neither move nor stay is frozen where it stands, and everyone is replanned around it.
 *
 * **Tasks.** A robot without a package takes the nearest package nobody else has taken (breadth-first
 * distance to the nearest free side of the package), drives to that side, and grips it in a docking
 * move; a robot carrying a package drives it to the nearest drop-zone cell no other carrier is heading
 * for, stops and releases it there; a robot with nothing left to do goes back to its start cell. Cells
 * with a package on the floor are obstacles for everyone else's plans.
 *
 * **Tracking.** Each step, the velocity command follows the planned cell sequence: feed-forward of the
 * planned velocity plus `gain` × the distance to the planned position (linear between cell centres),
 * clipped to `maxSpeed`; planned moves follow a cubic Hermite profile, at full speed through cells the
 * path runs straight through and at rest where it turns, waits or ends. Toward the point where the plan comes
 * to rest the command is never faster than the drive can still stop from (a one-cell move from rest to rest asks
 * more acceleration than a carrier has: it falls behind and would otherwise overshoot into a dead end's wall). While carrying, the tracked
 * point is shifted toward the package, so robot + package (which fit in one cell) stay in the cells
 * the robot reserved. A robot more than 0.12 m off its cell's centre at a tick boundary (just after a
 * grip) holds its cell for a tick to settle before it sets off.
 *
 * The policy reads its robots from the observation and the packages (where they are, which are
 * delivered, who carries what) from the environment it is built for, as a warehouse management system
 * knows where its stock is; so build it from the `WarehouseEnv` itself (or a wrapper stack around one).
 * It records how long each robot's plan took ({@link WarehousePrioritizedPolicy.planLatency}).
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError, describeValue } from '../../../src/errors.js';
import type { Policy } from '../../../src/policy.js';
import type { WarehouseConfig } from '../config.js';
import { CellKind, type Layout, isBlocked } from '../layout.js';
import { WAREHOUSE_OBS as O } from '../observation.js';
import { ReservationTable, distanceMap, spaceTimeAStar } from './reservation.js';
import { SHELF_BRAKE_DEFAULTS, brakeCap, driveAcceleration } from './shelf-brake.js';

/** Tuning of {@link WarehousePrioritizedPolicy}; defaults in brackets. */
export interface PrioritizedFleetOptions {
  /** Control steps per grid move (one tick) [12, i.e. 1.2 s per cell at 10 Hz]. */
  readonly stepsPerMove?: number;
  /** Ticks planned ahead [12]. */
  readonly window?: number;
  /** Tracking gain, 1/s [6]. */
  readonly gain?: number;
}

/** What the policy reads from the environment: a `WarehouseEnv` (or anything with the same members). */
export interface FleetSource {
  readonly layout: Layout;
  readonly config: WarehouseConfig;
  readonly numRobots: number;
  readonly obsLayout: { readonly robotDim: number };
  readonly controlDt: number;
  /** Package centres `[x, y, z]` and which packages are delivered. */
  positions(): { packages: [number, number, number][]; delivered: boolean[] };
  /** Robot `i`'s carried package index, or −1. */
  robotInfo(i: number): { carrying: number };
}

/** Plan latency per robot, ms, over the plans since the last `reset`. */
export interface FleetPlanLatency {
  /** Mean time of one robot's plan, per robot. */
  readonly meanMs: readonly number[];
  /** Longest plan, per robot. */
  readonly maxMs: readonly number[];
  /** Plans made, per robot. */
  readonly plans: readonly number[];
}

function isFleetSource(x: unknown): x is FleetSource {
  return typeof x === 'object' && x !== null && 'layout' in x && 'config' in x && typeof (x as FleetSource).positions === 'function';
}

/** How far (m, per axis) a tracked point may be from its cell's centre at a tick boundary and still set off. */
const SETTLE_TOLERANCE = 0.12;

/**
 * A carrier tracks the point this fraction of the way from its centre to the centre of its robot +
 * package footprint. With the default sizes and the package held at the grip's reach (0.44–0.45 m between
 * centres) the robot keeps 0.1 m from its cell's edges and the package 0.05 m. Measured (prioritised fleet,
 * medium, seeds 100–111, 8 and 16 robots, with the braking limit below): 0.6 left the package 1 cm from the
 * edge — its corner caught shelf corners entering an aisle and knocked the robot into the shelf (10 robot–shelf
 * contacts); 0.85 none; 1 (the footprint's centre, equal margins) 2 robot–robot contacts.
 */
const CARRY_SHIFT = 0.85;

/** Fastest approach to a package while docking, m/s. */
const DOCK_SPEED = 0.6;

/**
 * Clearance a docking robot keeps from the side edges of its docking cell, m: the docking goal lines the robot
 * up with its package, but no further sideways than this allows (a package jittered to the far side of its
 * cell would otherwise put the robot a few cm from the shelf beside the aisle). The package stays in the grip's
 * reach (its side overlaps the robot's across the approach).
 */
const DOCK_CLEARANCE = 0.1;

enum Phase {
  Move = 0,
  Dock = 1,
  Release = 2,
}

/**
 * Prioritised planning with a reservation table (see the module docs).
 *
 * @example
 * ```ts
 * const env = new WarehouseEnv({ layout: 'medium', robots: 8 });
 * const policy = new WarehousePrioritizedPolicy(env);
 * policy.reset(0);
 * let { observation } = await env.reset({ seed: 0 });
 * const { info } = await env.step(policy.act(observation));
 * ```
 */
export class WarehousePrioritizedPolicy implements Policy<Float32Array, Float32Array> {
  readonly name = 'scripted:warehouse-prioritized';
  private readonly env: FleetSource;
  private readonly layout: Layout;
  private readonly config: WarehouseConfig;
  private readonly N: number;
  private readonly T: number;
  private readonly gain: number;
  private readonly table: ReservationTable;
  private readonly dist = new Map<number, Int32Array>();
  private step = 0;
  private readonly task: Int32Array;
  private readonly dock: Int32Array;
  private readonly phase: Uint8Array;
  private readonly phaseTicks: Int32Array;
  private readonly goal: Int32Array;
  private paths: number[][] = [];
  private readonly homes: number[];
  private readonly latencySum: Float64Array;
  private readonly latencyMax: Float64Array;
  private readonly latencyCount: Int32Array;
  private readonly tracked: Float64Array;
  private packagePos = new Float64Array(0);
  private readonly lastMove: Int32Array;

  /**
   * @param env - the environment (a `WarehouseEnv`, or a wrapper stack whose `unwrapped` is one)
   * @param options - tuning
   */
  constructor(env: FleetSource | { unwrapped: unknown }, options: PrioritizedFleetOptions = {}) {
    const source = isFleetSource(env) ? env : (env as { unwrapped?: unknown }).unwrapped;
    if (!isFleetSource(source)) throw new InvalidArgumentError(`WarehousePrioritizedPolicy: expected a WarehouseEnv (or a wrapper stack around one), got ${describeValue(env)}`);
    if (source.config.gripMode !== 'lift') throw new InvalidArgumentError(`WarehousePrioritizedPolicy: expected gripMode 'lift', got ${JSON.stringify(source.config.gripMode)}`);
    const { stepsPerMove = 12, window = 12, gain = 6 } = options;
    for (const [k, v, lo] of [
      ['stepsPerMove', stepsPerMove, 1],
      ['window', window, 2],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < lo) throw new InvalidArgumentError(`WarehousePrioritizedPolicy: expected \`${k}\` to be an integer ≥ ${lo}, got ${describeValue(v)}`);
    }
    if (!(gain > 0)) throw new InvalidArgumentError(`WarehousePrioritizedPolicy: expected \`gain\` > 0, got ${describeValue(gain)}`);
    this.env = source;
    this.layout = source.layout;
    this.config = source.config;
    this.N = source.numRobots;
    this.T = stepsPerMove;
    this.gain = gain;
    this.table = new ReservationTable(this.layout.rows * this.layout.cols, window);
    const n = this.N;
    this.task = new Int32Array(n);
    this.dock = new Int32Array(n);
    this.phase = new Uint8Array(n);
    this.phaseTicks = new Int32Array(n);
    this.goal = new Int32Array(n);
    this.homes = this.layout.robots.map((c) => c.row * this.layout.cols + c.col);
    this.latencySum = new Float64Array(n);
    this.latencyMax = new Float64Array(n);
    this.latencyCount = new Int32Array(n);
    this.tracked = new Float64Array(2 * n);
    this.lastMove = new Int32Array(n);
    this.reset();
  }

  /** Starts an episode: forgets tasks, plans and latencies (the policy draws no random numbers). */
  reset(_seed?: number): void {
    this.step = 0;
    this.task.fill(-1);
    this.dock.fill(-1);
    this.phase.fill(Phase.Move);
    this.phaseTicks.fill(0);
    this.goal.fill(-1);
    this.paths = Array.from({ length: this.N }, () => []);
    this.lastMove.fill(0);
    this.latencySum.fill(0);
    this.latencyMax.fill(0);
    this.latencyCount.fill(0);
  }

  /** Plan latency per robot since the last {@link WarehousePrioritizedPolicy.reset}. */
  planLatency(): FleetPlanLatency {
    return {
      meanMs: Array.from(this.latencySum, (s, i) => (this.latencyCount[i]! > 0 ? s / this.latencyCount[i]! : 0)),
      maxMs: Array.from(this.latencyMax),
      plans: Array.from(this.latencyCount),
    };
  }

  act(observation: Float32Array): Float32Array {
    const D = this.env.obsLayout.robotDim;
    if (observation.length !== this.N * D) {
      throw new InvalidArgumentError(`WarehousePrioritizedPolicy.act: expected an observation of ${this.N * D} values, got ${observation.length}`);
    }
    this.readTracked(observation, D);
    const tick = this.step % this.T;
    if (tick === 0) {
      for (let i = 0; i < this.N; i++) this.lastMove[i] = this.paths[i]!.length > 1 ? this.paths[i]![1]! - this.paths[i]![0]! : 0;
      this.replan(observation, D);
    }
    const out = new Float32Array(this.N * 3);
    for (let i = 0; i < this.N; i++) this.command(observation, i * D, i, tick, out);
    this.step++;
    return out;
  }

  /** The point each robot tracks: its centre, or the centre of robot + carried package. */
  private readTracked(obs: Float32Array, D: number): void {
    const hr = this.config.robotSize / 2;
    const hp = this.config.packageSize / 2;
    for (let i = 0; i < this.N; i++) {
      const o = i * D;
      const px = obs[o + O.x]!;
      const pz = obs[o + O.z]!;
      if (obs[o + O.carrying]! > 0.5) {
        const kx = px + obs[o + O.targetDx]!;
        const kz = pz + obs[o + O.targetDz]!;
        const cx = (Math.min(px - hr, kx - hp) + Math.max(px + hr, kx + hp)) / 2;
        const cz = (Math.min(pz - hr, kz - hp) + Math.max(pz + hr, kz + hp)) / 2;
        this.tracked[2 * i] = px + CARRY_SHIFT * (cx - px);
        this.tracked[2 * i + 1] = pz + CARRY_SHIFT * (cz - pz);
      } else {
        this.tracked[2 * i] = px;
        this.tracked[2 * i + 1] = pz;
      }
    }
  }

  private cellAt(x: number, z: number): number {
    const s = this.config.cellSize;
    const r = Math.min(this.layout.rows - 1, Math.max(0, Math.floor(z / s)));
    const c = Math.min(this.layout.cols - 1, Math.max(0, Math.floor(x / s)));
    return r * this.layout.cols + c;
  }

  private centre(cell: number): [number, number] {
    const s = this.config.cellSize;
    const cols = this.layout.cols;
    return [((cell % cols) + 0.5) * s, (Math.floor(cell / cols) + 0.5) * s];
  }

  /**
   * Whether robot `i`'s tracked point is too far from its cell's centre to set off (just after a grip,
   * or pushed): it then holds its cell for a tick to settle, so it never enters a one-cell aisle askew.
   */
  private offCentre(i: number, cell: number): boolean {
    const [cx, cz] = this.centre(cell);
    return Math.max(Math.abs(this.tracked[2 * i]! - cx), Math.abs(this.tracked[2 * i + 1]! - cz)) > SETTLE_TOLERANCE;
  }

  /** BFS distances to `goal` over the static grid (memoised: the shelves never move). */
  private distanceTo(goal: number, open: Uint8Array): Int32Array {
    let d = this.dist.get(goal);
    if (d === undefined) {
      if (this.dist.size > 4096) this.dist.clear();
      d = distanceMap(open, this.layout.rows, this.layout.cols, goal);
      this.dist.set(goal, d);
    }
    return d;
  }

  /** Updates tasks and phases, then plans every robot in priority order at a tick boundary. */
  private replan(obs: Float32Array, D: number): void {
    const { cells } = this.layout;
    const { packages, delivered } = this.env.positions();
    if (this.packagePos.length !== 2 * packages.length) this.packagePos = new Float64Array(2 * packages.length);
    packages.forEach((p, j) => {
      this.packagePos[2 * j] = p[0];
      this.packagePos[2 * j + 1] = p[2];
    });
    const carrying = Array.from({ length: this.N }, (_, i) => this.env.robotInfo(i).carrying);
    const carried = new Set(carrying.filter((j) => j >= 0));
    const staticOpen = Uint8Array.from(cells, (k) => (isBlocked(k) ? 0 : 1));
    const open = staticOpen.slice();
    const packageCell = new Int32Array(packages.length).fill(-1);
    packages.forEach((p, j) => {
      if (delivered[j] || carried.has(j)) return;
      packageCell[j] = this.cellAt(p[0], p[2]);
      open[packageCell[j]!] = 0;
    });
    const here = Array.from({ length: this.N }, (_, i) => this.cellAt(this.tracked[2 * i]!, this.tracked[2 * i + 1]!));
    this.updateTasks(obs, D, carrying, packageCell, here, open, staticOpen);

    // Priority: robots gripping or releasing, then carriers, then the rest; robot order within each.
    const rank = (i: number) => (this.phase[i] !== Phase.Move || this.offCentre(i, here[i]!) ? 0 : carrying[i]! >= 0 ? 1 : 2);
    const order = Array.from({ length: this.N }, (_, i) => i).sort((a, b) => rank(a) - rank(b) || a - b);
    const frozen = new Set<number>();
    for (let attempt = 0; attempt <= this.N; attempt++) {
      const failed = this.planAll(order, frozen, here, open, staticOpen, packageCell);
      if (failed < 0) return;
      frozen.add(failed);
    }
    for (let i = 0; i < this.N; i++) this.paths[i] = [here[i]!];
  }

  /** Plans every robot in `order` (frozen robots stay put); the first robot that cannot plan, or −1. */
  private planAll(order: readonly number[], frozen: ReadonlySet<number>, here: readonly number[], open: Uint8Array, staticOpen: Uint8Array, packageCell: Int32Array): number {
    const { rows, cols } = this.layout;
    this.table.clear();
    // Everyone holds the cell they stand in now; frozen and busy robots hold theirs to the end.
    for (let i = 0; i < this.N; i++) this.table.reserve(0, here[i]!, i);
    for (const i of frozen) this.table.reservePath([here[i]!], i);
    for (const i of order) {
      if (frozen.has(i)) {
        this.paths[i] = [here[i]!];
        continue;
      }
      if (this.phase[i] !== Phase.Move || this.offCentre(i, here[i]!)) {
        this.paths[i] = [here[i]!];
        this.table.reservePath(this.paths[i]!, i);
        if (this.phase[i] === Phase.Dock && this.task[i]! >= 0 && packageCell[this.task[i]!]! >= 0) this.table.reservePath([packageCell[this.task[i]!]!], i);
        continue;
      }
      const goal = this.goal[i]!;
      const own = open[here[i]!];
      open[here[i]!] = 1; // a robot standing on a package's cell (mid-grip) may leave it
      const t0 = performance.now();
      const path = spaceTimeAStar(this.table, open, rows, cols, i, here[i]!, goal, this.distanceTo(goal, staticOpen));
      const ms = performance.now() - t0;
      open[here[i]!] = own!;
      this.latencySum[i]! += ms;
      this.latencyCount[i]!++;
      if (ms > this.latencyMax[i]!) this.latencyMax[i] = ms;
      if (path === undefined) return i;
      this.paths[i] = path;
      this.table.reservePath(path, i);
    }
    return -1;
  }

  /** Assigns packages, drop cells and homes, and moves robots between move, dock and release phases. */
  private updateTasks(obs: Float32Array, D: number, carrying: readonly number[], packageCell: Int32Array, here: readonly number[], open: Uint8Array, staticOpen: Uint8Array): void {
    const taken = new Set<number>();
    const heading = new Set<number>();
    for (let i = 0; i < this.N; i++) {
      if (carrying[i]! >= 0) this.task[i] = carrying[i]!;
      else if (this.task[i]! >= 0 && packageCell[this.task[i]!]! < 0) this.task[i] = -1; // delivered or taken by another robot
      if (this.task[i]! >= 0) taken.add(this.task[i]!);
      if (this.phase[i] !== Phase.Move) this.phaseTicks[i]!++;
      // Leave a phase once it did its job (or took too long).
      if (this.phase[i] === Phase.Dock && (carrying[i]! >= 0 || this.task[i]! < 0 || this.phaseTicks[i]! > 3)) this.phase[i] = Phase.Move;
      if (this.phase[i] === Phase.Release && (carrying[i]! < 0 || this.phaseTicks[i]! > 3)) {
        this.phase[i] = Phase.Move;
        if (carrying[i]! < 0) this.task[i] = -1;
      }
    }
    for (let i = 0; i < this.N; i++) {
      const o = i * D;
      if (carrying[i]! >= 0) {
        if (this.phase[i] === Phase.Move) this.goal[i] = this.nearestDrop(here[i]!, heading, staticOpen);
        heading.add(this.goal[i]!);
        const [gx, gz] = this.centre(this.goal[i]!);
        const speed = Math.hypot(obs[o + O.vx]!, obs[o + O.vz]!);
        if (this.phase[i] === Phase.Move && here[i] === this.goal[i] && Math.hypot(this.tracked[2 * i]! - gx, this.tracked[2 * i + 1]! - gz) < 0.15 && speed < 0.2) {
          this.phase[i] = Phase.Release;
          this.phaseTicks[i] = 0;
        }
        continue;
      }
      if (this.phase[i] !== Phase.Move) continue;
      if (this.task[i]! < 0) this.assign(i, here[i]!, packageCell, taken, open);
      if (this.task[i]! < 0) {
        this.goal[i] = this.homes[i]!;
        continue;
      }
      this.goal[i] = this.dock[i]!;
      const [dx, dz] = this.centre(this.dock[i]!);
      if (here[i] === this.dock[i] && Math.hypot(this.tracked[2 * i]! - dx, this.tracked[2 * i + 1]! - dz) < 0.2) {
        this.phase[i] = Phase.Dock;
        this.phaseTicks[i] = 0;
      }
    }
  }

  /** Gives robot `i` the nearest untaken package (distance to its nearest open side) and that side. */
  private assign(i: number, from: number, packageCell: Int32Array, taken: Set<number>, open: Uint8Array): void {
    const { rows, cols } = this.layout;
    const reach = open.slice();
    reach[from] = 1;
    const d = distanceMap(reach, rows, cols, from);
    let best = -1;
    let bestSide = -1;
    let bestD = Infinity;
    for (let j = 0; j < packageCell.length; j++) {
      const c = packageCell[j]!;
      if (c < 0 || taken.has(j)) continue;
      const r = (c / cols) | 0;
      const col = c - r * cols;
      for (const s of [r > 0 ? c - cols : -1, r < rows - 1 ? c + cols : -1, col > 0 ? c - 1 : -1, col < cols - 1 ? c + 1 : -1]) {
        if (s < 0 || d[s]! < 0 || this.layout.cells[s] === CellKind.DropZone) continue;
        if (d[s]! < bestD) {
          bestD = d[s]!;
          best = j;
          bestSide = s;
        }
      }
    }
    this.task[i] = best;
    this.dock[i] = bestSide;
    if (best >= 0) taken.add(best);
  }

  /** The nearest drop-zone cell (BFS from `from`) no other carrier is heading for, else the nearest. */
  private nearestDrop(from: number, heading: ReadonlySet<number>, staticOpen: Uint8Array): number {
    let best = -1;
    let bestFree = -1;
    let bestD = Infinity;
    let bestFreeD = Infinity;
    for (const z of this.layout.dropZones) {
      const cell = z.row * this.layout.cols + z.col;
      const d = this.distanceTo(cell, staticOpen)[from]!;
      if (d < 0) continue;
      if (d < bestD) (bestD = d), (best = cell);
      if (!heading.has(cell) && d < bestFreeD) (bestFreeD = d), (bestFree = cell);
    }
    return bestFree >= 0 ? bestFree : best >= 0 ? best : from;
  }

  /** Robot `i`'s docking goal: its centre where the grip reaches the package, straight from its dock cell. */
  private dockGoal(i: number): [number, number] {
    const c = this.config;
    const kx = this.packagePos[2 * this.task[i]!]!;
    const kz = this.packagePos[2 * this.task[i]! + 1]!;
    const [cx, cz] = this.centre(this.dock[i]!);
    const ax = Math.abs(kx - cx) > Math.abs(kz - cz);
    const reach = c.robotSize / 2 + c.packageSize / 2 + Math.min(0.02, c.gripReach / 2);
    const side = Math.max(0, c.cellSize / 2 - c.robotSize / 2 - DOCK_CLEARANCE);
    const across = (k: number, centre: number) => Math.min(centre + side, Math.max(centre - side, k));
    return [ax ? kx - Math.sign(kx - cx) * reach : across(kx, cx), ax ? across(kz, cz) : kz - Math.sign(kz - cz) * reach];
  }

  /**
   * The planned position and velocity of robot `i`'s tracked point at the end of control step `tick` of
   * tick `k` of its path (k = 0: the current tick): cubic Hermite between the cell centres, at full speed
   * through a cell the path runs straight through, at rest where it starts, turns, waits or ends.
   */
  private planned(i: number, k: number, tick: number): { x: number; z: number; vx: number; vz: number; endX: number; endZ: number; rests: boolean } {
    const path = this.paths[i]!;
    const last = path.length - 1;
    const from = path[Math.min(last, k)]!;
    const to = path[Math.min(last, k + 1)]!;
    const after = path[Math.min(last, k + 2)]!;
    const before = k === 0 ? undefined : path[Math.min(last, k - 1)]!;
    const [x0, z0] = this.centre(from);
    const [x1, z1] = this.centre(to);
    const move = to - from;
    const v0 = move !== 0 && (before === undefined ? this.lastMove[i] : from - before) === move ? 1 : 0;
    const v1 = move !== 0 && after - to === move ? 1 : 0;
    const u = (tick + 1) / this.T;
    const pos = -2 * u ** 3 + 3 * u ** 2 + v0 * (u ** 3 - 2 * u ** 2 + u) + v1 * (u ** 3 - u ** 2);
    const vel = (-6 * u ** 2 + 6 * u + v0 * (3 * u ** 2 - 4 * u + 1) + v1 * (3 * u ** 2 - 2 * u)) / (this.T * this.env.controlDt);
    return { x: x0 + (x1 - x0) * pos, z: z0 + (z1 - z0) * pos, vx: (x1 - x0) * vel, vz: (z1 - z0) * vel, endX: x1, endZ: z1, rests: v1 === 0 };
  }

  /**
   * Robot `i`'s reference for the next `steps` control steps, from the plan the last `act` used: where
   * its tracked point is planned to be after each step (`steps × 2`; while docking, the docking law's
   * nominal approach to the docking goal; while releasing, its cell), and the tracked point now (the robot's centre, or shifted toward
   * a carried package). Fleet MPC tracks it (`WarehouseFleetMpcPolicy`).
   * @throws {@link InvalidArgumentError} for a robot index outside the fleet or before the first `act`
   */
  reference(i: number, steps: number): { points: Float32Array; trackedX: number; trackedZ: number; docking: boolean } {
    if (!Number.isSafeInteger(i) || i < 0 || i >= this.N)
      throw new InvalidArgumentError(`WarehousePrioritizedPolicy.reference: expected a robot index in [0, ${this.N - 1}], got ${describeValue(i)}`);
    if (this.step === 0) throw new InvalidArgumentError('WarehousePrioritizedPolicy.reference: expected a call after act() (there is no plan before the first step)');
    const points = new Float32Array(steps * 2);
    const docking = this.phase[i] === Phase.Dock;
    const now = (this.step - 1) % this.T;
    let x = this.tracked[2 * i]!;
    let z = this.tracked[2 * i + 1]!;
    const [gx, gz] = docking ? this.dockGoal(i) : [0, 0];
    for (let s = 0; s < steps; s++) {
      if (docking) {
        // The docking law's nominal approach: gain × distance, at most DOCK_SPEED.
        let vx = this.gain * (gx - x);
        let vz = this.gain * (gz - z);
        const n = Math.hypot(vx, vz);
        if (n > DOCK_SPEED) (vx *= DOCK_SPEED / n), (vz *= DOCK_SPEED / n);
        x += vx * this.env.controlDt;
        z += vz * this.env.controlDt;
      } else ({ x, z } = this.planned(i, Math.floor((now + s) / this.T), (now + s) % this.T));
      points[2 * s] = x;
      points[2 * s + 1] = z;
    }
    return { points, trackedX: this.tracked[2 * i]!, trackedZ: this.tracked[2 * i + 1]!, docking };
  }

  /**
   * Writes robot `i`'s `[vx, vz, grip]` for step `tick` of the current tick. Docking: straight at the docking
   * goal, at most `DOCK_SPEED`. Otherwise feed-forward of the planned velocity plus `gain` × the distance to the
   * planned position, never faster toward the point where the plan comes to rest than the drive can still stop
   * from: a one-cell move from rest to rest asks 6 m / (stepsPerMove·dt)² (4.2 m/s² at the defaults) of a
   * carrier that has 3.4 — it falls behind, catches up at full speed and would overshoot into a dead end's wall.
   */
  private command(obs: Float32Array, o: number, i: number, tick: number, out: Float32Array): void {
    const c = this.config;
    const a = i * 3;
    const tx = this.tracked[2 * i]!;
    const tz = this.tracked[2 * i + 1]!;
    let vx: number;
    let vz: number;
    const carryingNow = obs[o + O.carrying]! > 0.5;
    out[a + 2] = carryingNow ? 1 : -1;
    if (this.phase[i] === Phase.Dock) {
      // Drive straight at the package until the grip reaches it.
      const [gx, gz] = this.dockGoal(i);
      [vx, vz] = [this.gain * (gx - obs[o + O.x]!), this.gain * (gz - obs[o + O.z]!)];
      const n = Math.hypot(vx, vz);
      if (n > DOCK_SPEED) (vx *= DOCK_SPEED / n), (vz *= DOCK_SPEED / n);
      out[a + 2] = 1;
    } else {
      // Feed-forward of the planned velocity plus feedback toward the planned position.
      const p = this.planned(i, 0, tick);
      vx = p.vx + this.gain * (p.x - tx);
      vz = p.vz + this.gain * (p.z - tz);
      if (p.rests) {
        const brake = SHELF_BRAKE_DEFAULTS.brakeFraction * driveAcceleration(c, carryingNow);
        vx = brakeCap(vx, p.endX - tx, brake, this.env.controlDt);
        vz = brakeCap(vz, p.endZ - tz, brake, this.env.controlDt);
      }
      if (this.phase[i] === Phase.Release) out[a + 2] = -1;
    }
    const n = Math.hypot(vx, vz);
    if (n > c.maxSpeed) (vx *= c.maxSpeed / n), (vz *= c.maxSpeed / n);
    out[a] = vx / c.maxSpeed;
    out[a + 1] = vz / c.maxSpeed;
  }
}
