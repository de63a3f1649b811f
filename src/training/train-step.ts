/**
 * The training graph: K optimiser steps unrolled in one ONNX graph. Each step builds the objective on
 * its own minibatch with the parameters produced by the previous step, differentiates it, and applies
 * Adam. Parameters and Adam moments travel as three flat vectors (each parameter is a slice), so a run
 * moves three tensors in and out and the update is a dozen elementwise ops; several steps per run
 * amortise that traffic further.
 *
 * Names: inputs `params`, `adam_m`, `adam_v` [P], `lr` [K], `t` [K] (step numbers), data `<input>@<k>`;
 * outputs `params:next`, `adam_m:next`, `adam_v:next`, and per step `loss@<k>`, `grad_norm@<k>`, `<metric>@<k>`.
 *
 * @module
 */
import type { Initializer, Tensor } from '../graph/index.js';
import { Graph, ParamScope, concat, grad, reshape, slice } from '../graph/index.js';
import type { Objective } from './objective.js';
import type { AdamOptions } from './optimizer.js';
import { adamStep } from './optimizer.js';

/** A trainable parameter of an objective and its place in the flat parameter vector. */
export interface ParamInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
  /** Offset in the flat vector. */
  readonly offset: number;
  readonly init: Initializer;
}

/** Discovers the parameters an objective requests, in order, with their flat offsets. */
export function objectiveParams(objective: Objective): ParamInfo[] {
  const g = new Graph();
  const scope = new ParamScope(g);
  const data = Object.fromEntries(objective.inputs.map((i) => [i.name, g.input(i.name, i.shape)]));
  objective.build(scope, data);
  let offset = 0;
  return [...g.params.values()].map((t) => {
    const shape = t.shape as number[];
    if (t.source.kind !== 'param') throw new Error('unreachable: graph.params holds parameters only');
    const size = shape.reduce((a, b) => a * b, 1);
    const info = { name: t.source.name, shape, size, offset, init: t.source.init };
    offset += size;
    return info;
  });
}

/** Total length of the flat parameter vector. */
export function flatSize(params: readonly ParamInfo[]): number {
  return params.reduce((n, p) => n + p.size, 0);
}

/** Tensor names of the training graph. */
export const TrainNames = {
  params: 'params',
  m: 'adam_m',
  v: 'adam_v',
  /** Output carrying the updated value of state input `input` (e.g. `params:next`). */
  next: (input: string) => `${input}:next`,
  /** Graph input feeding objective input `input` at inner step `k` (`<input>@<k>`). */
  data: (input: string, k: number) => `${input}@${k}`,
  /** Output carrying metric `metric` at inner step `k` (`<metric>@<k>`). */
  metric: (metric: string, k: number) => `${metric}@${k}`,
};

/** A built K-step training graph. */
export interface TrainStepGraph {
  readonly graph: Graph;
  readonly steps: number;
  readonly params: readonly ParamInfo[];
  /** Metric names, in output order (`loss` and `grad_norm` first). */
  readonly metricNames: readonly string[];
  readonly inputs: readonly Tensor[];
  readonly outputs: Readonly<Record<string, Tensor>>;
}

/** Builds the K-step training graph of `objective`. */
export function buildTrainStep(objective: Objective, params: readonly ParamInfo[], steps: number, options: AdamOptions): TrainStepGraph {
  const g = new Graph();
  const P = flatSize(params);
  const pIn = g.input(TrainNames.params, [P]);
  const mIn = g.input(TrainNames.m, [P]);
  const vIn = g.input(TrainNames.v, [P]);
  const lr = g.input('lr', [steps]);
  const t = g.input('t', [steps]);
  const inputs: Tensor[] = [pIn, mIn, vIn, lr, t];
  const outputs: Record<string, Tensor> = {};
  let metricNames: string[] = [];
  let [p, m, v] = [pIn, mIn, vIn];
  for (let k = 0; k < steps; k++) {
    const data: Record<string, Tensor> = {};
    for (const i of objective.inputs) {
      data[i.name] = g.input(TrainNames.data(i.name, k), i.shape);
      inputs.push(data[i.name]!);
    }
    const views = params.map((q) => reshape(slice(p, 0, q.offset, q.offset + q.size), q.shape));
    const scope = new ParamScope(g, new Map(params.map((q, i) => [q.name, views[i]!])));
    const { loss, metrics } = objective.build(scope, data);
    const grads = grad(loss, views);
    const flatGrad = concat(
      grads.map((gr, i) => reshape(gr, [params[i]!.size])),
      0,
    );
    const scalar = (x: Tensor) => reshape(slice(x, 0, k, k + 1), []);
    const next = adamStep(p, m, v, flatGrad, scalar(lr), scalar(t), options);
    outputs[TrainNames.metric('loss', k)] = loss;
    outputs[TrainNames.metric('grad_norm', k)] = next.gradNorm;
    for (const [name, value] of Object.entries(metrics)) outputs[TrainNames.metric(name, k)] = value;
    metricNames = ['loss', 'grad_norm', ...Object.keys(metrics)];
    [p, m, v] = [next.params, next.m, next.v];
  }
  outputs[TrainNames.next(TrainNames.params)] = p;
  outputs[TrainNames.next(TrainNames.m)] = m;
  outputs[TrainNames.next(TrainNames.v)] = v;
  return { graph: g, steps, params, metricNames, inputs, outputs };
}
