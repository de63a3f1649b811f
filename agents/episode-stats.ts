/**
 * Summary statistics of episodes: success rate, mean return with a 95% confidence interval
 * (Student's t), and percentiles for timing telemetry.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../src/errors.js';

/** What one episode amounted to. */
export interface EpisodeResult {
  /** Seed the episode was reset with. */
  readonly seed: number;
  /** Sum of rewards. */
  readonly return: number;
  /** Number of steps. */
  readonly length: number;
  /** `info.success` of the last step (false when the environment does not report it). */
  readonly success: boolean;
  /** Whether the last step terminated the MDP. */
  readonly terminated: boolean;
  /** Whether the last step truncated the episode. */
  readonly truncated: boolean;
}

/** A mean with the half-width of its 95% confidence interval. */
export interface MeanCI {
  readonly mean: number;
  /** Half-width: the interval is `mean ± ci95` (NaN with fewer than two samples). */
  readonly ci95: number;
  /** Sample standard deviation (n − 1). */
  readonly std: number;
  readonly n: number;
}

/** Summary of several episodes. */
export interface EpisodesSummary {
  readonly episodes: number;
  /** Fraction of episodes whose last step reported `info.success`. */
  readonly successRate: number;
  /** Episode return. */
  readonly return: MeanCI;
  /** Episode length. */
  readonly length: MeanCI;
}

// Two-sided 97.5% quantiles of Student's t for 1…30 degrees of freedom.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08,
  2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 0.975 quantile of Student's t with `df` degrees of freedom (table to 30, Cornish–Fisher above). */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new InvalidArgumentError(`tQuantile975: expected a positive integer df, got ${describeValue(df)}`);
  if (df <= T975.length) return T975[df - 1]!;
  const z = 1.959964;
  const z3 = z ** 3;
  const z5 = z ** 5;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df);
}

/** Mean, sample standard deviation and 95% CI half-width of `values`. */
export function meanCI95(values: readonly number[]): MeanCI {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, ci95: Number.NaN, std: Number.NaN, n };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n === 1) return { mean, ci95: Number.NaN, std: Number.NaN, n };
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const std = Math.sqrt(ss / (n - 1));
  return { mean, ci95: (tQuantile975(n - 1) * std) / Math.sqrt(n), std, n };
}

/** Quantile `q` ∈ [0, 1] of `values` by linear interpolation (NaN when empty). */
export function percentile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new InvalidArgumentError(`percentile: expected q in [0, 1], got ${describeValue(q)}`);
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Summarises episode results. */
export function summarizeEpisodes(results: readonly EpisodeResult[]): EpisodesSummary {
  const successes = results.filter((r) => r.success).length;
  return {
    episodes: results.length,
    successRate: results.length === 0 ? Number.NaN : successes / results.length,
    return: meanCI95(results.map((r) => r.return)),
    length: meanCI95(results.map((r) => r.length)),
  };
}

/** `12.34 ± 0.56` (or `12.34` when the interval is undefined). */
export function formatMeanCI(m: MeanCI, digits = 2): string {
  return Number.isNaN(m.ci95) ? m.mean.toFixed(digits) : `${m.mean.toFixed(digits)} ± ${m.ci95.toFixed(digits)}`;
}
