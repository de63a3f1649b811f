/**
 * The trajectory layer (MBRL-Lib's `TrajectoryOptimizer`): an optimiser over `H × A` action sequences
 * with per-action bounds, plus warm starts — the previous plan shifted by the steps executed since,
 * the new last steps filled with the initial action (TD-MPC2: `mean[:-1] = prev_mean[1:]`).
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';
import { parseOptions, z } from '../options.js';
import { createOptimizer, type OptimizerChoice } from './create-optimizer.js';
import { sequenceProblem, type OptimizeResult, type PopulationObjective, type SequenceOptimizer, type SequenceProblem } from './optimizer.js';

/** Options of {@link TrajectoryOptimizer}. */
export interface TrajectoryOptimizerOptions {
  /** H, steps per plan (≥ 1). */
  readonly horizon: number;
  /** Lower bound of each action dimension (length A). */
  readonly low: ArrayLike<number>;
  /** Upper bound of each action dimension (length A). */
  readonly high: ArrayLike<number>;
  /** The optimiser: a spec such as `{ algorithm: 'mppi', samples: 512 }` or a factory. */
  readonly optimizer: OptimizerChoice;
  /**
   * The action that starts a cold plan and fills the steps a shift uncovers (length A): `'mid'` is the
   * middle of the bounds (MBRL-Lib), `'zero'` is 0 clipped into the bounds (TD-MPC2). Default: `'mid'`.
   */
  readonly initial?: 'mid' | 'zero' | ArrayLike<number>;
  /** Which part of the previous result warm-starts the next plan. Default: `'mean'` (TD-MPC2). */
  readonly warmStartFrom?: 'mean' | 'solution';
}

// Any Float32Array: `z.instanceof` alone would type it as backed by an `ArrayBuffer` only.
const float32Array = z.instanceof(Float32Array) as z.ZodType<Float32Array, Float32Array>;

/** Zod schema of {@link TrajectoryOptimizeOptions}. */
export const TrajectoryOptimizeOptionsSchema = z
  .object({
    /**
     * `true`: start from the previous plan shifted by `shift` steps (cold when there is none);
     * `false`: start cold (from the initial action); an `H × A` array: start from it (a warm start the
     * caller manages, e.g. an agent that adopts late plans). Default: `true`.
     */
    warmStart: z.union([z.boolean(), float32Array]).default(true),
    /** Steps executed since the previous plan: how far to shift it (and iCEM's kept elites). Default: `1`. */
    shift: z.number().int().nonnegative().default(1),
    /** Restart the optimiser's random stream from this seed before planning (same seed, same plan). Default: continue the stream. */
    seed: z.number().int().nonnegative().optional(),
    /**
     * A policy prior, `P × H × A` sequences (see `OptimizeStart.prior`): part of every iteration's population,
     * and — when the plan starts cold — the start of the search (its first sequence). Default: none.
     */
    prior: float32Array.optional(),
  })
  .strict();

/** Options of one {@link TrajectoryOptimizer.optimize} call. */
export type TrajectoryOptimizeOptions = z.input<typeof TrajectoryOptimizeOptionsSchema>;

/** Optimises action sequences for one horizon and action box, remembering the last plan for warm starts. */
export class TrajectoryOptimizer {
  /** The `H × A` box searched. */
  readonly problem: SequenceProblem;
  /** The optimiser doing the search. */
  readonly optimizer: SequenceOptimizer;
  /** The cold-start sequence (`initial` repeated over the horizon), `H × A`. */
  readonly initialSequence: Float32Array;
  private readonly warmStartFrom: 'mean' | 'solution';
  private previous: Float32Array | undefined;
  private previousElites: Float32Array | undefined;

  constructor(options: TrajectoryOptimizerOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(`TrajectoryOptimizer: expected an options object { horizon, low, high, optimizer }, got ${describeValue(options)}`);
    }
    this.problem = sequenceProblem(options.horizon, options.low, options.high, 'TrajectoryOptimizer');
    this.optimizer = createOptimizer(this.problem, options.optimizer);
    if (this.optimizer.problem.horizon !== this.problem.horizon || this.optimizer.problem.actionDim !== this.problem.actionDim) {
      throw new InvalidArgumentError(
        `TrajectoryOptimizer: the optimizer factory returned an optimizer over ${this.optimizer.problem.horizon} × ${this.optimizer.problem.actionDim}, expected ${this.problem.horizon} × ${this.problem.actionDim}`,
      );
    }
    const warm = options.warmStartFrom ?? 'mean';
    if (warm !== 'mean' && warm !== 'solution') {
      throw new InvalidArgumentError(`TrajectoryOptimizer: expected \`warmStartFrom\` 'mean' or 'solution', got ${describeValue(warm)}`);
    }
    this.warmStartFrom = warm;
    this.initialSequence = initialSequence(this.problem, options.initial ?? 'mid');
  }

  /** H. */
  get horizon(): number {
    return this.problem.horizon;
  }

  /** A. */
  get actionDim(): number {
    return this.problem.actionDim;
  }

  /** Whether a previous plan is remembered for warm starts. */
  get hasWarmStart(): boolean {
    return this.previous !== undefined;
  }

  /** Forgets the previous plan (call at the start of an episode). */
  reset(): void {
    this.previous = undefined;
    this.previousElites = undefined;
  }

  /** The sequence the next plan would start from after executing `shift` steps, `H × A` (a copy). */
  startSequence(shift = 1, warmStart = true): Float32Array {
    if (!warmStart || this.previous === undefined) return this.initialSequence.slice();
    return this.shifted(this.previous, shift);
  }

  /**
   * Optimises `objective` (which scores `N × H × A` candidates) and remembers the result for the next
   * warm start.
   */
  async optimize(objective: PopulationObjective, options: TrajectoryOptimizeOptions = {}): Promise<OptimizeResult> {
    const o = parseOptions(TrajectoryOptimizeOptionsSchema, options, 'TrajectoryOptimizer.optimize options');
    const dim = this.problem.horizon * this.problem.actionDim;
    let mean: Float32Array;
    if (o.warmStart instanceof Float32Array) {
      if (o.warmStart.length !== dim) {
        throw new InvalidArgumentError(
          `TrajectoryOptimizer.optimize: expected \`warmStart\` to be a Float32Array of H × A = ${this.problem.horizon} × ${this.problem.actionDim} = ${dim} values, got ${describeValue(o.warmStart)}`,
        );
      }
      mean = o.warmStart.slice();
    } else if (o.prior !== undefined && (o.warmStart === false || this.previous === undefined) && o.prior.length >= dim) {
      // Cold start from the policy: its (noise-free) first proposal.
      mean = o.prior.slice(0, dim);
    } else {
      mean = this.startSequence(o.shift, o.warmStart);
    }
    let carry: Float32Array | undefined;
    if (o.warmStart !== false && this.previousElites !== undefined) {
      const rows = this.previousElites.length / dim;
      carry = new Float32Array(rows * dim);
      for (let r = 0; r < rows; r++) carry.set(this.shifted(this.previousElites.subarray(r * dim, (r + 1) * dim), o.shift), r * dim);
    }
    if (o.seed !== undefined) this.optimizer.reseed(o.seed);
    const result = await this.optimizer.optimize(objective, { mean, ...(carry !== undefined && { carry }), ...(o.prior !== undefined && { prior: o.prior }) });
    this.previous = (this.warmStartFrom === 'mean' ? result.mean : result.solution).slice();
    this.previousElites = result.elites?.slice();
    return result;
  }

  /** `seq` advanced by `shift` steps; uncovered steps take the initial action. */
  private shifted(seq: Float32Array, shift: number): Float32Array {
    const a = this.problem.actionDim;
    const h = this.problem.horizon;
    const out = this.initialSequence.slice();
    if (shift < h) out.set(seq.subarray(shift * a, h * a), 0);
    return out;
  }
}

function initialSequence(problem: SequenceProblem, initial: 'mid' | 'zero' | ArrayLike<number>): Float32Array {
  const { horizon: h, actionDim: a, low, high } = problem;
  const out = new Float32Array(h * a);
  if (initial !== 'mid' && initial !== 'zero') {
    const ok = (Array.isArray(initial) || ArrayBuffer.isView(initial)) && initial.length === a && Array.from(initial).every((v) => Number.isFinite(v));
    if (!ok) {
      throw new InvalidArgumentError(`TrajectoryOptimizer: expected \`initial\` 'mid', 'zero' or ${a} finite numbers, got ${describeValue(initial)}`);
    }
  }
  for (let i = 0; i < h * a; i++) {
    const lo = low[i]!;
    const hi = high[i]!;
    const v = initial === 'mid' ? (lo + hi) / 2 : initial === 'zero' ? 0 : (initial as ArrayLike<number>)[i % a]!;
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return out;
}
