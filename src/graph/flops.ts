/**
 * Counts the floating-point operations of the matrix products in a graph (2·M·N·K per Gemm/MatMul),
 * the usual measure for GFLOP/s figures. Elementwise work is not counted.
 *
 * @module
 */
import type { Graph } from './graph.js';
import { neededNodes } from './serialize.js';
import type { Node, Tensor } from './tensor.js';
import { isStatic } from './tensor.js';

/**
 * The matrix-product FLOPs needed to compute `outputs` (static shapes only). Matrix-vector products
 * (an output dimension of 1, e.g. row sums written as `ones·x`) are reductions in disguise and are not
 * counted.
 */
export function matmulFlops(graph: Graph, outputs: readonly Tensor[]): number {
  let flops = 0;
  for (const n of neededNodes(graph, outputs)) {
    if (!isMatrixProduct(n)) continue;
    const a = n.inputs[0]!;
    const y = n.outputs[0]!;
    if (!isStatic(a.shape) || !isStatic(y.shape)) throw new TypeError(`matmulFlops: ${n.op.name} has symbolic shapes`);
    const transA = n.op.name === 'Gemm' && (n.attrs as { transA: boolean }).transA;
    const k = (transA ? a.shape[0] : a.shape[a.rank - 1]) as number;
    const outElems = (y.shape as number[]).reduce((p, d) => p * d, 1);
    flops += 2 * outElems * k;
  }
  return flops;
}

/** Whether a node is a Gemm/MatMul with a genuine matrix output (no dimension of 1). */
export function isMatrixProduct(n: Node): boolean {
  if (n.op.name !== 'Gemm' && n.op.name !== 'MatMul') return false;
  const y = n.outputs[0]!.shape;
  return y[y.length - 1] !== 1 && y[y.length - 2] !== 1;
}
