/**
 * The cross-entropy method (Rubinstein 1999) as used by PETS (Chua et al. 2018; MBRL-Lib's
 * `CEMOptimizer`): fit a diagonal Gaussian to the elite action sequences, iterate.
 *
 * ```
 * μ ← x₀ (clipped into bounds),  σ ← σ₀
 * for i = 1 … I:
 *   sample     X_n = clip(μ + σ ⊙ ε_n, low, high),  ε_n ~ N(0, I),  n = 1 … N
 *   evaluate   c_n = J(X_n)                      (NaN → +∞, counted)
 *   select     E = the K lowest-cost samples
 *   update     μ ← α μ + (1 − α) mean(E)
 *              σ² ← α σ² + (1 − α) var(E),  σ ← max(σ, σ_min)
 * execute μ ('mean', PETS's choice since MBRL-Lib #70) or the best sample seen ('best')
 * ```
 *
 * @module
 */
import { Rng } from '../rng.js';
import { InvalidArgumentError } from '../errors.js';
import { parseOptions, z } from '../options.js';
import { sampleClippedGaussian } from './normal-sampler.js';
import { checkProblem, type OptimizeResult, type OptimizeStart, type PopulationObjective, type SequenceOptimizer, type SequenceProblem } from './optimizer.js';
import { OptimizeRecord, eliteMoments, evaluatePopulation, insertPrior, initialSpread, selectElites, smoothedMomentUpdate, startMean } from './population.js';

/** Zod schema of {@link CemOptions}. */
export const CemOptionsSchema = z
  .object({
    /** N, candidates per iteration. Default: `500`. */
    samples: z.number().int().positive().default(500),
    /** K, elites per iteration. Default: `ceil(samples × eliteFraction)`. */
    elites: z.number().int().positive().optional(),
    /** Elites as a fraction of `samples` (used when `elites` is not given). Default: `0.1`. */
    eliteFraction: z.number().gt(0).lte(1).default(0.1),
    /** I, iterations. Default: `5`. */
    iterations: z.number().int().positive().default(5),
    /** α ∈ [0, 1): weight of the previous mean and variance in each update (0 = no smoothing). Default: `0.1`. */
    alpha: z.number().gte(0).lt(1).default(0.1),
    /** σ₀, initial standard deviation of every coordinate. Default: a quarter of each bound's range, `(high − low) / 4`. */
    initStd: z.number().positive().optional(),
    /** σ_min, floor of the standard deviation after each update. Default: `0`. */
    minStd: z.number().gte(0).default(0),
    /** What to execute: the final mean, or the best sample evaluated. Default: `'mean'`. */
    execute: z.enum(['mean', 'best']).default('mean'),
    /** Seed of the sampling stream. Default: `0`. */
    seed: z.number().int().nonnegative().default(0),
  })
  .strict();

/** Options of {@link CemOptimizer}. Defaults follow MBRL-Lib's PETS configuration. */
export type CemOptions = z.input<typeof CemOptionsSchema>;

/** Resolves the elite count and checks it against the population. */
export function resolveElites(samples: number, elites: number | undefined, fraction: number, where: string): number {
  const k = elites ?? Math.max(1, Math.ceil(samples * fraction));
  if (k > samples) {
    throw new InvalidArgumentError(`${where}: expected \`samples\` >= \`elites\`, got samples=${samples} < elites=${k}`);
  }
  return k;
}

/**
 * CEM over action sequences.
 *
 * @example
 * ```ts
 * const cem = new CemOptimizer(sequenceProblem(12, [-1, -1], [1, 1]), { samples: 500, iterations: 5 });
 * const { solution } = await cem.optimize(costsOf, { mean: new Float32Array(24) });
 * ```
 */
export class CemOptimizer implements SequenceOptimizer {
  readonly algorithm = 'cem' as const;
  readonly problem: SequenceProblem;
  readonly maxPopulation: number;
  /** The resolved options (defaults filled in). */
  readonly options: Readonly<Required<Omit<CemOptions, 'initStd'>>> & { readonly initStd: number | undefined };
  private rng: Rng;
  private readonly dim: number;
  private readonly population: Float32Array;
  private readonly costs: Float32Array;
  private readonly order: Int32Array;
  private readonly mean: Float32Array;
  private readonly std: Float32Array;
  private readonly variance: Float64Array;
  private readonly eliteMean: Float64Array;
  private readonly eliteVariance: Float64Array;

  constructor(problem: SequenceProblem, options: CemOptions = {}) {
    this.problem = checkProblem(problem, 'CemOptimizer');
    const o = parseOptions(CemOptionsSchema, options, 'CemOptimizer options');
    const elites = resolveElites(o.samples, o.elites, o.eliteFraction, 'CemOptimizer options');
    this.options = Object.freeze({ ...o, elites, initStd: o.initStd });
    this.rng = Rng.fromSeed(o.seed);
    this.dim = problem.horizon * problem.actionDim;
    this.maxPopulation = o.samples;
    this.population = new Float32Array(o.samples * this.dim);
    this.costs = new Float32Array(o.samples);
    this.order = new Int32Array(o.samples);
    this.mean = new Float32Array(this.dim);
    this.std = new Float32Array(this.dim);
    this.variance = new Float64Array(this.dim);
    this.eliteMean = new Float64Array(this.dim);
    this.eliteVariance = new Float64Array(this.dim);
  }

  reseed(seed: number): void {
    this.rng = Rng.fromSeed(seed);
  }

  async optimize(objective: PopulationObjective, start: OptimizeStart): Promise<OptimizeResult> {
    const { samples: n, elites: k, iterations, alpha, minStd } = this.options;
    const { low, high } = this.problem;
    const dim = this.dim;
    const { population, costs, order, mean, std, variance, eliteMean, eliteVariance } = this;
    startMean(this.problem, start, mean, 'CemOptimizer.optimize');
    initialSpread(this.problem, this.options.initStd, std, variance);
    const run = new OptimizeRecord(dim);

    for (let it = 0; it < iterations; it++) {
      const ti = performance.now();
      // Sample
      sampleClippedGaussian(this.rng, mean, std, low, high, population, n);
      insertPrior(this.problem, start.prior, population, n);
      // Evaluate
      const ev = await evaluatePopulation(objective, population, costs, n, dim, it, 'CemOptimizer');
      // Select elites
      selectElites(costs, n, k, order);
      // Update the sampling distribution (smoothed)
      eliteMoments(population, order, k, dim, undefined, eliteMean, eliteVariance);
      smoothedMomentUpdate(alpha, minStd, eliteMean, eliteVariance, mean, variance, std);
      run.record(it, population, costs, order, n, k, ev, ti);
      if (it < iterations - 1 && start.stop?.(it) === true) break;
    }

    return this.options.execute === 'mean' ? run.result(mean, undefined, mean, std) : run.result(run.best, run.bestCost, mean, std);
  }
}
