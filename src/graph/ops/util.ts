/**
 * Helpers shared by the op modules: lifting numbers to constants, numpy broadcasting with symbolic
 * dimensions, dtype checks.
 *
 * @module
 */
import { GraphError, ShapeError } from '../errors.js';
import type { Graph } from '../graph.js';
import type { Dim, DType, Shape } from '../tensor.js';
import { Tensor, formatShape } from '../tensor.js';

/** A tensor, or a number that becomes a float32 scalar constant. */
export type TensorLike = Tensor | number;

/** The graph of the first tensor among `xs`; throws when there is none. */
export function graphOf(op: string, ...xs: readonly TensorLike[]): Graph {
  for (const x of xs) if (x instanceof Tensor) return x.graph;
  throw new GraphError(`${op}: at least one argument must be a Tensor, got only numbers`);
}

/** Turns numbers into scalar constants of `g`. */
export function lift(g: Graph, x: TensorLike): Tensor {
  return x instanceof Tensor ? x : g.scalar(x);
}

/** Numpy broadcasting of two shapes with symbolic dimensions (equal symbols match; 1 stretches). */
export function broadcastShape(op: string, a: Shape, b: Shape): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else throw new ShapeError(op, `cannot broadcast ${formatShape(a)} with ${formatShape(b)} (dimension ${i} of the result: ${da} vs ${db})`);
  }
  return out;
}

/** Throws unless every tensor has dtype `dtype`. */
export function expectDType(op: string, inputs: readonly Tensor[], dtype: DType = 'float32'): void {
  for (const t of inputs) {
    if (t.dtype !== dtype) throw new ShapeError(op, `expected ${dtype} inputs, got ${t.dtype} ${t.toString()}`);
  }
}

/** Throws unless `t` has rank `rank`. */
export function expectRank(op: string, t: Tensor, rank: number, what = 'input'): void {
  if (t.rank !== rank) throw new ShapeError(op, `expected ${what} of rank ${rank}, got ${t.toString()}`);
}
