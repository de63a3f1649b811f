/**
 * FrameStack: the observation is the last `k` observations stacked, oldest first (Gymnasium's
 * `FrameStackObservation` with `padding_type="reset"`): after `reset`, every slot holds the reset
 * observation.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';
import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import { Box, batchBox } from '../spaces.js';
import { Wrapper } from './wrapper.js';

/**
 * Stacks the last `k` Box observations into one Box observation of shape `[k, ...shape]`.
 *
 * @example
 * ```ts
 * const env = new FrameStack(make('LineWorld-v0'), 4);
 * const { observation } = await env.reset({ seed: 0 });   // 4 × 3 values, all the reset observation
 * ```
 */
export class FrameStack<A = Float32Array> extends Wrapper<Float32Array, A, Float32Array, A> {
  private readonly space: Box;
  private readonly frameSize: number;
  private readonly frames: Float32Array;

  /**
   * @param k - number of observations stacked, a positive integer
   * @throws {@link InvalidArgumentError} when `k` is not a positive integer or the observation space is not a Box.
   */
  constructor(
    env: Env<Float32Array, A>,
    readonly k: number,
  ) {
    super(env);
    if (!Number.isSafeInteger(k) || k <= 0) throw new InvalidArgumentError(`FrameStack: expected \`k\` to be a positive integer, got ${describeValue(k)}`);
    const inner = env.observationSpace;
    if (!(inner instanceof Box)) throw new InvalidArgumentError(`FrameStack: expected a Box observation space, got ${describeValue(inner?.type)}`);
    this.space = batchBox(inner, k);
    this.frameSize = inner.flatDim;
    this.frames = new Float32Array(k * inner.flatDim);
  }

  /** A Box of shape `[k, ...innerShape]` with the inner bounds repeated. */
  override get observationSpace(): Box {
    return this.space;
  }

  override async reset(opts?: ResetOptions): Promise<ResetResult<Float32Array>> {
    const { observation, info } = await this.env.reset(opts);
    for (let i = 0; i < this.k; i++) this.frames.set(observation, i * this.frameSize);
    return { observation: this.frames.slice(), info };
  }

  override async step(action: A): Promise<StepResult<Float32Array>> {
    const result = await this.env.step(action);
    this.frames.copyWithin(0, this.frameSize);
    this.frames.set(result.observation, (this.k - 1) * this.frameSize);
    return { ...result, observation: this.frames.slice() };
  }

  protected override wrapperState(): unknown {
    return { frames: this.frames.slice() };
  }

  protected override restoreWrapperState(state: unknown): void {
    const frames = (state as { frames?: unknown } | null)?.frames;
    if (!(frames instanceof Float32Array) || frames.length !== this.frames.length) {
      throw new InvalidArgumentError(`FrameStack.setState: expected saved frames of ${this.frames.length} float32 values, got ${describeValue(frames)}`);
    }
    this.frames.set(frames);
  }
}
