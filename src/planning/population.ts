/**
 * Kernels shared by the population-based optimisers: evaluating a population (with NaN accounting),
 * selecting elites without sorting the whole population, and (weighted) moments of the elites.
 * All work in place on pre-allocated typed arrays.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';
import { PlanningError, type IterationStats, type OptimizeResult, type OptimizeStart, type PopulationObjective, type SequenceProblem } from './optimizer.js';

/** Result of {@link evaluatePopulation}. */
export interface Evaluation {
  /** NaN costs, now +∞. */
  readonly nanCount: number;
  /** Time inside the objective, ms. */
  readonly ms: number;
}

/**
 * Scores the first `n` rows of `candidates` into `costs[0, n)`, then turns NaN costs into +∞ (the
 * worst, never a tiny number that could rank above real costs) and counts them.
 * @throws {@link PlanningError} when every cost is NaN, naming the iteration.
 */
export async function evaluatePopulation(
  objective: PopulationObjective,
  candidates: Float32Array,
  costs: Float32Array,
  n: number,
  dim: number,
  iteration: number,
  algorithm: string,
): Promise<Evaluation> {
  const out = costs.subarray(0, n);
  out.fill(Number.NaN); // an objective that forgets to write a cost scores NaN, not a stale value
  const t0 = performance.now();
  await objective(candidates.subarray(0, n * dim), out);
  const ms = performance.now() - t0;
  let nanCount = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(out[i]!)) {
      out[i] = Number.POSITIVE_INFINITY;
      nanCount++;
    }
  }
  if (nanCount === n) {
    throw new PlanningError(
      `${algorithm}: the objective returned NaN for all ${n} candidates in iteration ${iteration}; expected at least one comparable cost (check the model's outputs and the objective)`,
    );
  }
  return { nanCount, ms };
}

/** Whether candidate i ranks before j: lower cost first, ties by index (so selection is deterministic). */
function before(costs: Float32Array, i: number, j: number): boolean {
  const a = costs[i]!;
  const b = costs[j]!;
  return a < b || (a === b && i < j);
}

/**
 * Puts the indices of the `k` lowest costs among `costs[0, n)` into `order[0, k)`, best first, in
 * O(n + k log k): quickselect with a median-of-three pivot, then a sort of the k winners only.
 * Costs must be NaN-free (see {@link evaluatePopulation}). `order` needs room for n indices.
 */
export function selectElites(costs: Float32Array, n: number, k: number, order: Int32Array): void {
  for (let i = 0; i < n; i++) order[i] = i;
  let lo = 0;
  let hi = n - 1;
  const target = k - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // Median of three moved to `hi` as the pivot.
    if (before(costs, order[mid]!, order[lo]!)) swap(order, mid, lo);
    if (before(costs, order[hi]!, order[lo]!)) swap(order, hi, lo);
    if (before(costs, order[mid]!, order[hi]!)) swap(order, mid, hi);
    const pivot = order[hi]!;
    let store = lo;
    for (let i = lo; i < hi; i++) {
      if (before(costs, order[i]!, pivot)) swap(order, i, store++);
    }
    swap(order, store, hi);
    if (store === target) break;
    if (store < target) lo = store + 1;
    else hi = store - 1;
  }
  // Insertion sort of the k winners: k is small (elites), and it keeps ties in index order.
  for (let i = 1; i < k; i++) {
    const v = order[i]!;
    let j = i - 1;
    while (j >= 0 && before(costs, v, order[j]!)) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = v;
  }
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

/**
 * Mean and variance (population, not unbiased) of the rows `order[0, k)` of `population`, weighted by
 * `weights[0, k)` (uniform when `weights` is undefined). Writes `mean` and `variance` (length `dim`).
 */
export function eliteMoments(
  population: Float32Array,
  order: Int32Array,
  k: number,
  dim: number,
  weights: Float64Array | undefined,
  mean: Float64Array,
  variance: Float64Array,
): void {
  mean.fill(0);
  variance.fill(0);
  let total = 0;
  for (let e = 0; e < k; e++) {
    const w = weights === undefined ? 1 : weights[e]!;
    total += w;
    const base = order[e]! * dim;
    for (let d = 0; d < dim; d++) mean[d] = mean[d]! + w * population[base + d]!;
  }
  const inv = 1 / total;
  for (let d = 0; d < dim; d++) mean[d] = mean[d]! * inv;
  for (let e = 0; e < k; e++) {
    const w = weights === undefined ? 1 : weights[e]!;
    const base = order[e]! * dim;
    for (let d = 0; d < dim; d++) {
      const diff = population[base + d]! - mean[d]!;
      variance[d] = variance[d]! + w * diff * diff;
    }
  }
  for (let d = 0; d < dim; d++) variance[d] = variance[d]! * inv;
}

/** Copies the start mean into `mean`, clipped into the problem's bounds. @throws {@link InvalidArgumentError} for a bad start. */
export function startMean(problem: SequenceProblem, start: OptimizeStart, mean: Float32Array, where: string): void {
  const dim = problem.horizon * problem.actionDim;
  if (typeof start !== 'object' || start === null || !(start.mean instanceof Float32Array) || start.mean.length !== dim) {
    throw new InvalidArgumentError(
      `${where}: expected \`start.mean\` to be a Float32Array of H × A = ${problem.horizon} × ${problem.actionDim} = ${dim} values, got ${describeValue(start?.mean)}`,
    );
  }
  for (let d = 0; d < dim; d++) {
    const x = start.mean[d]!;
    if (!Number.isFinite(x)) {
      throw new InvalidArgumentError(`${where}: expected a finite \`start.mean\`, got ${x} at index ${d}`);
    }
    const lo = problem.low[d]!;
    const hi = problem.high[d]!;
    mean[d] = x < lo ? lo : x > hi ? hi : x;
  }
  checkPrior(problem, start.prior, where);
  const carry = start.carry;
  if (carry !== undefined) {
    if (!(carry instanceof Float32Array) || carry.length % dim !== 0) {
      throw new InvalidArgumentError(`${where}: expected \`start.carry\` to be a Float32Array of K × ${dim} values, got ${describeValue(carry)}`);
    }
    for (let i = 0; i < carry.length; i++) {
      if (!Number.isFinite(carry[i]!)) throw new InvalidArgumentError(`${where}: expected a finite \`start.carry\`, got ${carry[i]} at index ${i}`);
    }
  }
}

/** Mean of `costs[order[0, k)]`. */
export function meanCostOf(costs: Float32Array, order: Int32Array, k: number): number {
  let s = 0;
  for (let e = 0; e < k; e++) s += costs[order[e]!]!;
  return s / k;
}

/** Clips `x[0, dim)` into `[low, high]` in place. */
export function clipInto(x: Float32Array, low: Float32Array, high: Float32Array, offset = 0): void {
  const dim = low.length;
  for (let d = 0; d < dim; d++) {
    const v = x[offset + d]!;
    const lo = low[d]!;
    const hi = high[d]!;
    x[offset + d] = v < lo ? lo : v > hi ? hi : v;
  }
}

/**
 * The bookkeeping every population optimiser repeats within one `optimize` call: the best candidate
 * seen, per-iteration statistics, NaN counts, evaluations and time. Optimisers call {@link record}
 * once per iteration (after selecting elites) and {@link result} at the end.
 */
export class OptimizeRecord {
  /** Best candidate over all iterations. */
  readonly best: Float32Array;
  /** Its cost (+∞ until an iteration is recorded). */
  bestCost = Number.POSITIVE_INFINITY;
  private found = false;
  private nanCount = 0;
  private evaluations = 0;
  private objectiveMs = 0;
  private readonly stats: IterationStats[] = [];
  private readonly t0 = performance.now();

  constructor(private readonly dim: number) {
    this.best = new Float32Array(dim);
  }

  /**
   * Records iteration `iteration`: `n` candidates scored into `costs`, with `order[0, k)` their elites,
   * best first (see {@link selectElites}); `startedAt` is the iteration's `performance.now()`.
   */
  record(iteration: number, population: Float32Array, costs: Float32Array, order: Int32Array, n: number, k: number, ev: Evaluation, startedAt: number): void {
    const top = order[0]!;
    const cost = costs[top]!;
    if (!this.found || cost < this.bestCost) {
      this.found = true;
      this.bestCost = cost;
      this.best.set(population.subarray(top * this.dim, (top + 1) * this.dim));
    }
    this.nanCount += ev.nanCount;
    this.evaluations += n;
    this.objectiveMs += ev.ms;
    this.stats.push({
      iteration,
      samples: n,
      bestCost: cost,
      eliteMeanCost: meanCostOf(costs, order, k),
      nanCount: ev.nanCount,
      ms: performance.now() - startedAt,
      objectiveMs: ev.ms,
    });
  }

  /** The optimiser's result: `solution` (copied) and its cost where known, the final distribution and elites. */
  result(solution: Float32Array, solutionCost: number | undefined, mean: Float32Array, std: Float32Array, elites?: Float32Array): OptimizeResult {
    return {
      solution: solution.slice(),
      solutionCost,
      best: this.best,
      bestCost: this.bestCost,
      mean: mean.slice(),
      std: std.slice(),
      elites: elites?.slice(),
      iterations: this.stats,
      nanCount: this.nanCount,
      evaluations: this.evaluations,
      ms: performance.now() - this.t0,
      objectiveMs: this.objectiveMs,
    };
  }
}

/** Sets the initial sampling spread: `initStd`, or a quarter of each bound's width; `variance` = std². */
export function initialSpread(problem: SequenceProblem, initStd: number | undefined, std: Float32Array, variance: Float32Array | Float64Array): void {
  const { low, high } = problem;
  for (let d = 0; d < std.length; d++) {
    std[d] = initStd ?? (high[d]! - low[d]!) / 4;
    variance[d] = std[d]! * std[d]!;
  }
}

/**
 * The CEM update with momentum (also iCEM's): `mean ← α·mean + (1−α)·eliteMean`, `var ← α·var + (1−α)·eliteVar`,
 * `std = max(√var, minStd)`.
 */
export function smoothedMomentUpdate(
  alpha: number,
  minStd: number,
  eliteMean: Float64Array,
  eliteVariance: Float64Array,
  mean: Float32Array,
  variance: Float32Array | Float64Array,
  std: Float32Array,
): void {
  for (let d = 0; d < mean.length; d++) {
    mean[d] = alpha * mean[d]! + (1 - alpha) * eliteMean[d]!;
    variance[d] = alpha * variance[d]! + (1 - alpha) * eliteVariance[d]!;
    const s = Math.sqrt(variance[d]!);
    std[d] = s < minStd ? minStd : s;
  }
}

/** Validates `start.prior` (see {@link OptimizeStart.prior}). */
function checkPrior(problem: SequenceProblem, prior: Float32Array | undefined, where: string): void {
  if (prior === undefined) return;
  const dim = problem.horizon * problem.actionDim;
  if (!(prior instanceof Float32Array) || prior.length === 0 || prior.length % dim !== 0) {
    throw new InvalidArgumentError(`${where}: expected \`start.prior\` to be a Float32Array of P × ${dim} values (P ≥ 1), got ${describeValue(prior)}`);
  }
  for (let i = 0; i < prior.length; i++) {
    if (!Number.isFinite(prior[i]!)) throw new InvalidArgumentError(`${where}: expected a finite \`start.prior\`, got ${prior[i]} at index ${i}`);
  }
}

/**
 * Puts the policy prior's sequences (clipped into the bounds) in place of the last rows of the `sampled`
 * candidates in `population`; at most `sampled − 1` of them, so at least one sample of the optimiser's own
 * stays. Returns how many rows were replaced.
 */
export function insertPrior(problem: SequenceProblem, prior: Float32Array | undefined, population: Float32Array, sampled: number): number {
  if (prior === undefined) return 0;
  const dim = problem.horizon * problem.actionDim;
  const rows = Math.min(prior.length / dim, sampled - 1);
  const { low, high } = problem;
  for (let r = 0; r < rows; r++) {
    const at = (sampled - rows + r) * dim;
    for (let d = 0; d < dim; d++) {
      const x = prior[r * dim + d]!;
      population[at + d] = x < low[d]! ? low[d]! : x > high[d]! ? high[d]! : x;
    }
  }
  return rows;
}
