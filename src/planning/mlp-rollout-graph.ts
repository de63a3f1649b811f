/**
 * The reference MLP world model's weights and its fused whole-horizon ONNX graph.
 *
 * Built directly with onnx-proto (opset 17) because the SDK's graph builder (`src/graph`) does not
 * exist yet; this module needs only Gemm, Relu/Softplus/Tanh, Gather, Concat, Slice and Reshape.
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
import pkg from 'onnx-proto';
import { InvalidArgumentError, describeValue } from '../errors.js';
import { Rng } from '../rng.js';

const { onnx } = pkg;

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

type NodeSpec = { op: string; inputs: string[]; outputs: string[]; attrs?: Record<string, number | number[]> };

function tensor(name: string, dims: number[], data: Float32Array | BigInt64Array): InstanceType<typeof onnx.TensorProto> {
  const isFloat = data instanceof Float32Array;
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: isFloat ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.INT64,
    rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  });
}

function attribute(name: string, value: number | number[]): InstanceType<typeof onnx.AttributeProto> {
  if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: value });
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });
}

function valueInfo(name: string, dims: (number | string)[]): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
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

  const initializers = [
    tensor('w1', [inDim, 2 * h], w1),
    tensor('b1', [2 * h], b1),
    tensor('w2', [h, h], weights.dyn2),
    tensor('b2', [h], weights.dyn2Bias),
    tensor('w3', [h, s], weights.dyn3),
    tensor('b3', [s], weights.dyn3Bias),
    tensor('wr', [2 * h, 1], wr),
    tensor('br', [1], weights.rew2Bias),
    tensor('slice_starts', [1], BigInt64Array.of(0n)),
    tensor('slice_ends', [1], BigInt64Array.of(BigInt(h))),
    tensor('slice_axes', [1], BigInt64Array.of(1n)),
    tensor('latents_shape', [3], BigInt64Array.of(0n, BigInt(horizon), BigInt(s))),
  ];
  const nodes: NodeSpec[] = [];
  const activate = (x: string, out: string): void => {
    if (weights.activation === 'relu') {
      nodes.push({ op: 'Relu', inputs: [x], outputs: [out] });
    } else {
      // Mish(x) = x · tanh(softplus(x)); the Mish op itself needs opset 18.
      nodes.push({ op: 'Softplus', inputs: [x], outputs: [`${out}_sp`] });
      nodes.push({ op: 'Tanh', inputs: [`${out}_sp`], outputs: [`${out}_th`] });
      nodes.push({ op: 'Mul', inputs: [x, `${out}_th`], outputs: [out] });
    }
  };
  let z = 'latent';
  const latentOuts: string[] = [];
  const rewardOuts: string[] = [];
  for (let t = 0; t < horizon; t++) {
    initializers.push(tensor(`t${t}`, [], BigInt64Array.of(BigInt(t))));
    nodes.push({ op: 'Gather', inputs: ['actions', `t${t}`], outputs: [`a${t}`], attrs: { axis: 1 } });
    nodes.push({ op: 'Concat', inputs: [z, `a${t}`], outputs: [`x${t}`], attrs: { axis: 1 } });
    nodes.push({ op: 'Gemm', inputs: [`x${t}`, 'w1', 'b1'], outputs: [`p${t}`] });
    activate(`p${t}`, `h${t}`);
    nodes.push({ op: 'Slice', inputs: [`h${t}`, 'slice_starts', 'slice_ends', 'slice_axes'], outputs: [`hd${t}`] });
    nodes.push({ op: 'Gemm', inputs: [`hd${t}`, 'w2', 'b2'], outputs: [`q${t}`] });
    activate(`q${t}`, `g${t}`);
    nodes.push({ op: 'Gemm', inputs: [`g${t}`, 'w3', 'b3'], outputs: [`z${t}`] });
    nodes.push({ op: 'Gemm', inputs: [`h${t}`, 'wr', 'br'], outputs: [`r${t}`] });
    latentOuts.push(`z${t}`);
    rewardOuts.push(`r${t}`);
    z = `z${t}`;
  }
  nodes.push({ op: 'Concat', inputs: latentOuts, outputs: ['latents_flat'], attrs: { axis: 1 } });
  nodes.push({ op: 'Reshape', inputs: ['latents_flat', 'latents_shape'], outputs: ['latents'] });
  nodes.push({ op: 'Concat', inputs: rewardOuts, outputs: ['rewards'], attrs: { axis: 1 } });

  const graph = onnx.GraphProto.create({
    name: `reference_mlp_rollout_h${horizon}`,
    node: nodes.map((n, i) =>
      onnx.NodeProto.create({
        name: `${n.op.toLowerCase()}_${i}`,
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      }),
    ),
    initializer: initializers,
    input: [valueInfo('latent', ['B', s]), valueInfo('actions', ['B', horizon, a])],
    output: [valueInfo('latents', ['B', horizon, s]), valueInfo('rewards', ['B', horizon])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'embodied.planning',
    opsetImport: [{ domain: '', version: 17 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
