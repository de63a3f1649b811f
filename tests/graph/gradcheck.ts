/**
 * Gradient-check harness: analytic gradients (the graph built by `grad`, evaluated by the float64
 * reference interpreter) against central finite differences of the same float64 evaluation, and the
 * same forward + backward run in onnxruntime (float32) against the float64 values.
 */
import * as ort from 'onnxruntime-node';
import type { NDArray, Tensor } from '../../src/graph/index.js';
import { Graph, UnaryOps, add, evaluateGraph, grad, mul, nd, reduceSum, serializeModel } from '../../src/graph/index.js';
import { Rng } from '../../src/rng.js';

/** Finite-difference step (float64). */
export const FD_EPS = 1e-6;
/** Analytic vs finite difference: |a − n| ≤ ATOL + RTOL·|n| (float64 everywhere). */
export const FD_RTOL = 1e-5;
export const FD_ATOL = 1e-7;
/** onnxruntime float32 vs float64 reference: |ort − ref| ≤ ORT_ATOL + ORT_RTOL·max|ref|. */
export const ORT_RTOL = 1e-4;
export const ORT_ATOL = 1e-5;

/** A built case: a scalar loss and the tensors to differentiate with respect to. */
export interface GradCase {
  readonly loss: Tensor;
  readonly wrt: readonly Tensor[];
}

/** Values for every input (by name) of a case's graph. */
export type Values = Record<string, NDArray>;

/** Seeded values for `shape`, optionally transformed (e.g. kept away from a kink). */
export function values(shape: readonly number[], seed: number, f: (v: number) => number = (v) => v): NDArray {
  const rng = Rng.fromSeed(seed);
  const a = nd(shape);
  for (let i = 0; i < a.data.length; i++) a.data[i] = f(rng.normal());
  return a;
}

/** Σ f(outputs)·R with fixed random weights R, so no symmetry hides a wrong gradient. */
export function weightedSum(outputs: readonly Tensor[], seed = 99): Tensor {
  const g = outputs[0]!.graph;
  const rng = Rng.fromSeed(seed);
  let total: Tensor | undefined;
  for (const y of outputs) {
    const n = y.shape.reduce<number>((p, d) => p * (d as number), 1);
    const r = g.constant(
      Array.from({ length: n }, () => rng.uniformRange(0.5, 1.5) * (rng.uniform() < 0.5 ? -1 : 1)),
      y.shape as number[],
    );
    const s = reduceSum(mul(y, r));
    total = total ? add(total, s) : s;
  }
  return total!;
}

/** Worst error of a finite-difference check, relative to the tolerance (≤ 1 passes). */
export interface CheckReport {
  readonly worst: number;
  readonly where: string;
  readonly checked: number;
}

/**
 * Checks `grad(loss, wrt)` against central differences. `maxPerTensor` limits how many elements of each
 * tensor are perturbed (chosen by a seeded draw) to keep large cases fast.
 */
export function finiteDifferenceCheck(c: GradCase, inputs: Values, params: Map<string, Float64Array> = new Map(), maxPerTensor = Infinity): CheckReport {
  const g = c.loss.graph;
  const grads = grad(c.loss, c.wrt);
  // Stop-gradient outputs keep their values at the unperturbed point: the analytic gradient treats them
  // as constants, so the finite differences must too.
  const stopped = g.nodes.filter((n) => n.op === UnaryOps.StopGradient).map((n) => n.outputs[0]!);
  const held = evaluateGraph(g, stopped, { inputs, params });
  const overrides = new Map(stopped.map((t, i) => [t, held[i]!]));
  const feeds = () => ({ inputs, params, overrides });
  const analytic = evaluateGraph(g, grads, { inputs, params });
  const lossAt = () => evaluateGraph(g, [c.loss], feeds())[0]!.data[0]!;
  const rng = Rng.fromSeed(5);
  let worst = 0;
  let where = '';
  let checked = 0;
  c.wrt.forEach((t, k) => {
    const data = t.source.kind === 'input' ? inputs[t.source.name]!.data : t.source.kind === 'param' ? params.get(t.source.name)! : undefined;
    if (!data) throw new Error(`cannot perturb ${t.toString()}`);
    const idx = Array.from({ length: data.length }, (_v, i) => i);
    if (idx.length > maxPerTensor) rng.shuffle(idx);
    for (const i of idx.slice(0, Math.min(idx.length, maxPerTensor))) {
      const orig = data[i]!;
      data[i] = orig + FD_EPS;
      const up = lossAt();
      data[i] = orig - FD_EPS;
      const down = lossAt();
      data[i] = orig;
      const numeric = (up - down) / (2 * FD_EPS);
      const a = analytic[k]!.data[i]!;
      const ratio = Math.abs(a - numeric) / (FD_ATOL + FD_RTOL * Math.abs(numeric));
      checked++;
      if (ratio > worst) {
        worst = ratio;
        where = `${t.toString()}[${i}]: analytic ${a}, numeric ${numeric}`;
      }
    }
  });
  return { worst, where, checked };
}

/**
 * Runs loss and gradients in onnxruntime (float32) and returns the worst error relative to the
 * tolerance ORT_ATOL + ORT_RTOL·max|ref| per output (≤ 1 passes).
 */
export async function ortAgreement(c: GradCase, inputs: Values, params: Map<string, Float64Array> = new Map()): Promise<CheckReport> {
  const g = c.loss.graph;
  const grads = grad(c.loss, c.wrt);
  const outs = [c.loss, ...grads];
  const outputs = Object.fromEntries(outs.map((t, i) => [`out${i}`, t]));
  const paramValues = new Map([...params].map(([k, v]) => [k, Float32Array.from(v)]));
  const bytes = serializeModel({ graph: g, outputs, paramValues });
  const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  const used = new Set(s.inputNames);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, v] of Object.entries(inputs)) if (used.has(name)) feeds[name] = new ort.Tensor('float32', Float32Array.from(v.data), v.shape as number[]);
  const r = await s.run(feeds);
  const ref = evaluateGraph(g, outs, { inputs, params });
  let worst = 0;
  let where = '';
  ref.forEach((a, k) => {
    const o = r[`out${k}`]!.data as Float32Array;
    let scale = 0;
    for (const v of a.data) scale = Math.max(scale, Math.abs(v));
    const tol = ORT_ATOL + ORT_RTOL * scale;
    for (let i = 0; i < a.data.length; i++) {
      const ratio = Math.abs(o[i]! - a.data[i]!) / tol;
      if (ratio > worst) {
        worst = ratio;
        where = `output ${k} (${outs[k]!.toString()})[${i}]: ort ${o[i]}, ref ${a.data[i]}`;
      }
    }
  });
  return { worst, where, checked: ref.length };
}

export { Graph };
