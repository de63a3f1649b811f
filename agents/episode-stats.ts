/**
 * Summary statistics of episodes: success rate, mean return with a 95% confidence interval
 * (Student's t), and percentiles for timing telemetry.
 *
 * @module
 */
import { mean, quantile, sampleStd, studentT975 } from '../src/stats.js';

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

/** Mean, sample standard deviation and 95% CI half-width (Student's t) of `values`. */
export function meanCI95(values: readonly number[]): MeanCI {
  const n = values.length;
  const m = mean(values);
  if (n < 2) return { mean: m, ci95: Number.NaN, std: Number.NaN, n };
  const std = sampleStd(values);
  return { mean: m, ci95: (studentT975(n - 1) * std) / Math.sqrt(n), std, n };
}

/** Quantile `q` ∈ [0, 1] of `values` by linear interpolation (NaN when empty); see {@link quantile}. */
export function percentile(values: readonly number[], q: number): number {
  return quantile(values, q);
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
