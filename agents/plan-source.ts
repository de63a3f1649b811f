/**
 * The port between the MPC loop ({@link mpcController}, and {@link mpcAgent} around it) and whatever
 * computes plans: a planner on this thread ({@link localPlanSource}) or one in a worker thread
 * (`PlanWorker`). The controller owns the plan bookkeeping (warm starts, shifts, seeds) and the agent
 * timing (deadlines, fallbacks, telemetry); a plan source only turns a percept and a warm start into a plan.
 *
 * @module
 */
import type { ObservableInput } from 'rxjs';
import type { Percept } from './types.js';

/** One planning request. */
export interface PlanRequest<O = Float32Array> {
  /** The percept to plan from. Its `state` thunk is valid only synchronously inside `plan`. */
  readonly percept: Percept<O>;
  /**
   * The previous plan shifted to start at this step, `H × A` (rows past its end repeat its last
   * action), or `undefined` for the first plan of an episode.
   */
  readonly warmStart: Float32Array | undefined;
  /**
   * Steps between the percept of the last plan that completed and this one: how far a source that
   * keeps its own memory (the `Planner`'s mean) should shift it; `undefined` for the first plan of an
   * episode (plan cold).
   */
  readonly shift: number | undefined;
  /**
   * A seed for this plan, `Rng.fromSeed(seed).derive(episodeSeed).derive(step).nextSeed()` from the
   * controller's (or agent's) `seed`, the episode seed and the percept's step: same inputs, same plan.
   */
  readonly seed: number;
}

/** What a plan source returns. */
export interface PlanOutcome {
  /** The plan, `H × A`, each action inside the action bounds. */
  readonly actions: Float32Array;
  /** Optimiser iterations performed. */
  readonly iterations: number;
  /** Cost of the best (or returned) sequence; lower is better. */
  readonly bestCost: number;
  /** Candidate sequences whose cost was NaN (scored as worst and counted). */
  readonly nanCount: number;
}

/** Computes plans. Implemented by {@link localPlanSource} and `PlanWorker`. */
export interface PlanSource<O = Float32Array> {
  /** H: the number of actions in a plan. */
  readonly horizon: number;
  /** A: the size of one action. */
  readonly actionDim: number;
  /** Lower action bounds (length A). */
  readonly actionLow: Float32Array;
  /** Upper action bounds (length A). */
  readonly actionHigh: Float32Array;
  /**
   * Plans from `request.percept`. Must read `percept.state` (when it needs it) synchronously, before
   * returning. Unsubscribing from the returned observable means the plan is no longer wanted.
   */
  plan(request: PlanRequest<O>): ObservableInput<PlanOutcome>;
}
