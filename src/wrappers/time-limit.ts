/**
 * TimeLimit: sets `truncated` once an episode reaches `maxEpisodeSteps` (never `terminated`).
 *
 * @module
 */
import { EnvStateError, InvalidArgumentError, describeValue } from '../errors.js';
import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import { Wrapper } from './wrapper.js';

/**
 * Truncates episodes after `maxEpisodeSteps` steps and refuses to step an ended episode.
 *
 * @example
 * ```ts
 * const env = new TimeLimit(new MyEnv(), 200);
 * ```
 */
export class TimeLimit<O = Float32Array, A = Float32Array> extends Wrapper<O, A> {
  /** Steps taken in the current episode. */
  elapsedSteps = 0;
  private ended = true;

  constructor(
    env: Env<O, A>,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isSafeInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new InvalidArgumentError(`Expected \`maxEpisodeSteps\` to be a positive integer, got ${describeValue(maxEpisodeSteps)}`);
    }
  }

  override async reset(opts?: ResetOptions): Promise<ResetResult<O>> {
    const result = await this.env.reset(opts);
    this.elapsedSteps = 0;
    this.ended = false;
    return result;
  }

  override async step(action: A): Promise<StepResult<O>> {
    if (this.ended) {
      throw new EnvStateError(
        `${this.spec.id}: step() called ${this.elapsedSteps === 0 ? 'before reset()' : 'after the episode ended (terminated or truncated)'}; call reset() first`,
      );
    }
    const result = await this.env.step(action);
    this.elapsedSteps++;
    // As in Gymnasium, the limit truncates even when the same step also terminated.
    if (this.elapsedSteps >= this.maxEpisodeSteps) result.truncated = true;
    if (result.terminated || result.truncated) this.ended = true;
    return result;
  }

  protected override wrapperState(): unknown {
    return { elapsedSteps: this.elapsedSteps, ended: this.ended };
  }

  protected override restoreWrapperState(state: unknown): void {
    const s = state as { elapsedSteps: number; ended: boolean };
    this.elapsedSteps = s.elapsedSteps;
    this.ended = s.ended;
  }
}
