/**
 * Losses as composites of primitive ops. Each returns a scalar (mean over all elements) unless a
 * `weights` tensor is given, in which case the per-element losses are multiplied by it and summed,
 * divided by `normalizer` (default: number of elements).
 *
 * @module
 */
import { ShapeError } from './errors.js';
import { abs, add, mul, neg, relu, softplus, square, sub } from './ops/elementwise.js';
import { lessOrEqual, where } from './ops/logic.js';
import { logSoftmax } from './ops/nn.js';
import { reduceMean, reduceSum } from './ops/reduce.js';
import type { Tensor } from './tensor.js';
import { formatShape, sameShape } from './tensor.js';

function expectSame(op: string, a: Tensor, b: Tensor): void {
  if (!sameShape(a.shape, b.shape)) throw new ShapeError(op, `prediction ${a.toString()} and target ${b.toString()} differ (${formatShape(a.shape)} vs ${formatShape(b.shape)})`);
}

/** Per-element squared error. */
export function squaredError(prediction: Tensor, target: Tensor): Tensor {
  expectSame('MSE', prediction, target);
  return square(sub(prediction, target));
}

/** Mean squared error (a scalar). */
export function mse(prediction: Tensor, target: Tensor): Tensor {
  return reduceMean(squaredError(prediction, target));
}

/** Per-element Huber loss: ½d² for |d| ≤ δ, δ(|d| − ½δ) beyond. */
export function huberElements(prediction: Tensor, target: Tensor, delta = 1): Tensor {
  expectSame('Huber', prediction, target);
  const d = sub(prediction, target);
  const a = abs(d);
  return where(lessOrEqual(a, delta), mul(square(d), 0.5), mul(sub(a, 0.5 * delta), delta));
}

/** Mean Huber loss. */
export function huber(prediction: Tensor, target: Tensor, delta = 1): Tensor {
  return reduceMean(huberElements(prediction, target, delta));
}

/** Per-element binary cross-entropy from logits, computed stably: max(x,0) − x·z + log(1 + e^(−|x|)). */
export function bceWithLogitsElements(logits: Tensor, target: Tensor): Tensor {
  expectSame('BCEWithLogits', logits, target);
  return add(sub(relu(logits), mul(logits, target)), softplus(neg(abs(logits))));
}

/** Mean binary cross-entropy from logits. */
export function bceWithLogits(logits: Tensor, target: Tensor): Tensor {
  return reduceMean(bceWithLogitsElements(logits, target));
}

/** Soft-target cross-entropy along the last axis: −Σ target·log softmax(logits), per row. */
export function crossEntropyRows(logits: Tensor, target: Tensor): Tensor {
  expectSame('CrossEntropy', logits, target);
  return neg(reduceSum(mul(target, logSoftmax(logits, -1)), [-1]));
}

/** Mean soft-target cross-entropy. */
export function crossEntropy(logits: Tensor, target: Tensor): Tensor {
  return reduceMean(crossEntropyRows(logits, target));
}
