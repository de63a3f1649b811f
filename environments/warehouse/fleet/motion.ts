/**
 * The motion layer of fleet MPC ({@link WarehouseFleetMpcPolicy}): given every robot's ego-centric state,
 * grip command and cost context (its reference or goal, the others' expected paths), plan every robot's
 * `[vx, vz]` commands over the horizon with one {@link FleetPlanner} on a shared per-robot model.
 *
 * Everything it needs travels as plain data — the layout and configuration at construction, a
 * {@link FleetMotionRequest} per plan — so the same planner runs on the caller's thread
 * ({@link FleetMotionPlanner}) or in a worker thread (`FleetMotionWorker`), behind one interface,
 * {@link FleetMotionSource}. The task layer stays with the environment (it reads where the packages are).
 *
 * Per-robot deadlines: a request's `deadlineMs` (ms from `issuedAt`, when the caller asked) reaches the
 * planner as what is left of it when planning starts; each robot's optimiser stops at its own deadline and
 * a robot whose plan came late is reported in `overran`, for the caller's fallback.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError, describeValue } from '../../../src/errors.js';
import type { OptimizerSpec } from '../../../src/planning/create-optimizer.js';
import { FleetPlanner, type FleetRolloutModel } from '../../../src/planning/fleet-planner.js';
import type { RolloutModel, RolloutResult } from '../../../src/planning/rollout-model.js';
import type { WarehouseConfig } from '../config.js';
import type { Layout } from '../layout.js';
import { pathDistancesFor, type PathDistances } from '../path-distance.js';
import { fleetCostWeights, fleetRobotCost, integratePositions, type FleetCostWeights, type ResolvedFleetCostWeights, type RobotCostContext } from './robot-cost.js';

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

/** The map and fleet a motion planner serves (plain data: it is sent to a worker as is). */
export interface FleetMotionSetup {
  readonly layout: Layout;
  readonly config: WarehouseConfig;
  /** Robots in the fleet. */
  readonly robots: number;
}

/** Options of the motion layer; defaults in brackets. */
export interface FleetMotionOptions {
  /** Steps per plan. */
  readonly horizon: number;
  /** Each robot's optimiser. */
  readonly optimizer: OptimizerSpec;
  /** Cost weights [see {@link fleetCostWeights}]. */
  readonly weights?: FleetCostWeights;
  /** Planner seed [0]. */
  readonly seed?: number;
}

/** One robot's cost context: its start (position and velocity) and what the task layer asks of it. */
export type RobotMotionContext = RobotCostContext & { readonly vx: number; readonly vz: number };

/** One plan for the whole fleet. */
export interface FleetMotionRequest {
  /** Every robot's ego-centric observation, `robots × E`. */
  readonly ego: Float32Array;
  /** Every robot's grip command, fixed in all its candidates, length `robots`. */
  readonly grips: Float32Array;
  /** Every robot's cost context. */
  readonly robots: readonly RobotMotionContext[];
  /** Initial means, `robots × H × 2` [each robot's previous plan shifted]. */
  readonly means?: Float32Array;
  /** Each robot's deadline, ms after `issuedAt`: one for all or one per robot [none]. */
  readonly deadlineMs?: number | readonly number[];
  /** When the deadlines started, ms since the epoch (`performance.timeOrigin + performance.now()`, comparable across threads) [when planning starts]. */
  readonly issuedAt?: number;
  /** Also predict every robot's planar path under its plan (one more model call) [false]. */
  readonly predict?: boolean;
  /** Forget the warm starts first (a new episode) [false]. */
  readonly reset?: boolean;
  /** This plan's seed (every robot's optimiser is reseeded from it: see `FleetPlanInit.seed`) [each optimiser's stream goes on]. */
  readonly seed?: number;
}

/** A fleet plan. */
export interface FleetMotionPlan {
  /** Every robot's `[vx, vz]` commands, `robots × H × 2`. */
  readonly actions: Float32Array;
  /** Every robot's predicted centre under its plan, `robots × H × 2` (with `predict`; else empty). */
  readonly predicted: Float32Array;
  /** Per robot: its plan was ready only after its deadline (its first iteration ended past it). */
  readonly overran: readonly boolean[];
  /** Optimiser iterations per robot. */
  readonly iterations: readonly number[];
  /** Time spent planning (encode, plan, prediction), ms. */
  readonly ms: number;
}

/** Plans fleet motions: on this thread ({@link FleetMotionPlanner}) or in a worker (`FleetMotionWorker`). */
export interface FleetMotionSource {
  /** Steps per plan. */
  readonly horizon: number;
  /** Size of the ego-centric observation the model expects. */
  readonly stateDim: number;
  /**
   * Plans every robot (see {@link FleetMotionRequest}).
   * @param signal - aborting it ends the plan after the current optimiser iteration (with what it has)
   */
  plan(request: FleetMotionRequest, signal?: AbortSignal): Promise<FleetMotionPlan>;
}

/** Now, ms since the epoch, comparable across threads. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The model with each robot's grip fixed — the planner sees `[vx, vz]` actions only — and its predicted
 * states decoded into ego-centric observations. The planner tells it each row's robot (robots leave the
 * batch at their deadlines); a model that rolls the robots out together (the Rapier oracle) needs all of them.
 */
class FixedGripModel implements FleetRolloutModel {
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
  /** Rows robot-major with the same count for every robot. */
  rollout(states: Float32Array, actions: Float32Array, horizon: number): Promise<RolloutResult> {
    const B = states.length / this.stateDim;
    const R = this.grips.length;
    if (!Number.isInteger(B / R)) throw new InvalidArgumentError(`FleetMotionPlanner: expected a batch of robots × candidates rows (${R} robots), got ${B}`);
    return this.rolloutFleet(
      Int32Array.from({ length: B }, (_, b) => Math.floor(b / (B / R))),
      states,
      actions,
      horizon,
    );
  }
  async rolloutFleet(robots: Int32Array, states: Float32Array, actions: Float32Array, horizon: number): Promise<RolloutResult> {
    const B = robots.length;
    const full = new Float32Array(B * horizon * 3);
    for (let b = 0; b < B; b++) {
      const grip = this.grips[robots[b]!]!;
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

/** The motion layer on this thread (see the module docs). */
export class FleetMotionPlanner implements FleetMotionSource {
  readonly horizon: number;
  private readonly planner: FleetPlanner;
  private readonly fixed: FixedGripModel;
  private readonly paths: PathDistances;
  private readonly weights: ResolvedFleetCostWeights;
  private objectives: ReturnType<typeof fleetRobotCost>[] = [];

  /**
   * @param model - the shared per-robot model over ego-centric states and `[vx, vz, grip]` actions
   * @throws {@link InvalidArgumentError} for a model whose action is not `[vx, vz, grip]` or bad options
   */
  constructor(
    private readonly setup: FleetMotionSetup,
    private readonly model: FleetModel,
    options: FleetMotionOptions,
  ) {
    if (model.actionDim !== 3) throw new InvalidArgumentError(`FleetMotionPlanner: expected a model of one robot's [vx, vz, grip] (actionDim 3), got actionDim ${model.actionDim}`);
    this.horizon = options.horizon;
    this.weights = fleetCostWeights(options.weights);
    this.paths = pathDistancesFor(setup.layout, setup.config.cellSize);
    this.fixed = new FixedGripModel(model, setup.robots);
    this.planner = new FleetPlanner(this.fixed, {
      robots: setup.robots,
      horizon: options.horizon,
      low: [-1, -1],
      high: [1, 1],
      optimizer: options.optimizer,
      objective: (robot) => this.objectives[robot]!,
      seed: options.seed ?? 0,
    });
  }

  /** Size of the ego-centric observation the model expects. */
  get stateDim(): number {
    return this.fixed.stateDim;
  }

  async plan(request: FleetMotionRequest, signal?: AbortSignal): Promise<FleetMotionPlan> {
    return this.planUntil(request, signal === undefined ? undefined : () => signal.aborted);
  }

  /**
   * {@link FleetMotionPlanner.plan} with the cancellation as a predicate (a worker reads a shared flag).
   * @throws {@link InvalidArgumentError} when the request's sizes do not fit the fleet or the model
   */
  async planUntil(request: FleetMotionRequest, stop?: () => boolean): Promise<FleetMotionPlan> {
    const t0 = performance.now();
    const R = this.setup.robots;
    const H = this.horizon;
    const S = this.fixed.stateDim;
    if (request.ego.length !== R * S || request.grips.length !== R || request.robots.length !== R) {
      throw new InvalidArgumentError(
        `FleetMotionPlanner.plan: expected ${R} robots' ego observations (${R} × ${S}), grips and contexts, got ${request.ego.length} values, ${request.grips.length} grips, ${request.robots.length} contexts`,
      );
    }
    if (request.reset === true) this.planner.reset();
    const states = this.model.encode ? await this.model.encode(request.ego) : request.ego;
    this.fixed.grips.set(request.grips);
    this.objectives = request.robots.map((context) => fleetRobotCost(this.setup, this.paths, context, this.weights));
    const deadlineMs = remaining(request.deadlineMs, request.issuedAt);
    const { actions, results, overran } = await this.planner.plan(states, {
      ...(request.means !== undefined && { means: request.means }),
      ...(deadlineMs !== undefined && { deadlineMs }),
      ...(stop !== undefined && { stop }),
      ...(request.seed !== undefined && { seed: request.seed }),
    });
    let predicted = new Float32Array(0);
    if (request.predict === true) {
      const rolled = await this.fixed.rollout(states, actions, H);
      const dt = this.setup.config.physicsDt * this.setup.config.substeps;
      predicted = new Float32Array(R * H * 2);
      for (let r = 0; r < R; r++) predicted.set(integratePositions(rolled.states.subarray(r * H * S, (r + 1) * H * S), 1, H, S, request.robots[r]!, dt), r * H * 2);
    }
    return { actions, predicted, overran, iterations: results.map((res) => res.iterations.length), ms: performance.now() - t0 };
  }
}

/** What is left of each deadline now (at least a microsecond: a robot past its deadline still plans one iteration, reported as overran). */
function remaining(deadlineMs: number | readonly number[] | undefined, issuedAt: number | undefined): number | number[] | undefined {
  if (deadlineMs === undefined) return undefined;
  const list = typeof deadlineMs === 'number' ? [deadlineMs] : deadlineMs;
  if (!Array.isArray(list) || list.some((d) => typeof d !== 'number' || !(d > 0))) {
    throw new InvalidArgumentError(`FleetMotionPlanner.plan: expected \`deadlineMs\` to be a positive number or one per robot, got ${describeValue(deadlineMs)}`);
  }
  const spent = issuedAt === undefined ? 0 : epochNow() - issuedAt;
  const left = list.map((d) => Math.max(1e-3, d - spent));
  return typeof deadlineMs === 'number' ? left[0] : left;
}
