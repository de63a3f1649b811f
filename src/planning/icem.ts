/**
 * iCEM, the improved cross-entropy method for real-time planning (Pinneri et al., CoRL 2020;
 * MBRL-Lib's `ICEMOptimizer`): CEM with temporally correlated (colored) noise, a shrinking
 * population, elites kept across iterations and plans, the mean tried in the last iteration, and the
 * best sequence executed.
 *
 * ```
 * μ ← x₀ (clipped),  σ ← σ₀
 * for i = 0 … I−1:
 *   N_i = max(⌈N · γ^(−i)⌉, 2K)                                  population decay
 *   sample     X_n = clip(μ + σ ⊙ C^β_n, low, high), n = 1 … N_i   C^β: 1/f^β noise along time
 *   add        i = 0: the best ⌈ξK⌉ elites of the previous plan (shifted by the caller: `start.carry`)
 *              i > 0: the best ⌈ξK⌉ elites of iteration i−1
 *              i = I−1: the mean μ itself
 *   evaluate   c = J(X)                                            (NaN → +∞, counted)
 *   select     E = the K lowest-cost rows
 *   update     μ ← α μ + (1 − α) mean(E),  σ² ← α σ² + (1 − α) var(E)
 *   stop early when start.stop(i) says so (an anytime plan: a deadline, a cancellation)
 * execute the best sequence seen ('best'), or μ ('mean'); return E for the next plan
 * ```
 *
 * @module
 */
import { Rng } from '../rng.js';
import { parseOptions, z } from '../options.js';
import { ColoredNoise } from './colored-noise.js';
import { resolveElites } from './cem.js';
import { checkProblem, type OptimizeResult, type OptimizeStart, type PopulationObjective, type SequenceOptimizer, type SequenceProblem } from './optimizer.js';
import { OptimizeRecord, eliteMoments, evaluatePopulation, insertPrior, initialSpread, selectElites, smoothedMomentUpdate, startMean } from './population.js';

/** Zod schema of {@link IcemOptions}. */
export const IcemOptionsSchema = z
  .object({
    /** N, candidates in the first iteration. Default: `500`. */
    samples: z.number().int().positive().default(500),
    /** K, elites per iteration. Default: `ceil(samples × eliteFraction)`. */
    elites: z.number().int().positive().optional(),
    /** Elites as a fraction of `samples` (used when `elites` is not given). Default: `0.1`. */
    eliteFraction: z.number().gt(0).lte(1).default(0.1),
    /** I, iterations. Default: `5`. */
    iterations: z.number().int().positive().default(5),
    /** γ ≥ 1: the population shrinks as N·γ^(−i) (never below 2K). Default: `1.3`. */
    populationDecay: z.number().gte(1).default(1.3),
    /** β ≥ 0: exponent of the 1/f^β noise along time (0 = white, 2 = red). Default: `2`. */
    noiseExponent: z.number().gte(0).lte(8).default(2),
    /** ξ ∈ [0, 1]: fraction of the elites kept into the next iteration and the next plan. Default: `0.3`. */
    keepEliteFraction: z.number().gte(0).lte(1).default(0.3),
    /** α ∈ [0, 1): weight of the previous mean and variance in each update. Default: `0.1`. */
    alpha: z.number().gte(0).lt(1).default(0.1),
    /** σ₀, initial standard deviation. Default: `(high − low) / 4` per coordinate. */
    initStd: z.number().positive().optional(),
    /** σ_min, floor of the standard deviation after each update. Default: `0`. */
    minStd: z.number().gte(0).default(0),
    /** Add the mean to the last iteration's population, as iCEM does. Default: `true`. */
    addMean: z.boolean().default(true),
    /** What to execute: the best sequence evaluated (iCEM) or the final mean. Default: `'best'`. */
    execute: z.enum(['best', 'mean']).default('best'),
    /** Seed of the sampling stream. Default: `0`. */
    seed: z.number().int().nonnegative().default(0),
  })
  .strict();

/** Options of {@link IcemOptimizer}. Defaults follow MBRL-Lib's iCEM example (PETS with iCEM). */
export type IcemOptions = z.input<typeof IcemOptionsSchema>;

/** iCEM over action sequences. See the module comment for the algorithm. */
export class IcemOptimizer implements SequenceOptimizer {
  readonly algorithm = 'icem' as const;
  readonly problem: SequenceProblem;
  readonly maxPopulation: number;
  /** The resolved options (defaults filled in). */
  readonly options: Readonly<Required<Omit<IcemOptions, 'initStd'>>> & { readonly initStd: number | undefined };
  /** ⌈ξK⌉: elites carried into the next iteration and the next plan. */
  readonly keepElites: number;
  private rng: Rng;
  private readonly noise: ColoredNoise;
  private readonly dim: number;
  private readonly population: Float32Array;
  private readonly costs: Float32Array;
  private readonly order: Int32Array;
  private readonly elites: Float32Array;
  private readonly mean: Float32Array;
  private readonly std: Float32Array;
  private readonly variance: Float64Array;
  private readonly eliteMean: Float64Array;
  private readonly eliteVariance: Float64Array;

  constructor(problem: SequenceProblem, options: IcemOptions = {}) {
    this.problem = checkProblem(problem, 'IcemOptimizer');
    const o = parseOptions(IcemOptionsSchema, options, 'IcemOptimizer options');
    const elites = resolveElites(o.samples, o.elites, o.eliteFraction, 'IcemOptimizer options');
    this.options = Object.freeze({ ...o, elites, initStd: o.initStd });
    this.keepElites = Math.ceil(o.keepEliteFraction * elites);
    this.rng = Rng.fromSeed(o.seed);
    this.noise = new ColoredNoise(problem.horizon, o.noiseExponent);
    this.dim = problem.horizon * problem.actionDim;
    this.maxPopulation = Math.max(o.samples, 2 * elites) + this.keepElites + 1;
    this.population = new Float32Array(this.maxPopulation * this.dim);
    this.costs = new Float32Array(this.maxPopulation);
    this.order = new Int32Array(this.maxPopulation);
    this.elites = new Float32Array(elites * this.dim);
    this.mean = new Float32Array(this.dim);
    this.std = new Float32Array(this.dim);
    this.variance = new Float64Array(this.dim);
    this.eliteMean = new Float64Array(this.dim);
    this.eliteVariance = new Float64Array(this.dim);
  }

  reseed(seed: number): void {
    this.rng = Rng.fromSeed(seed);
  }

  /** Candidates sampled (before kept elites and the mean are added) in iteration `i`. */
  populationAt(i: number): number {
    const { samples, populationDecay, elites } = this.options;
    return Math.max(Math.ceil(samples * populationDecay ** -i), 2 * elites);
  }

  async optimize(objective: PopulationObjective, start: OptimizeStart): Promise<OptimizeResult> {
    const { elites: k, iterations, alpha, minStd, addMean } = this.options;
    const { low, high, actionDim } = this.problem;
    const dim = this.dim;
    const { population, costs, order, elites, mean, std, variance, eliteMean, eliteVariance } = this;
    startMean(this.problem, start, mean, 'IcemOptimizer.optimize');
    initialSpread(this.problem, this.options.initStd, std, variance);
    const carried = start.carry === undefined ? 0 : Math.min(this.keepElites, start.carry.length / dim);
    const run = new OptimizeRecord(dim);

    for (let it = 0; it < iterations; it++) {
      const ti = performance.now();
      // Sample colored noise, with a population that decays over iterations
      const sampled = this.populationAt(it);
      this.noise.sampleClipped(this.rng, actionDim, mean, std, low, high, population, sampled);
      insertPrior(this.problem, start.prior, population, sampled);
      let n = sampled;
      // Add kept elites: the previous plan's (shifted) in the first iteration, else the last iteration's
      const keep = it === 0 ? carried : Math.min(this.keepElites, k);
      const source = it === 0 ? start.carry : elites;
      if (keep > 0 && source !== undefined) {
        population.set(source.subarray(0, keep * dim), n * dim);
        n += keep;
      }
      // Add the mean in the last iteration
      if (addMean && it === iterations - 1) {
        population.set(mean, n * dim);
        n += 1;
      }
      // Evaluate
      const ev = await evaluatePopulation(objective, population, costs, n, dim, it, 'IcemOptimizer');
      // Select elites (and keep them, best first, for the next iteration and the next plan)
      const kk = Math.min(k, n);
      selectElites(costs, n, kk, order);
      for (let e = 0; e < kk; e++) elites.set(population.subarray(order[e]! * dim, (order[e]! + 1) * dim), e * dim);
      // Update the sampling distribution (smoothed)
      eliteMoments(population, order, kk, dim, undefined, eliteMean, eliteVariance);
      smoothedMomentUpdate(alpha, minStd, eliteMean, eliteVariance, mean, variance, std);
      run.record(it, population, costs, order, n, kk, ev, ti);
      if (it < iterations - 1 && start.stop?.(it) === true) break;
    }

    return this.options.execute === 'best' ? run.result(run.best, run.bestCost, mean, std, elites) : run.result(mean, undefined, mean, std, elites);
  }
}
