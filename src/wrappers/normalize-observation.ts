/**
 * NormalizeObservation: centres and scales each observation dimension by a running mean and variance
 * (Gymnasium's wrapper of the same name). The statistics can be frozen for evaluation, and saved and
 * loaded as JSON so a trained policy sees the same normalisation later.
 *
 * @module
 */
import { z } from 'zod';
import { InvalidArgumentError, describeValue } from '../errors.js';
import type { Env } from '../env.js';
import { parseOptions } from '../options.js';
import { Box } from '../spaces.js';
import { ObservationWrapper } from './bases.js';
import { RunningMeanStd, type RunningMeanStdJSON } from './running-mean-std.js';

/** Saved statistics of a {@link NormalizeObservation} (JSON-serialisable). */
export interface ObservationNormalizationStats extends RunningMeanStdJSON {
  /** The epsilon the statistics were used with. */
  readonly epsilon: number;
}

/** Zod schema of {@link NormalizeObservationOptions}. */
export const NormalizeObservationOptionsSchema = z
  .object({
    /** Added to the variance before the square root. Default 1e-8 (as Gymnasium). */
    epsilon: z.number().positive().default(1e-8),
    /** Start frozen (e.g. after `loadStats` for evaluation). Default false. */
    frozen: z.boolean().default(false),
  })
  .strict();

/** Options of {@link NormalizeObservation}. */
export type NormalizeObservationOptions = z.input<typeof NormalizeObservationOptionsSchema>;

/**
 * Observations become `(obs - mean) / sqrt(var + epsilon)`, with mean and variance updated by every
 * observation seen (from `reset` and `step`) unless frozen. The observation space becomes an unbounded
 * Box of the same shape.
 *
 * @example
 * ```ts
 * const env = new NormalizeObservation(make('LineWorld-v0'));
 * // ... train ...
 * await writeFileAtomic('norm.json', JSON.stringify(env.saveStats()));
 * const evalEnv = new NormalizeObservation(make('LineWorld-v0'), { frozen: true });
 * evalEnv.loadStats(JSON.parse(readFileSync('norm.json', 'utf8')));
 * ```
 */
export class NormalizeObservation<A = Float32Array> extends ObservationWrapper<Float32Array, A, Float32Array> {
  /** The running statistics (live; mutate with care). */
  readonly stats: RunningMeanStd;
  /** Whether observations still update the statistics. */
  updateRunningMean: boolean;
  private readonly epsilon: number;
  private readonly space: Box;

  /** @param options - see {@link NormalizeObservationOptions}; defaults: epsilon 1e-8, not frozen. */
  constructor(env: Env<Float32Array, A>, options: NormalizeObservationOptions = {}) {
    super(env);
    const inner = env.observationSpace;
    if (!(inner instanceof Box)) {
      throw new InvalidArgumentError(`NormalizeObservation: expected a Box observation space, got ${describeValue(inner?.type)}`);
    }
    const opts = parseOptions(NormalizeObservationOptionsSchema, options, 'NormalizeObservation options');
    this.epsilon = opts.epsilon;
    this.updateRunningMean = !opts.frozen;
    this.stats = new RunningMeanStd(inner.flatDim);
    this.space = new Box(-Infinity, Infinity, inner.shape);
  }

  override get observationSpace(): Box {
    return this.space;
  }

  /** Stops updating the statistics (evaluation). */
  freeze(): void {
    this.updateRunningMean = false;
  }

  /** Resumes updating the statistics. */
  unfreeze(): void {
    this.updateRunningMean = true;
  }

  /** The statistics as a JSON-serialisable object. */
  saveStats(): ObservationNormalizationStats {
    return { ...this.stats.toJSON(), epsilon: this.epsilon };
  }

  /**
   * Loads statistics saved by {@link NormalizeObservation.saveStats} (object or JSON text). The
   * epsilon, if present, must match this wrapper's.
   * @throws {@link InvalidArgumentError} for malformed statistics or a dimension mismatch.
   */
  loadStats(stats: ObservationNormalizationStats | RunningMeanStdJSON | string): void {
    const value: unknown = typeof stats === 'string' ? safeParse(stats) : stats;
    if (typeof value !== 'object' || value === null) {
      throw new InvalidArgumentError(`NormalizeObservation.loadStats: expected an object { mean, var, count, epsilon? }, got ${describeValue(value)}`);
    }
    const { epsilon, ...rest } = value as Partial<ObservationNormalizationStats>;
    if (epsilon !== undefined && epsilon !== this.epsilon) {
      throw new InvalidArgumentError(`NormalizeObservation.loadStats: the statistics were saved with epsilon ${epsilon}, this wrapper uses ${this.epsilon}`);
    }
    this.stats.load(rest as RunningMeanStdJSON);
  }

  protected observation(observation: Float32Array): Float32Array {
    if (this.updateRunningMean) this.stats.update(observation, 1);
    const out = new Float32Array(observation.length);
    const { mean, var: variance } = this.stats;
    for (let i = 0; i < out.length; i++) out[i] = (observation[i]! - mean[i]!) / Math.sqrt(variance[i]! + this.epsilon);
    return out;
  }

  protected override wrapperState(): unknown {
    return { stats: this.stats.toJSON(), updateRunningMean: this.updateRunningMean };
  }

  protected override restoreWrapperState(state: unknown): void {
    const s = state as { stats: RunningMeanStdJSON; updateRunningMean: boolean };
    if (typeof s !== 'object' || s === null || typeof s.updateRunningMean !== 'boolean') {
      throw new InvalidArgumentError(`NormalizeObservation.setState: expected a saved NormalizeObservation state, got ${describeValue(state)}`);
    }
    this.stats.load(s.stats);
    this.updateRunningMean = s.updateRunningMean;
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new InvalidArgumentError(`NormalizeObservation.loadStats: expected JSON text, got ${describeValue(text)}`, { cause: e });
  }
}
