/**
 * Fleet MPC over one shared per-robot model: every robot optimises its own action sequence with its
 * own optimiser, and **all robots' candidate populations go to the model in one batched call per
 * iteration** (robot r's candidates are rows `r·N … r·N + N − 1` of the batch, each starting from robot
 * r's state). A robot's cost is its objective (default: minus the predicted return) plus an optional
 * **proximity cost** on how close its predicted positions come to the other robots' predicted paths
 * (their plans of the previous call, rolled out once more at its end).
 *
 * The batching is a gate: each optimiser's objective call waits until every robot still optimising
 * has handed in its population, then one `model.rollout` scores them all, rows in robot order (a model
 * may rely on it: with every robot's population of n candidates, row `r·n + k` is robot r's candidate k;
 * once robots have left the batch — deadlines, `stop` — it holds only the others, and a
 * {@link FleetRolloutModel} is told each row's robot). Optimisers of one spec make
 * the same calls in the same order, so robots stay in step; a robot whose optimiser has finished leaves
 * the gate. Results equal planning each robot alone with the same seeds (when the proximity cost is
 * off), because a per-robot model scores each row independently of the rest of its batch.
 *
 * **Per-robot deadlines** (`plan(states, { deadlineMs })`): the optimisers are anytime. After each iteration a
 * robot stops when the next iteration, taking as long as its last, would end past its deadline; it leaves
 * the gate with its best so far, and the robots still optimising share smaller batches. Every robot runs at
 * least one iteration; a robot whose first iteration already ended past its deadline is reported in
 * `overran`, for the caller's fallback (its previous plan). `stop` ends every robot's optimisation after the
 * current iteration (a cancellation).
 *
 * Seeds: robot r's optimiser is seeded with `Rng.fromSeed(seed).derive(r).nextSeed()` (see
 * {@link fleetRobotSeed}); with `plan(states, { seed })` every robot's optimiser is reseeded that way from the
 * plan's seed first, so a plan does not depend on what was planned before.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError, describeValue } from '../errors.js';
import { Rng } from '../rng.js';
import { createOptimizer, type OptimizerSpec } from './create-optimizer.js';
import { rewardObjective, type PlanningObjective } from './objectives.js';
import { sequenceProblem, type OptimizeResult, type SequenceOptimizer } from './optimizer.js';
import type { RolloutModel, RolloutResult } from './rollout-model.js';

/** The proximity cost: `weight × Σ_t Σ_{j≠r} max(0, radius − ‖p_r(t) − p_j(t)‖)²` over predicted planar positions. */
export interface ProximityCost {
  /** Weight of the squared hinge, cost units per m². */
  readonly weight: number;
  /** Distance below which two robots' predicted positions cost, m. */
  readonly radius: number;
  /** Indices of the planar position `[x, z]` in a predicted state. */
  readonly position: readonly [number, number];
}

/**
 * A per-robot model that is told whose rows a batch holds: robots leave the batch as their optimisers finish
 * (deadlines, `stop`), so a batch need not hold every robot. A model that needs to know (a robot's own fixed
 * action entries, a simulator that rolls the robots out together) implements it; {@link FleetPlanner} then
 * calls it instead of `rollout`.
 */
export interface FleetRolloutModel extends RolloutModel {
  /**
   * `rollout`, with each row's robot: `robots[b]` is row b's robot index (ascending: rows are robot-major).
   * @param robots - length B
   */
  rolloutFleet(robots: Int32Array, states: Float32Array, actions: Float32Array, horizon: number): Promise<RolloutResult>;
}

/** Whether `model` wants to be told whose rows a batch holds. */
function isFleetRolloutModel(model: RolloutModel): model is FleetRolloutModel {
  return typeof (model as Partial<FleetRolloutModel>).rolloutFleet === 'function';
}

/** Options of {@link FleetPlanner}. */
export interface FleetPlannerOptions {
  /** Robots planned together (the rows of the start states). */
  readonly robots: number;
  /** H, steps per plan. */
  readonly horizon: number;
  /** Per-action bounds, length A (the model's actionDim). */
  readonly low: ArrayLike<number>;
  /** Per-action bounds, length A. */
  readonly high: ArrayLike<number>;
  /** Each robot's optimiser (the seed inside is replaced by the robot's derived seed). */
  readonly optimizer: OptimizerSpec;
  /**
   * A robot's objective: one for every robot, or a function giving robot `r`'s (called on every model call,
   * so it may change between plans, e.g. each robot's own goal). Default: {@link rewardObjective}`()`.
   */
  readonly objective?: PlanningObjective | ((robot: number) => PlanningObjective);
  /** Cost on predicted proximity to the other robots' predicted paths. Default: none. */
  readonly proximity?: ProximityCost;
  /** Base seed. Default 0. */
  readonly seed?: number;
}

/** What {@link FleetPlanner.plan} returns. */
export interface FleetPlanResult {
  /** Each robot's sequence to execute, `robots × H × A`. */
  readonly actions: Float32Array;
  /** Each robot's optimisation result (its `iterations` say how many ran before a deadline or `stop`). */
  readonly results: readonly OptimizeResult[];
  /** Per robot: its plan was ready only after its deadline (all false without deadlines). */
  readonly overran: readonly boolean[];
  /** Calls of `model.rollout` made (one per iteration, plus one for the proximity cost's paths). */
  readonly modelCalls: number;
  /** Wall time, ms. */
  readonly ms: number;
}

/** How {@link FleetPlanner.plan} starts and when it stops. */
export interface FleetPlanInit {
  /** Initial means, `robots × H × A` (e.g. a reference controller's commands). Default: each robot's previous plan shifted by one step. */
  readonly means?: Float32Array;
  /**
   * Each robot's deadline, ms from the start of the call: one for every robot or one per robot. A robot stops
   * iterating when its next iteration would end past it (see the module docs). Default: none (every iteration).
   */
  readonly deadlineMs?: number | ArrayLike<number>;
  /** Checked after every iteration: `true` ends every robot's optimisation there (a cancellation). */
  readonly stop?: () => boolean;
  /**
   * This plan's seed: robot r's optimiser is reseeded with {@link fleetRobotSeed}`(seed, r)` first, so the same
   * states, means and seed give the same plan whatever was planned before (and an early stop in one plan does
   * not shift the random streams of the next). Default: each optimiser's stream goes on.
   */
  readonly seed?: number;
}

/** Robot `robot`'s optimiser seed under base `seed`. */
export function fleetRobotSeed(seed: number, robot: number): number {
  return Rng.fromSeed(seed).derive(robot).nextSeed();
}

interface Pending {
  readonly robot: number;
  readonly candidates: Float32Array;
  readonly costs: Float32Array;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/** Batched fleet MPC over one per-robot {@link RolloutModel} (see the module docs). */
export class FleetPlanner {
  private readonly optimizers: SequenceOptimizer[];
  private readonly objective: (robot: number) => PlanningObjective;
  private readonly H: number;
  private readonly A: number;
  private readonly S: number;
  private means: Float32Array[];
  /** Other robots' predicted positions from the last plan, `robots × H × 2`, or undefined before the first. */
  private paths: Float32Array | undefined;

  /**
   * @param model - the shared per-robot model (state: one robot's state, action: one robot's action)
   * @throws {@link InvalidArgumentError} for bounds that do not match the model, a bad robot count or a bad proximity cost
   */
  constructor(
    private readonly model: RolloutModel,
    private readonly options: FleetPlannerOptions,
  ) {
    const { robots, horizon, low, high, proximity, seed = 0 } = options;
    if (!Number.isSafeInteger(robots) || robots < 1) throw new InvalidArgumentError(`FleetPlanner: expected \`robots\` ≥ 1, got ${describeValue(robots)}`);
    if (low.length !== model.actionDim) {
      throw new InvalidArgumentError(`FleetPlanner: expected bounds of the model's actionDim ${model.actionDim}, got ${low.length}`);
    }
    if (proximity !== undefined && (!(proximity.weight >= 0) || !(proximity.radius > 0) || proximity.position.some((k) => !(k >= 0 && k < model.stateDim)))) {
      throw new InvalidArgumentError(
        `FleetPlanner: expected proximity { weight ≥ 0, radius > 0, position: two state indices < ${model.stateDim} }, got ${describeValue(proximity)}`,
      );
    }
    const problem = sequenceProblem(horizon, low, high, 'FleetPlanner');
    this.optimizers = Array.from({ length: robots }, (_, r) => createOptimizer(problem, { ...options.optimizer, seed: fleetRobotSeed(seed, r) } as OptimizerSpec));
    const objective = options.objective ?? rewardObjective();
    this.objective = typeof objective === 'function' ? objective : () => objective;
    this.H = horizon;
    this.A = model.actionDim;
    this.S = model.stateDim;
    this.means = Array.from({ length: robots }, () => new Float32Array(horizon * this.A));
  }

  /**
   * Plans every robot from its state (`robots × S`), warm-started from the previous plan shifted by one step,
   * or from `init.means`; with `init.deadlineMs`, each robot stops at its deadline (see the module docs).
   * @throws {@link InvalidArgumentError} when `states` is not `robots × S`, `init.means` not `robots × H × A`,
   *   or a deadline is not a positive number (or not one per robot)
   */
  async plan(states: Float32Array, init: FleetPlanInit = {}): Promise<FleetPlanResult> {
    const R = this.options.robots;
    if (states.length !== R * this.S) throw new InvalidArgumentError(`FleetPlanner.plan: expected ${R} × ${this.S} start states, got ${states.length} values`);
    const { means } = init;
    if (means !== undefined && means.length !== R * this.H * this.A) {
      throw new InvalidArgumentError(`FleetPlanner.plan: expected initial means of ${R} × ${this.H} × ${this.A} values, got ${means.length}`);
    }
    const deadlines = robotDeadlines(init.deadlineMs, R);
    if (init.seed !== undefined) for (const [r, opt] of this.optimizers.entries()) opt.reseed(fleetRobotSeed(init.seed, r));
    const t0 = performance.now();
    let calls = 0;
    let active = R;
    let pending: Pending[] = [];
    const flush = async () => {
      // Robot order, whatever order the optimisers handed in: rows are robot-major (see the module docs).
      const batch = pending.sort((a, b) => a.robot - b.robot);
      pending = [];
      calls++;
      try {
        await this.score(states, batch);
        for (const p of batch) p.resolve();
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    };
    const gate = (robot: number) => (candidates: Float32Array, costs: Float32Array) =>
      new Promise<void>((resolve, reject) => {
        pending.push({ robot, candidates, costs, resolve, reject });
        if (pending.length === active) void flush();
      });
    const finished = new Float64Array(R);
    const results = await Promise.all(
      this.optimizers.map((opt, r) => {
        const mean = means?.slice(r * this.H * this.A, (r + 1) * this.H * this.A) ?? this.shifted(this.means[r]!);
        return opt.optimize(gate(r), { mean, stop: anytimeStop(t0, deadlines?.[r], init.stop) }).finally(() => {
          finished[r] = performance.now() - t0;
          active--;
          if (active > 0 && pending.length === active) void flush();
        });
      }),
    );
    const actions = new Float32Array(R * this.H * this.A);
    results.forEach((res, r) => {
      actions.set(res.solution, r * this.H * this.A);
      this.means[r] = res.mean;
    });
    if (this.options.proximity !== undefined) {
      this.paths = await this.predictPaths(states, actions);
      calls++;
    }
    const overran = Array.from({ length: R }, (_, r) => deadlines !== undefined && finished[r]! > deadlines[r]!);
    return { actions, results, overran, modelCalls: calls, ms: performance.now() - t0 };
  }

  /** Forgets warm starts and predicted paths (a new episode). */
  reset(): void {
    this.means = this.means.map((m) => new Float32Array(m.length));
    this.paths = undefined;
  }

  /** The previous mean shifted one step earlier, its last step repeated. */
  private shifted(mean: Float32Array): Float32Array {
    const out = new Float32Array(mean.length);
    out.set(mean.subarray(this.A));
    out.set(mean.subarray(mean.length - this.A), mean.length - this.A);
    return out;
  }

  /** One model call for every pending population; writes each robot's costs. */
  private async score(states: Float32Array, batch: readonly Pending[]): Promise<void> {
    const { H, A, S } = this;
    const total = batch.reduce((n, p) => n + p.costs.length, 0);
    const starts = new Float32Array(total * S);
    const actions = new Float32Array(total * H * A);
    const robots = new Int32Array(total);
    let row = 0;
    for (const p of batch) {
      const n = p.costs.length;
      for (let k = 0; k < n; k++) starts.set(states.subarray(p.robot * S, (p.robot + 1) * S), (row + k) * S);
      actions.set(p.candidates.subarray(0, n * H * A), row * H * A);
      robots.fill(p.robot, row, row + n);
      row += n;
    }
    const rollout = await this.rollout(robots, starts, actions);
    row = 0;
    for (const p of batch) {
      const n = p.costs.length;
      const slice = (a: Float32Array | undefined, width: number) => a?.subarray(row * width, (row + n) * width);
      const mine = {
        states: slice(rollout.states, H * S)!,
        rewards: slice(rollout.rewards, H)!,
        ...(rollout.terminals !== undefined && { terminals: slice(rollout.terminals, H)! }),
        ...(rollout.uncertainty !== undefined && { uncertainty: slice(rollout.uncertainty, H)! }),
      };
      p.costs.fill(0);
      await this.objective(p.robot).evaluate(
        { count: n, horizon: H, stateDim: S, actionDim: A, startStates: starts.subarray(row * S, (row + n) * S), actions: slice(actions, H * A)!, rollout: mine },
        p.costs,
      );
      this.addProximity(p.robot, mine.states, n, p.costs);
      row += n;
    }
  }

  /** One model call over rows of robots `robots` (told to a {@link FleetRolloutModel}). */
  private rollout(robots: Int32Array, starts: Float32Array, actions: Float32Array): Promise<RolloutResult> {
    return isFleetRolloutModel(this.model) ? this.model.rolloutFleet(robots, starts, actions, this.H) : this.model.rollout(starts, actions, this.H);
  }

  /** Adds the proximity cost of robot `robot`'s `n` predicted trajectories (`n × H × S`) to `costs`. */
  private addProximity(robot: number, states: Float32Array, n: number, costs: Float32Array): void {
    const prox = this.options.proximity;
    const paths = this.paths;
    if (prox === undefined || paths === undefined || prox.weight === 0) return;
    const { H, S } = this;
    const [ix, iz] = prox.position;
    for (let c = 0; c < n; c++) {
      let cost = 0;
      for (let t = 0; t < H; t++) {
        const x = states[(c * H + t) * S + ix]!;
        const z = states[(c * H + t) * S + iz]!;
        // Their plans of the previous call, one step later now: compare with step t + 1 (the last repeated).
        const u = Math.min(t + 1, H - 1);
        for (let j = 0; j < this.options.robots; j++) {
          if (j === robot) continue;
          const d = Math.hypot(x - paths[(j * H + u) * 2]!, z - paths[(j * H + u) * 2 + 1]!);
          if (d < prox.radius) cost += (prox.radius - d) ** 2;
        }
      }
      costs[c]! += prox.weight * cost;
    }
  }

  /** Every robot's predicted planar path under its chosen sequence, `robots × H × 2` (one model call). */
  private async predictPaths(states: Float32Array, actions: Float32Array): Promise<Float32Array> {
    const { H, S } = this;
    const [ix, iz] = this.options.proximity!.position;
    const R = this.options.robots;
    const { states: predicted } = await this.rollout(
      Int32Array.from({ length: R }, (_, r) => r),
      states,
      actions,
    );
    const paths = new Float32Array(R * H * 2);
    for (let r = 0; r < R; r++) {
      for (let t = 0; t < H; t++) {
        paths[(r * H + t) * 2] = predicted[(r * H + t) * S + ix]!;
        paths[(r * H + t) * 2 + 1] = predicted[(r * H + t) * S + iz]!;
      }
    }
    return paths;
  }
}

/** Per-robot deadlines from `deadlineMs` (undefined: none). @throws {@link InvalidArgumentError} for a bad value or count */
function robotDeadlines(deadlineMs: number | ArrayLike<number> | undefined, robots: number): Float64Array | undefined {
  if (deadlineMs === undefined) return undefined;
  const list = typeof deadlineMs === 'number' ? new Float64Array(robots).fill(deadlineMs) : Float64Array.from(Array.from(deadlineMs));
  if (list.length !== robots || list.some((d) => !(d > 0))) {
    throw new InvalidArgumentError(`FleetPlanner.plan: expected \`deadlineMs\` to be a positive number or ${robots} of them (one per robot), got ${describeValue(deadlineMs)}`);
  }
  return list;
}

/**
 * The optimiser's early stop for one robot: `stop()` said so, or the next iteration, as long as the last,
 * would end past the deadline (ms after `t0`).
 */
function anytimeStop(t0: number, deadline: number | undefined, stop: (() => boolean) | undefined): ((iteration: number) => boolean) | undefined {
  if (deadline === undefined && stop === undefined) return undefined;
  let last = t0;
  return () => {
    const now = performance.now();
    const took = now - last;
    last = now;
    return stop?.() === true || (deadline !== undefined && now - t0 + took > deadline);
  };
}
