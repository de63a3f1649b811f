/**
 * RecordEpisodeStatistics: adds `info.episode = { r, l, t }` (return, length, seconds) to the final step of
 * every episode and keeps the last `bufferLength` returns, lengths and durations.
 *
 * @module
 */
import { z } from 'zod';
import { EmbodiedError, InvalidArgumentError, describeValue } from '../errors.js';
import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import { parseOptions } from '../options.js';
import { Wrapper } from './wrapper.js';

/** What {@link RecordEpisodeStatistics} writes into the final step's info. */
export interface EpisodeStatistics {
  /** Undiscounted return of the episode. */
  readonly r: number;
  /** Number of steps of the episode. */
  readonly l: number;
  /** Wall-clock seconds since the episode's reset, rounded to microseconds. */
  readonly t: number;
}

/** Zod schema of {@link RecordEpisodeStatisticsOptions}. */
export const RecordEpisodeStatisticsOptionsSchema = z
  .object({
    /** How many finished episodes the queues keep. Default 100 (as Gymnasium). */
    bufferLength: z.number().int().positive().default(100),
    /** The info key written on the final step. Default `'episode'`. */
    infoKey: z.string().min(1).default('episode'),
  })
  .strict();

/** Options of {@link RecordEpisodeStatistics}. */
export type RecordEpisodeStatisticsOptions = z.input<typeof RecordEpisodeStatisticsOptionsSchema>;

interface RecordState {
  readonly episodeReturn: number;
  readonly episodeLength: number;
  readonly elapsedSeconds: number;
  readonly episodeCount: number;
  readonly returnQueue: number[];
  readonly lengthQueue: number[];
  readonly timeQueue: number[];
}

/**
 * Records episode returns, lengths and durations.
 *
 * @example
 * ```ts
 * const env = new RecordEpisodeStatistics(make('LineWorld-v0'));
 * // ... on the final step: result.info.episode → { r: -41.2, l: 200, t: 0.0031 }
 * console.log(env.returnQueue);   // last 100 returns
 * ```
 */
export class RecordEpisodeStatistics<O = Float32Array, A = Float32Array> extends Wrapper<O, A> {
  /** Finished episodes so far. */
  episodeCount = 0;
  private episodeReturn = 0;
  private episodeLength = 0;
  private episodeStart = performance.now();
  private readonly returns: number[] = [];
  private readonly lengths: number[] = [];
  private readonly times: number[] = [];
  private readonly options: Required<RecordEpisodeStatisticsOptions>;

  /** @param options - see {@link RecordEpisodeStatisticsOptions}; defaults: 100 episodes, key `'episode'`. */
  constructor(env: Env<O, A>, options: RecordEpisodeStatisticsOptions = {}) {
    super(env);
    this.options = parseOptions(RecordEpisodeStatisticsOptionsSchema, options, 'RecordEpisodeStatistics options');
  }

  /** Returns of the last `bufferLength` finished episodes, oldest first. */
  get returnQueue(): readonly number[] {
    return [...this.returns];
  }
  /** Lengths of the last `bufferLength` finished episodes, oldest first. */
  get lengthQueue(): readonly number[] {
    return [...this.lengths];
  }
  /** Durations (seconds) of the last `bufferLength` finished episodes, oldest first. */
  get timeQueue(): readonly number[] {
    return [...this.times];
  }

  override async reset(opts?: ResetOptions): Promise<ResetResult<O>> {
    const result = await this.env.reset(opts);
    this.episodeReturn = 0;
    this.episodeLength = 0;
    this.episodeStart = performance.now();
    return result;
  }

  override async step(action: A): Promise<StepResult<O>> {
    const result = await this.env.step(action);
    this.episodeReturn += result.reward;
    this.episodeLength++;
    if (!result.terminated && !result.truncated) return result;
    const key = this.options.infoKey;
    if (key in result.info) {
      throw new EmbodiedError(`RecordEpisodeStatistics: the wrapped env already sets info.${key} (${describeValue(result.info[key])}); wrap only once or pass another \`infoKey\``);
    }
    const stats: EpisodeStatistics = {
      r: this.episodeReturn,
      l: this.episodeLength,
      t: Math.round((performance.now() - this.episodeStart) * 1e3) / 1e6,
    };
    this.push(stats);
    return { ...result, info: { ...result.info, [key]: stats } };
  }

  private push(stats: EpisodeStatistics): void {
    this.episodeCount++;
    this.returns.push(stats.r);
    this.lengths.push(stats.l);
    this.times.push(stats.t);
    if (this.returns.length > this.options.bufferLength) {
      this.returns.shift();
      this.lengths.shift();
      this.times.shift();
    }
  }

  protected override wrapperState(): unknown {
    return {
      episodeReturn: this.episodeReturn,
      episodeLength: this.episodeLength,
      elapsedSeconds: (performance.now() - this.episodeStart) / 1e3,
      episodeCount: this.episodeCount,
      returnQueue: [...this.returns],
      lengthQueue: [...this.lengths],
      timeQueue: [...this.times],
    };
  }

  protected override restoreWrapperState(state: unknown): void {
    const s = state as RecordState;
    if (typeof s !== 'object' || s === null || !Array.isArray(s.returnQueue) || typeof s.episodeReturn !== 'number') {
      throw new InvalidArgumentError(`RecordEpisodeStatistics.setState: expected a saved RecordEpisodeStatistics state, got ${describeValue(state)}`);
    }
    this.episodeReturn = s.episodeReturn;
    this.episodeLength = s.episodeLength;
    // Wall time is not part of the simulation: resume the clock as if the saved elapsed time had passed.
    this.episodeStart = performance.now() - s.elapsedSeconds * 1e3;
    this.episodeCount = s.episodeCount;
    this.returns.splice(0, this.returns.length, ...s.returnQueue);
    this.lengths.splice(0, this.lengths.length, ...s.lengthQueue);
    this.times.splice(0, this.times.length, ...s.timeQueue);
  }
}
