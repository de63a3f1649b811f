/**
 * Neural-network primitives with fused onnxruntime kernels: LayerNormalization (over the last axis,
 * with scale and bias), Softmax and LogSoftmax. Their gradients are written with elementwise ops and
 * reductions; LayerNormalization's backward reuses the mean and inverse standard deviation the forward
 * kernel already outputs.
 *
 * @module
 */
import { ShapeError } from '../errors.js';
import type { NDArray } from '../ndarray.js';
import { nd } from '../ndarray.js';
import type { OpDef } from '../op.js';
import { attr } from '../op.js';
import type { Tensor } from '../tensor.js';
import { normalizeAxis } from '../tensor.js';
import { exp, mul, sub } from './elementwise.js';
import { gemm } from './linalg.js';
import { reduceMean, reduceSum, sumRows } from './reduce.js';
import { reshape } from './shape.js';
import { expectDType } from './util.js';

/** Rows × last-axis view of an array: calls `f(offset, length)` per row. */
function forRows(a: NDArray, axis: number, f: (rowOffsets: number[]) => void): void {
  const rank = a.shape.length;
  const ax = normalizeAxis(axis, rank);
  const len = a.shape[ax]!;
  const inner = a.shape.slice(ax + 1).reduce((p, d) => p * d, 1);
  const outer = a.data.length / (len * inner);
  const offsets = new Array<number>(len);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let j = 0; j < len; j++) offsets[j] = (o * len + j) * inner + i;
      f(offsets);
    }
  }
}

/** LayerNormalization over the last axis: outputs Y, Mean and InvStdDev (the last two shaped [..., 1]). */
export const LayerNormOp: OpDef<{ epsilon: number }> = {
  name: 'LayerNormalization',
  infer([x, scale, bias]) {
    expectDType('LayerNormalization', [x!, scale!, bias!]);
    const d = x!.shape[x!.rank - 1];
    for (const p of [scale!, bias!]) {
      if (p.rank !== 1 || p.shape[0] !== d) throw new ShapeError('LayerNormalization', `expected scale and bias of shape [${d}] for ${x!.toString()}, got ${p.toString()}`);
    }
    const stat = [...x!.shape.slice(0, -1), 1];
    return [
      { shape: x!.shape, dtype: 'float32' },
      { shape: stat, dtype: 'float32' },
      { shape: stat, dtype: 'float32' },
    ];
  },
  emit(e, inputs, outputs, { epsilon }) {
    e.node('LayerNormalization', inputs, outputs, [attr.i('axis', -1), attr.f('epsilon', epsilon)]);
  },
  backward(node, [dy]) {
    if (!dy) return [undefined, undefined, undefined];
    const [x, scale] = node.inputs as [Tensor, Tensor, Tensor];
    const [, mean, invStd] = node.outputs as [Tensor, Tensor, Tensor];
    // dx = invStd·(g − mean(g) − x̂·mean(g·x̂)) with g = dy·scale, x̂ = (x − mean)·invStd.
    const xhat = mul(sub(x, mean), invStd);
    const dyXhat = mul(dy, xhat);
    const g = mul(dy, scale);
    if (x.rank === 2) {
      // Row means as matrix-vector products (mean(g) = dy·scale/D, mean(g·x̂) = (dy·x̂)·scale/D) and
      // column sums as ones·x: no extra elementwise pass, and faster than ReduceSum/ReduceMean here.
      const d = x.shape[1] as number;
      const scaleCol = reshape(scale, [d, 1]);
      const m1 = gemm(dy, scaleCol, undefined, { alpha: 1 / d });
      const m2 = gemm(dyXhat, scaleCol, undefined, { alpha: 1 / d });
      const dx = mul(sub(sub(g, m1), mul(xhat, m2)), invStd);
      return [dx, sumRows(dyXhat), sumRows(dy)];
    }
    const lead = Array.from({ length: x.rank - 1 }, (_v, i) => i);
    const dScale = lead.length > 0 ? reduceSum(dyXhat, lead) : dyXhat;
    const dBias = lead.length > 0 ? reduceSum(dy, lead) : dy;
    const dx = mul(invStd, sub(sub(g, reduceMean(g, [-1], true)), mul(xhat, reduceMean(mul(g, xhat), [-1], true))));
    return [dx, dScale, dBias];
  },
  evaluate([x, scale, bias], { epsilon }) {
    const y = nd(x!.shape);
    const statShape = [...x!.shape.slice(0, -1), 1];
    const mean = nd(statShape);
    const inv = nd(statShape);
    let row = 0;
    forRows(x!, -1, (offs) => {
      let m = 0;
      for (const o of offs) m += x!.data[o]!;
      m /= offs.length;
      let v = 0;
      for (const o of offs) v += (x!.data[o]! - m) ** 2;
      const is = 1 / Math.sqrt(v / offs.length + epsilon);
      offs.forEach((o, j) => {
        y.data[o] = (x!.data[o]! - m) * is * scale!.data[j]! + bias!.data[j]!;
      });
      mean.data[row] = m;
      inv.data[row++] = is;
    });
    return [y, mean, inv];
  },
};

function softmaxOp(name: 'Softmax' | 'LogSoftmax'): OpDef<{ axis: number }> {
  const logOut = name === 'LogSoftmax';
  return {
    name,
    infer([x], { axis }) {
      expectDType(name, [x!]);
      if (normalizeAxis(axis, x!.rank) < 0) throw new ShapeError(name, `axis ${axis} out of range for ${x!.toString()}`);
      return [{ shape: x!.shape, dtype: 'float32' }];
    },
    emit(e, inputs, outputs, { axis }) {
      e.node(name, inputs, outputs, [attr.i('axis', axis)]);
    },
    backward(node, [dy]) {
      if (!dy) return [undefined];
      const y = node.outputs[0]!;
      const { axis } = node.attrs as { axis: number };
      if (logOut) return [sub(dy, mul(exp(y), reduceSum(dy, [axis], true)))];
      return [mul(y, sub(dy, reduceSum(mul(dy, y), [axis], true)))];
    },
    evaluate([x], { axis }) {
      const y = nd(x!.shape);
      forRows(x!, axis, (offs) => {
        let max = -Infinity;
        for (const o of offs) max = Math.max(max, x!.data[o]!);
        let s = 0;
        for (const o of offs) s += Math.exp(x!.data[o]! - max);
        for (const o of offs) y.data[o] = logOut ? x!.data[o]! - max - Math.log(s) : Math.exp(x!.data[o]! - max) / s;
      });
      return [y];
    },
  };
}

/** Softmax and LogSoftmax along one axis. */
export const SoftmaxOps = { Softmax: softmaxOp('Softmax'), LogSoftmax: softmaxOp('LogSoftmax') };

/** Layer normalisation over the last axis: `(x − mean)/√(var + ε)·scale + bias`. */
export function layerNorm(x: Tensor, scale: Tensor, bias: Tensor, epsilon = 1e-5): Tensor {
  return x.graph.apply(LayerNormOp, [x, scale, bias], { epsilon })[0]!;
}
/** Softmax along `axis` (default last). */
export function softmax(x: Tensor, axis = -1): Tensor {
  return x.graph.apply(SoftmaxOps.Softmax, [x], { axis })[0]!;
}
/** log(softmax(x)) along `axis`, computed stably. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return x.graph.apply(SoftmaxOps.LogSoftmax, [x], { axis })[0]!;
}
