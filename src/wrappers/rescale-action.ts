/**
 * RescaleAction: the caller acts in `[minAction, maxAction]` (e.g. `[-1, 1]`), mapped affinely onto the
 * wrapped env's bounded Box action space.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';
import type { Env } from '../env.js';
import { Box } from '../spaces.js';
import { ActionWrapper } from './bases.js';

/**
 * Maps actions from `[minAction, maxAction]` to the inner `[low, high]`, per dimension:
 * `low + (high - low) * (a - min) / (max - min)`, then clips into `[low, high]` against rounding.
 *
 * @example
 * ```ts
 * const env = new RescaleAction(envWithTorqueIn0to5, -1, 1);   // policy outputs in [-1, 1]
 * ```
 */
export class RescaleAction<O = Float32Array> extends ActionWrapper<O, Float32Array, Float32Array> {
  private readonly inner: Box;
  private readonly space: Box;

  /**
   * @param minAction - lower bound of the caller's actions: a scalar or one value per dimension
   * @param maxAction - upper bound of the caller's actions: a scalar or one value per dimension
   * @throws {@link InvalidArgumentError} when the inner space is not a bounded Box or min ≥ max somewhere.
   */
  constructor(env: Env<O, Float32Array>, minAction: number | ArrayLike<number>, maxAction: number | ArrayLike<number>) {
    super(env);
    const inner = env.actionSpace;
    if (!(inner instanceof Box)) throw new InvalidArgumentError(`RescaleAction: expected a Box action space, got ${describeValue(inner?.type)}`);
    if (!inner.isBounded()) {
      throw new InvalidArgumentError(`RescaleAction: expected a bounded inner action space, got low=${describeValue(inner.low)}, high=${describeValue(inner.high)}`);
    }
    this.inner = inner;
    this.space = new Box(minAction, maxAction, inner.shape);
    for (let i = 0; i < inner.flatDim; i++) {
      const lo = this.space.low[i]!;
      const hi = this.space.high[i]!;
      if (!(lo < hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) {
        throw new InvalidArgumentError(`RescaleAction: expected finite minAction < maxAction at index ${i}, got ${lo} and ${hi}`);
      }
    }
  }

  /** The Box `[minAction, maxAction]` of the inner action shape. */
  override get actionSpace(): Box {
    return this.space;
  }

  protected action(action: Float32Array): Float32Array {
    const out = new Float32Array(action.length);
    const { low, high } = this.inner;
    for (let i = 0; i < out.length; i++) {
      const t = (action[i]! - this.space.low[i]!) / (this.space.high[i]! - this.space.low[i]!);
      out[i] = low[i]! + (high[i]! - low[i]!) * t;
    }
    return this.inner.clip(out);
  }
}
