/**
 * Running mean and variance of vectors, updated batch by batch with the parallel (Chan et al.) form of
 * Welford's algorithm — Gymnasium's `RunningMeanStd`, in float64.
 *
 * @module
 */
import { z } from 'zod';
import { InvalidArgumentError, describeValue } from '../errors.js';
import { parseOptions } from '../options.js';

/** JSON form of a {@link RunningMeanStd}, as written by `toJSON`. */
export interface RunningMeanStdJSON {
  /** Per-dimension mean. */
  readonly mean: number[];
  /** Per-dimension population variance. */
  readonly var: number[];
  /** Number of samples seen (starts at a tiny pseudo-count, Gymnasium's `epsilon`). */
  readonly count: number;
}

const StatsSchema = z
  .object({
    mean: z.array(z.number()),
    var: z.array(z.number().nonnegative()),
    count: z.number().positive(),
  })
  .strict();

/**
 * Mean and variance per dimension over every sample seen so far.
 *
 * @example
 * ```ts
 * const stats = new RunningMeanStd(3);
 * stats.update(batch, 8);         // 8 samples of 3 values, row-major
 * stats.mean; stats.var;
 * ```
 */
export class RunningMeanStd {
  /** Per-dimension mean (float64). */
  readonly mean: Float64Array;
  /** Per-dimension population variance (float64). */
  readonly var: Float64Array;
  /** Samples seen, plus the initial pseudo-count. */
  count: number;

  /**
   * @param dim - values per sample
   * @param initialCount - pseudo-count of the prior (mean 0, variance 1); default 1e-4 as Gymnasium
   */
  constructor(
    readonly dim: number,
    initialCount = 1e-4,
  ) {
    if (!Number.isSafeInteger(dim) || dim <= 0) throw new InvalidArgumentError(`Expected RunningMeanStd \`dim\` to be a positive integer, got ${describeValue(dim)}`);
    if (!(initialCount > 0) || !Number.isFinite(initialCount)) {
      throw new InvalidArgumentError(`Expected RunningMeanStd \`initialCount\` to be a positive number, got ${describeValue(initialCount)}`);
    }
    this.mean = new Float64Array(dim);
    this.var = new Float64Array(dim).fill(1);
    this.count = initialCount;
  }

  /** Adds `n` samples stored row-major in `batch` (`n × dim` values). */
  update(batch: ArrayLike<number>, n = 1): void {
    const d = this.dim;
    if (!Number.isSafeInteger(n) || n <= 0 || batch.length !== n * d) {
      throw new InvalidArgumentError(`RunningMeanStd.update: expected ${n} × ${d} = ${n * d} values, got ${batch.length}`);
    }
    const tot = this.count + n;
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += batch[i * d + j]!;
      const batchMean = sum / n;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        const dv = batch[i * d + j]! - batchMean;
        sq += dv * dv;
      }
      const delta = batchMean - this.mean[j]!;
      const m2 = this.var[j]! * this.count + sq + (delta * delta * this.count * n) / tot;
      this.mean[j] = this.mean[j]! + (delta * n) / tot;
      this.var[j] = m2 / tot;
    }
    this.count = tot;
  }

  /** The JSON form; {@link RunningMeanStd.load} reads it back. */
  toJSON(): RunningMeanStdJSON {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  /**
   * Replaces the statistics with saved ones (an object or its JSON text).
   * @throws {@link InvalidArgumentError} when the fields are malformed or their length is not `dim`.
   */
  load(json: RunningMeanStdJSON | string): void {
    let value: unknown = json;
    if (typeof json === 'string') {
      try {
        value = JSON.parse(json);
      } catch (e) {
        throw new InvalidArgumentError(`RunningMeanStd.load: expected JSON text, got ${describeValue(json)}`, { cause: e });
      }
    }
    const s = parseOptions(StatsSchema, value, 'RunningMeanStd.load');
    if (s.mean.length !== this.dim || s.var.length !== this.dim) {
      throw new InvalidArgumentError(`RunningMeanStd.load: expected mean and var of length ${this.dim}, got ${s.mean.length} and ${s.var.length}`);
    }
    this.mean.set(s.mean);
    this.var.set(s.var);
    this.count = s.count;
  }
}
