/**
 * Random shooting (Nagabandi et al. 2018): the baseline every planner must beat.
 *
 * ```
 * sample    X_n ~ U(low, high), n = 1 … N     (row 1 is the start mean when `includeMean`)
 * evaluate  c_n = J(X_n)                      (NaN → +∞, counted)
 * execute   argmin_n c_n
 * ```
 *
 * @module
 */
import { Rng } from '../rng.js';
import { parseOptions, z } from '../options.js';
import { checkProblem, type OptimizeResult, type OptimizeStart, type PopulationObjective, type SequenceOptimizer, type SequenceProblem } from './optimizer.js';
import { evaluatePopulation, startMean } from './population.js';

/** Zod schema of {@link RandomShootingOptions}. */
export const RandomShootingOptionsSchema = z
  .object({
    /** N, candidates. Default: `1000`. */
    samples: z.number().int().positive().default(1000),
    /** Evaluate the start mean (the warm start) as one of the candidates. Default: `true`. */
    includeMean: z.boolean().default(true),
    /** Seed of the sampling stream. Default: `0`. */
    seed: z.number().int().nonnegative().default(0),
  })
  .strict();

/** Options of {@link RandomShootingOptimizer}. */
export type RandomShootingOptions = z.input<typeof RandomShootingOptionsSchema>;

const INV_2_32 = 2 ** -32;

/** Uniform random shooting over action sequences. */
export class RandomShootingOptimizer implements SequenceOptimizer {
  readonly algorithm = 'random-shooting' as const;
  readonly problem: SequenceProblem;
  readonly maxPopulation: number;
  /** The resolved options. */
  readonly options: Readonly<Required<RandomShootingOptions>>;
  private rng: Rng;
  private readonly dim: number;
  private readonly population: Float32Array;
  private readonly costs: Float32Array;
  private readonly mean: Float32Array;

  constructor(problem: SequenceProblem, options: RandomShootingOptions = {}) {
    this.problem = checkProblem(problem, 'RandomShootingOptimizer');
    this.options = Object.freeze(parseOptions(RandomShootingOptionsSchema, options, 'RandomShootingOptimizer options'));
    this.rng = Rng.fromSeed(this.options.seed);
    this.dim = problem.horizon * problem.actionDim;
    this.maxPopulation = this.options.samples;
    this.population = new Float32Array(this.maxPopulation * this.dim);
    this.costs = new Float32Array(this.maxPopulation);
    this.mean = new Float32Array(this.dim);
  }

  reseed(seed: number): void {
    this.rng = Rng.fromSeed(seed);
  }

  async optimize(objective: PopulationObjective, start: OptimizeStart): Promise<OptimizeResult> {
    const t0 = performance.now();
    const n = this.options.samples;
    const { low, high } = this.problem;
    const dim = this.dim;
    const { population, costs, mean } = this;
    startMean(this.problem, start, mean, 'RandomShootingOptimizer.optimize');
    // Sample uniformly in the box (32 random bits per coordinate)
    let first = 0;
    if (this.options.includeMean) {
      population.set(mean, 0);
      first = 1;
    }
    for (let k = first * dim; k < n * dim; k++) {
      const d = k % dim;
      const u = (this.rng.int32() >>> 0) * INV_2_32;
      const x = low[d]! + (high[d]! - low[d]!) * u;
      population[k] = x > high[d]! ? high[d]! : x; // float32 rounding can land exactly on high, never above
    }
    // Evaluate
    const ev = await evaluatePopulation(objective, population, costs, n, dim, 0, 'RandomShootingOptimizer');
    // Execute the best
    let top = 0;
    for (let i = 1; i < n; i++) if (costs[i]! < costs[top]!) top = i;
    const best = population.slice(top * dim, (top + 1) * dim);
    const bestCost = costs[top]!;
    const ms = performance.now() - t0;
    return {
      solution: best.slice(),
      solutionCost: bestCost,
      best,
      bestCost,
      mean: mean.slice(),
      std: new Float32Array(dim),
      elites: undefined,
      iterations: [{ iteration: 0, samples: n, bestCost, eliteMeanCost: bestCost, nanCount: ev.nanCount, ms, objectiveMs: ev.ms }],
      nanCount: ev.nanCount,
      evaluations: n,
      ms,
      objectiveMs: ev.ms,
    };
  }
}
