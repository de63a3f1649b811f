/**
 * Planning benchmarks → bench/results/planning.json.
 *
 * - The machine's matrix-multiply peak as onnxruntime reaches it (2048² MatMul, 2 threads): the
 *   ceiling for planning on the CPU.
 * - MPPI and CEM on the reference MLP (latent 64, action 4, dynamics 68→256→256→64, reward 68→256→1,
 *   one fused ONNX graph per horizon, 2 intra-op threads) at budgets samples × horizon × iterations
 *   256×12×4, 512×12×6, 1024×16×6: plan latency (median, p95), control rate, GFLOP/s sustained over
 *   the whole plan (model FLOPs / plan wall time: sampling, selection, weighting, scoring included),
 *   and where the time goes (rollout vs everything else). A "model only" case runs the same rollouts
 *   back to back with nothing else, interleaved with the plans: plan / model-only is the planner's
 *   whole overhead factor.
 * - The same budgets on the shipped PushBox model (models/pushbox, one intra-op thread): latency, rate,
 *   GFLOP/s of its dynamics + reward + terminal MLPs.
 * - The Rapier oracle's evaluation rate on PushBox-v0 (candidate-steps per second, restores included).
 * - Its peer, when `/usr/bin/python3` imports torch: the same MPPI on the same MLP in PyTorch eager
 *   (bench/peers/mppi.py, torch threads 1 and 2, the faster counts), run in rounds between ours at each
 *   budget; `planning.mppi.ref.<budget>.vs-pytorch` is the speed-up per round. Without torch no ratio is stored.
 *
 * All cases are interleaved after a warm-up. Takes about a minute on an idle machine (more with the peer).
 */
import pkg from 'onnx-proto';
import { appendSamples, interleave, quantile, summarize, writeResults, type BenchResult } from './harness.js';
import '../environments/index.js';
import type { Env } from '../src/env.js';
import { make } from '../src/registry.js';
import { Rng } from '../src/rng.js';
import { PhysicsRolloutModel } from '../src/planning/physics-rollout-model.js';
import { Planner } from '../src/planning/planner.js';
import type { RolloutModel, RolloutResult } from '../src/planning/rollout-model.js';
import { rewardObjective } from '../src/planning/objectives.js';
import { ReferenceMlpModel } from '../src/planning/reference-mlp.js';
import { WorldModel } from '../src/worldmodel/world-model.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OptimizerSpec } from '../src/planning/create-optimizer.js';
import { PeerComparison, probePeer, reportNoPeer, type Peer } from './peers/peer.js';

const { onnx } = pkg;
const THREADS = 2;
const RUNS = Number(process.env.PLANNING_BENCH_RUNS ?? 15);
/** Our runs are split into this many rounds; the peer runs once after each. */
const ROUNDS = Number(process.env.PLANNING_BENCH_ROUNDS ?? 3);
const PER_ROUND = Math.max(1, Math.round(RUNS / ROUNDS));
const probe = probePeer();
if (probe.reason !== undefined) reportNoPeer('planning', probe.reason);

const results: BenchResult[] = [];

// ---- sgemm peak as onnxruntime reaches it -------------------------------------------------------
async function sgemmPeak(): Promise<void> {
  const ort = await import('onnxruntime-node');
  const n = 2048;
  const weights = Rng.fromSeed(1).fillUniform(new Float32Array(n * n), -1, 1);
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'sgemm',
      node: [{ opType: 'MatMul', input: ['a', 'b'], output: ['c'] }],
      initializer: [{ name: 'b', dims: [n, n], dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(weights.buffer) }],
      input: [{ name: 'a', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: n }, { dimValue: n }] } } } }],
      output: [{ name: 'c', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: n }, { dimValue: n }] } } } }],
    },
  });
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), { intraOpNumThreads: THREADS, graphOptimizationLevel: 'all' });
  const a = new ort.Tensor('float32', Rng.fromSeed(2).fillUniform(new Float32Array(n * n), -1, 1), [n, n]);
  const c = new ort.Tensor('float32', new Float32Array(n * n), [n, n]);
  const samples = await interleave({ sgemm: () => session.run({ a }, { c }) }, { warmup: 2, runs: 7 });
  const flops = 2 * n ** 3;
  results.push(
    summarize(
      'planning.sgemm-peak.ort.2048',
      'GFLOP/s',
      samples.sgemm!.map((ms) => flops / ms / 1e6),
      { n, threads: THREADS, note: 'onnxruntime MatMul 2048x2048x2048' },
    ),
  );
  await session.release();
}

// ---- MPPI and CEM on the reference MLP ----------------------------------------------------------
const budgets = [
  { samples: 256, horizon: 12, iterations: 4 },
  { samples: 512, horizon: 12, iterations: 6 },
  { samples: 1024, horizon: 16, iterations: 6 },
];

/** A model to plan on at every budget: what the plans are timed against. */
interface BudgetModel {
  readonly model: RolloutModel & { prepare?(horizon: number): Promise<void> };
  readonly z0: Float32Array;
  readonly actionLow: number[];
  readonly actionHigh: number[];
  /** Model FLOPs per imagined transition (matmuls). */
  readonly flopsPerStep: number;
  readonly threads: number;
  /** The PyTorch peer of this model's MPPI plans, if any. */
  readonly peer?: Peer | undefined;
}

async function referencePlans(): Promise<void> {
  const model = await ReferenceMlpModel.create({ seed: 0, intraOpNumThreads: THREADS, reuseOutputs: true });
  const z0 = Rng.fromSeed(7).fillNormal(new Float32Array(model.stateDim));
  await budgetPlans('ref', { model, z0, actionLow: [-1, -1, -1, -1], actionHigh: [1, 1, 1, 1], flopsPerStep: model.flopsPerStep, threads: THREADS, peer: probe.peer });
  await model.close();
}

/** FLOPs per transition of a bundle's dynamics, reward and terminal MLPs (from its recorded config). */
function bundleFlopsPerStep(wm: WorldModel): number {
  const c = wm.manifest.provenance.config as { dynamicsHidden: number[]; rewardHidden: number[]; terminalHidden: number[]; terminal: boolean };
  const L = wm.latentDim;
  const mlp = (widths: number[], out: number) => [L + wm.actionDim, ...widths, out].reduce((s, w, i, a) => (i === 0 ? 0 : s + 2 * a[i - 1]! * w), 0);
  return mlp(c.dynamicsHidden, L) + mlp(c.rewardHidden, 1) + (c.terminal ? mlp(c.terminalHidden, 1) : 0);
}

/** The shipped PushBox bundle (models/pushbox) at the same budgets, one intra-op thread (its best, see worldmodel.bench.ts). */
async function pushBoxPlans(): Promise<void> {
  const wm = await WorldModel.load(join(dirname(fileURLToPath(import.meta.url)), '..', 'models', 'pushbox'), { intraOpNumThreads: 1, uncertainty: false });
  const env = make('PushBox-v0');
  const { observation } = await env.reset({ seed: 0 });
  await env.close();
  const z0 = await wm.encode(observation as Float32Array);
  await budgetPlans('pushbox', { model: wm, z0, actionLow: [...wm.manifest.actionLow], actionHigh: [...wm.manifest.actionHigh], flopsPerStep: bundleFlopsPerStep(wm), threads: 1 });
  await wm.close();
}

type Budget = (typeof budgets)[number];

/** Samples of `arr` pushed since index `from`, less all but the last `keep` of them (drops a round's warm-up calls). */
function keepLast(arr: number[], from: number, keep: number): void {
  arr.splice(from, Math.max(0, arr.length - from - keep));
}

/**
 * Runs `cases` in rounds of {@link PER_ROUND} interleaved runs (a warm-up before each round: the peer ran
 * in between); after each round the peer, if any, plans the same budget. Returns our samples by case.
 */
async function rounds(
  cases: Record<string, () => Promise<unknown>>,
  splits: Record<string, { rollout: number[]; other: number[] }>,
  tag: string,
  peer: Peer | undefined,
  comparison: PeerComparison,
): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const marks = Object.fromEntries(Object.entries(splits).map(([k, v]) => [k, v.rollout.length]));
    const round = await interleave(cases, { warmup: r === 0 ? 3 : 1, runs: PER_ROUND });
    for (const [k, v] of Object.entries(splits)) {
      keepLast(v.rollout, marks[k]!, PER_ROUND);
      keepLast(v.other, marks[k]!, PER_ROUND);
    }
    appendSamples(samples, round);
    if (peer) comparison.addRound(round.mppi!, peer.run('mppi.py', ['--budgets', tag, '--threads', '1,2', '--warmup', '2', '--runs', String(PER_ROUND)]));
    console.log(`[planning] ${tag} round ${r + 1}/${ROUNDS} done${peer ? ' (with the PyTorch peer)' : ''}`);
  }
  return samples;
}

async function budgetPlans(label: string, m: BudgetModel): Promise<void> {
  for (const b of budgets) await budgetPlan(label, m, b);
}

async function budgetPlan(label: string, m: BudgetModel, b: Budget): Promise<void> {
  const { model, z0 } = m;
  const A = m.actionLow.length;
  const bounds = { actionLow: m.actionLow, actionHigh: m.actionHigh };
  const tag = `${b.samples}x${b.horizon}x${b.iterations}`;
  await model.prepare?.(b.horizon);
  const specs: Record<string, OptimizerSpec> = {
    mppi: { algorithm: 'mppi', samples: b.samples, elites: Math.max(8, b.samples / 8), iterations: b.iterations, seed: 1 },
    cem: { algorithm: 'cem', samples: b.samples, elites: Math.max(8, b.samples / 8), iterations: b.iterations, seed: 1 },
  };
  const planners = Object.fromEntries(
    Object.entries(specs).map(([name, optimizer]) => [name, new Planner(model, { horizon: b.horizon, ...bounds, optimizer, objective: rewardObjective({ discount: 0.99 }) })]),
  );
  const splits: Record<string, { rollout: number[]; other: number[] }> = {};
  const starts = new Float32Array(b.samples * model.stateDim);
  for (let i = 0; i < b.samples; i++) starts.set(z0, i * model.stateDim);
  const actions = Rng.fromSeed(3).fillUniform(new Float32Array(b.samples * b.horizon * A), -1, 1);
  const cases: Record<string, () => Promise<unknown>> = {
    'model-only': async () => {
      for (let i = 0; i < b.iterations; i++) await model.rollout(starts, actions, b.horizon);
    },
  };
  for (const [name, planner] of Object.entries(planners)) {
    const split: { rollout: number[]; other: number[] } = { rollout: [], other: [] };
    splits[name] = split;
    cases[name] = async () => {
      const { timing } = await planner.plan(z0);
      split.rollout.push(timing.rolloutMs);
      split.other.push(timing.totalMs - timing.rolloutMs);
    };
  }
  const comparison = new PeerComparison('ms');
  const samples = await rounds(cases, splits, tag, m.peer, comparison);
  const flops = m.flopsPerStep * b.samples * b.horizon * b.iterations;
  const modelOnly = samples['model-only']!;
  results.push(summarize(`planning.model-only.${label}.${tag}`, 'ms', modelOnly, { ...b, threads: m.threads, gflop: flops / 1e9 }));
  for (const name of Object.keys(planners)) {
    const ms = samples[name]!;
    const params = { ...b, elites: (specs[name] as { elites: number }).elites, threads: m.threads, gflop: flops / 1e9, p95Ms: quantile(ms, 0.95) };
    const base = `planning.${name}.${label}.${tag}`;
    results.push(summarize(base, 'ms', ms, params));
    results.push(
      summarize(
        `${base}.rate`,
        'Hz',
        ms.map((v) => 1000 / v),
        params,
      ),
    );
    const gflops = ms.map((v) => flops / v / 1e6);
    results.push(summarize(`${base}.gflops`, 'GFLOP/s', gflops, params));
    results.push(
      summarize(
        `${base}.vs-model-only`,
        'x',
        ms.map((v, i) => v / modelOnly[i]!),
        params,
      ),
    );
    // Where the time went, as the planner measures it (timed runs only, not the warm-ups).
    results.push(summarize(`${base}.rollout-ms`, 'ms', splits[name]!.rollout, params));
    results.push(
      summarize(`${base}.overhead-ms`, 'ms', splits[name]!.other, {
        ...params,
        note: 'sampling, selection, weighting, scoring, bookkeeping: plan time minus model.rollout time',
      }),
    );
    const vsPeer = name === 'mppi' ? comparison.result(`${base}.vs-pytorch`, { ...params, peer: 'bench/peers/mppi.py', peerThreads: [1, 2] }) : undefined;
    if (vsPeer) results.push(vsPeer);
  }
}

// ---- the planner without a model: its own cost, isolated ------------------------------------------
/** Returns fixed buffers instantly, so a plan's time is the planner's own work. */
class NullModel implements RolloutModel {
  readonly stateDim = 64;
  readonly actionDim = 4;
  private readonly cache = new Map<number, RolloutResult>();
  async rollout(states: Float32Array, _actions: Float32Array, horizon: number): Promise<RolloutResult> {
    const n = states.length / this.stateDim;
    let out = this.cache.get(n);
    if (out === undefined) {
      out = { states: new Float32Array(n * horizon * this.stateDim), rewards: Rng.fromSeed(n).fillNormal(new Float32Array(n * horizon)) };
      this.cache.set(n, out);
    }
    return out;
  }
}

async function plannerOverhead(): Promise<void> {
  const model = new NullModel();
  const z0 = new Float32Array(64);
  const b = { samples: 512, horizon: 12, iterations: 6 };
  const specs: Record<string, OptimizerSpec> = {
    mppi: { algorithm: 'mppi', samples: b.samples, elites: 64, iterations: b.iterations },
    cem: { algorithm: 'cem', samples: b.samples, elites: 64, iterations: b.iterations },
    icem: { algorithm: 'icem', samples: b.samples, iterations: b.iterations },
  };
  const cases = Object.fromEntries(
    Object.entries(specs).map(([name, optimizer]) => {
      const planner = new Planner(model, { horizon: b.horizon, actionLow: [-1, -1, -1, -1], actionHigh: [1, 1, 1, 1], optimizer, objective: rewardObjective({ discount: 0.99 }) });
      return [name, () => planner.plan(z0)];
    }),
  );
  const samples = await interleave(cases, { warmup: 20, runs: 30 });
  for (const name of Object.keys(specs)) {
    results.push(
      summarize(`planning.${name}.null-model.512x12x6`, 'ms', samples[name]!, {
        ...b,
        note: 'a model that returns instantly: the planner’s own time per plan (sampling, selection, weighting, scoring)',
      }),
    );
  }
}

// ---- the Rapier oracle on PushBox-v0 ------------------------------------------------------------
async function oracleRate(): Promise<void> {
  const id = 'PushBox-v0';
  const oracle = await PhysicsRolloutModel.create({ factory: () => make(id) });
  const env = make(id) as Env & { getState(): unknown };
  const { observation } = await env.reset({ seed: 1 });
  oracle.setStart(env.getState(), observation);
  const b = 64;
  const h = 12;
  const starts = new Float32Array(b * oracle.stateDim);
  for (let i = 0; i < b; i++) starts.set(observation, i * oracle.stateDim);
  const actions = Rng.fromSeed(5).fillUniform(new Float32Array(b * h * oracle.actionDim), -1, 1);
  const samples = await interleave({ oracle: () => oracle.rollout(starts, actions, h) }, { warmup: 3, runs: 7 });
  const params = { env: id, candidates: b, horizon: h, note: 'one restore per candidate + H steps; steps after an early episode end are not simulated' };
  results.push(
    summarize(
      'planning.oracle.pushbox.candidate-steps',
      'steps/s',
      samples.oracle!.map((ms) => (b * h) / (ms / 1000)),
      params,
    ),
  );
  results.push(summarize('planning.oracle.pushbox.64x12', 'ms', samples.oracle!, params));
  await Promise.all([oracle.close(), env.close()]);
}

await sgemmPeak();
await plannerOverhead();
await referencePlans();
await pushBoxPlans();
await oracleRate();
const peak = results.find((r) => r.name === 'planning.sgemm-peak.ort.2048')!.median;
const plan = results.find((r) => r.name === 'planning.mppi.ref.512x12x6.gflops')!.median;
results.push({
  name: 'planning.mppi.ref.512x12x6.share-of-peak',
  unit: '%',
  median: (100 * plan) / peak,
  min: (100 * plan) / peak,
  max: (100 * plan) / peak,
  runs: 1,
  params: { planGflops: plan, peakGflops: peak },
});
await writeResults('planning', results);
