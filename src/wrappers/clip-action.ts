/**
 * ClipAction: clips each action into the wrapped env's Box action space, so any finite-or-infinite
 * action of the right shape is accepted (Gymnasium 1.x: the outer action space is unbounded).
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';
import type { Env } from '../env.js';
import { Box } from '../spaces.js';
import { ActionWrapper } from './bases.js';

/**
 * Clips actions to the inner Box bounds. NaN is still rejected (with an `InvalidActionError`).
 *
 * @example
 * ```ts
 * const env = new ClipAction(make('LineWorld-v0'));
 * await env.step(Float32Array.of(7));   // steps with 1, the bound
 * ```
 */
export class ClipAction<O = Float32Array> extends ActionWrapper<O, Float32Array, Float32Array> {
  private readonly inner: Box;
  private readonly space: Box;

  constructor(env: Env<O, Float32Array>) {
    super(env);
    const inner = env.actionSpace;
    if (!(inner instanceof Box)) throw new InvalidArgumentError(`ClipAction: expected a Box action space, got ${describeValue(inner?.type)}`);
    this.inner = inner;
    this.space = new Box(-Infinity, Infinity, inner.shape);
  }

  /** An unbounded Box of the inner action shape. */
  override get actionSpace(): Box {
    return this.space;
  }

  protected action(action: Float32Array): Float32Array {
    return this.inner.clip(Float32Array.from(action));
  }
}
