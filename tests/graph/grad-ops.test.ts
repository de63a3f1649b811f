/**
 * Gradient checks for every op: float64 analytic gradients vs central finite differences, and the
 * same loss + gradients in onnxruntime (float32) vs the float64 reference. Tolerances are in gradcheck.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/graph/index.js';
import * as G from '../../src/graph/index.js';
import { finiteDifferenceCheck, ortAgreement, values, weightedSum, type Values } from './gradcheck.js';

type Transform = (v: number) => number;
interface Case {
  readonly name: string;
  readonly inputs: Record<string, readonly number[] | [readonly number[], Transform]>;
  readonly f: (x: Record<string, Tensor>) => Tensor | Tensor[];
  /** Inputs not differentiated (e.g. a target). */
  readonly constant?: readonly string[];
}

const awayFromZero: Transform = (v) => (v >= 0 ? v + 0.2 : v - 0.2);
const positive: Transform = (v) => Math.abs(v) + 0.3;
const small: Transform = (v) => 0.3 * v;

const cases: Case[] = [
  // unary
  { name: 'Neg', inputs: { x: [3, 4] }, f: ({ x }) => G.neg(x!) },
  { name: 'Exp', inputs: { x: [3, 4] }, f: ({ x }) => G.exp(x!) },
  { name: 'Log', inputs: { x: [[3, 4], positive] }, f: ({ x }) => G.log(x!) },
  { name: 'Sqrt', inputs: { x: [[3, 4], positive] }, f: ({ x }) => G.sqrt(x!) },
  { name: 'Tanh', inputs: { x: [3, 4] }, f: ({ x }) => G.tanh(x!) },
  { name: 'Sigmoid', inputs: { x: [3, 4] }, f: ({ x }) => G.sigmoid(x!) },
  { name: 'Relu', inputs: { x: [[3, 4], awayFromZero] }, f: ({ x }) => G.relu(x!) },
  { name: 'Softplus', inputs: { x: [[3, 4], (v) => 4 * v] }, f: ({ x }) => G.softplus(x!) },
  { name: 'Abs', inputs: { x: [[3, 4], awayFromZero] }, f: ({ x }) => G.abs(x!) },
  { name: 'Reciprocal', inputs: { x: [[3, 4], awayFromZero] }, f: ({ x }) => G.reciprocal(x!) },
  { name: 'Identity', inputs: { x: [3, 4] }, f: ({ x }) => G.identity(x!) },
  { name: 'Elu', inputs: { x: [[3, 4], awayFromZero] }, f: ({ x }) => G.elu(x!, 0.7) },
  // broadcasting binary
  { name: 'Add [3,4]+[4]', inputs: { a: [3, 4], b: [4] }, f: ({ a, b }) => G.add(a!, b!) },
  { name: 'Sub [3,1]-[1,4]', inputs: { a: [3, 1], b: [1, 4] }, f: ({ a, b }) => G.sub(a!, b!) },
  { name: 'Mul [2,3,4]*[3,1]', inputs: { a: [2, 3, 4], b: [3, 1] }, f: ({ a, b }) => G.mul(a!, b!) },
  { name: 'Mul by scalar tensor', inputs: { a: [3, 4], b: [] }, f: ({ a, b }) => G.mul(a!, b!) },
  { name: 'Div [3,4]/[3,1]', inputs: { a: [3, 4], b: [[3, 1], awayFromZero] }, f: ({ a, b }) => G.div(a!, b!) },
  { name: 'Div number/x', inputs: { b: [[3, 4], awayFromZero] }, f: ({ b }) => G.div(2, b!) },
  { name: 'Pow [3,4]^[4]', inputs: { a: [[3, 4], positive], b: [[4], small] }, f: ({ a, b }) => G.pow(a!, b!) },
  { name: 'Pow x^3', inputs: { a: [3, 4] }, f: ({ a }) => G.pow(a!, 3) },
  // logic
  { name: 'Where', inputs: { c: [3, 4], a: [3, 4], b: [4] }, f: ({ c, a, b }) => G.where(G.greater(c!, 0), a!, b!), constant: ['c'] },
  { name: 'Clip', inputs: { x: [[4, 5], (v) => (Math.abs(Math.abs(v) - 0.5) < 0.05 ? v + 0.2 : v)] }, f: ({ x }) => G.clip(x!, -0.5, 0.5) },
  { name: 'Clip min only', inputs: { x: [[4, 5], awayFromZero] }, f: ({ x }) => G.clip(x!, 0) },
  // reductions
  { name: 'ReduceSum axis 1', inputs: { x: [3, 4, 2] }, f: ({ x }) => G.reduceSum(x!, [1]) },
  { name: 'ReduceSum keepdims [0,2]', inputs: { x: [3, 4, 2] }, f: ({ x }) => G.reduceSum(x!, [0, 2], true) },
  { name: 'ReduceSum all', inputs: { x: [3, 4] }, f: ({ x }) => G.reduceSum(x!) },
  { name: 'ReduceMean axis -1 keepdims', inputs: { x: [3, 4, 2] }, f: ({ x }) => G.reduceMean(x!, [-1], true) },
  { name: 'ReduceMean [0,1]', inputs: { x: [3, 4, 2] }, f: ({ x }) => G.reduceMean(x!, [0, 1]) },
  // shapes
  { name: 'Reshape', inputs: { x: [3, 4] }, f: ({ x }) => G.tanh(G.reshape(x!, [2, 6])) },
  { name: 'Transpose', inputs: { x: [2, 3, 4] }, f: ({ x }) => G.mul(G.transpose(x!, [2, 0, 1]), G.transpose(x!, [2, 0, 1])) },
  { name: 'Concat axis 1', inputs: { a: [3, 2], b: [3, 4] }, f: ({ a, b }) => G.exp(G.concat([a!, b!, a!], 1)) },
  { name: 'Slice', inputs: { x: [3, 6] }, f: ({ x }) => G.mul(G.slice(x!, 1, 1, 4), G.slice(x!, 1, 2, 5)) },
  { name: 'Split', inputs: { x: [5, 3] }, f: ({ x }) => G.split(x!, 0, [2, 3]).map((p) => G.reduceSum(G.square(p))) },
  { name: 'Pad', inputs: { x: [2, 3] }, f: ({ x }) => G.exp(G.pad(x!, [1, 0, 0, 2])) },
  { name: 'Expand', inputs: { x: [3, 1] }, f: ({ x, y }) => G.mul(G.expandTo(x!, y!), y!), constant: ['y'] },
  // linear algebra
  { name: 'Gemm', inputs: { a: [3, 4], b: [4, 5], c: [5] }, f: ({ a, b, c }) => G.gemm(a!, b!, c!) },
  { name: 'Gemm transA', inputs: { a: [4, 3], b: [4, 5], c: [3, 1] }, f: ({ a, b, c }) => G.gemm(a!, b!, c!, { transA: true, alpha: 0.5, beta: 2 }) },
  { name: 'Gemm transB', inputs: { a: [3, 4], b: [5, 4] }, f: ({ a, b }) => G.gemm(a!, b!, undefined, { transB: true }) },
  { name: 'Gemm transA transB', inputs: { a: [4, 3], b: [5, 4], c: [3, 5] }, f: ({ a, b, c }) => G.gemm(a!, b!, c!, { transA: true, transB: true, alpha: -1.5 }) },
  { name: 'MatMul 2-D', inputs: { a: [3, 4], b: [4, 2] }, f: ({ a, b }) => G.matmul(a!, b!) },
  { name: 'MatMul 3-D', inputs: { a: [2, 3, 4], b: [4, 2] }, f: ({ a, b }) => G.matmul(a!, b!) },
  // nn
  { name: 'LayerNormalization', inputs: { x: [3, 6], s: [6], b: [6] }, f: ({ x, s, b }) => G.layerNorm(x!, s!, b!) },
  { name: 'LayerNormalization 3-D', inputs: { x: [2, 3, 5], s: [5], b: [5] }, f: ({ x, s, b }) => G.layerNorm(x!, s!, b!, 1e-3) },
  { name: 'Softmax', inputs: { x: [3, 5] }, f: ({ x }) => G.softmax(x!) },
  { name: 'Softmax axis 0', inputs: { x: [3, 5] }, f: ({ x }) => G.softmax(x!, 0) },
  { name: 'LogSoftmax', inputs: { x: [3, 5] }, f: ({ x }) => G.logSoftmax(x!) },
  // composites
  { name: 'SiLU', inputs: { x: [3, 4] }, f: ({ x }) => G.silu(x!) },
  { name: 'Mish', inputs: { x: [[3, 4], (v) => 3 * v] }, f: ({ x }) => G.mish(x!) },
  { name: 'Mish, large |x| (clipped exp)', inputs: { x: [[3, 4], (v) => 15 * v] }, f: ({ x }) => G.mish(x!) },
  { name: 'SimNorm', inputs: { x: [3, 16] }, f: ({ x }) => G.simNorm(x!, 8) },
  { name: 'MSE', inputs: { p: [4, 3], t: [4, 3] }, f: ({ p, t }) => G.mse(p!, t!) },
  { name: 'Huber', inputs: { p: [[4, 5], (v) => 2 * v], t: [4, 5] }, f: ({ p, t }) => G.huber(p!, t!, 0.8), constant: ['t'] },
  { name: 'BCE with logits', inputs: { x: [[4, 3], awayFromZero], z: [[4, 3], (v) => (v > 0 ? 1 : 0)] }, f: ({ x, z }) => G.bceWithLogits(x!, z!), constant: ['z'] },
  { name: 'Cross-entropy (soft targets)', inputs: { x: [4, 5], t: [[4, 5], positive] }, f: ({ x, t }) => G.crossEntropy(x!, G.div(t!, G.reduceSum(t!, [-1], true))) },
  // graph mechanics
  { name: 'multiple uses accumulate', inputs: { x: [3, 4] }, f: ({ x }) => G.add(G.mul(x!, G.tanh(x!)), G.exp(G.mul(x!, 0.3))) },
  { name: 'stop-gradient blocks one path', inputs: { x: [3, 4] }, f: ({ x }) => G.mul(x!, G.stopGradient(G.tanh(x!))) },
];

function build(c: Case, seed: number): { graph: G.Graph; loss: Tensor; wrt: Tensor[]; inputs: Values } {
  const graph = new G.Graph();
  const inputs: Values = {};
  const tensors: Record<string, Tensor> = {};
  let k = 0;
  for (const [name, spec] of Object.entries(c.inputs)) {
    const [shape, f] = Array.isArray(spec[0]) ? (spec as [number[], Transform]) : [spec as number[], undefined];
    tensors[name] = graph.input(name, shape);
    inputs[name] = values(shape, seed + k++, f);
  }
  if (c.name === 'Expand') {
    tensors.y = graph.input('y', [3, 4]);
    inputs.y = values([3, 4], seed + 50);
  }
  const out = c.f(tensors);
  const loss = weightedSum(Array.isArray(out) ? out : [out]);
  const wrt = Object.entries(tensors)
    .filter(([name]) => !(c.constant ?? []).includes(name))
    .map(([, t]) => t);
  return { graph, loss, wrt, inputs };
}

describe('gradients of every op', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s: analytic = finite differences (float64, stop-gradient outputs held)', (_name, c) => {
    const { loss, wrt, inputs } = build(c, 1);
    const report = finiteDifferenceCheck({ loss, wrt }, inputs);
    expect(report.checked).toBeGreaterThan(0);
    expect(report.worst, report.where).toBeLessThanOrEqual(1);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: onnxruntime float32 = float64 reference', async (_name, c) => {
    const { loss, wrt, inputs } = build(c, 2);
    const report = await ortAgreement({ loss, wrt }, inputs);
    expect(report.worst, report.where).toBeLessThanOrEqual(1);
  });

  it('detects a wrong gradient (the check can fail)', () => {
    // tanh forward with a deliberately wrong backward: dy·(1 − y) instead of dy·(1 − y²).
    const WrongTanh: G.OpDef<Record<string, never>> = {
      ...G.UnaryOps.Tanh,
      backward: (node, [dy]) => [dy ? G.mul(dy, G.sub(1, node.outputs[0]!)) : undefined],
    };
    const g = new G.Graph();
    const x = g.input('x', [3, 4]);
    const loss = weightedSum([g.apply(WrongTanh, [x], {})[0]!]);
    const report = finiteDifferenceCheck({ loss, wrt: [x] }, { x: values([3, 4], 1) });
    expect(report.worst).toBeGreaterThan(100);
  });

  it('gives stop-gradient the value of the stopped tensor, not the full derivative', () => {
    const g = new G.Graph();
    const x = g.input('x', [2]);
    const loss = G.reduceSum(G.mul(x, G.stopGradient(x)));
    const [dx] = G.grad(loss, [x]);
    const [v] = G.evaluateGraph(g, [dx!], { inputs: { x: G.nd([2], [3, -2]) } });
    expect(Array.from(v!.data)).toEqual([3, -2]);
  });

  it('returns zeros for tensors the loss does not depend on', () => {
    const g = new G.Graph();
    const x = g.input('x', [2]);
    const w = g.param('w', [3], G.init.ones());
    const [dw] = G.grad(G.reduceSum(G.exp(x)), [w]);
    const [v] = G.evaluateGraph(g, [dw!], { inputs: { x: G.nd([2], [0, 1]) } });
    expect(Array.from(v!.data)).toEqual([0, 0, 0]);
  });
});
