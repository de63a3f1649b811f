/**
 * The contract between datasets and trainers: batches of length-H windows of consecutive transitions,
 * and the statistics used to normalise inside the graphs.
 *
 * @module
 */
import type { Rng } from '../rng.js';

/**
 * B windows of H consecutive transitions, batch-major and flat.
 * Window b covers observations o[t..t+H] and actions a[t..t+H-1] of one episode.
 */
export interface SequenceBatch {
  readonly batchSize: number;
  readonly horizon: number;
  readonly obsDim: number;
  readonly actionDim: number;
  /** `B × (H+1) × obsDim`. */
  readonly observations: Float32Array;
  /** `B × H × actionDim`. */
  readonly actions: Float32Array;
  /** `B × H`: reward received after each action. */
  readonly rewards: Float32Array;
  /** `B × H`: 1 where the episode terminated after that action (0 otherwise). */
  readonly terminated: Float32Array;
  /**
   * `B × H`: 1 for steps inside the episode, 0 for steps past its end (windows that reach a terminal
   * state early are padded by repeating the last observation).
   */
  readonly mask: Float32Array;
}

/** Per-dimension statistics of the training data (float64 accumulation, stored as float32). */
export interface NormalizationStats {
  /** `obsDim` means. */
  readonly obsMean: Float32Array;
  /** `obsDim` standard deviations (floored at a small epsilon). */
  readonly obsStd: Float32Array;
  /** Mean and standard deviation of rewards. */
  readonly rewardMean: number;
  readonly rewardStd: number;
  /**
   * `obsDim` root-mean-square one-step changes `next − obs` over the transitions (0 for an entry that
   * never changes within an episode). Observation-space models predict changes in these units; a source
   * that omits it gets unit scales.
   */
  readonly deltaRms?: Float32Array;
  /**
   * `obsDim` fractions of the transitions in which the entry changes (by more than 10⁻⁴ of its standard
   * deviation): near 1 for continuous quantities, small for events — a flag, a counter, a body that moves
   * only when something touches it. `consistencyUnits: 'mixed'` reads it; a source that omits it cannot use that.
   */
  readonly changeRate?: Float32Array;
}

/** Something that can sample training windows: a dataset, a replay buffer, a synthetic system. */
export interface BatchSource {
  readonly obsDim: number;
  readonly actionDim: number;
  /** Number of transitions available. */
  readonly size: number;
  /** Draws `batchSize` windows of `horizon` steps using `rng` (the only randomness). */
  sample(batchSize: number, horizon: number, rng: Rng): SequenceBatch;
  /** Statistics of the observations and rewards. */
  stats(): NormalizationStats;
}
