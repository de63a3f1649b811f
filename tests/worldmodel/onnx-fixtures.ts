/**
 * Test bundles built directly with onnx-proto (opset 17), independently of src/graph: the loader must
 * accept any model that honours the contract. Models are small MLPs whose outputs the tests compute
 * in plain JS (float64) to check WorldModel's numbers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkg from 'onnx-proto';
import { Rng } from '../../src/rng.js';
import { encodeNpy } from '../../src/codecs/npy.js';
import { BUNDLE_FORMAT, type ManifestInput } from '../../src/worldmodel/manifest.js';

const { onnx } = pkg;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

/** A dense layer `y = act(x W + b)`, W stored [in, out]. */
export interface Dense {
  readonly W: Float32Array;
  readonly b: Float32Array;
  readonly inDim: number;
  readonly outDim: number;
  readonly act: 'tanh' | 'relu' | 'none';
}

export function randomDense(rng: Rng, inDim: number, outDim: number, act: Dense['act'], scale = 1): Dense {
  const s = scale / Math.sqrt(inDim);
  const W = Float32Array.from({ length: inDim * outDim }, () => rng.normal() * s);
  const b = Float32Array.from({ length: outDim }, () => rng.normal() * 0.1);
  return { W, b, inDim, outDim, act };
}

/** Plain-JS forward of a stack of dense layers over a batch (float64 accumulation). */
export function denseForward(layers: readonly Dense[], x: Float32Array, batch: number): Float32Array {
  let cur = x;
  for (const l of layers) {
    const out = new Float32Array(batch * l.outDim);
    for (let r = 0; r < batch; r++) {
      for (let j = 0; j < l.outDim; j++) {
        let s = l.b[j]!;
        for (let i = 0; i < l.inDim; i++) s += cur[r * l.inDim + i]! * l.W[i * l.outDim + j]!;
        out[r * l.outDim + j] = l.act === 'tanh' ? Math.tanh(s) : l.act === 'relu' ? Math.max(0, s) : s;
      }
    }
    cur = out;
  }
  return cur;
}

type Dim = number | string | null;
export function valueInfo(name: string, dims: readonly Dim[] | undefined, elemType = FLOAT): pkg.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, ...(dims && { shape: { dim: dims.map((d) => (d === null ? {} : typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } }) } },
  };
}

function tensor(name: string, dims: number[], data: Float32Array): pkg.onnx.ITensorProto {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

function int64Tensor(name: string, values: number[]): pkg.onnx.ITensorProto {
  return { name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) };
}

/** Nodes and initializers computing `layers` from `input` into `output`. */
export function denseNodes(prefix: string, layers: readonly Dense[], input: string, output: string) {
  const nodes: pkg.onnx.INodeProto[] = [];
  const inits: pkg.onnx.ITensorProto[] = [];
  let cur = input;
  layers.forEach((l, i) => {
    const last = i === layers.length - 1;
    const pre = `${prefix}_pre${i}`;
    const out = last ? output : `${prefix}_h${i}`;
    inits.push(tensor(`${prefix}_W${i}`, [l.inDim, l.outDim], l.W), tensor(`${prefix}_b${i}`, [l.outDim], l.b));
    const gemmOut = l.act === 'none' ? out : pre;
    nodes.push({ opType: 'Gemm', input: [cur, `${prefix}_W${i}`, `${prefix}_b${i}`], output: [gemmOut], name: `${prefix}_gemm${i}` });
    if (l.act !== 'none') nodes.push({ opType: l.act === 'tanh' ? 'Tanh' : 'Relu', input: [pre], output: [out], name: `${prefix}_act${i}` });
    cur = out;
  });
  return { nodes, inits };
}

export function modelBytes(graph: pkg.onnx.IGraphProto, producer = 'onnx-fixtures'): Uint8Array {
  return onnx.ModelProto.encode({ irVersion: 8, producerName: producer, opsetImport: [{ domain: '', version: 17 }], graph }).finish();
}

/** A dynamics member: next = tanh-MLP([latent, action]); reward and terminal heads read [latent, action]. */
export interface DynamicsWeights {
  readonly next: Dense[];
  readonly reward: Dense[];
  readonly terminal?: Dense[];
}

/** The body shared by dynamics.onnx and the Scan body: nodes from `latent`,`action` to next/reward/terminal names. */
function dynamicsBody(prefix: string, w: DynamicsWeights, latent: string, action: string, names: { next: string; reward: string; terminal?: string }) {
  const za = `${prefix}_za`;
  const nodes: pkg.onnx.INodeProto[] = [
    { opType: 'Concat', input: [latent, action], output: [za], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
  ];
  const inits: pkg.onnx.ITensorProto[] = [];
  for (const [part, layers, out] of [
    ['next', w.next, names.next],
    ['rew', w.reward, names.reward],
    ...(w.terminal && names.terminal ? [['term', w.terminal, names.terminal] as const] : []),
  ] as const) {
    const d = denseNodes(`${prefix}_${part}`, layers, za, out);
    nodes.push(...d.nodes);
    inits.push(...d.inits);
  }
  return { nodes, inits };
}

/** Options of {@link writeTestBundle}. */
export interface TestBundleOptions {
  readonly obsDim?: number;
  readonly actionDim?: number;
  readonly latentDim?: number;
  readonly ensemble?: number;
  readonly hasTerminal?: boolean;
  readonly decoder?: boolean;
  /** Add a fused `rollout.onnx` using Scan over a dynamic horizon (first member's weights). */
  readonly rollout?: boolean;
  readonly initialObservations?: Float32Array;
  readonly seed?: number;
  /** Batch axis name (PyTorch exports name it anything). */
  readonly batchName?: string | null;
  /** Add an extra, unused output to every file (allowed by the contract). */
  readonly extraOutputs?: boolean;
  /** List initializers among graph inputs too (IR < 4 style). */
  readonly initializersAsInputs?: boolean;
  readonly manifest?: Partial<ManifestInput>;
}

/** The weights of a test bundle, for computing expected outputs in JS. */
export interface TestBundleWeights {
  readonly encoder: Dense[];
  readonly decoder?: Dense[];
  readonly members: DynamicsWeights[];
}

/** Writes a complete bundle into `dir` and returns its weights. */
export function writeTestBundle(dir: string, o: TestBundleOptions = {}): TestBundleWeights {
  const obsDim = o.obsDim ?? 3;
  const actionDim = o.actionDim ?? 2;
  const L = o.latentDim ?? 4;
  const K = o.ensemble ?? 1;
  const rng = Rng.fromSeed(o.seed ?? 1);
  const B = o.batchName === undefined ? 'batch' : o.batchName;
  mkdirSync(dir, { recursive: true });

  const finish = (g: pkg.onnx.IGraphProto, inits: pkg.onnx.ITensorProto[]) => {
    const extra = o.extraOutputs ? [valueInfo(`debug_${g.name}`, [B, null])] : [];
    const extraNodes: pkg.onnx.INodeProto[] = o.extraOutputs ? [{ opType: 'Identity', input: [g.input![0]!.name!], output: [`debug_${g.name}`] }] : [];
    const initInputs = o.initializersAsInputs ? inits.map((t) => valueInfo(t.name!, t.dims!.map(Number))) : [];
    return modelBytes({ ...g, node: [...g.node!, ...extraNodes], output: [...g.output!, ...extra], input: [...g.input!, ...initInputs], initializer: inits });
  };

  const encoder = [randomDense(rng, obsDim, 8, 'tanh'), randomDense(rng, 8, L, 'none')];
  const enc = denseNodes('enc', encoder, 'obs', 'latent');
  writeFileSync(join(dir, 'encoder.onnx'), finish({ name: 'encoder', node: enc.nodes, input: [valueInfo('obs', [B, obsDim])], output: [valueInfo('latent', [B, L])] }, enc.inits));

  const members: DynamicsWeights[] = [];
  const files: string[] = [];
  for (let k = 0; k < K; k++) {
    const w: DynamicsWeights = {
      next: [randomDense(rng, L + actionDim, 16, 'tanh'), randomDense(rng, 16, L, 'none', 0.5)],
      reward: [randomDense(rng, L + actionDim, 1, 'none')],
      ...(o.hasTerminal && { terminal: [randomDense(rng, L + actionDim, 1, 'none', 3)] }),
    };
    members.push(w);
    const body = dynamicsBody('d', w, 'latent', 'action', { next: 'next_latent', reward: 'reward', ...(o.hasTerminal && { terminal: 'terminal_logit' }) });
    const outputs = [valueInfo('next_latent', [B, L]), valueInfo('reward', [B, 1]), ...(o.hasTerminal ? [valueInfo('terminal_logit', [B, 1])] : [])];
    files.push(`dynamics_${k}.onnx`);
    writeFileSync(
      join(dir, files[k]!),
      finish({ name: `dynamics_${k}`, node: body.nodes, input: [valueInfo('latent', [B, L]), valueInfo('action', [B, actionDim])], output: outputs }, body.inits),
    );
  }

  let decoder: Dense[] | undefined;
  if (o.decoder) {
    decoder = [randomDense(rng, L, 8, 'tanh'), randomDense(rng, 8, obsDim, 'none')];
    const dec = denseNodes('dec', decoder, 'latent', 'obs');
    writeFileSync(
      join(dir, 'decoder.onnx'),
      finish({ name: 'decoder', node: dec.nodes, input: [valueInfo('latent', [B, L])], output: [valueInfo('obs', [B, obsDim])] }, dec.inits),
    );
  }

  if (o.rollout) writeFileSync(join(dir, 'rollout.onnx'), scanRollout(members[0]!, L, actionDim, B, !!o.hasTerminal));

  if (o.initialObservations) writeFileSync(join(dir, 'initial_observations.npy'), encodeNpy(o.initialObservations, [o.initialObservations.length / obsDim, obsDim]));

  const manifest: ManifestInput = {
    format: BUNDLE_FORMAT,
    name: 'test-bundle',
    envId: 'LineWorld-v0',
    obsDim,
    actionDim,
    latentDim: L,
    actionLow: new Array(actionDim).fill(-1),
    actionHigh: new Array(actionDim).fill(1),
    files: {
      encoder: 'encoder.onnx',
      dynamics: files,
      ...(o.decoder && { decoder: 'decoder.onnx' }),
      ...(o.rollout && { rollout: 'rollout.onnx' }),
      ...(o.initialObservations && { initialObservations: 'initial_observations.npy' }),
    },
    hasTerminal: !!o.hasTerminal,
    trainingHorizon: 5,
    provenance: { producer: 'tests/worldmodel/onnx-fixtures.ts', createdAt: '2025-01-01T00:00:00.000Z' },
    ...o.manifest,
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return { encoder, members, ...(decoder && { decoder }) };
}

/** rollout.onnx: a Scan over axis 1 of `actions` [B, H, A] (dynamic H), outputs stacked on axis 1. */
function scanRollout(w: DynamicsWeights, L: number, A: number, B: string | null, terminal: boolean): Uint8Array {
  const INT = onnx.AttributeProto.AttributeType.INT;
  const INTS = onnx.AttributeProto.AttributeType.INTS;
  const body = dynamicsBody('s', w, 'z_in', 'a_in', { next: 'z_next', reward: 'r_step', ...(terminal && { terminal: 't_step' }) });
  body.nodes.push({ opType: 'Identity', input: ['z_next'], output: ['z_out'] });
  const scanOutputs = ['z_out', 'z_next', 'r_step', ...(terminal ? ['t_step'] : [])];
  const bodyGraph: pkg.onnx.IGraphProto = {
    name: 'step',
    node: body.nodes,
    initializer: body.inits,
    input: [valueInfo('z_in', [B, L]), valueInfo('a_in', [B, A])],
    output: [valueInfo('z_out', [B, L]), valueInfo('z_next', [B, L]), valueInfo('r_step', [B, 1]), ...(terminal ? [valueInfo('t_step', [B, 1])] : [])],
  };
  const nOut = scanOutputs.length - 1;
  const nodes: pkg.onnx.INodeProto[] = [
    {
      opType: 'Scan',
      input: ['latent', 'actions'],
      output: ['z_final', 'latents', 'rewards3', ...(terminal ? ['terms3'] : [])],
      attribute: [
        { name: 'body', type: onnx.AttributeProto.AttributeType.GRAPH, g: bodyGraph },
        { name: 'num_scan_inputs', type: INT, i: 1 },
        { name: 'scan_input_axes', type: INTS, ints: [1] },
        { name: 'scan_output_axes', type: INTS, ints: new Array(nOut).fill(1) },
      ],
    },
    { opType: 'Squeeze', input: ['rewards3', 'axis2'], output: ['rewards'] },
    ...(terminal ? [{ opType: 'Squeeze', input: ['terms3', 'axis2'], output: ['terminal_logits'] }] : []),
  ];
  return modelBytes({
    name: 'rollout',
    node: nodes,
    initializer: [int64Tensor('axis2', [2])],
    input: [valueInfo('latent', [B, L]), valueInfo('actions', [B, 'horizon', A])],
    output: [valueInfo('latents', [B, 'horizon', L]), valueInfo('rewards', [B, 'horizon']), ...(terminal ? [valueInfo('terminal_logits', [B, 'horizon'])] : [])],
  });
}

/** JS reference of one dynamics step for one member. */
export function dynamicsForward(w: DynamicsWeights, latent: Float32Array, action: Float32Array, batch: number, L: number, A: number) {
  const za = new Float32Array(batch * (L + A));
  for (let r = 0; r < batch; r++) {
    za.set(latent.subarray(r * L, (r + 1) * L), r * (L + A));
    za.set(action.subarray(r * A, (r + 1) * A), r * (L + A) + L);
  }
  return {
    next: denseForward(w.next, za, batch),
    reward: denseForward(w.reward, za, batch),
    terminal: w.terminal ? denseForward(w.terminal, za, batch) : undefined,
  };
}
