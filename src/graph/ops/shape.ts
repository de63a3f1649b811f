/**
 * Shape ops: Reshape, Transpose, Concat, Slice (and `split` built from it), Pad, Expand. Shapes are
 * checked while building; symbolic dimensions are carried through (Reshape maps them to ONNX `0`/`-1`).
 *
 * @module
 */
import { ShapeError } from '../errors.js';
import type { NDArray } from '../ndarray.js';
import { concatArrays, expandArray, padArray, reshapeArray, sizeOf, sliceArray, transposeArray } from '../ndarray.js';
import type { OpDef } from '../op.js';
import { attr } from '../op.js';
import type { Shape, Tensor } from '../tensor.js';
import { formatShape, isStatic, normalizeAxis, sameShape } from '../tensor.js';
import { unbroadcast } from './elementwise.js';

function staticProduct(shape: Shape): number {
  return shape.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1);
}
function symbols(shape: Shape): string {
  return shape
    .filter((d): d is string => typeof d === 'string')
    .sort()
    .join('*');
}

/**
 * The ONNX Reshape target for `to` given the input `from`: numbers stay, a symbol at the same position
 * as in `from` becomes 0 (copy), one other symbol may become −1 (infer).
 */
export function reshapeTarget(from: Shape, to: Shape): number[] {
  let inferred = false;
  return to.map((d, i) => {
    if (typeof d === 'number') return d;
    if (from[i] === d) return 0;
    if (inferred) throw new ShapeError('Reshape', `cannot express ${formatShape(from)} -> ${formatShape(to)}: more than one moved symbolic dimension`);
    inferred = true;
    return -1;
  });
}

/** Resolves an ONNX Reshape target (0 = copy, −1 = infer) against a concrete input shape. */
function resolveTarget(from: readonly number[], target: readonly number[]): number[] {
  const out = target.map((d, i) => (d === 0 ? from[i]! : d));
  const known = out.reduce((p, d) => (d === -1 ? p : p * d), 1);
  return out.map((d) => (d === -1 ? sizeOf(from) / known : d));
}

/** Reshape to a new shape with the same number of elements; `target` is the ONNX shape input. */
export const ReshapeOp: OpDef<{ shape: Shape; target: readonly number[] }> = {
  name: 'Reshape',
  infer([x], { shape }) {
    if (staticProduct(x!.shape) !== staticProduct(shape) || symbols(x!.shape) !== symbols(shape)) {
      throw new ShapeError('Reshape', `cannot reshape ${x!.toString()} to ${formatShape(shape)}: element counts differ`);
    }
    return [{ shape, dtype: x!.dtype }];
  },
  emit(e, inputs, outputs, { target }) {
    e.node('Reshape', [inputs[0]!, e.int64(target)], outputs);
  },
  backward(node, [dy]) {
    return [dy ? reshape(dy, node.inputs[0]!.shape) : undefined];
  },
  evaluate: ([x], { target }) => [reshapeArray(x!, resolveTarget(x!.shape, target))],
};

/** Permutation of axes. */
export const TransposeOp: OpDef<{ perm: readonly number[] }> = {
  name: 'Transpose',
  infer([x], { perm }) {
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== x!.rank || sorted.some((p, i) => p !== i)) {
      throw new ShapeError('Transpose', `perm [${perm.join(', ')}] is not a permutation of the axes of ${x!.toString()}`);
    }
    return [{ shape: perm.map((p) => x!.shape[p]!), dtype: x!.dtype }];
  },
  emit(e, inputs, outputs, { perm }) {
    e.node('Transpose', inputs, outputs, [attr.ints('perm', perm)]);
  },
  backward(node, [dy]) {
    if (!dy) return [undefined];
    const { perm } = node.attrs as { perm: number[] };
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => {
      inverse[p] = i;
    });
    return [transpose(dy, inverse)];
  },
  evaluate: ([x], { perm }) => [transposeArray(x!, perm)],
};

/** Concatenation along an axis. */
export const ConcatOp: OpDef<{ axis: number }> = {
  name: 'Concat',
  infer(inputs, { axis }) {
    const first = inputs[0];
    if (!first) throw new ShapeError('Concat', 'expected at least one input');
    const ax = normalizeAxis(axis, first.rank);
    if (ax < 0) throw new ShapeError('Concat', `axis ${axis} out of range for ${first.toString()}`);
    let total = 0;
    for (const t of inputs) {
      const ok = t.rank === first.rank && t.dtype === first.dtype && t.shape.every((d, i) => i === ax || d === first.shape[i]);
      if (!ok) throw new ShapeError('Concat', `shapes differ off axis ${axis}: ${first.toString()} vs ${t.toString()}`);
      const d = t.shape[ax];
      if (typeof d !== 'number') throw new ShapeError('Concat', `cannot concatenate along the symbolic axis of ${t.toString()}`);
      total += d;
    }
    const shape = [...first.shape];
    shape[ax] = total;
    return [{ shape, dtype: first.dtype }];
  },
  emit(e, inputs, outputs, { axis }) {
    e.node('Concat', inputs, outputs, [attr.i('axis', axis)]);
  },
  backward(node, [dy]) {
    if (!dy) return node.inputs.map(() => undefined);
    const ax = normalizeAxis((node.attrs as { axis: number }).axis, dy.rank);
    let start = 0;
    return node.inputs.map((t) => {
      const len = t.shape[ax] as number;
      const part = slice(dy, ax, start, start + len);
      start += len;
      return part;
    });
  },
  evaluate: (inputs, { axis }) => [concatArrays(inputs, normalizeAxis(axis, inputs[0]!.shape.length))],
};

/** `[start, end)` along one static axis. */
export const SliceOp: OpDef<{ axis: number; start: number; end: number }> = {
  name: 'Slice',
  infer([x], { axis, start, end }) {
    const ax = normalizeAxis(axis, x!.rank);
    if (ax < 0) throw new ShapeError('Slice', `axis ${axis} out of range for ${x!.toString()}`);
    const len = x!.shape[ax];
    if (typeof len !== 'number') throw new ShapeError('Slice', `cannot slice the symbolic axis ${ax} of ${x!.toString()}`);
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= len)) {
      throw new ShapeError('Slice', `range [${start}, ${end}) does not fit axis ${ax} of ${x!.toString()}`);
    }
    const shape = [...x!.shape];
    shape[ax] = end - start;
    return [{ shape, dtype: x!.dtype }];
  },
  emit(e, inputs, outputs, { axis, start, end }) {
    e.node('Slice', [inputs[0]!, e.int64([start]), e.int64([end]), e.int64([axis])], outputs);
  },
  backward(node, [dy]) {
    if (!dy) return [undefined];
    const x = node.inputs[0]!;
    const { axis, start, end } = node.attrs as { axis: number; start: number; end: number };
    const ax = normalizeAxis(axis, x.rank);
    const pads = new Array<number>(2 * x.rank).fill(0);
    pads[ax] = start;
    pads[ax + x.rank] = (x.shape[ax] as number) - end;
    return [pad(dy, pads)];
  },
  evaluate: ([x], { axis, start, end }) => [sliceArray(x!, normalizeAxis(axis, x!.shape.length), start, end)],
};

/** Zero padding with ONNX `pads` [begin_0 … begin_n, end_0 … end_n]. */
export const PadOp: OpDef<{ pads: readonly number[] }> = {
  name: 'Pad',
  infer([x], { pads }) {
    if (pads.length !== 2 * x!.rank || pads.some((p) => !Number.isInteger(p) || p < 0)) {
      throw new ShapeError('Pad', `expected ${2 * x!.rank} non-negative pads for ${x!.toString()}, got [${pads.join(', ')}]`);
    }
    const shape = x!.shape.map((d, i) => {
      const extra = pads[i]! + pads[i + x!.rank]!;
      if (extra === 0) return d;
      if (typeof d !== 'number') throw new ShapeError('Pad', `cannot pad the symbolic axis ${i} of ${x!.toString()}`);
      return d + extra;
    });
    return [{ shape, dtype: x!.dtype }];
  },
  emit(e, inputs, outputs, { pads }) {
    e.node('Pad', [inputs[0]!, e.int64(pads)], outputs, [attr.s('mode', 'constant')]);
  },
  backward(node, [dy]) {
    if (!dy) return [undefined];
    const x = node.inputs[0]!;
    const { pads } = node.attrs as { pads: number[] };
    let g = dy;
    for (let i = 0; i < x.rank; i++) {
      if (pads[i]! + pads[i + x.rank]! > 0) g = slice(g, i, pads[i]!, pads[i]! + (x.shape[i] as number));
    }
    return [g];
  },
  evaluate: ([x], { pads }) => [padArray(x!, pads)],
};

/**
 * Broadcasts `x` to `shape`. With symbolic dimensions the run-time shape is read from a second input
 * (`Shape(like)`), so no shape constant has to be known.
 */
export const ExpandOp: OpDef<{ shape: Shape }> = {
  name: 'Expand',
  infer([x, like], { shape }) {
    for (let i = 0; i < x!.rank; i++) {
      const d = x!.shape[x!.rank - 1 - i]!;
      const t = shape[shape.length - 1 - i];
      if (t === undefined || (d !== 1 && d !== t)) throw new ShapeError('Expand', `cannot expand ${x!.toString()} to ${formatShape(shape)}`);
    }
    if (!isStatic(shape) && !(like && sameShape(like.shape, shape))) {
      throw new ShapeError('Expand', `a symbolic target ${formatShape(shape)} needs a tensor of that shape to read it from`);
    }
    return [{ shape, dtype: x!.dtype }];
  },
  emit(e, inputs, outputs, { shape }) {
    if (isStatic(shape)) {
      e.node('Expand', [inputs[0]!, e.int64(shape as number[])], outputs);
    } else {
      const s = e.temp('shape');
      e.node('Shape', [inputs[1]!], [s]);
      e.node('Expand', [inputs[0]!, s], outputs);
    }
  },
  backward(node, [dy]) {
    return [dy ? unbroadcast(dy, node.inputs[0]!.shape) : undefined, undefined];
  },
  evaluate: (inputs, { shape }): NDArray[] => [expandArray(inputs[0]!, inputs[1] ? inputs[1].shape : (shape as number[]))],
};

/** Reshape `x` (a symbol may move position only if it is the one inferred dimension). */
export function reshape(x: Tensor, shape: Shape): Tensor {
  if (sameShape(x.shape, shape)) return x;
  return x.graph.apply(ReshapeOp, [x], { shape: [...shape], target: reshapeTarget(x.shape, shape) })[0]!;
}
/** Permutes axes. */
export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  return x.graph.apply(TransposeOp, [x], { perm: [...perm] })[0]!;
}
/** Concatenates along `axis` (default last). */
export function concat(xs: readonly Tensor[], axis = -1): Tensor {
  if (xs.length === 1) return xs[0]!;
  const g = xs[0]?.graph;
  if (!g) throw new ShapeError('Concat', 'expected at least one input');
  return g.apply(ConcatOp, xs, { axis })[0]!;
}
/** Elements `[start, end)` along `axis`. */
export function slice(x: Tensor, axis: number, start: number, end: number): Tensor {
  return x.graph.apply(SliceOp, [x], { axis, start, end })[0]!;
}
/** Splits along `axis` into pieces of the given sizes (which must add up to the axis length). */
export function split(x: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  const ax = normalizeAxis(axis, x.rank);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (ax < 0 || x.shape[ax] !== total) throw new ShapeError('Split', `sizes [${sizes.join(', ')}] (sum ${total}) do not match axis ${axis} of ${x.toString()}`);
  let start = 0;
  return sizes.map((n) => {
    const part = slice(x, ax, start, start + n);
    start += n;
    return part;
  });
}
/** Zero padding. */
export function pad(x: Tensor, pads: readonly number[]): Tensor {
  return x.graph.apply(PadOp, [x], { pads: [...pads] })[0]!;
}
/** Broadcasts `x` to the shape of `like`. */
export function expandTo(x: Tensor, like: Tensor): Tensor {
  if (sameShape(x.shape, like.shape)) return x;
  return x.graph.apply(ExpandOp, isStatic(like.shape) ? [x] : [x, like], { shape: like.shape })[0]!;
}
