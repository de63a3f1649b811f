/**
 * Matrix products: Gemm (`alpha·op(A)·op(B) + beta·C`, 2-D) and MatMul (`[..., M, K] × [K, N]`).
 * Their gradients are Gemms with transpose flags, which onnxruntime runs without copying.
 *
 * @module
 */
import { ShapeError } from '../errors.js';
import { broadcastMap, matmul2d, reshapeArray } from '../ndarray.js';
import type { OpDef } from '../op.js';
import { attr } from '../op.js';
import type { Tensor } from '../tensor.js';
import { isStatic } from '../tensor.js';
import { mul, unbroadcast } from './elementwise.js';
import { reshape, transpose } from './shape.js';
import { broadcastShape, expectDType, expectRank } from './util.js';

/** Gemm attributes. */
export interface GemmOptions {
  /** Use Aᵀ. Default false. */
  readonly transA?: boolean;
  /** Use Bᵀ. Default false. */
  readonly transB?: boolean;
  /** Scale of the product. Default 1. */
  readonly alpha?: number;
  /** Scale of C. Default 1. */
  readonly beta?: number;
}

/** Attributes stored on a `Gemm` node: {@link GemmOptions} with every default filled in. */
export type GemmAttrs = Required<GemmOptions>;

/** `alpha·op(A)·op(B) + beta·C` with C broadcast to [M, N]. */
export const GemmOp: OpDef<GemmAttrs> = {
  name: 'Gemm',
  infer([a, b, c], { transA, transB }) {
    expectDType('Gemm', c ? [a!, b!, c] : [a!, b!]);
    expectRank('Gemm', a!, 2, 'A');
    expectRank('Gemm', b!, 2, 'B');
    const [m, ka] = transA ? [a!.shape[1]!, a!.shape[0]!] : [a!.shape[0]!, a!.shape[1]!];
    const [kb, n] = transB ? [b!.shape[1]!, b!.shape[0]!] : [b!.shape[0]!, b!.shape[1]!];
    if (ka !== kb) {
      throw new ShapeError('Gemm', `inner dimensions differ: A ${a!.toString()}${transA ? 'ᵀ' : ''} has K=${ka}, B ${b!.toString()}${transB ? 'ᵀ' : ''} has K=${kb}`);
    }
    if (c) {
      const out = broadcastShape('Gemm', [m, n], c.shape);
      if (out.length !== 2 || out[0] !== m || out[1] !== n) throw new ShapeError('Gemm', `C ${c.toString()} does not broadcast to [${m}, ${n}]`);
    }
    return [{ shape: [m, n], dtype: 'float32' }];
  },
  emit(e, inputs, outputs, { transA, transB, alpha, beta }) {
    const attrs = [];
    if (transA) attrs.push(attr.i('transA', 1));
    if (transB) attrs.push(attr.i('transB', 1));
    if (alpha !== 1) attrs.push(attr.f('alpha', alpha));
    if (beta !== 1) attrs.push(attr.f('beta', beta));
    e.node('Gemm', inputs, outputs, attrs);
  },
  backward(node, [dy]) {
    if (!dy) return node.inputs.map(() => undefined);
    const [a, b, c] = node.inputs as [Tensor, Tensor, Tensor | undefined];
    const { transA, transB, alpha, beta } = node.attrs as GemmAttrs;
    // With A' = op(A), B' = op(B): dA' = dY·B'ᵀ and dB' = A'ᵀ·dY; transposes fold into the flags.
    const da = transA ? gemm(b, dy, undefined, { transA: transB, transB: true, alpha }) : gemm(dy, b, undefined, { transB: !transB, alpha });
    const db = transB ? gemm(dy, a, undefined, { transA: true, transB: transA, alpha }) : gemm(a, dy, undefined, { transA: !transA, alpha });
    const dc = c ? unbroadcast(beta === 1 ? dy : mul(dy, beta), c.shape) : undefined;
    return c ? [da, db, dc] : [da, db];
  },
  evaluate([a, b, c], { transA, transB, alpha, beta }) {
    const p = matmul2d(a!, b!, transA, transB, alpha);
    return [c ? broadcastMap([p, c], (x, y) => x + beta * y) : p];
  },
};

/** `[..., M, K] × [K, N] → [..., M, N]`. */
export const MatMulOp: OpDef<Record<string, never>> = {
  name: 'MatMul',
  infer([a, b]) {
    expectDType('MatMul', [a!, b!]);
    if (a!.rank < 2) throw new ShapeError('MatMul', `expected A of rank >= 2, got ${a!.toString()}`);
    expectRank('MatMul', b!, 2, 'B');
    if (a!.shape[a!.rank - 1] !== b!.shape[0]) {
      throw new ShapeError('MatMul', `inner dimensions differ: A ${a!.toString()} has K=${a!.shape[a!.rank - 1]}, B ${b!.toString()} has K=${b!.shape[0]}`);
    }
    return [{ shape: [...a!.shape.slice(0, -1), b!.shape[1]!], dtype: 'float32' }];
  },
  emit(e, inputs, outputs) {
    e.node('MatMul', inputs, outputs);
  },
  backward(node, [dy]) {
    if (!dy) return [undefined, undefined];
    const [a, b] = node.inputs as [Tensor, Tensor];
    const da = matmul(dy, transpose(b, [1, 0]));
    if (a.rank === 2) return [da, gemm(a, dy, undefined, { transA: true })];
    const lead = a.shape.slice(0, -1);
    if (!isStatic(lead)) throw new ShapeError('MatMul', `no weight gradient for the symbolic leading dimensions of ${a.toString()}; use rank-2 inputs`);
    const rows = lead.reduce<number>((p, d) => p * (d as number), 1);
    const a2 = reshape(a, [rows, a.shape[a.rank - 1]!]);
    const dy2 = reshape(dy, [rows, dy.shape[dy.rank - 1]!]);
    return [da, gemm(a2, dy2, undefined, { transA: true })];
  },
  evaluate([a, b]) {
    const k = a!.shape[a!.shape.length - 1]!;
    const rows = a!.data.length / k;
    const p = matmul2d(reshapeArray(a!, [rows, k]), b!);
    return [reshapeArray(p, [...a!.shape.slice(0, -1), b!.shape[1]!])];
  },
};

/** `alpha·op(A)·op(B) + beta·C` (2-D). */
export function gemm(a: Tensor, b: Tensor, c?: Tensor, options: GemmOptions = {}): Tensor {
  const attrs: GemmAttrs = { transA: options.transA ?? false, transB: options.transB ?? false, alpha: options.alpha ?? 1, beta: options.beta ?? 1 };
  return a.graph.apply(GemmOp, c ? [a, b, c] : [a, b], attrs)[0]!;
}

/** Matrix product `[..., M, K] × [K, N]`. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return a.graph.apply(MatMulOp, [a, b], {})[0]!;
}

/** `x·W + b` for `x` [N, in], `W` [in, out], `b` [out]. */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  return gemm(x, w, b);
}
