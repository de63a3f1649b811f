/**
 * The planner: a {@link RolloutModel} and a {@link PlanningObjective} bound to a {@link TrajectoryOptimizer}.
 * `plan(startState)` rolls every candidate out from the start state in one batched model call per
 * iteration, scores the rollouts, and returns the action to execute with the whole plan and its
 * statistics. The same planner plans with a learned world model (states are latents) or with the
 * Rapier oracle (states are observations): only the model differs.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';
import type { OptimizerChoice } from './create-optimizer.js';
import type { PlanningObjective, RolloutBatch } from './objectives.js';
import { PlanningError, type OptimizeResult, type PopulationObjective } from './optimizer.js';
import type { RolloutModel, RolloutResult } from './rollout-model.js';
import type { PlanPrior } from './policy-prior.js';
import { TrajectoryOptimizer, type TrajectoryOptimizeOptions } from './trajectory-optimizer.js';

/** Options of {@link Planner}. */
export interface PlannerOptions {
  /** H, steps per plan. */
  readonly horizon: number;
  /** Lower bound of each action dimension (length A = `model.actionDim`). */
  readonly actionLow: ArrayLike<number>;
  /** Upper bound of each action dimension (length A). */
  readonly actionHigh: ArrayLike<number>;
  /** The optimiser: e.g. `{ algorithm: 'mppi', samples: 512, iterations: 6 }` or `publishedPresets.tdmpc2.optimizer`. */
  readonly optimizer: OptimizerChoice;
  /** What to minimise; several objectives add up. */
  readonly objective: PlanningObjective | readonly PlanningObjective[];
  /** Cold-start action: `'mid'` of the bounds, `'zero'`, or A numbers. Default: `'mid'`. */
  readonly initial?: 'mid' | 'zero' | ArrayLike<number>;
  /** Which part of the previous result warm-starts the next plan. Default: `'mean'`. */
  readonly warmStartFrom?: 'mean' | 'solution';
  /**
   * A policy prior (see {@link policyPrior}): each plan, the policy proposes sequences that join every
   * iteration's population and start a cold search. Default: none.
   */
  readonly prior?: PlanPrior;
}

/** Where a plan's time went. */
export interface PlanTiming {
  /** The whole `plan` call, ms. */
  readonly totalMs: number;
  /** Inside `model.rollout`, ms. */
  readonly rolloutMs: number;
  /** Inside the objectives, ms. */
  readonly scoringMs: number;
  /** Everything else — sampling, selection, weighting, bookkeeping — ms. */
  readonly overheadMs: number;
  /** Of the total, proposing the policy prior's sequences (policy inference and its rollouts), ms. */
  readonly priorMs: number;
}

/** What {@link Planner.plan} returns. */
export interface PlanResult extends OptimizeResult {
  /** The first action of `solution`, length A: what to execute now. */
  readonly action: Float32Array;
  /** Where the time went. */
  readonly timing: PlanTiming;
}

/**
 * Model-predictive planning over any {@link RolloutModel}.
 *
 * @example
 * ```ts
 * const planner = new Planner(model, {
 *   horizon: 12, actionLow: [-1, -1], actionHigh: [1, 1],
 *   optimizer: { algorithm: 'mppi', samples: 512, iterations: 6, seed: 1 },
 *   objective: rewardObjective({ discount: 0.99 }),
 * });
 * const first = await planner.plan(z0, { warmStart: false });
 * const next = await planner.plan(z1);          // warm start: the previous plan shifted by one step
 * env.step(next.action);
 * ```
 */
export class Planner {
  /** The model rolled out. */
  readonly model: RolloutModel;
  /** The trajectory optimiser (bounds, warm start, the optimiser itself). */
  readonly trajectory: TrajectoryOptimizer;
  /** The objectives, summed. */
  readonly objectives: readonly PlanningObjective[];
  private starts: Float32Array;
  private readonly objective: PopulationObjective;
  /** The policy prior, when planning with one. */
  readonly prior: PlanPrior | undefined;
  private current: Float32Array | undefined;
  private rolloutMs = 0;
  private scoringMs = 0;

  constructor(model: RolloutModel, options: PlannerOptions) {
    if (typeof model !== 'object' || model === null || typeof model.rollout !== 'function') {
      throw new InvalidArgumentError(`Planner: expected a RolloutModel { stateDim, actionDim, rollout }, got ${describeValue(model)}`);
    }
    for (const key of ['stateDim', 'actionDim'] as const) {
      if (!Number.isSafeInteger(model[key]) || model[key] <= 0) {
        throw new InvalidArgumentError(`Planner: expected \`model.${key}\` to be a positive integer, got ${describeValue(model[key])}`);
      }
    }
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(`Planner: expected an options object { horizon, actionLow, actionHigh, optimizer, objective }, got ${describeValue(options)}`);
    }
    this.model = model;
    this.trajectory = new TrajectoryOptimizer({
      horizon: options.horizon,
      low: options.actionLow,
      high: options.actionHigh,
      optimizer: options.optimizer,
      ...(options.initial !== undefined && { initial: options.initial }),
      ...(options.warmStartFrom !== undefined && { warmStartFrom: options.warmStartFrom }),
    });
    if (this.trajectory.actionDim !== model.actionDim) {
      throw new InvalidArgumentError(`Planner: expected action bounds of length model.actionDim = ${model.actionDim}, got ${this.trajectory.actionDim}`);
    }
    const list = Array.isArray(options.objective) ? [...(options.objective as readonly PlanningObjective[])] : [options.objective as PlanningObjective];
    if (list.length === 0 || !list.every((o) => typeof o === 'object' && o !== null && typeof o.evaluate === 'function')) {
      throw new InvalidArgumentError(`Planner: expected \`objective\` to be a PlanningObjective or a non-empty list of them, got ${describeValue(options.objective)}`);
    }
    this.objectives = Object.freeze(list);
    this.starts = new Float32Array(this.trajectory.optimizer.maxPopulation * model.stateDim);
    if (options.prior !== undefined && (typeof options.prior !== 'object' || options.prior === null || typeof options.prior.propose !== 'function')) {
      throw new InvalidArgumentError(`Planner: expected \`prior\` to be a PlanPrior (see policyPrior), got ${describeValue(options.prior)}`);
    }
    this.prior = options.prior;
    this.objective = (candidates, costs) => this.evaluate(candidates, costs);
  }

  /** H. */
  get horizon(): number {
    return this.trajectory.horizon;
  }

  /** A. */
  get actionDim(): number {
    return this.trajectory.actionDim;
  }

  /** Lower action bounds, length A (a copy). */
  get actionLow(): Float32Array {
    return this.trajectory.problem.low.slice(0, this.actionDim);
  }

  /** Upper action bounds, length A (a copy). */
  get actionHigh(): Float32Array {
    return this.trajectory.problem.high.slice(0, this.actionDim);
  }

  /** Forgets the previous plan (call at the start of an episode). */
  reset(): void {
    this.trajectory.reset();
    this.prior?.reset();
  }

  /** Restarts the optimiser's random stream. */
  reseed(seed: number): void {
    this.trajectory.optimizer.reseed(seed);
  }

  /**
   * Plans from `startState` (length S: a latent for a world model, an observation for the oracle).
   * By default warm-starts from the previous plan shifted by `shift` (= 1) steps.
   * @throws {@link InvalidArgumentError} for a start state of the wrong length or with NaN/Infinity.
   * @throws {@link PlanningError} when the model returns malformed rollouts or every candidate scores NaN.
   */
  async plan(startState: Float32Array, options: TrajectoryOptimizeOptions = {}): Promise<PlanResult> {
    const s = this.model.stateDim;
    if (!(startState instanceof Float32Array) || startState.length !== s) {
      throw new InvalidArgumentError(`Planner.plan: expected \`startState\` to be a Float32Array of ${s} values (model.stateDim), got ${describeValue(startState)}`);
    }
    for (let j = 0; j < s; j++) {
      if (!Number.isFinite(startState[j]!)) throw new InvalidArgumentError(`Planner.plan: expected a finite \`startState\`, got ${startState[j]} at index ${j}`);
    }
    const t0 = performance.now();
    // Tile the start state once: every candidate of every iteration starts from it.
    const rows = this.starts.length / s;
    for (let r = 0; r < rows; r++) this.starts.set(startState, r * s);
    this.current = startState;
    this.rolloutMs = 0;
    this.scoringMs = 0;
    let priorMs = 0;
    let planOptions = options;
    if (this.prior) {
      const tp = performance.now();
      const { low, high } = this.trajectory.problem;
      const prior = await this.prior.propose(this.model, startState, this.horizon, low, high);
      planOptions = { ...options, prior };
      priorMs = performance.now() - tp;
    }
    const result = await this.trajectory.optimize(this.objective, planOptions);
    const totalMs = performance.now() - t0;
    return {
      ...result,
      action: result.solution.slice(0, this.actionDim),
      timing: {
        totalMs,
        rolloutMs: this.rolloutMs,
        scoringMs: this.scoringMs,
        overheadMs: totalMs - this.rolloutMs - this.scoringMs - priorMs,
        priorMs,
      },
    };
  }

  private async evaluate(candidates: Float32Array, costs: Float32Array): Promise<void> {
    const n = costs.length;
    const h = this.horizon;
    const { stateDim: s, actionDim: a } = this.model;
    if (n * s > this.starts.length) {
      // A custom optimiser may exceed the population it announced: grow the tiled starts.
      const grown = new Float32Array(n * s);
      for (let r = 0; r < n; r++) grown.set(this.current!, r * s);
      this.starts = grown;
    }
    const startStates = this.starts.subarray(0, n * s);
    const t0 = performance.now();
    const rollout = await this.model.rollout(startStates, candidates, h);
    const t1 = performance.now();
    this.rolloutMs += t1 - t0;
    checkRollout(rollout, n, h, s);
    const batch: RolloutBatch = { count: n, horizon: h, stateDim: s, actionDim: a, startStates, actions: candidates, rollout };
    costs.fill(0);
    for (const objective of this.objectives) await objective.evaluate(batch, costs);
    this.scoringMs += performance.now() - t1;
  }
}

function checkRollout(r: RolloutResult, n: number, h: number, s: number): void {
  const bad = (what: string, expected: number, got: unknown): never => {
    throw new PlanningError(`Planner: the model's rollout returned \`${what}\` of ${describeValue(got)}; expected a Float32Array of ${expected} values (N=${n}, H=${h}, S=${s})`);
  };
  if (typeof r !== 'object' || r === null) bad('result', n * h, r);
  if (!(r.states instanceof Float32Array) || r.states.length !== n * h * s) bad('states', n * h * s, r.states?.length ?? r.states);
  if (!(r.rewards instanceof Float32Array) || r.rewards.length !== n * h) bad('rewards', n * h, r.rewards?.length ?? r.rewards);
  if (r.terminals !== undefined && (!(r.terminals instanceof Float32Array) || r.terminals.length !== n * h)) bad('terminals', n * h, r.terminals?.length);
  if (r.uncertainty !== undefined && (!(r.uncertainty instanceof Float32Array) || r.uncertainty.length !== n * h)) bad('uncertainty', n * h, r.uncertainty?.length);
}
