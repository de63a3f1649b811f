/**
 * Fleet MPC for `Warehouse-v0` on one model shared by every robot: a task layer decides what each robot
 * does next, and a motion layer plans how, for all robots at once.
 *
 * - **Task layer** (`tasks`):
 *   - `'prioritized'` (default): prioritised planning with a reservation table
 *     ({@link WarehousePrioritizedPolicy}) assigns packages and drop cells and reserves every robot's
 *     cells in space-time; each robot's reference is where that plan puts it over the horizon
 *     ({@link WarehousePrioritizedPolicy.reference}), its grip the plan's. Robots therefore do not meet
 *     head-on in one-cell aisles (the plan resolves that), and MPC makes the motions.
 *   - `'greedy'`: the greedy fleet's rules ({@link WarehouseGreedyPolicy.task}): each robot's goal is the
 *     docking point beside its package or — carrying — the point that puts the package on its drop zone;
 *     release (standing still) over the zone. Nothing coordinates robots but the proximity cost, so in
 *     one-cell aisles they can block each other; it suits open maps.
 * - **Motion layer**: a {@link FleetPlanner} plans every robot's velocity commands over the horizon, all
 *   robots' candidate populations in one batched model call per iteration, on ego-centric states
 *   ({@link egoObservations}); the robot's grip command of the task layer is fixed in every candidate.
 *   Each robot's cost is {@link fleetRobotCost}: tracking its reference (or its route length to its
 *   goal), shelf clearance of its footprint and its package, proximity to the other robots' expected
 *   paths (their references, or their paths predicted at the previous plan), and stopping at the goal.
 *
 * The model is any {@link RolloutModel} over ego-centric states with the robot's `[vx, vz, grip]` as its
 * action: a learned observation-space world model trained on fleet data (`collectFleetDataset`), or the
 * Rapier oracle ({@link WarehouseFleetOracle}) for the upper bound with the same controller. The motion
 * layer runs on this thread ({@link FleetMotionPlanner}, built from the model) or in a worker
 * (`FleetMotionWorker`, passed in place of the model), behind one interface ({@link FleetMotionSource}).
 *
 * **Deadlines.** `deadlineMs` is each robot's plan deadline, from the moment `act` is called (the task
 * layer's time counts): its optimiser stops when the next iteration would end past it, and a robot whose
 * plan still came late executes its previous plan (the rest of it; then the reference's feed-forward
 * commands, or standing still). `waitMs` bounds how long `act` waits for a plan at all: past it every robot
 * executes its previous plan and the plan is cancelled (the worker's optimisers stop after their current
 * iteration). Only a plan in a worker can be given up on: a plan on this thread holds it until it ends.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError, describeValue } from '../../../src/errors.js';
import type { OptimizerSpec } from '../../../src/planning/create-optimizer.js';
import type { Policy } from '../../../src/policy.js';
import { Rng } from '../../../src/rng.js';
import { WAREHOUSE_OBS as O, observationLayout } from '../observation.js';
import { type RobotTask, WarehouseGreedyPolicy } from '../scripted.js';
import { type FleetSource, WarehousePrioritizedPolicy, type PrioritizedFleetOptions } from './prioritized.js';
import { egoObservationDim, egoObservations, type EgoObservationOptions } from './ego.js';
import { epochNow, FleetMotionPlanner, type FleetModel, type FleetMotionOptions, type FleetMotionPlan, type FleetMotionSource, type RobotMotionContext } from './motion.js';
import type { FleetCostWeights } from './robot-cost.js';
import { type ShelfBrakeOptions, resolveShelfBrakeOptions, shelfBrake } from './shelf-brake.js';

/** Options of {@link WarehouseFleetMpcPolicy}; defaults in brackets. */
export interface WarehouseFleetMpcOptions {
  /** Steps per plan [10]. */
  readonly horizon?: number;
  /** Each robot's optimiser [iCEM, 64 samples, 5 iterations; initial std 0.1 with the prioritised task layer, whose feed-forward commands are the initial mean]. */
  readonly optimizer?: OptimizerSpec;
  /** The ego-centric vector the model was trained on (`collectFleetDataset`'s `ego`) [defaults of {@link egoObservations}]. */
  readonly ego?: EgoObservationOptions;
  /** Cost weights [see {@link fleetCostWeights}]. */
  readonly weights?: FleetCostWeights;
  /** Control steps between plans; in between, each robot executes its plan's next step [1]. */
  readonly replanEvery?: number;
  /** The task layer (see the module docs) [`'prioritized'`]. */
  readonly tasks?: 'prioritized' | 'greedy';
  /** Options of the prioritised task layer. */
  readonly prioritized?: PrioritizedFleetOptions;
  /** Base of the plan seeds: the plan at step t of an episode reset with seed e is seeded `Rng.fromSeed(seed).derive(e).derive(t).nextSeed()` (e = 0 unseeded), as every MPC plan of the SDK [0]. */
  readonly seed?: number;
  /** Each robot's plan deadline, ms from when `act` is called: one for all robots or one per robot (see the module docs) [none]. */
  readonly deadlineMs?: number | readonly number[];
  /** The longest `act` waits for a plan, ms from when it is called; then every robot executes its previous plan (see the module docs) [no limit]. */
  readonly waitMs?: number;
  /**
   * The shelf brake under the plans (see {@link shelfBrake}): each robot's command toward a shelf or wall is limited to
   * what it can still stop from short of it; `false` executes the plans as they are [on, its defaults].
   */
  readonly shelfBrake?: boolean | ShelfBrakeOptions;
}

/**
 * The motion layer's options for policy options `options` (the policy's defaults filled in): what a
 * `FleetMotionWorker` is started with to plan for a policy with these options.
 */
export function fleetMotionOptions(options: WarehouseFleetMpcOptions = {}): FleetMotionOptions {
  const { horizon = 10, seed = 0, weights } = options;
  // Around the reference's feed-forward commands a narrow search suffices; toward a goal it must be wide.
  const optimizer = options.optimizer ?? { algorithm: 'icem', samples: 64, iterations: 5, ...((options.tasks ?? 'prioritized') === 'prioritized' && { initStd: 0.1 }) };
  return { horizon, optimizer, seed, ...(weights !== undefined && { weights }) };
}

/** What the task layer asks of every robot this step. */
interface TaskLayer {
  /** Grip command per robot. */
  readonly grips: Float32Array;
  /** Robots that stand still this step (greedy: releasing), whatever the plan. */
  readonly hold: readonly boolean[];
  /** Per robot: its goal, and its reference with the tracked point's offset (prioritised). */
  readonly targets: readonly { goalX: number; goalZ: number; reference?: Float32Array; offsetX?: number; offsetZ?: number }[];
  /** Every robot's expected centre over the horizon, `R × H × 2`. */
  readonly expected: Float32Array;
  /** Initial means of the planner, `R × H × 2` (the reference's feed-forward velocity commands). */
  readonly means?: Float32Array;
}

/** Fleet MPC over a shared per-robot model (see the module docs). */
export class WarehouseFleetMpcPolicy implements Policy<Float32Array, Float32Array> {
  readonly name = 'mpc:warehouse-fleet';
  /** Wall time of the last `act` that planned (encode, plan, predicted paths, or the wait until `waitMs`), ms; 0 before the first. */
  lastPlanMs = 0;
  private readonly greedy: WarehouseGreedyPolicy | undefined;
  private readonly prioritized: WarehousePrioritizedPolicy | undefined;
  private readonly source: FleetMotionSource;
  private readonly R: number;
  private readonly H: number;
  private readonly robotDim: number;
  private readonly egoOptions: EgoObservationOptions;
  private readonly replanEvery: number;
  private readonly deadlineMs: number | readonly number[] | undefined;
  private readonly waitMs: number | undefined;
  private readonly brake: ShelfBrakeOptions | undefined;
  /** The current plan (`R × H × 2`), its age in steps, and every robot's predicted positions under it (`R × H × 2`, greedy layer). */
  private plan: { actions: Float32Array; age: number; predicted: Float32Array } | undefined;
  /** Plans of robots that executed their previous plan instead, since `reset`. */
  private misses: number[];
  /** The previous request's settling (plans run one after another), and the error of one given up on. */
  private previousRun: Promise<void> = Promise.resolve();
  private failure: unknown;
  private fresh = true;
  private readonly seed: number;
  private episodeRng: Rng;
  /** Control steps since `reset`. */
  private step = 0;

  /**
   * @param setup - the environment (a `WarehouseEnv`: the prioritised task layer reads where the packages are from it)
   * @param model - the shared per-robot model (see {@link FleetModel}), planned with on this thread; or a motion source
   *   (a `FleetMotionWorker` started with `fleetMotionOptions(options)`), which then owns horizon, optimiser and weights
   * @throws {@link InvalidArgumentError} when the model's state or action size does not fit the ego vector, or for bad options
   */
  constructor(
    private readonly setup: FleetSource,
    model: FleetModel | FleetMotionSource,
    options: WarehouseFleetMpcOptions = {},
  ) {
    const { ego = {}, replanEvery = 1 } = options;
    const tasks = options.tasks ?? 'prioritized';
    if (tasks !== 'prioritized' && tasks !== 'greedy')
      throw new InvalidArgumentError(`WarehouseFleetMpcPolicy: expected tasks 'prioritized' or 'greedy', got ${describeValue(tasks)}`);
    this.source = motionSource(setup, model, options);
    this.H = this.source.horizon;
    if (!Number.isSafeInteger(replanEvery) || replanEvery < 1 || replanEvery > this.H) {
      throw new InvalidArgumentError(`WarehouseFleetMpcPolicy: expected replanEvery in [1, horizon = ${this.H}], got ${describeValue(replanEvery)}`);
    }
    if (this.source.stateDim !== egoObservationDim(ego)) {
      throw new InvalidArgumentError(
        `WarehouseFleetMpcPolicy: expected a model over ego-centric states of ${egoObservationDim(ego)} values (ego ${JSON.stringify(ego)}), got stateDim ${this.source.stateDim}`,
      );
    }
    this.R = setup.numRobots;
    this.deadlineMs = checkDeadlines(options.deadlineMs, this.R);
    if (options.waitMs !== undefined && !(options.waitMs > 0)) throw new InvalidArgumentError(`WarehouseFleetMpcPolicy: expected waitMs > 0, got ${describeValue(options.waitMs)}`);
    this.waitMs = options.waitMs;
    const brake = options.shelfBrake ?? true;
    if (typeof brake !== 'boolean' && (typeof brake !== 'object' || brake === null))
      throw new InvalidArgumentError(`WarehouseFleetMpcPolicy: expected shelfBrake true, false or its options, got ${describeValue(brake)}`);
    this.brake = brake === false ? undefined : resolveShelfBrakeOptions(brake === true ? {} : brake, 'WarehouseFleetMpcPolicy');
    this.greedy = tasks === 'greedy' ? new WarehouseGreedyPolicy(setup) : undefined;
    this.prioritized = tasks === 'prioritized' ? new WarehousePrioritizedPolicy(setup, options.prioritized) : undefined;
    this.robotDim = observationLayout(this.R, setup.config.lidarRays).robotDim;
    this.egoOptions = ego;
    this.replanEvery = replanEvery;
    this.misses = new Array<number>(this.R).fill(0);
    this.seed = options.seed ?? 0;
    this.episodeRng = Rng.fromSeed(this.seed).derive(0);
  }

  /** Per robot: plans since `reset` in which it executed its previous plan (its plan came after its deadline, or none came within `waitMs`). */
  get deadlineMisses(): readonly number[] {
    return this.misses.slice();
  }

  reset(seed?: number): void {
    this.prioritized?.reset(seed);
    this.episodeRng = Rng.fromSeed(this.seed).derive(seed ?? 0);
    this.step = 0;
    this.fresh = true;
    this.plan = undefined;
    this.lastPlanMs = 0;
    this.misses.fill(0);
  }

  /**
   * Every robot's `[vx, vz, grip]` for the flat `Warehouse-v0` observation.
   * @throws {@link InvalidArgumentError} when the observation does not fit the environment; the error of a plan
   *   given up on (`waitMs`), at the next call
   */
  async act(observation: Float32Array): Promise<Float32Array> {
    const issuedAt = epochNow();
    if (this.failure !== undefined) throw this.failure;
    if (observation.length !== this.R * this.robotDim) {
      throw new InvalidArgumentError(`WarehouseFleetMpcPolicy.act: expected an observation of ${this.R * this.robotDim} values, got ${observation.length}`);
    }
    const layer = this.prioritized ? this.prioritizedLayer(observation) : this.greedyLayer(observation);
    if (this.plan === undefined || this.plan.age >= this.replanEvery) await this.replan(observation, layer, issuedAt);
    const plan = this.plan!;
    const out = new Float32Array(this.R * 3);
    const vmax = this.setup.config.maxSpeed;
    for (let r = 0; r < this.R; r++) {
      const k = (r * this.H + plan.age) * 2;
      let vx = layer.hold[r] ? 0 : plan.actions[k]! * vmax;
      let vz = layer.hold[r] ? 0 : plan.actions[k + 1]! * vmax;
      if (this.brake !== undefined) {
        const o = r * this.robotDim;
        const carrying = observation[o + O.carrying]! > 0.5;
        const robot = {
          x: observation[o + O.x]!,
          z: observation[o + O.z]!,
          vx: observation[o + O.vx]!,
          vz: observation[o + O.vz]!,
          carrying,
          carriedDx: carrying ? observation[o + O.targetDx]! : 0,
          carriedDz: carrying ? observation[o + O.targetDz]! : 0,
        };
        [vx, vz] = shelfBrake(this.setup, robot, vx, vz, this.brake);
      }
      out[r * 3] = vx / vmax;
      out[r * 3 + 1] = vz / vmax;
      out[r * 3 + 2] = layer.grips[r]!;
    }
    plan.age++;
    this.step++;
    return out;
  }

  /** The prioritised task layer: its grip commands, and every robot's reference over the horizon. */
  private prioritizedLayer(observation: Float32Array): TaskLayer {
    const { R, H } = this;
    const command = this.prioritized!.act(observation);
    const grips = new Float32Array(R);
    const expected = new Float32Array(R * H * 2);
    const targets = Array.from({ length: R }, (_, r) => {
      grips[r] = command[r * 3 + 2]!;
      const o = r * this.robotDim;
      const ref = this.prioritized!.reference(r, H);
      const offsetX = ref.trackedX - observation[o + O.x]!;
      const offsetZ = ref.trackedZ - observation[o + O.z]!;
      for (let t = 0; t < H; t++) {
        expected[(r * H + t) * 2] = ref.points[2 * t]! - offsetX;
        expected[(r * H + t) * 2 + 1] = ref.points[2 * t + 1]! - offsetZ;
      }
      return { goalX: ref.points[2 * H - 2]! - offsetX, goalZ: ref.points[2 * H - 1]! - offsetZ, reference: ref.points, offsetX, offsetZ };
    });
    // Warm start: the velocity command that moves each robot along its reference (feed-forward), the first
    // step also closing the current tracking error.
    const means = new Float32Array(R * H * 2);
    const dt = this.setup.controlDt;
    const vmax = this.setup.config.maxSpeed;
    for (let r = 0; r < R; r++) {
      const o = r * this.robotDim;
      let px = observation[o + O.x]!;
      let pz = observation[o + O.z]!;
      for (let t = 0; t < H; t++) {
        const qx = expected[(r * H + t) * 2]!;
        const qz = expected[(r * H + t) * 2 + 1]!;
        means[(r * H + t) * 2] = Math.max(-1, Math.min(1, (qx - px) / dt / vmax));
        means[(r * H + t) * 2 + 1] = Math.max(-1, Math.min(1, (qz - pz) / dt / vmax));
        px = qx;
        pz = qz;
      }
    }
    return { grips, hold: new Array<boolean>(R).fill(false), targets, expected, means };
  }

  /** The greedy task layer: goals, grips and holds by the greedy rules; others expected along their predicted paths. */
  private greedyLayer(observation: Float32Array): TaskLayer {
    const tasks = Array.from({ length: this.R }, (_, r) => this.greedy!.task(observation, r));
    return {
      grips: Float32Array.from(tasks, (t) => t.grip),
      hold: tasks.map((t) => t.hold),
      targets: tasks.map((t) => ({ goalX: t.x, goalZ: t.z })),
      expected: this.expectedPositions(observation, tasks),
    };
  }

  /**
   * Plans every robot from `observation` (one batched fleet plan; the greedy layer also gets every robot's
   * predicted path); robots whose plan is late, or all when none came within `waitMs`, keep their previous plan.
   */
  private async replan(observation: Float32Array, layer: TaskLayer, issuedAt: number): Promise<void> {
    const t0 = performance.now();
    const { R, H } = this;
    const robots = layer.targets.map((target, r): RobotMotionContext => {
      const o = r * this.robotDim;
      const carrying = observation[o + O.carrying]! > 0.5;
      const others = new Float32Array((R - 1) * H * 2);
      let j = 0;
      for (let q = 0; q < R; q++) if (q !== r) others.set(layer.expected.subarray(q * H * 2, (q + 1) * H * 2), j++ * H * 2);
      return {
        x: observation[o + O.x]!,
        z: observation[o + O.z]!,
        vx: observation[o + O.vx]!,
        vz: observation[o + O.vz]!,
        ...target,
        carriedDx: carrying ? observation[o + O.targetDx]! : 0,
        carriedDz: carrying ? observation[o + O.targetDz]! : 0,
        others,
      };
    });
    const request = {
      ego: egoObservations(observation, this.setup, this.egoOptions),
      grips: layer.grips,
      robots,
      issuedAt,
      predict: this.greedy !== undefined,
      reset: this.fresh,
      seed: this.episodeRng.derive(this.step).nextSeed(),
      ...(layer.means !== undefined && { means: layer.means }),
      ...(this.deadlineMs !== undefined && { deadlineMs: this.deadlineMs }),
    };
    this.fresh = false;
    const controller = new AbortController();
    const run = this.previousRun.then(() => this.source.plan(request, controller.signal));
    this.previousRun = run.then(
      () => undefined,
      () => undefined,
    );
    const result = this.waitMs === undefined ? await run : await within(run, this.waitMs - (epochNow() - issuedAt));
    if (result === undefined) {
      // Given up on: it stops after its current iteration; its error, if any, is thrown by the next act.
      controller.abort();
      run.catch((error: unknown) => {
        this.failure ??= error;
      });
    }
    this.plan = this.merge(result, layer.means);
    this.lastPlanMs = performance.now() - t0;
  }

  /**
   * The plan to execute: the new one, where a robot's came late (`overran`) or none came (`plan` undefined) the
   * rest of its previous plan — past its end the feed-forward `means`, or standing still.
   */
  private merge(plan: FleetMotionPlan | undefined, means: Float32Array | undefined): { actions: Float32Array; age: number; predicted: Float32Array } {
    const { R, H } = this;
    const old = this.plan;
    const actions = plan?.actions ?? new Float32Array(R * H * 2);
    const predicted = plan?.predicted.length === R * H * 2 ? plan.predicted : new Float32Array(R * H * 2);
    for (let r = 0; r < R; r++) {
      if (plan !== undefined && !plan.overran[r]) continue;
      this.misses[r]!++;
      for (let t = 0; t < H; t++) {
        const u = (old?.age ?? H) + t;
        for (let k = 0; k < 2; k++) {
          const i = (r * H + t) * 2 + k;
          actions[i] = u < H ? old!.actions[(r * H + u) * 2 + k]! : (means?.[i] ?? 0);
          if (old !== undefined && old.predicted.length === R * H * 2) predicted[i] = old.predicted[(r * H + Math.min(u, H - 1)) * 2 + k]!;
        }
      }
    }
    return { actions, age: 0, predicted };
  }

  /**
   * Where each robot is expected over the next H steps, for the others' proximity costs: the positions its
   * previous plan predicted, moved on by that plan's age (the last one held), shifted to where the robot is
   * now; a robot without a plan or standing still for its task is expected to stay where it is.
   */
  private expectedPositions(observation: Float32Array, tasks: readonly RobotTask[]): Float32Array {
    const { R, H } = this;
    const out = new Float32Array(R * H * 2);
    const plan = this.plan;
    for (let r = 0; r < R; r++) {
      const x = observation[r * this.robotDim + O.x]!;
      const z = observation[r * this.robotDim + O.z]!;
      const from = plan === undefined || tasks[r]!.hold ? undefined : plan.predicted.subarray(r * H * 2, (r + 1) * H * 2);
      // The previous plan's position for "now" (its step age − 1), to shift its path onto the true position.
      const now = plan === undefined || plan.age === 0 ? undefined : plan.age - 1;
      for (let t = 0; t < H; t++) {
        if (from === undefined || now === undefined) {
          out[(r * H + t) * 2] = x;
          out[(r * H + t) * 2 + 1] = z;
          continue;
        }
        const u = Math.min(now + 1 + t, H - 1);
        out[(r * H + t) * 2] = x + from[u * 2]! - from[now * 2]!;
        out[(r * H + t) * 2 + 1] = z + from[u * 2 + 1]! - from[now * 2 + 1]!;
      }
    }
    return out;
  }
}

/** The motion source for `model`: itself when it is one, else a planner on this thread with the policy's options. */
function motionSource(setup: FleetSource, model: FleetModel | FleetMotionSource, options: WarehouseFleetMpcOptions): FleetMotionSource {
  if (!('rollout' in model)) {
    const owned = (['optimizer', 'weights'] as const).filter((k) => options[k] !== undefined);
    if (owned.length > 0)
      throw new InvalidArgumentError(`WarehouseFleetMpcPolicy: with a motion source, set ${owned.join(', ')} on the source (fleetMotionOptions), not on the policy`);
    if (options.horizon !== undefined && options.horizon !== model.horizon) {
      throw new InvalidArgumentError(`WarehouseFleetMpcPolicy: expected horizon ${model.horizon} (the motion source's), got ${describeValue(options.horizon)}`);
    }
    return model;
  }
  return new FleetMotionPlanner({ layout: setup.layout, config: setup.config, robots: setup.numRobots }, model, fleetMotionOptions(options));
}

/** `deadlineMs` checked: a positive number, or one per robot. */
function checkDeadlines(deadlineMs: number | readonly number[] | undefined, robots: number): number | readonly number[] | undefined {
  if (deadlineMs === undefined) return undefined;
  const ok = typeof deadlineMs === 'number' ? deadlineMs > 0 : Array.isArray(deadlineMs) && deadlineMs.length === robots && deadlineMs.every((d) => typeof d === 'number' && d > 0);
  if (!ok) throw new InvalidArgumentError(`WarehouseFleetMpcPolicy: expected deadlineMs > 0, or ${robots} of them (one per robot), got ${describeValue(deadlineMs)}`);
  return typeof deadlineMs === 'number' ? deadlineMs : [...deadlineMs];
}

/** `promise`'s value if it settles within `ms` (its rejection if it rejects then), else undefined. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  if (!(ms > 0)) return undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
