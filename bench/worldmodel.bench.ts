/**
 * World-model imagination speed: `WorldModel.rollout` transitions/s at B = 1, 64, 1024 and H = 12,
 * fused (`rollout.onnx`, a Scan) and unfused (H `session.run` calls), against Rapier steps/s of
 * `PushBox-v0` (the environment the model stands in for) measured in the same process, interleaved.
 * Also the matmul GFLOP/s the dynamics reach, against a plain batched MatMul chain of the same shapes.
 *
 * Two PushBox bundles exported by the SDK with initial weights (speed does not depend on the values):
 * `large` = the default architecture (latent 64, dynamics 256×256, Mish + LayerNorm, SimNorm), and
 * `small` = the round-trip test's model (latent 32, dynamics 64×64, tanh, no LayerNorm). Then `shipped`:
 * the trained default PushBox bundle, `models/pushbox` (latent 32, dynamics 128×128, SiLU + LayerNorm, SimNorm).
 *
 * Run: `npm run bench -- --only worldmodel` → bench/results/worldmodel.json.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import pkg from 'onnx-proto';
import '../environments/push-box.js';
import { make } from '../src/registry.js';
import { Rng } from '../src/rng.js';
import { Graph, ParamScope } from '../src/graph/index.js';
import { exportBundle } from '../src/training/export-bundle.js';
import { parseWorldModelConfig } from '../src/training/wm-config.js';
import { WorldModelObjective } from '../src/training/wm-objective.js';
import { WorldModel } from '../src/worldmodel/world-model.js';
import { interleave, ratios, summarize, writeResults, type BenchResult } from './harness.js';

const { onnx } = pkg;
const H = 12;
const BATCHES = [1, 64, 1024];
const THREADS = Number(process.env.WM_BENCH_THREADS ?? 1);

const MODELS = {
  large: { latentDim: 64, encoderHidden: [256], dynamicsHidden: [256, 256], rewardHidden: [256], decoderHidden: [256] },
  small: { latentDim: 32, simNormGroup: 0, layerNorm: false, activation: 'tanh' as const, encoderHidden: [64], dynamicsHidden: [64, 64], rewardHidden: [32], decoderHidden: [64] },
};

/** A PushBox bundle with initial weights, exported by the SDK. */
async function pushBoxBundle(dir: string, size: keyof typeof MODELS): Promise<void> {
  const env = make('PushBox-v0');
  const obsDim = env.observationSpace.flatDim;
  const actionDim = env.actionSpace.flatDim;
  await env.close();
  const config = parseWorldModelConfig({ obsDim, actionDim, ...MODELS[size], batchSize: 8, horizon: 3 });
  const stats = { obsMean: new Float32Array(obsDim), obsStd: new Float32Array(obsDim).fill(1), rewardMean: 0, rewardStd: 1 };
  const objective = new WorldModelObjective(config, stats);
  const g = new Graph();
  const data = Object.fromEntries(objective.inputs.map((i) => [i.name, g.input(i.name, i.shape)]));
  objective.build(new ParamScope(g), data);
  await exportBundle(dir, { config, stats, params: g.initParams(1), name: 'pushbox-bench', envId: 'PushBox-v0', actionLow: [-1, -1], actionHigh: [1, 1], overwrite: true });
}

/** Matmul shapes `[K, N]` of every MatMul/Gemm with a constant 2-D weight in an ONNX file. */
function matmulShapes(path: string): [number, number][] {
  const model = onnx.ModelProto.decode(readFileSync(path));
  const g = model.graph!;
  const inits = new Map(g.initializer!.map((t) => [t.name!, t.dims!.map(Number)]));
  const shapes: [number, number][] = [];
  for (const n of g.node!) {
    if (n.opType !== 'MatMul' && n.opType !== 'Gemm') continue;
    const w = inits.get(n.input![1]!);
    if (w?.length === 2) shapes.push([w[0]!, w[1]!]);
  }
  return shapes;
}

/** A chain of plain MatMuls with the given shapes (no bias, no activation): the hardware reference. */
async function matmulChain(shapes: [number, number][]): Promise<ort.InferenceSession> {
  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const rng = Rng.fromSeed(3);
  const nodes: pkg.onnx.INodeProto[] = [];
  const initializer: pkg.onnx.ITensorProto[] = [];
  const inputs: pkg.onnx.IValueInfoProto[] = [];
  shapes.forEach(([k, n], i) => {
    const w = rng.fillNormal(new Float32Array(k * n), 0, 1 / Math.sqrt(k));
    initializer.push({ name: `w${i}`, dims: [k, n], dataType: FLOAT, rawData: new Uint8Array(w.buffer) });
    inputs.push({ name: `x${i}`, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'B' }, { dimValue: k }] } } } });
    nodes.push({ opType: 'MatMul', input: [`x${i}`, `w${i}`], output: [`y${i}`] });
  });
  const outputs = shapes.map(([, n], i) => ({ name: `y${i}`, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'B' }, { dimValue: n }] } } } }));
  const bytes = onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ version: 17 }],
    graph: { name: 'chain', node: nodes, initializer, input: inputs, output: outputs },
  }).finish();
  return ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: THREADS, interOpNumThreads: 1 });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wm-bench-'));
  // Rapier: PushBox-v0 with random actions, the same work in every sample: episodes with seeds 0…3, each run
  // to its 200-step time limit with actions from an Rng seeded by the episode, so samples differ only by the
  // machine. (Its rate still moves between sections and runs on a shared machine, 8,000–12,000 steps/s here;
  // the ratios pair each rollout sample with the physics sample taken right after it.)
  const env = make('PushBox-v0');
  const physicsEpisodes = 4;
  let physicsSteps = 0;
  const stepPhysics = async () => {
    let steps = 0;
    for (let e = 0; e < physicsEpisodes; e++) {
      const rng = Rng.fromSeed(e);
      await env.reset({ seed: e });
      for (;;) {
        steps++;
        const r = await env.step(env.actionSpace.sample(rng) as Float32Array);
        if (r.terminated || r.truncated) break;
      }
    }
    physicsSteps = steps;
  };
  for (let i = 0; i < 10; i++) await stepPhysics(); // Rapier's WASM tiers up slowly: warm it first

  const results: BenchResult[] = [];
  const shipped = join(dirname(fileURLToPath(import.meta.url)), '..', 'models', 'pushbox');
  for (const size of [...(Object.keys(MODELS) as (keyof typeof MODELS)[]), 'shipped' as const]) {
    const bundle = size === 'shipped' ? shipped : join(dir, size);
    if (size !== 'shipped') await pushBoxBundle(bundle, size);
    const fused = await WorldModel.load(bundle, { intraOpNumThreads: THREADS });
    const unfused = await WorldModel.load(bundle, { intraOpNumThreads: THREADS, fused: false });
    const shapes = matmulShapes(join(bundle, 'dynamics_0.onnx'));
    const flopsPerTransition = shapes.reduce((s, [k, n]) => s + 2 * k * n, 0);
    const chain = await matmulChain(shapes);
    const L = fused.latentDim;
    const A = fused.actionDim;
    for (const B of BATCHES) {
      const z = Rng.fromSeed(B).fillNormal(new Float32Array(B * L));
      const acts = Rng.fromSeed(B + 1).fillUniform(new Float32Array(B * H * A), -1, 1);
      const xs = Object.fromEntries(shapes.map(([k], i) => [`x${i}`, new ort.Tensor('float32', Rng.fromSeed(i).fillNormal(new Float32Array(B * k)), [B, k])]));
      // Keep each sample ≥ a few ms.
      const reps = B === 1 ? 20 : B === 64 ? 4 : size === 'large' ? 1 : 4;
      const samples = await interleave(
        {
          fused: async () => {
            for (let r = 0; r < reps; r++) await fused.rollout(z, acts, H);
          },
          unfused: async () => {
            for (let r = 0; r < reps; r++) await unfused.rollout(z, acts, H);
          },
          matmul: async () => {
            for (let r = 0; r < reps * H; r++) await chain.run(xs);
          },
          physics: stepPhysics,
        },
        { warmup: 2, runs: B === 1024 ? 5 : 7 },
      );
      const perSec = (ms: number[], items: number) => ms.map((t) => (items / t) * 1000);
      const transitions = B * H * reps;
      const fusedRate = perSec(samples.fused!, transitions);
      const unfusedRate = perSec(samples.unfused!, transitions);
      const physicsRate = perSec(samples.physics!, physicsSteps);
      const params = { model: size, B, H, threads: THREADS, latentDim: L, flopsPerTransition, shapes };
      const tag = `${size}.B${B}`;
      results.push(summarize(`worldmodel.rollout.fused.${tag}xH${H}`, 'steps/s', fusedRate, params));
      results.push(summarize(`worldmodel.rollout.unfused.${tag}xH${H}`, 'steps/s', unfusedRate, params));
      results.push(summarize(`worldmodel.rapier.pushbox.steps@${tag}`, 'steps/s', physicsRate, { env: 'PushBox-v0', interleavedWith: tag }));
      results.push(summarize(`worldmodel.imagination-vs-physics.fused.${tag}`, 'x', ratios(fusedRate, physicsRate), { ...params, ...(B === 1024 && { target: '>= 100x' }) }));
      results.push(summarize(`worldmodel.imagination-vs-physics.unfused.${tag}`, 'x', ratios(unfusedRate, physicsRate), params));
      const gflops = (rate: number[]) => rate.map((r) => (r * flopsPerTransition) / 1e9);
      const matmulGflops = samples.matmul!.map((t) => (B * H * reps * flopsPerTransition) / t / 1e6);
      results.push(summarize(`worldmodel.gflops.fused.${tag}`, 'GFLOP/s', gflops(fusedRate), params));
      results.push(summarize(`worldmodel.gflops.plain-matmul.${tag}`, 'GFLOP/s', matmulGflops, params));
      results.push(summarize(`worldmodel.gflops.fused-vs-matmul.${tag}`, 'x', ratios(gflops(fusedRate), matmulGflops), params));
    }
    await fused.close();
    await unfused.close();
    await chain.release();
  }
  await env.close();
  rmSync(dir, { recursive: true, force: true });
  await writeResults('worldmodel', results);
}

await main();
