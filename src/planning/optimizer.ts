/**
 * The optimiser layer (MBRL-Lib's `Optimizer.optimize(obj_fun, x0)`): sampling-based optimisers of
 * action sequences that know nothing about what they optimise. They see an `H × A` box (the
 * {@link SequenceProblem}) and a {@link PopulationObjective} that scores a batch of candidates; a
 * {@link TrajectoryOptimizer} adds warm starts, and a planner binds a model and an objective.
 *
 * Everything is a cost: lower is better. A NaN cost counts as +∞ (the worst) and is counted in the
 * result; an objective that returns NaN for a whole population is an error.
 *
 * @module
 */
import { EmbodiedError, InvalidArgumentError, describeValue } from '../errors.js';

/** A planning run cannot continue (e.g. the objective scored every candidate NaN). */
export class PlanningError extends EmbodiedError {}

/**
 * Scores a population: writes one cost per candidate into `costs` (lower is better).
 * @param candidates - `N × H × A` action sequences, row-major (N = `costs.length`); read-only
 * @param costs - output, length N
 */
export type PopulationObjective = (candidates: Float32Array, costs: Float32Array) => void | Promise<void>;

/** The space an optimiser searches: action sequences of `horizon × actionDim` inside `[low, high]`. */
export interface SequenceProblem {
  /** H, steps per sequence. */
  readonly horizon: number;
  /** A, values per step. */
  readonly actionDim: number;
  /** Lower bounds, `H × A` (per step and action dimension). */
  readonly low: Float32Array;
  /** Upper bounds, `H × A`. */
  readonly high: Float32Array;
}

/** Where an optimisation starts. */
export interface OptimizeStart {
  /** Initial mean of the search distribution, `H × A` (clipped into the bounds). */
  readonly mean: Float32Array;
  /**
   * Sequences carried over from the previous optimisation (already shifted by the caller), `K × H × A`:
   * iCEM re-evaluates a fraction of them; other optimisers ignore them.
   */
  readonly carry?: Float32Array;
  /**
   * A policy prior (TD-MPC2): `P × H × A` sequences proposed by a policy. MPPI, CEM and iCEM put them in
   * their population in every iteration, in place of the last `P` samples, so the search can adopt what
   * the policy proposes and needs fewer samples of its own. Clipped into the bounds. Default: none.
   */
  readonly prior?: Float32Array;
  /**
   * An early stop (an anytime optimiser): called after every iteration but the last with its 0-based index;
   * returning `true` ends the optimisation there, with what it has (the iterations done are in the result's
   * `iterations`; iCEM's last-iteration mean is then not tried). A deadline or a cancellation lives here.
   * Random shooting has one iteration and never calls it. Default: run every iteration.
   */
  readonly stop?: (iteration: number) => boolean;
}

/** What happened in one iteration. */
export interface IterationStats {
  /** 0-based iteration index. */
  readonly iteration: number;
  /** Candidates evaluated in this iteration. */
  readonly samples: number;
  /** Lowest cost in this iteration (NaN scores count as +∞). */
  readonly bestCost: number;
  /** Mean cost of this iteration's elites (for random shooting: of the best candidate). */
  readonly eliteMeanCost: number;
  /** Candidates whose cost was NaN. */
  readonly nanCount: number;
  /** Wall time of the iteration, ms. */
  readonly ms: number;
  /** Of which inside the objective (rollout and scoring), ms. */
  readonly objectiveMs: number;
}

/** What an optimiser returns. All arrays are fresh copies owned by the caller. */
export interface OptimizeResult {
  /** The sequence to execute, `H × A`, chosen by the optimiser's `execute` rule. */
  readonly solution: Float32Array;
  /** Cost of `solution` when it was evaluated as such (best or sampled elite); `undefined` for a mean. */
  readonly solutionCost: number | undefined;
  /** The lowest-cost candidate evaluated, `H × A`. */
  readonly best: Float32Array;
  /** Its cost. */
  readonly bestCost: number;
  /** Final mean of the search distribution, `H × A` (the warm start of the next plan). */
  readonly mean: Float32Array;
  /** Final standard deviation, `H × A`. */
  readonly std: Float32Array;
  /** Elites of the last iteration, best first, `K × H × A`, for optimisers that carry them (iCEM). */
  readonly elites: Float32Array | undefined;
  /** Per-iteration statistics. */
  readonly iterations: readonly IterationStats[];
  /** NaN costs over all iterations. */
  readonly nanCount: number;
  /** Candidates evaluated over all iterations. */
  readonly evaluations: number;
  /** Wall time, ms. */
  readonly ms: number;
  /** Of which inside the objective, ms. */
  readonly objectiveMs: number;
}

/** Names of the built-in optimisers. */
export type OptimizerAlgorithm = 'random-shooting' | 'cem' | 'icem' | 'mppi';

/** A sampling-based optimiser over one {@link SequenceProblem}, seeded, with pre-allocated buffers. */
export interface SequenceOptimizer {
  /** Which algorithm. */
  readonly algorithm: OptimizerAlgorithm;
  /** The space it searches. */
  readonly problem: SequenceProblem;
  /** Largest number of candidates passed to one objective call. */
  readonly maxPopulation: number;
  /** Runs the optimisation from `start`. */
  optimize(objective: PopulationObjective, start: OptimizeStart): Promise<OptimizeResult>;
  /** Restarts the random stream from `seed`. */
  reseed(seed: number): void;
}

/**
 * Builds a {@link SequenceProblem} from per-action bounds (length A), the same at every step. For
 * bounds that vary over the horizon, build the `H × A` arrays yourself and pass them to {@link checkProblem}.
 * @throws {@link InvalidArgumentError} for a non-positive horizon, empty or unequal bounds, non-finite
 *   bounds, or `low > high` anywhere.
 */
export function sequenceProblem(horizon: number, low: ArrayLike<number>, high: ArrayLike<number>, where = 'sequenceProblem'): SequenceProblem {
  if (!Number.isSafeInteger(horizon) || horizon <= 0) {
    throw new InvalidArgumentError(`${where}: expected \`horizon\` to be a positive integer, got ${describeValue(horizon)}`);
  }
  if (!isNumberArray(low) || !isNumberArray(high) || low.length === 0) {
    throw new InvalidArgumentError(`${where}: expected \`low\` and \`high\` to be non-empty arrays of numbers, got low=${describeValue(low)}, high=${describeValue(high)}`);
  }
  if (low.length !== high.length) {
    throw new InvalidArgumentError(`${where}: expected \`low\` and \`high\` of the same length, got ${low.length} and ${high.length}`);
  }
  const actionDim = low.length;
  const lo = new Float32Array(horizon * actionDim);
  const hi = new Float32Array(horizon * actionDim);
  for (let i = 0; i < lo.length; i++) {
    lo[i] = low[i % actionDim]!;
    hi[i] = high[i % actionDim]!;
  }
  return checkProblem({ horizon, actionDim, low: lo, high: hi }, where);
}

/** Validates a problem and returns it. @throws {@link InvalidArgumentError} naming the first problem. */
export function checkProblem(problem: SequenceProblem, where: string): SequenceProblem {
  if (typeof problem !== 'object' || problem === null) {
    throw new InvalidArgumentError(`${where}: expected a problem { horizon, actionDim, low, high }, got ${describeValue(problem)}`);
  }
  const { horizon, actionDim, low, high } = problem;
  if (!Number.isSafeInteger(horizon) || horizon <= 0) {
    throw new InvalidArgumentError(`${where}: expected \`horizon\` to be a positive integer, got ${describeValue(horizon)}`);
  }
  if (!Number.isSafeInteger(actionDim) || actionDim <= 0) {
    throw new InvalidArgumentError(`${where}: expected \`actionDim\` to be a positive integer, got ${describeValue(actionDim)}`);
  }
  const dim = horizon * actionDim;
  for (const [name, arr] of [
    ['low', low],
    ['high', high],
  ] as const) {
    if (!(arr instanceof Float32Array) || arr.length !== dim) {
      throw new InvalidArgumentError(`${where}: expected \`${name}\` to be a Float32Array of H × A = ${horizon} × ${actionDim} = ${dim} values, got ${describeValue(arr)}`);
    }
  }
  for (let i = 0; i < dim; i++) {
    if (!Number.isFinite(low[i]!) || !Number.isFinite(high[i]!)) {
      throw new InvalidArgumentError(`${where}: expected finite bounds, got low=${low[i]}, high=${high[i]} at step ${Math.floor(i / actionDim)}, action ${i % actionDim}`);
    }
    if (low[i]! > high[i]!) {
      throw new InvalidArgumentError(`${where}: expected low <= high, got low=${low[i]} > high=${high[i]} at step ${Math.floor(i / actionDim)}, action ${i % actionDim}`);
    }
  }
  return problem;
}

function isNumberArray(x: unknown): x is ArrayLike<number> {
  if (ArrayBuffer.isView(x)) return !(x instanceof DataView);
  return Array.isArray(x) && x.every((v) => typeof v === 'number');
}
