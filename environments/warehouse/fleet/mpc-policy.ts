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
 * Rapier oracle ({@link WarehouseFleetOracle}) for the upper bound with the same controller.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError, describeValue } from '../../../src/errors.js';
import type { OptimizerSpec } from '../../../src/planning/create-optimizer.js';
import { FleetPlanner } from '../../../src/planning/fleet-planner.js';
import type { RolloutModel, RolloutResult } from '../../../src/planning/rollout-model.js';
import type { Policy } from '../../../src/policy.js';
import { WAREHOUSE_OBS as O, observationLayout } from '../observation.js';
import { pathDistancesFor, type PathDistances } from '../path-distance.js';
import { type RobotTask, WarehouseGreedyPolicy } from '../scripted.js';
import { type FleetSource, WarehousePrioritizedPolicy, type PrioritizedFleetOptions } from './prioritized.js';
import { egoObservationDim, egoObservations, type EgoObservationOptions } from './ego.js';
import { integratePositions, fleetCostWeights, fleetRobotCost, type ResolvedFleetCostWeights, type FleetCostWeights } from './robot-cost.js';

/**
 * A model fleet MPC plans with: states of the ego vector's size, `[vx, vz, grip]` actions, and optionally an
 * encoder and a decoder — an observation-space world model, whose states are the ego vector normalised
 * (its decoder undoes that; the costs read own velocities from decoded states).
 */
export interface FleetModel extends RolloutModel {
  /** Maps ego-centric observations `B × E` to states `B × stateDim` (a world model's encoder); identity when absent. */
  encode?(observations: Float32Array): Promise<Float32Array>;
  /** Maps states `B × stateDim` back to ego-centric observations `B × E`; identity when absent. */
  decode?(states: Float32Array): Promise<Float32Array>;
}

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
  /** Planner seed [0]. */
  readonly seed?: number;
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

/**
 * The model with each robot's grip fixed — the planner sees `[vx, vz]` actions only (rows are robot-major) —
 * and its predicted states decoded into ego-centric observations.
 */
class FixedGripModel implements RolloutModel {
  readonly actionDim = 2;
  readonly grips: Float32Array;
  constructor(
    private readonly inner: FleetModel,
    robots: number,
  ) {
    this.grips = new Float32Array(robots);
  }
  get stateDim(): number {
    return this.inner.stateDim;
  }
  async rollout(states: Float32Array, actions: Float32Array, horizon: number): Promise<RolloutResult> {
    const B = states.length / this.stateDim;
    const R = this.grips.length;
    if (!Number.isInteger(B / R)) throw new InvalidArgumentError(`WarehouseFleetMpcPolicy: expected a batch of robots × candidates rows (${R} robots), got ${B}`);
    const n = B / R;
    const full = new Float32Array(B * horizon * 3);
    for (let b = 0; b < B; b++) {
      const grip = this.grips[Math.floor(b / n)]!;
      for (let t = 0; t < horizon; t++) {
        const i = b * horizon + t;
        full[i * 3] = actions[i * 2]!;
        full[i * 3 + 1] = actions[i * 2 + 1]!;
        full[i * 3 + 2] = grip;
      }
    }
    const result = await this.inner.rollout(states, full, horizon);
    return this.inner.decode ? { ...result, states: await this.inner.decode(result.states) } : result;
  }
}

/** Fleet MPC over a shared per-robot model (see the module docs). */
export class WarehouseFleetMpcPolicy implements Policy<Float32Array, Float32Array> {
  readonly name = 'mpc:warehouse-fleet';
  /** Wall time of the last `act` that planned (encode, plan, predicted paths), ms; 0 before the first. */
  lastPlanMs = 0;
  private readonly greedy: WarehouseGreedyPolicy | undefined;
  private readonly prioritized: WarehousePrioritizedPolicy | undefined;
  private readonly planner: FleetPlanner;
  private readonly fixed: FixedGripModel;
  private readonly paths: PathDistances;
  private readonly weights: ResolvedFleetCostWeights;
  private readonly R: number;
  private readonly H: number;
  private readonly robotDim: number;
  private readonly egoOptions: EgoObservationOptions;
  private readonly replanEvery: number;
  private objectives: ReturnType<typeof fleetRobotCost>[] = [];
  /** The current plan (`R × H × 2`), its age in steps, and every robot's predicted positions under it (`R × H × 2`). */
  private plan: { actions: Float32Array; age: number; predicted: Float32Array } | undefined;

  /**
   * @param setup - the environment (a `WarehouseEnv`: the prioritised task layer reads where the packages are from it)
   * @param model - the shared per-robot model (see {@link FleetModel})
   * @throws {@link InvalidArgumentError} when the model's state or action size does not fit the ego vector, or for bad options
   */
  constructor(
    private readonly setup: FleetSource,
    private readonly model: FleetModel,
    options: WarehouseFleetMpcOptions = {},
  ) {
    const { horizon = 10, ego = {}, replanEvery = 1, seed = 0 } = options;
    const tasks = options.tasks ?? 'prioritized';
    // Around the reference's feed-forward commands a narrow search suffices; toward a goal it must be wide.
    const optimizer = options.optimizer ?? { algorithm: 'icem', samples: 64, iterations: 5, ...(tasks === 'prioritized' && { initStd: 0.1 }) };
    if (!Number.isSafeInteger(replanEvery) || replanEvery < 1 || replanEvery > horizon) {
      throw new InvalidArgumentError(`WarehouseFleetMpcPolicy: expected replanEvery in [1, horizon = ${horizon}], got ${describeValue(replanEvery)}`);
    }
    if (model.actionDim !== 3)
      throw new InvalidArgumentError(`WarehouseFleetMpcPolicy: expected a model of one robot's [vx, vz, grip] (actionDim 3), got actionDim ${model.actionDim}`);
    if (model.stateDim !== egoObservationDim(ego)) {
      throw new InvalidArgumentError(
        `WarehouseFleetMpcPolicy: expected a model over ego-centric states of ${egoObservationDim(ego)} values (ego ${JSON.stringify(ego)}), got stateDim ${model.stateDim}`,
      );
    }
    if (tasks !== 'prioritized' && tasks !== 'greedy')
      throw new InvalidArgumentError(`WarehouseFleetMpcPolicy: expected tasks 'prioritized' or 'greedy', got ${describeValue(tasks)}`);
    this.greedy = tasks === 'greedy' ? new WarehouseGreedyPolicy(setup) : undefined;
    this.prioritized = tasks === 'prioritized' ? new WarehousePrioritizedPolicy(setup, options.prioritized) : undefined;
    this.R = setup.numRobots;
    this.H = horizon;
    this.robotDim = observationLayout(this.R, setup.config.lidarRays).robotDim;
    this.egoOptions = ego;
    this.replanEvery = replanEvery;
    this.weights = fleetCostWeights(options.weights);
    this.paths = pathDistancesFor(setup.layout, setup.config.cellSize);
    this.fixed = new FixedGripModel(model, this.R);
    this.planner = new FleetPlanner(this.fixed, {
      robots: this.R,
      horizon,
      low: [-1, -1],
      high: [1, 1],
      optimizer,
      objective: (robot) => this.objectives[robot]!,
      seed,
    });
  }

  reset(seed?: number): void {
    this.prioritized?.reset(seed);
    this.planner.reset();
    this.plan = undefined;
    this.lastPlanMs = 0;
  }

  /**
   * Every robot's `[vx, vz, grip]` for the flat `Warehouse-v0` observation.
   * @throws {@link InvalidArgumentError} when the observation does not fit the environment
   */
  async act(observation: Float32Array): Promise<Float32Array> {
    if (observation.length !== this.R * this.robotDim) {
      throw new InvalidArgumentError(`WarehouseFleetMpcPolicy.act: expected an observation of ${this.R * this.robotDim} values, got ${observation.length}`);
    }
    const layer = this.prioritized ? this.prioritizedLayer(observation) : this.greedyLayer(observation);
    if (this.plan === undefined || this.plan.age >= this.replanEvery) await this.replan(observation, layer);
    const plan = this.plan!;
    const out = new Float32Array(this.R * 3);
    for (let r = 0; r < this.R; r++) {
      const k = (r * this.H + plan.age) * 2;
      out[r * 3] = layer.hold[r] ? 0 : plan.actions[k]!;
      out[r * 3 + 1] = layer.hold[r] ? 0 : plan.actions[k + 1]!;
      out[r * 3 + 2] = layer.grips[r]!;
    }
    plan.age++;
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

  /** Plans every robot from `observation` (one batched fleet plan), then predicts every robot's path under its plan. */
  private async replan(observation: Float32Array, layer: TaskLayer): Promise<void> {
    const t0 = performance.now();
    const { R, H } = this;
    const ego = egoObservations(observation, this.setup, this.egoOptions);
    const states = this.model.encode ? await this.model.encode(ego) : ego;
    const starts = Array.from({ length: R }, (_, r) => {
      const o = r * this.robotDim;
      return { x: observation[o + O.x]!, z: observation[o + O.z]!, vx: observation[o + O.vx]!, vz: observation[o + O.vz]! };
    });
    this.fixed.grips.set(layer.grips);
    this.objectives = layer.targets.map((target, r) => {
      const o = r * this.robotDim;
      const carrying = observation[o + O.carrying]! > 0.5;
      const others = new Float32Array((R - 1) * H * 2);
      let j = 0;
      for (let q = 0; q < R; q++) if (q !== r) others.set(layer.expected.subarray(q * H * 2, (q + 1) * H * 2), j++ * H * 2);
      return fleetRobotCost(
        this.setup,
        this.paths,
        {
          ...starts[r]!,
          ...target,
          carriedDx: carrying ? observation[o + O.targetDx]! : 0,
          carriedDz: carrying ? observation[o + O.targetDz]! : 0,
          others,
        },
        this.weights,
      );
    });
    const { actions } = await this.planner.plan(states, layer.means ? { means: layer.means } : {});
    // The greedy layer expects the others along their predicted paths: one more model call.
    let predicted = new Float32Array(0);
    if (this.greedy) {
      const rolled = await this.fixed.rollout(states, actions, H);
      const S = this.fixed.stateDim;
      const dt = this.setup.controlDt;
      predicted = new Float32Array(R * H * 2);
      for (let r = 0; r < R; r++) predicted.set(integratePositions(rolled.states.subarray(r * H * S, (r + 1) * H * S), 1, H, S, starts[r]!, dt), r * H * 2);
    }
    this.plan = { actions, age: 0, predicted };
    this.lastPlanMs = performance.now() - t0;
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
