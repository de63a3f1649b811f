/**
 * Training throughput of the default world model (WorldModelConfig defaults, obsDim 20, actionDim 4,
 * batch 256, H = 5): onnxruntime training graph with 1 and 2 intra-op threads, against the same
 * forward + backward + Adam written as plain TypeScript loops (src/training/reference), and against
 * onnxruntime running only the matrix products of one training step (same shapes and transposes,
 * one input per distinct shape so inputs stay in cache, only a row of each product copied out) —
 * the ceiling for this model's GFLOP/s. All cases interleave in one process.
 *
 * When `/usr/bin/python3` imports torch, its peer — the same model, loss, Adam and clipping in PyTorch
 * eager (bench/peers/world_model_train.py, torch threads 1 and 2, the faster counts) — runs after each
 * round of our cases; `training.worldmodel.vs-pytorch.threads<n>` is our speed-up per round. Without
 * torch no ratio is stored.
 *
 * Writes bench/results/training.json. Targets: ORT ≥ 10× plain TS; training GFLOP/s ≥ 40% of the
 * plain-MatMul GFLOP/s.
 */
import * as ort from 'onnxruntime-node';
import { Graph, gemm, isMatrixProduct, matmulFlops, neededNodes, serializeModel, slice } from '../src/graph/index.js';
import type { Tensor } from '../src/graph/index.js';
import { Rng } from '../src/rng.js';
import { ReferenceWorldModel } from '../src/training/reference/world-model.js';
import { buildTrainStep, flatSize, objectiveParams } from '../src/training/train-step.js';
import { Trainer } from '../src/training/trainer.js';
import { parseAdamOptions } from '../src/training/optimizer.js';
import { parseWorldModelConfig } from '../src/training/wm-config.js';
import { WorldModelObjective } from '../src/training/wm-objective.js';
import { appendSamples, interleave, ratios, summarize, writeResults, type BenchResult } from './harness.js';
import { PeerComparison, probePeer, reportNoPeer } from './peers/peer.js';

const OBS = 20;
const ACT = 4;
const STEPS_PER_RUN = 4;
/** Rounds of our interleaved cases, each followed by one run of the peer. */
const ROUNDS = 3;
const RUNS_PER_ROUND = 3;
const probe = probePeer();
if (probe.reason !== undefined) reportNoPeer('training', probe.reason);
const config = parseWorldModelConfig({ obsDim: OBS, actionDim: ACT });
const stats = { obsMean: new Float32Array(OBS), obsStd: new Float32Array(OBS).fill(1), rewardMean: 0, rewardStd: 1 };
const objective = new WorldModelObjective(config, stats);
const adam = parseAdamOptions({ gradClipNorm: config.gradClipNorm });
const params = objectiveParams(objective);
const oneStep = buildTrainStep(objective, params, 1, adam);
const flopsPerStep = matmulFlops(oneStep.graph, Object.values(oneStep.outputs));

// A pool of random minibatches, reused so data generation is not timed.
const rng = Rng.fromSeed(1);
const { horizon: H, batchSize: B } = config;
const pool = Array.from({ length: 8 }, () => ({
  obs: rng.fillNormal(new Float32Array((H + 1) * B * OBS)),
  actions: rng.fillUniform(new Float32Array(H * B * ACT), -1, 1),
  rewards: rng.fillNormal(new Float32Array(H * B)),
  terminated: new Float32Array(H * B),
  mask: new Float32Array(H * B).fill(1),
}));
let cursor = 0;
const fill = (buffers: Readonly<Record<string, Float32Array>>) => {
  const batch = pool[cursor++ % pool.length]!;
  for (const [name, arr] of Object.entries(batch)) buffers[name]!.set(arr);
};

// The same model with SiLU instead of Mish (same matrix products, fewer elementwise passes).
const siluObjective = new WorldModelObjective(parseWorldModelConfig({ obsDim: OBS, actionDim: ACT, activation: 'silu' }), stats);
const trainers = {
  t1: await Trainer.create(objective, { seed: 1, intraOpNumThreads: 1, stepsPerRun: STEPS_PER_RUN, adam }),
  t1silu: await Trainer.create(siluObjective, { seed: 1, intraOpNumThreads: 1, stepsPerRun: STEPS_PER_RUN, adam }),
  t2: await Trainer.create(objective, { seed: 1, intraOpNumThreads: 2, stepsPerRun: STEPS_PER_RUN, adam }),
  t1k1: await Trainer.create(objective, { seed: 1, intraOpNumThreads: 1, stepsPerRun: 1, adam }),
};

// The plain-TS reference starts from the same weights.
const initial = new Float32Array(flatSize(params));
for (const [name, v] of trainers.t1.paramValues()) initial.set(v, params.find((p) => p.name === name)!.offset);
const reference = new ReferenceWorldModel(config, stats, params, initial);
const tsStep = () => {
  const batch = pool[cursor++ % pool.length]!;
  reference.lossAndGrad(batch);
  reference.adamStep(config.lr, adam);
};

// Only the matrix products of one training step: same shapes and transposes, one input per shape.
const mm = new Graph();
const mmOutputs: Record<string, Tensor> = {};
for (const n of neededNodes(oneStep.graph, Object.values(oneStep.outputs))) {
  if (!isMatrixProduct(n)) continue;
  const shapeInput = (t: Tensor) => {
    const name = `x${t.shape.join('x')}`;
    return mm.inputs.get(name) ?? mm.input(name, t.shape);
  };
  const { transA, transB } = n.attrs as { transA: boolean; transB: boolean };
  // Only the first row of each product leaves the session: the products themselves stay in
  // onnxruntime's arena, as they do in the training graph, instead of being copied out to JS.
  const product = gemm(shapeInput(n.inputs[0]!), shapeInput(n.inputs[1]!), undefined, { transA, transB });
  mmOutputs[`y${Object.keys(mmOutputs).length}`] = slice(product, 0, 0, 1);
}
const mmFlops = matmulFlops(mm, Object.values(mmOutputs));
if (mmFlops !== flopsPerStep) throw new Error(`matmul-only graph has ${mmFlops} FLOPs, the training step ${flopsPerStep}`);
const mmBytes = serializeModel({ graph: mm, outputs: mmOutputs });
const mmFeeds: Record<string, ort.Tensor> = {};
for (const t of mm.inputs.values())
  mmFeeds[t.label] = new ort.Tensor('float32', rng.fillNormal(new Float32Array((t.shape as number[]).reduce((a, b) => a * b, 1))), t.shape as number[]);
// Optimisations off: with shared inputs, common-subexpression elimination would merge equal products.
const mmSession = async (threads: number) => ort.InferenceSession.create(mmBytes, { graphOptimizationLevel: 'disabled', executionMode: 'sequential', intraOpNumThreads: threads });
const mm1 = await mmSession(1);
const mm2 = await mmSession(2);

// CPU time of the one-thread cases (onnxruntime computes on the calling thread with one intra-op
// thread): unlike wall time it does not count time spent preempted by other processes.
const cpu: Record<'ort1' | 'mm1', number[]> = { ort1: [], mm1: [] };
const cpuTimed = (key: keyof typeof cpu, fn: () => Promise<unknown>) => async () => {
  const start = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(start);
  cpu[key].push((d.user + d.system) / 1000);
};
const cases = {
  ort1: cpuTimed('ort1', () => trainers.t1.train(STEPS_PER_RUN, fill)),
  ort2: () => trainers.t2.train(STEPS_PER_RUN, fill),
  ort1silu: () => trainers.t1silu.train(STEPS_PER_RUN, fill),
  ort1k1: () => trainers.t1k1.train(1, fill),
  ts: tsStep,
  // As many matmul passes per sample as training steps per ORT sample: equally long samples meet
  // equal odds of being preempted when other processes share the cores.
  mm1: cpuTimed('mm1', async () => {
    for (let k = 0; k < STEPS_PER_RUN; k++) await mm1.run(mmFeeds);
  }),
  mm2: async () => {
    for (let k = 0; k < STEPS_PER_RUN; k++) await mm2.run(mmFeeds);
  },
};
const samples: Record<string, number[]> = {};
const cpuKept: typeof cpu = { ort1: [], mm1: [] };
const vsPeer = { t1: new PeerComparison('steps/s'), t2: new PeerComparison('steps/s') };
const peerArgs = ['--threads', '1,2', '--warmup', '1', '--runs', String(RUNS_PER_ROUND), '--steps-per-run', String(STEPS_PER_RUN)];
for (let r = 0; r < ROUNDS; r++) {
  // A warm-up before every round: the peer ran in between and took the caches.
  const round = await interleave(cases, { warmup: r === 0 ? 2 : 1, runs: RUNS_PER_ROUND });
  appendSamples(samples, round);
  for (const k of ['ort1', 'mm1'] as const) cpuKept[k].push(...cpu[k].splice(0).slice(-RUNS_PER_ROUND));
  if (probe.peer) {
    const records = probe.peer.run('world_model_train.py', peerArgs);
    vsPeer.t1.addRound(
      round.ort1!.map((ms) => (1000 * STEPS_PER_RUN) / ms),
      records,
    );
    vsPeer.t2.addRound(
      round.ort2!.map((ms) => (1000 * STEPS_PER_RUN) / ms),
      records,
    );
  }
  console.log(`[training] round ${r + 1}/${ROUNDS} done${probe.peer ? ' (with the PyTorch peer)' : ''}`);
}

const perStep = (xs: number[], k: number) => xs.map((ms) => ms / k);
const s = {
  ort1: perStep(samples.ort1!, STEPS_PER_RUN),
  ort2: perStep(samples.ort2!, STEPS_PER_RUN),
  ort1silu: perStep(samples.ort1silu!, STEPS_PER_RUN),
  ort1k1: samples.ort1k1!,
  ts: samples.ts!,
  mm1: perStep(samples.mm1!, STEPS_PER_RUN),
  mm2: perStep(samples.mm2!, STEPS_PER_RUN),
};
const stepsPerSec = (ms: number[]) => ms.map((v) => 1000 / v);
const gflops = (ms: number[]) => ms.map((v) => flopsPerStep / 1e6 / v);
const common = {
  obsDim: OBS,
  actionDim: ACT,
  batchSize: B,
  horizon: H,
  latentDim: config.latentDim,
  activation: config.activation,
  params: flatSize(params),
  gflopPerStep: flopsPerStep / 1e9,
};
const results: BenchResult[] = [
  summarize('training.worldmodel.ort.threads1', 'steps/s', stepsPerSec(s.ort1), { ...common, threads: 1, stepsPerRun: STEPS_PER_RUN }),
  summarize('training.worldmodel.ort.threads2', 'steps/s', stepsPerSec(s.ort2), { ...common, threads: 2, stepsPerRun: STEPS_PER_RUN }),
  summarize('training.worldmodel.ort.threads1.stepsPerRun1', 'steps/s', stepsPerSec(s.ort1k1), { ...common, threads: 1, stepsPerRun: 1 }),
  summarize('training.worldmodel.ort.threads1.silu', 'steps/s', stepsPerSec(s.ort1silu), { ...common, activation: 'silu', threads: 1, stepsPerRun: STEPS_PER_RUN }),
  summarize('training.worldmodel.plain-ts', 'steps/s', stepsPerSec(s.ts), common),
  summarize('training.worldmodel.ort.threads1.gflops', 'GFLOP/s', gflops(s.ort1), { ...common, threads: 1 }),
  summarize('training.worldmodel.ort.threads2.gflops', 'GFLOP/s', gflops(s.ort2), { ...common, threads: 2 }),
  summarize('training.worldmodel.plain-ts.gflops', 'GFLOP/s', gflops(s.ts), common),
  summarize('training.matmul-only.threads1.gflops', 'GFLOP/s', gflops(s.mm1), { ...common, threads: 1, gemms: Object.keys(mmOutputs).length }),
  summarize('training.matmul-only.threads2.gflops', 'GFLOP/s', gflops(s.mm2), { ...common, threads: 2, gemms: Object.keys(mmOutputs).length }),
  summarize('training.ort-vs-plain-ts.threads1', 'x', ratios(s.ts, s.ort1), { target: 10 }),
  summarize('training.ort-vs-plain-ts.threads2', 'x', ratios(s.ts, s.ort2), { target: 10 }),
  summarize('training.gflops-vs-matmul.threads1', 'x', ratios(s.mm1, s.ort1), { target: 0.4 }),
  summarize('training.gflops-vs-matmul.threads2', 'x', ratios(s.mm2, s.ort2), { target: 0.4 }),
  summarize('training.gflops-vs-matmul.threads1.silu', 'x', ratios(s.mm1, s.ort1silu), { target: 0.4, activation: 'silu' }),
  summarize('training.gflops-vs-matmul.threads1.cpu-time', 'x', ratios(cpuKept.mm1, cpuKept.ort1), {
    target: 0.4,
    note: 'ratio of process CPU time, robust to preemption by other processes',
  }),
];
for (const [threads, comparison] of [
  [1, vsPeer.t1],
  [2, vsPeer.t2],
] as const) {
  const entry = comparison.result(`training.worldmodel.vs-pytorch.threads${threads}`, {
    ...common,
    threads,
    stepsPerRun: STEPS_PER_RUN,
    peer: 'bench/peers/world_model_train.py',
    peerThreads: [1, 2],
  });
  if (entry) results.push(entry);
}
await writeResults('training', results);
for (const t of Object.values(trainers)) await t.close();
await mm1.release();
await mm2.release();
