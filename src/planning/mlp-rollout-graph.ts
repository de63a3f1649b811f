/**
 * The reference MLP world model's weights and its fused whole-horizon ONNX graph, built with the SDK's
 * graph builder (`src/graph`).
 *
 * The graph is unrolled over the horizon (one graph per H). Measured here, an unrolled graph and a
 * `Scan` graph cost the same at large batch, and both beat H separate `session.run` calls at small
 * batch; unrolling keeps the graph readable and avoids Scan's internal transposes of `[B, H, ·]`.
 *
 * The first layers of the dynamics and the reward head read the same input `[z, a]`, so they are
 * fused into one `(S + A) × 2·hidden` Gemm: one larger matrix product instead of two smaller ones.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';
import { Graph, activation, concat, init, linear, reshape, serializeModel, slice } from '../graph/index.js';
import { Rng } from '../rng.js';

/** Hidden-layer nonlinearity of the reference MLP. */
export type MlpActivation = 'relu' | 'mish';

/** Sizes of the reference MLP: dynamics `(S+A) → H → H → S`, reward `(S+A) → H → 1`. */
export interface MlpShape {
  /** Latent size S. */
  readonly stateDim: number;
  /** Action size A. */
  readonly actionDim: number;
  /** Width of both hidden layers of the dynamics and of the reward head's hidden layer. */
  readonly hidden: number;
  /** Hidden nonlinearity. */
  readonly activation: MlpActivation;
}

/**
 * Weights of the reference MLP, row-major `in × out` matrices (so `y = x · W + b`).
 * Layer names follow the network: `dyn1`, `dyn2`, `dyn3` for the dynamics, `rew1`, `rew2` for the reward.
 */
export interface MlpWeights extends MlpShape {
  /** Dynamics layer 1, `(S+A) × hidden`. */
  readonly dyn1: Float32Array;
  /** Its bias, `hidden`. */
  readonly dyn1Bias: Float32Array;
  /** Dynamics layer 2, `hidden × hidden`. */
  readonly dyn2: Float32Array;
  /** Its bias, `hidden`. */
  readonly dyn2Bias: Float32Array;
  /** Dynamics output layer, `hidden × S`. */
  readonly dyn3: Float32Array;
  /** Its bias, `S`. */
  readonly dyn3Bias: Float32Array;
  /** Reward layer 1, `(S+A) × hidden`. */
  readonly rew1: Float32Array;
  /** Its bias, `hidden`. */
  readonly rew1Bias: Float32Array;
  /** Reward output layer, `hidden × 1`. */
  readonly rew2: Float32Array;
  /** Its bias, `1`. */
  readonly rew2Bias: Float32Array;
}

/** Matrix-multiply FLOPs (2 per multiply-add) of one sample-step of the reference MLP. */
export function mlpFlopsPerStep(shape: MlpShape): number {
  const inDim = shape.stateDim + shape.actionDim;
  const h = shape.hidden;
  return 2 * (inDim * h + h * h + h * shape.stateDim + inDim * h + h);
}

function checkShape(shape: MlpShape): void {
  for (const key of ['stateDim', 'actionDim', 'hidden'] as const) {
    const v = shape[key];
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new InvalidArgumentError(`reference MLP: expected \`${key}\` to be a positive integer, got ${describeValue(v)}`);
    }
  }
  if (shape.activation !== 'relu' && shape.activation !== 'mish') {
    throw new InvalidArgumentError(`reference MLP: expected \`activation\` 'relu' or 'mish', got ${describeValue(shape.activation)}`);
  }
}

/**
 * Seeded random weights: He-uniform for layers followed by the nonlinearity, Glorot-uniform for the
 * output layers (so latents neither explode nor vanish over a few steps), small uniform biases.
 */
export function randomMlpWeights(shape: MlpShape, seed: number): MlpWeights {
  checkShape(shape);
  const rng = Rng.fromSeed(seed);
  const { stateDim: s, actionDim: a, hidden: h } = shape;
  const inDim = s + a;
  const matrix = (rows: number, cols: number, gain: number): Float32Array => {
    const limit = gain * Math.sqrt(3 / rows);
    return rng.fillUniform(new Float32Array(rows * cols), -limit, limit);
  };
  const bias = (n: number): Float32Array => rng.fillUniform(new Float32Array(n), -0.05, 0.05);
  const he = Math.SQRT2;
  return {
    ...shape,
    dyn1: matrix(inDim, h, he),
    dyn1Bias: bias(h),
    dyn2: matrix(h, h, he),
    dyn2Bias: bias(h),
    dyn3: matrix(h, s, Math.sqrt(2 / (1 + s / h))),
    dyn3Bias: bias(s),
    rew1: matrix(inDim, h, he),
    rew1Bias: bias(h),
    rew2: matrix(h, 1, 1),
    rew2Bias: bias(1),
  };
}

/**
 * Plain-TS forward of one step for B rows (tests compare the ONNX graph against it; never a hot path).
 * @returns `next` (B × S) and `reward` (B)
 */
export function mlpStepReference(w: MlpWeights, z: Float32Array, a: Float32Array, batch: number): { next: Float32Array; reward: Float32Array } {
  const { stateDim: s, actionDim: ad, hidden: h } = w;
  const act = w.activation === 'relu' ? (x: number) => (x > 0 ? x : 0) : (x: number) => x * Math.tanh(Math.log1p(Math.exp(x)));
  const dense = (x: Float64Array, m: Float32Array, b: Float32Array, inDim: number, outDim: number, nonlinear: boolean): Float64Array => {
    const y = new Float64Array(outDim);
    for (let o = 0; o < outDim; o++) {
      let acc = b[o]!;
      for (let i = 0; i < inDim; i++) acc += x[i]! * m[i * outDim + o]!;
      y[o] = nonlinear ? act(acc) : acc;
    }
    return y;
  };
  const next = new Float32Array(batch * s);
  const reward = new Float32Array(batch);
  const x = new Float64Array(s + ad);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < s; i++) x[i] = z[b * s + i]!;
    for (let i = 0; i < ad; i++) x[s + i] = a[b * ad + i]!;
    const h1 = dense(x, w.dyn1, w.dyn1Bias, s + ad, h, true);
    const h2 = dense(h1, w.dyn2, w.dyn2Bias, h, h, true);
    next.set(dense(h2, w.dyn3, w.dyn3Bias, h, s, false), b * s);
    const r1 = dense(x, w.rew1, w.rew1Bias, s + ad, h, true);
    reward[b] = dense(r1, w.rew2, w.rew2Bias, h, 1, false)[0]!;
  }
  return { next, reward };
}

/**
 * Serialises the whole-horizon rollout graph of `weights` for horizon `horizon`.
 *
 * Inputs: `latent` float32 `[B, S]`, `actions` float32 `[B, H, A]`.
 * Outputs: `latents` `[B, H, S]` (the state after each step) and `rewards` `[B, H]` — the fused
 * `rollout.onnx` contract of a world-model bundle.
 */
export function buildMlpRolloutGraph(weights: MlpWeights, horizon: number): Uint8Array {
  checkShape(weights);
  if (!Number.isSafeInteger(horizon) || horizon <= 0) {
    throw new InvalidArgumentError(`buildMlpRolloutGraph: expected \`horizon\` to be a positive integer, got ${describeValue(horizon)}`);
  }
  const { stateDim: s, actionDim: a, hidden: h } = weights;
  const inDim = s + a;
  // Fused first layer: columns [0, h) feed the dynamics, [h, 2h) the reward head.
  const w1 = new Float32Array(inDim * 2 * h);
  for (let i = 0; i < inDim; i++) {
    w1.set(weights.dyn1.subarray(i * h, (i + 1) * h), i * 2 * h);
    w1.set(weights.rew1.subarray(i * h, (i + 1) * h), i * 2 * h + h);
  }
  const b1 = new Float32Array(2 * h);
  b1.set(weights.dyn1Bias, 0);
  b1.set(weights.rew1Bias, h);
  // The reward output reads the fused hidden layer through zero rows, so no slice is needed for it.
  const wr = new Float32Array(2 * h);
  wr.set(weights.rew2, h);
  const values = new Map<string, Float32Array>([
    ['w1', w1],
    ['b1', b1],
    ['w2', weights.dyn2],
    ['b2', weights.dyn2Bias],
    ['w3', weights.dyn3],
    ['b3', weights.dyn3Bias],
    ['wr', wr],
    ['br', weights.rew2Bias],
  ]);

  const g = new Graph();
  const latent = g.input('latent', ['B', s]);
  const actions = g.input('actions', ['B', horizon, a]);
  // Parameter values are baked in from `values`; the initialisers are never used.
  const p = (name: string, shape: number[]) => g.param(name, shape, init.zeros());
  const [pw1, pb1, pw2, pb2, pw3, pb3, pwr, pbr] = [
    p('w1', [inDim, 2 * h]),
    p('b1', [2 * h]),
    p('w2', [h, h]),
    p('b2', [h]),
    p('w3', [h, s]),
    p('b3', [s]),
    p('wr', [2 * h, 1]),
    p('br', [1]),
  ] as const;
  let z = latent;
  const latents = [];
  const rewards = [];
  for (let t = 0; t < horizon; t++) {
    const at = reshape(slice(actions, 1, t, t + 1), ['B', a]);
    const hidden = activation(weights.activation, linear(concat([z, at], 1), pw1, pb1));
    const dyn = activation(weights.activation, linear(slice(hidden, 1, 0, h), pw2, pb2));
    z = linear(dyn, pw3, pb3);
    latents.push(z);
    rewards.push(linear(hidden, pwr, pbr));
  }
  return serializeModel(
    {
      graph: g,
      name: `reference_mlp_rollout_h${horizon}`,
      inputs: [latent, actions],
      outputs: { latents: reshape(concat(latents, 1), ['B', horizon, s]), rewards: concat(rewards, 1) },
      paramValues: values,
    },
    { docString: 'Embodied reference MLP rollout (seeded random weights)' },
  );
}
