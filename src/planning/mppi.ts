/**
 * Model-predictive path integral control (Williams et al. 2017) with TD-MPC2's refinements (Hansen et
 * al. 2024, `tdmpc2.py::_plan`): the update uses only the K best samples, and the standard deviation
 * is re-estimated from them and clamped to [σ_min, σ_max].
 *
 * ```
 * μ ← x₀ (clipped),  σ ← σ₀
 * for i = 1 … I:
 *   sample   X_n = clip(μ + σ ⊙ ε_n, low, high),  ε_n ~ N(0, I),  n = 1 … N
 *   evaluate c_n = J(X_n)                                   (NaN → +∞, counted)
 *   select   E = the K lowest-cost samples                  (K = N: classical MPPI)
 *   weight   w_e = exp(−(c_e − min c) / λ) / Σ exp(…)       λ: temperature, in cost units
 *   update   μ ← Σ_e w_e X_e
 *            σ ← clamp(√(Σ_e w_e (X_e − μ)²), σ_min, σ_max) (updateStd; otherwise σ stays σ₀)
 * execute μ ('mean'), the best sample ('best'), or an elite drawn with probability w_e ('sample', TD-MPC2)
 * ```
 *
 * TD-MPC2 writes the weights as `exp(τ·(V − V_max))` with τ = 0.5 on values; in costs (c = −V) that is
 * λ = 1/τ = 2, the {@link MppiOptions.temperature} default.
 *
 * @module
 */
import { Rng } from '../rng.js';
import { InvalidArgumentError } from '../errors.js';
import { parseOptions, z } from '../options.js';
import { sampleClippedGaussian } from './normal-sampler.js';
import { checkProblem, type OptimizeResult, type OptimizeStart, type PopulationObjective, type SequenceOptimizer, type SequenceProblem } from './optimizer.js';
import { OptimizeRecord, eliteMoments, evaluatePopulation, insertPrior, selectElites, startMean } from './population.js';

/** Zod schema of {@link MppiOptions}. */
export const MppiOptionsSchema = z
  .object({
    /** N, candidates per iteration. Default: `512`. */
    samples: z.number().int().positive().default(512),
    /** K, the best samples that enter the update (`samples` for classical MPPI). Default: `64`. */
    elites: z.number().int().positive().default(64),
    /** I, iterations. Default: `6`. */
    iterations: z.number().int().positive().default(6),
    /** λ > 0, temperature in cost units: smaller is greedier. Default: `2` (TD-MPC2's inverse temperature 0.5). */
    temperature: z.number().positive().default(2),
    /** σ₀, the initial (and, without `updateStd`, fixed) noise std. Default: `high − low` (TD-MPC2: 2 for [−1, 1]). */
    noiseStd: z.number().positive().optional(),
    /** σ_min. Default: `(high − low) / 40` (TD-MPC2: 0.05 for [−1, 1]). */
    minStd: z.number().gte(0).optional(),
    /** σ_max. Default: `high − low` (TD-MPC2: 2 for [−1, 1]). */
    maxStd: z.number().positive().optional(),
    /** Re-estimate σ from the weighted elites each iteration (TD-MPC2) rather than keep σ₀ (classical). Default: `true`. */
    updateStd: z.boolean().default(true),
    /** What to execute. Default: `'mean'`. TD-MPC2 draws an elite by weight: `'sample'`. */
    execute: z.enum(['mean', 'best', 'sample']).default('mean'),
    /** Seed of the sampling stream. Default: `0`. */
    seed: z.number().int().nonnegative().default(0),
  })
  .strict();

/** Options of {@link MppiOptimizer}. Defaults are TD-MPC2's planner settings (for actions in [−1, 1]). */
export type MppiOptions = z.input<typeof MppiOptionsSchema>;

/** MPPI over action sequences. See the module comment for the algorithm. */
export class MppiOptimizer implements SequenceOptimizer {
  readonly algorithm = 'mppi' as const;
  readonly problem: SequenceProblem;
  readonly maxPopulation: number;
  /** The resolved options (bound-dependent defaults stay `undefined` here and are applied per coordinate). */
  readonly options: Readonly<Required<Omit<MppiOptions, 'noiseStd' | 'minStd' | 'maxStd'>>> & Readonly<Pick<MppiOptions, 'noiseStd' | 'minStd' | 'maxStd'>>;
  private rng: Rng;
  private readonly dim: number;
  private readonly population: Float32Array;
  private readonly costs: Float32Array;
  private readonly order: Int32Array;
  private readonly weights: Float64Array;
  private readonly mean: Float32Array;
  private readonly std: Float32Array;
  private readonly std0: Float32Array;
  private readonly stdMin: Float32Array;
  private readonly stdMax: Float32Array;
  private readonly eliteMean: Float64Array;
  private readonly eliteVariance: Float64Array;

  constructor(problem: SequenceProblem, options: MppiOptions = {}) {
    this.problem = checkProblem(problem, 'MppiOptimizer');
    const o = parseOptions(MppiOptionsSchema, options, 'MppiOptimizer options');
    if (o.elites > o.samples) {
      throw new InvalidArgumentError(`MppiOptimizer options: expected \`samples\` >= \`elites\`, got samples=${o.samples} < elites=${o.elites}`);
    }
    if (o.minStd !== undefined && o.maxStd !== undefined && o.minStd > o.maxStd) {
      throw new InvalidArgumentError(`MppiOptimizer options: expected \`minStd\` <= \`maxStd\`, got minStd=${o.minStd} > maxStd=${o.maxStd}`);
    }
    this.options = Object.freeze({ ...o });
    this.rng = Rng.fromSeed(o.seed);
    this.dim = problem.horizon * problem.actionDim;
    this.maxPopulation = o.samples;
    this.population = new Float32Array(o.samples * this.dim);
    this.costs = new Float32Array(o.samples);
    this.order = new Int32Array(o.samples);
    this.weights = new Float64Array(o.elites);
    this.mean = new Float32Array(this.dim);
    this.std = new Float32Array(this.dim);
    this.std0 = new Float32Array(this.dim);
    this.stdMin = new Float32Array(this.dim);
    this.stdMax = new Float32Array(this.dim);
    for (let d = 0; d < this.dim; d++) {
      const range = problem.high[d]! - problem.low[d]!;
      this.stdMin[d] = o.minStd ?? range / 40;
      this.stdMax[d] = Math.max(o.maxStd ?? range, this.stdMin[d]!);
      this.std0[d] = Math.min(Math.max(o.noiseStd ?? range, this.stdMin[d]!), this.stdMax[d]!);
    }
    this.eliteMean = new Float64Array(this.dim);
    this.eliteVariance = new Float64Array(this.dim);
  }

  reseed(seed: number): void {
    this.rng = Rng.fromSeed(seed);
  }

  async optimize(objective: PopulationObjective, start: OptimizeStart): Promise<OptimizeResult> {
    const { samples: n, elites: k, iterations, temperature, updateStd } = this.options;
    const { low, high } = this.problem;
    const dim = this.dim;
    const { population, costs, order, weights, mean, std, stdMin, stdMax, eliteMean, eliteVariance } = this;
    startMean(this.problem, start, mean, 'MppiOptimizer.optimize');
    std.set(this.std0);
    const run = new OptimizeRecord(dim);

    for (let it = 0; it < iterations; it++) {
      const ti = performance.now();
      // Sample
      sampleClippedGaussian(this.rng, mean, std, low, high, population, n);
      insertPrior(this.problem, start.prior, population, n);
      // Evaluate
      const ev = await evaluatePopulation(objective, population, costs, n, dim, it, 'MppiOptimizer');
      // Select elites
      selectElites(costs, n, k, order);
      const minCost = costs[order[0]!]!;
      // Weight the elites: exp(−(c − c_min)/λ); equal costs (also ±∞ ones) weigh 1, +∞ above a finite min 0
      let total = 0;
      for (let e = 0; e < k; e++) {
        const c = costs[order[e]!]!;
        const w = c === minCost ? 1 : Math.exp(-(c - minCost) / temperature);
        weights[e] = w;
        total += w;
      }
      for (let e = 0; e < k; e++) weights[e] = weights[e]! / total;
      // Update the sampling distribution
      eliteMoments(population, order, k, dim, weights, eliteMean, eliteVariance);
      for (let d = 0; d < dim; d++) {
        mean[d] = eliteMean[d]!;
        if (updateStd) {
          const s = Math.sqrt(eliteVariance[d]!);
          std[d] = s < stdMin[d]! ? stdMin[d]! : s > stdMax[d]! ? stdMax[d]! : s;
        }
      }
      run.record(it, population, costs, order, n, k, ev, ti);
      if (it < iterations - 1 && start.stop?.(it) === true) break;
    }

    let solution: Float32Array;
    let solutionCost: number | undefined;
    switch (this.options.execute) {
      case 'mean':
        solution = mean.slice();
        solutionCost = undefined;
        break;
      case 'best':
        solution = run.best;
        solutionCost = run.bestCost;
        break;
      case 'sample': {
        // Draw one of the last iteration's elites with probability equal to its weight.
        const u = this.rng.uniform();
        let e = 0;
        for (let acc = weights[0]!; acc <= u && e < k - 1; acc += weights[++e]!);
        const row = order[e]!;
        solution = population.slice(row * dim, (row + 1) * dim);
        solutionCost = costs[row]!;
        break;
      }
    }
    return run.result(solution, solutionCost, mean, std);
  }
}
