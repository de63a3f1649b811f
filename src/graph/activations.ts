/**
 * Composite functions built from primitive ops, so their gradients come for free: SiLU, Mish, SimNorm
 * (TD-MPC2's grouped softmax), and a named activation selector used by model configs.
 *
 * @module
 */
import { ShapeError } from './errors.js';
import { elu, relu, tanh } from './ops/elementwise.js';
import { siluOp } from './ops/silu.js';
import { mishOp } from './ops/mish.js';
import { softmax } from './ops/nn.js';
import { reshape } from './ops/shape.js';
import type { Tensor } from './tensor.js';

/** SiLU (swish): x·σ(x) (one primitive op, see `ops/silu.ts`). */
export function silu(x: Tensor): Tensor {
  return siluOp(x);
}

/** Mish: x·tanh(softplus(x)), TD-MPC2's activation (one primitive op, see `ops/mish.ts`). */
export function mish(x: Tensor): Tensor {
  return mishOp(x);
}

/**
 * SimNorm: splits the last axis into groups of `groupSize` and applies a softmax within each group,
 * so every group is a point on a simplex (TD-MPC2's latent normalisation).
 */
export function simNorm(x: Tensor, groupSize = 8): Tensor {
  const d = x.shape[x.rank - 1];
  if (typeof d !== 'number' || d % groupSize !== 0) {
    throw new ShapeError('SimNorm', `last dimension of ${x.toString()} must be a multiple of the group size ${groupSize}`);
  }
  const lead = x.shape.slice(0, -1);
  const grouped = reshape(x, [...lead, d / groupSize, groupSize]);
  return reshape(softmax(grouped, -1), x.shape);
}

/** Activation names accepted by model configs. */
export type ActivationName = 'mish' | 'silu' | 'relu' | 'elu' | 'tanh';

/** Applies the named activation. */
export function activation(name: ActivationName, x: Tensor): Tensor {
  switch (name) {
    case 'mish':
      return mish(x);
    case 'silu':
      return silu(x);
    case 'relu':
      return relu(x);
    case 'elu':
      return elu(x);
    case 'tanh':
      return tanh(x);
  }
}
