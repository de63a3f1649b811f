/**
 * Small statistics shared by validation reports, episode summaries and benchmarks: means with
 * Student-t 95% intervals, seeded percentile bootstrap intervals, Wilson intervals for success rates,
 * quantiles. Written by hand because they are a few lines each and must be float64-exact and seeded;
 * mathjs has no Student-t quantile or bootstrap. Every interval is reported as
 * `{ mean, low, high, n }` so plots draw bands without knowing how they were made.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from './errors.js';
import { Rng } from './rng.js';

/** A point estimate with a two-sided 95% interval. `low`/`high` are NaN when n < 2. */
export interface Interval {
  /** The estimate (sample mean, or the observed proportion). */
  readonly mean: number;
  /** Lower end of the 95% interval. */
  readonly low: number;
  /** Upper end of the 95% interval. */
  readonly high: number;
  /** Number of samples. */
  readonly n: number;
}

// Two-sided 97.5% quantiles of Student's t for 1…30 degrees of freedom.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056,
  2.052, 2.048, 2.045, 2.042,
];

/** The 97.5% quantile of Student's t with `df` degrees of freedom (table to 30, Cornish–Fisher beyond). */
export function studentT975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new InvalidArgumentError(`studentT975: expected a positive integer df, got ${describeValue(df)}`);
  if (df <= T975.length) return T975[df - 1]!;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

/** Arithmetic mean (NaN for an empty list). */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

/** Sample standard deviation with n − 1 (NaN below two samples). */
export function sampleStd(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  const m = mean(values);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - m) ** 2;
  return Math.sqrt(ss / (n - 1));
}

/** Mean with the Student-t 95% interval `mean ± t₀.₉₇₅(n−1)·s/√n`. */
export function tInterval(values: ArrayLike<number>): Interval {
  const n = values.length;
  const m = mean(values);
  if (n < 2) return { mean: m, low: Number.NaN, high: Number.NaN, n };
  const half = (studentT975(n - 1) * sampleStd(values)) / Math.sqrt(n);
  return { mean: m, low: m - half, high: m + half, n };
}

/** Options of {@link bootstrapInterval}. */
export interface BootstrapOptions {
  /** Resamples. Default 1000. */
  readonly resamples?: number;
  /** Seed of the resampling. Default 0. */
  readonly seed?: number;
}

/**
 * Mean with a percentile-bootstrap 95% interval: the 2.5% and 97.5% quantiles of the means of
 * `resamples` resamples drawn with replacement (seeded, so the same data give the same interval).
 * Preferred over the t-interval for skewed quantities such as errors, which are bounded below by 0.
 */
export function bootstrapInterval(values: ArrayLike<number>, options: BootstrapOptions = {}): Interval {
  const n = values.length;
  const m = mean(values);
  if (n < 2) return { mean: m, low: Number.NaN, high: Number.NaN, n };
  const resamples = options.resamples ?? 1000;
  if (!Number.isSafeInteger(resamples) || resamples < 10) {
    throw new InvalidArgumentError(`bootstrapInterval: expected \`resamples\` to be an integer >= 10, got ${describeValue(resamples)}`);
  }
  const rng = Rng.fromSeed(options.seed ?? 0);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rng.integer(0, n - 1)]!;
    means[r] = s / n;
  }
  means.sort();
  return { mean: m, low: quantileSorted(means, 0.025), high: quantileSorted(means, 0.975), n };
}

/**
 * Quantile `q` ∈ [0, 1] of unsorted `values` by linear interpolation (NaN when empty).
 * @throws {@link InvalidArgumentError} when q is outside [0, 1].
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new InvalidArgumentError(`quantile: expected q in [0, 1], got ${describeValue(q)}`);
  return quantileSorted(Float64Array.from(values).sort(), q);
}

/** Quantile q of sorted values, linear interpolation. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Wilson score 95% interval of a proportion `successes / n` (well-behaved at 0 and 1, unlike the
 * normal approximation). `n = 0` gives NaN.
 */
export function wilsonInterval(successes: number, n: number): Interval {
  if (!Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(successes) || successes < 0 || successes > n) {
    throw new InvalidArgumentError(`wilsonInterval: expected integers 0 <= successes <= n, got successes=${describeValue(successes)}, n=${describeValue(n)}`);
  }
  if (n === 0) return { mean: Number.NaN, low: Number.NaN, high: Number.NaN, n };
  const z = 1.959964;
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { mean: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), n };
}

/** Clamps to [0, 1]; NaN stays NaN. */
export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
