/**
 * Elementwise math: unary functions (exp, tanh, relu, softplus, ...) and broadcasting binary operators
 * (add, sub, mul, div, pow). Binary gradients are summed back over broadcast axes by {@link unbroadcast}.
 *
 * @module
 */
import type { NDArray } from '../ndarray.js';
import { broadcastMap, mapArray } from '../ndarray.js';
import type { OpDef } from '../op.js';
import { attr } from '../op.js';
import type { Node, Shape, Tensor } from '../tensor.js';
import { sameShape } from '../tensor.js';
import { greater, where } from './logic.js';
import { reduceSum, sumRows } from './reduce.js';
import type { TensorLike } from './util.js';
import { broadcastShape, expectDType, graphOf, lift } from './util.js';

type Backward = (x: Tensor, y: Tensor, dy: Tensor, node: Node) => Tensor | undefined;

function unaryOp(name: string, onnx: string, f: (v: number) => number, backward?: Backward): OpDef<Record<string, never>> {
  return {
    name,
    infer([x]) {
      expectDType(name, [x!]);
      return [{ shape: x!.shape, dtype: 'float32' }];
    },
    emit(e, inputs, outputs) {
      e.node(onnx, inputs, outputs);
    },
    backward: backward ? (node, [dy]) => [dy ? backward(node.inputs[0]!, node.outputs[0]!, dy, node) : undefined] : undefined,
    evaluate: ([x]) => [mapArray(x!, f)],
  };
}

function unary(op: OpDef<Record<string, never>>, x: Tensor): Tensor {
  return x.graph.apply(op, [x], {})[0]!;
}

const sigmoidF = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
const softplusF = (v: number): number => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));

/** Primitive unary ops (exported for tests and `docs/training.md`). */
export const UnaryOps = {
  Neg: unaryOp(
    'Neg',
    'Neg',
    (v) => -v,
    (_x, _y, dy) => neg(dy),
  ),
  Exp: unaryOp('Exp', 'Exp', Math.exp, (_x, y, dy) => mul(dy, y)),
  Log: unaryOp('Log', 'Log', Math.log, (x, _y, dy) => div(dy, x)),
  Sqrt: unaryOp('Sqrt', 'Sqrt', Math.sqrt, (_x, y, dy) => div(mul(dy, 0.5), y)),
  Tanh: unaryOp('Tanh', 'Tanh', Math.tanh, (_x, y, dy) => mul(dy, sub(1, mul(y, y)))),
  Sigmoid: unaryOp('Sigmoid', 'Sigmoid', sigmoidF, (_x, y, dy) => mul(dy, mul(y, sub(1, y)))),
  Relu: unaryOp(
    'Relu',
    'Relu',
    (v) => Math.max(v, 0),
    (x, _y, dy) => where(greater(x, 0), dy, 0),
  ),
  Softplus: unaryOp('Softplus', 'Softplus', softplusF, (x, _y, dy) => mul(dy, sigmoid(x))),
  Abs: unaryOp('Abs', 'Abs', Math.abs, (x, _y, dy) => mul(dy, sign(x))),
  Sign: unaryOp('Sign', 'Sign', Math.sign, () => undefined),
  Reciprocal: unaryOp(
    'Reciprocal',
    'Reciprocal',
    (v) => 1 / v,
    (_x, y, dy) => neg(mul(dy, mul(y, y))),
  ),
  Identity: unaryOp(
    'Identity',
    'Identity',
    (v) => v,
    (_x, _y, dy) => dy,
  ),
  /** Identity forward, no gradient backward (TD-MPC2's `.detach()` of the target encoder). */
  StopGradient: unaryOp(
    'StopGradient',
    'Identity',
    (v) => v,
    () => undefined,
  ),
};

/** ELU with its `alpha`. */
export const EluOp: OpDef<{ alpha: number }> = {
  name: 'Elu',
  infer([x]) {
    expectDType('Elu', [x!]);
    return [{ shape: x!.shape, dtype: 'float32' }];
  },
  emit(e, inputs, outputs, { alpha }) {
    e.node('Elu', inputs, outputs, [attr.f('alpha', alpha)]);
  },
  backward(node, [dy]) {
    if (!dy) return [undefined];
    const [x] = node.inputs;
    const y = node.outputs[0]!;
    const { alpha } = node.attrs as { alpha: number };
    return [where(greater(x!, 0), dy, mul(dy, add(y, alpha)))];
  },
  evaluate: ([x], { alpha }) => [mapArray(x!, (v) => (v > 0 ? v : alpha * Math.expm1(v)))],
};

/** −x. */
export const neg = (x: Tensor): Tensor => unary(UnaryOps.Neg, x);
/** eˣ. */
export const exp = (x: Tensor): Tensor => unary(UnaryOps.Exp, x);
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => unary(UnaryOps.Log, x);
/** Square root. */
export const sqrt = (x: Tensor): Tensor => unary(UnaryOps.Sqrt, x);
/** Hyperbolic tangent. */
export const tanh = (x: Tensor): Tensor => unary(UnaryOps.Tanh, x);
/** Logistic sigmoid. */
export const sigmoid = (x: Tensor): Tensor => unary(UnaryOps.Sigmoid, x);
/** max(x, 0). */
export const relu = (x: Tensor): Tensor => unary(UnaryOps.Relu, x);
/** log(1 + eˣ). */
export const softplus = (x: Tensor): Tensor => unary(UnaryOps.Softplus, x);
/** |x|. */
export const abs = (x: Tensor): Tensor => unary(UnaryOps.Abs, x);
/** −1, 0 or 1 (no gradient). */
export const sign = (x: Tensor): Tensor => unary(UnaryOps.Sign, x);
/** 1/x. */
export const reciprocal = (x: Tensor): Tensor => unary(UnaryOps.Reciprocal, x);
/** A copy (useful to give an output its own name). */
export const identity = (x: Tensor): Tensor => unary(UnaryOps.Identity, x);
/** x forward; blocks the gradient. */
export const stopGradient = (x: Tensor): Tensor => unary(UnaryOps.StopGradient, x);
/** ELU: x for x > 0, alpha·(eˣ − 1) otherwise. */
export const elu = (x: Tensor, alpha = 1): Tensor => x.graph.apply(EluOp, [x], { alpha })[0]!;

/**
 * Sums `grad` over the axes along which a tensor of `shape` was broadcast to `grad.shape`, so the result
 * has exactly `shape`.
 */
export function unbroadcast(grad: Tensor, shape: Shape): Tensor {
  if (sameShape(grad.shape, shape)) return grad;
  const lead = grad.rank - shape.length;
  const leading = Array.from({ length: lead }, (_v, i) => i);
  const inner = shape.flatMap((d, i) => (d === 1 && grad.shape[lead + i] !== 1 ? [lead + i] : []));
  if (inner.length === 0 && lead === 1 && grad.rank === 2) return sumRows(grad);
  let g = grad;
  if (inner.length > 0) g = reduceSum(g, inner, true);
  if (leading.length > 0) g = reduceSum(g, leading, false);
  return g;
}

function binaryOp(name: string, f: (a: number, b: number) => number, backward: (a: Tensor, b: Tensor, y: Tensor, dy: Tensor) => [Tensor, Tensor]): OpDef<Record<string, never>> {
  return {
    name,
    infer([a, b]) {
      expectDType(name, [a!, b!]);
      return [{ shape: broadcastShape(name, a!.shape, b!.shape), dtype: 'float32' }];
    },
    emit(e, inputs, outputs) {
      e.node(name, inputs, outputs);
    },
    backward(node, [dy]) {
      if (!dy) return [undefined, undefined];
      const [a, b] = node.inputs as [Tensor, Tensor];
      const [da, db] = backward(a, b, node.outputs[0]!, dy);
      return [unbroadcast(da, a.shape), unbroadcast(db, b.shape)];
    },
    evaluate: ([a, b]): NDArray[] => [broadcastMap([a!, b!], f)],
  };
}

/** Primitive broadcasting binary ops. */
export const BinaryOps = {
  Add: binaryOp(
    'Add',
    (a, b) => a + b,
    (_a, _b, _y, dy) => [dy, dy],
  ),
  Sub: binaryOp(
    'Sub',
    (a, b) => a - b,
    (_a, _b, _y, dy) => [dy, neg(dy)],
  ),
  Mul: binaryOp(
    'Mul',
    (a, b) => a * b,
    (a, b, _y, dy) => [mul(dy, b), mul(dy, a)],
  ),
  Div: binaryOp(
    'Div',
    (a, b) => a / b,
    (_a, b, y, dy) => {
      const da = div(dy, b);
      return [da, neg(mul(da, y))];
    },
  ),
  Pow: binaryOp(
    'Pow',
    (a, b) => a ** b,
    (a, b, y, dy) => [mul(dy, mul(b, pow(a, sub(b, 1)))), mul(dy, mul(y, log(a)))],
  ),
};

function binary(op: OpDef<Record<string, never>>, a: TensorLike, b: TensorLike): Tensor {
  const g = graphOf(op.name, a, b);
  return g.apply(op, [lift(g, a), lift(g, b)], {})[0]!;
}

/** a + b (broadcasting). */
export const add = (a: TensorLike, b: TensorLike): Tensor => binary(BinaryOps.Add, a, b);
/** a − b (broadcasting). */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary(BinaryOps.Sub, a, b);
/** a · b (broadcasting). */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary(BinaryOps.Mul, a, b);
/** a / b (broadcasting). */
export const div = (a: TensorLike, b: TensorLike): Tensor => binary(BinaryOps.Div, a, b);
/** aᵇ (broadcasting); the gradient with respect to b needs a > 0. */
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary(BinaryOps.Pow, a, b);
/** x². */
export const square = (x: Tensor): Tensor => mul(x, x);

/** Sum of several tensors of broadcast-compatible shapes (a chain of Add). */
export function addN(terms: readonly Tensor[]): Tensor {
  if (terms.length === 0) throw new RangeError('addN needs at least one term');
  let acc = terms[0]!;
  for (let i = 1; i < terms.length; i++) acc = add(acc, terms[i]!);
  return acc;
}
