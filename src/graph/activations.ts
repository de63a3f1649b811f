/**
 * Composite functions built from primitive ops, so their gradients come for free: SiLU, Mish, SimNorm
 * (TD-MPC2's grouped softmax), and a named activation selector used by model configs.
 *
 * @module
 */
import { ShapeError } from './errors.js';
import { div, elu, exp, relu, tanh } from './ops/elementwise.js';
import { matmul } from './ops/linalg.js';
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

/** The last dimension of `x`, checked to be a static multiple of `groupSize`. */
function simNormWidth(x: Tensor, groupSize: number): number {
  const d = x.shape[x.rank - 1];
  if (typeof d !== 'number' || d % groupSize !== 0) {
    throw new ShapeError('SimNorm', `last dimension of ${x.toString()} must be a multiple of the group size ${groupSize}`);
  }
  return d;
}

/**
 * SimNorm: splits the last axis into groups of `groupSize` and applies a softmax within each group,
 * so every group is a point on a simplex (TD-MPC2's latent normalisation).
 */
export function simNorm(x: Tensor, groupSize = 8): Tensor {
  const d = simNormWidth(x, groupSize);
  const lead = x.shape.slice(0, -1);
  const grouped = reshape(x, [...lead, d / groupSize, groupSize]);
  return reshape(softmax(grouped, -1), x.shape);
}

/** The largest |x| for which {@link simNormBounded} is exact: e^±80 stays a normal float32, and 8·e^80 < 3.4·10^38. */
export const SIMNORM_BOUND = 80;

/**
 * SimNorm for inputs known to lie within ±{@link SIMNORM_BOUND}: exp, the per-group sums as one MatMul with a
 * block-diagonal matrix of ones, and a division. Equal to {@link simNorm} up to rounding (softmax is
 * shift-invariant, so skipping its max subtraction changes nothing while exp can neither overflow nor
 * underflow), and faster in inference graphs: onnxruntime's Softmax over rows of 8 is bound by per-row
 * overhead (Softmax took 126 µs of a 1.2 ms rollout step at B 1024 for the shipped PushBox model; the
 * three ops here made the whole fused rollout 1.1–1.2× faster in interleaved runs). The caller must prove the bound — e.g. a
 * LayerNorm output over D entries satisfies |y| ≤ √(D−1)·max|γ| + max|β| — and it is not checked at run time.
 */
export function simNormBounded(x: Tensor, groupSize = 8): Tensor {
  const d = simNormWidth(x, groupSize);
  const blocks = new Float32Array(d * d);
  for (let i = 0; i < d; i++) {
    const g0 = Math.floor(i / groupSize) * groupSize;
    for (let j = g0; j < g0 + groupSize; j++) blocks[i * d + j] = 1;
  }
  const e = exp(x);
  return div(e, matmul(e, x.graph.constant(blocks, [d, d])));
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
