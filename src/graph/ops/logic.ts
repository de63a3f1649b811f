/**
 * Comparisons (boolean outputs, no gradient), `where` and `clip`. They carry the masks that piecewise
 * functions (ReLU, ELU, clip, Huber) need in their gradients.
 *
 * @module
 */
import { broadcastMap, mapArray } from '../ndarray.js';
import type { OpDef } from '../op.js';
import type { Tensor } from '../tensor.js';
import { ShapeError } from '../errors.js';
import { unbroadcast } from './elementwise.js';
import type { TensorLike } from './util.js';
import { broadcastShape, expectDType, graphOf, lift } from './util.js';

function compareOp(name: string, f: (a: number, b: number) => boolean): OpDef<Record<string, never>> {
  return {
    name,
    infer([a, b]) {
      expectDType(name, [a!, b!]);
      return [{ shape: broadcastShape(name, a!.shape, b!.shape), dtype: 'bool' }];
    },
    emit(e, inputs, outputs) {
      e.node(name, inputs, outputs);
    },
    evaluate: ([a, b]) => [broadcastMap([a!, b!], (x, y) => (f(x, y) ? 1 : 0))],
  };
}

/** Comparison ops. */
export const CompareOps = {
  Greater: compareOp('Greater', (a, b) => a > b),
  Less: compareOp('Less', (a, b) => a < b),
  GreaterOrEqual: compareOp('GreaterOrEqual', (a, b) => a >= b),
  LessOrEqual: compareOp('LessOrEqual', (a, b) => a <= b),
};

/** Logical and of two boolean tensors. */
export const AndOp: OpDef<Record<string, never>> = {
  name: 'And',
  infer([a, b]) {
    expectDType('And', [a!, b!], 'bool');
    return [{ shape: broadcastShape('And', a!.shape, b!.shape), dtype: 'bool' }];
  },
  emit(e, inputs, outputs) {
    e.node('And', inputs, outputs);
  },
  evaluate: ([a, b]) => [broadcastMap([a!, b!], (x, y) => (x && y ? 1 : 0))],
};

/** `cond ? a : b`, broadcasting all three. */
export const WhereOp: OpDef<Record<string, never>> = {
  name: 'Where',
  infer([c, a, b]) {
    expectDType('Where', [c!], 'bool');
    expectDType('Where', [a!, b!]);
    return [{ shape: broadcastShape('Where', broadcastShape('Where', c!.shape, a!.shape), b!.shape), dtype: 'float32' }];
  },
  emit(e, inputs, outputs) {
    e.node('Where', inputs, outputs);
  },
  backward(node, [dy]) {
    if (!dy) return [undefined, undefined, undefined];
    const [c, a, b] = node.inputs as [Tensor, Tensor, Tensor];
    return [undefined, unbroadcast(where(c, dy, 0), a.shape), unbroadcast(where(c, 0, dy), b.shape)];
  },
  evaluate: ([c, a, b]) => [broadcastMap([c!, a!, b!], (cv, av, bv) => (cv ? av : bv))],
};

/** Clamp to [min, max] (either bound may be omitted). */
export const ClipOp: OpDef<{ min?: number; max?: number }> = {
  name: 'Clip',
  infer([x], { min, max }) {
    expectDType('Clip', [x!]);
    if (min !== undefined && max !== undefined && !(min <= max)) throw new ShapeError('Clip', `expected min <= max, got min=${min}, max=${max}`);
    return [{ shape: x!.shape, dtype: 'float32' }];
  },
  emit(e, inputs, outputs, { min, max }) {
    e.node('Clip', [inputs[0]!, min === undefined ? '' : e.float([min], []), max === undefined ? '' : e.float([max], [])], outputs);
  },
  backward(node, [dy]) {
    if (!dy) return [undefined];
    const x = node.inputs[0]!;
    const { min, max } = node.attrs as { min?: number; max?: number };
    let inside: Tensor | undefined;
    if (min !== undefined) inside = greaterOrEqual(x, min);
    if (max !== undefined) {
      const below = lessOrEqual(x, max);
      inside = inside ? and(inside, below) : below;
    }
    return [inside ? where(inside, dy, 0) : dy];
  },
  evaluate: ([x], { min, max }) => [mapArray(x!, (v) => Math.min(Math.max(v, min ?? -Infinity), max ?? Infinity))],
};

function compare(op: OpDef<Record<string, never>>, a: TensorLike, b: TensorLike): Tensor {
  const g = graphOf(op.name, a, b);
  return g.apply(op, [lift(g, a), lift(g, b)], {})[0]!;
}

/** a > b (boolean). */
export const greater = (a: TensorLike, b: TensorLike): Tensor => compare(CompareOps.Greater, a, b);
/** a < b (boolean). */
export const less = (a: TensorLike, b: TensorLike): Tensor => compare(CompareOps.Less, a, b);
/** a ≥ b (boolean). */
export const greaterOrEqual = (a: TensorLike, b: TensorLike): Tensor => compare(CompareOps.GreaterOrEqual, a, b);
/** a ≤ b (boolean). */
export const lessOrEqual = (a: TensorLike, b: TensorLike): Tensor => compare(CompareOps.LessOrEqual, a, b);
/** Logical and. */
export const and = (a: Tensor, b: Tensor): Tensor => a.graph.apply(AndOp, [a, b], {})[0]!;

/** `cond ? a : b` elementwise. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const g = cond.graph;
  return g.apply(WhereOp, [cond, lift(g, a), lift(g, b)], {})[0]!;
}

/** Clamps `x` to [min, max]; the gradient is zero outside. */
export function clip(x: Tensor, min?: number, max?: number): Tensor {
  const attrs: { min?: number; max?: number } = {};
  if (min !== undefined) attrs.min = min;
  if (max !== undefined) attrs.max = max;
  return x.graph.apply(ClipOp, [x], attrs)[0]!;
}
