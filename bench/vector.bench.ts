/**
 * Vector-env overhead: steps/s of a plain env, SyncVectorEnv and WorkerVectorEnv (n = 2, 8, 32) on
 * LineWorld-v0 (pure TypeScript: pure overhead) and PushBox-v0 (Rapier: a real step cost), plus each
 * vector env's throughput over the plain env's as a ratio (unit "x"), from interleaved runs.
 *
 * `npm run bench -- --only vector` → bench/results/vector.json
 */
import { listEnvs, make, makeVec } from '../src/registry.js';
import { Rng } from '../src/rng.js';
import type { VectorEnv } from '../src/vector/types.js';
import { WorkerVectorEnv } from '../src/vector/worker-vector-env.js';
import type { Space } from '../src/spaces.js';
import type { Env } from '../src/env.js';
import '../environments/index.js';
import { interleave, ratios, summarize, writeResults, type BenchResult } from './harness.js';

const SIZES = [2, 8, 32] as const;
const POOL = 1024; // pre-sampled action rows, cycled, so sampling is not timed

/**
 * Env steps per timed run, ~20–200 ms per case on an idle core. Worker runs of LineWorld are short
 * because each vector step there is one message round trip per worker and almost no work.
 */
const WORKLOAD: Record<string, { plain: number; sync: number; worker: number }> = {
  'LineWorld-v0': { plain: 40_000, sync: 40_000, worker: 2_048 },
  'PushBox-v0': { plain: 1_024, sync: 1_024, worker: 1_024 },
};

function actionPool(space: Space<unknown>, rows: number): Float32Array {
  const rng = Rng.fromSeed(0);
  const out = new Float32Array(rows * space.flatDim);
  for (let i = 0; i < rows; i++) space.flatten(space.sample(rng), out, i * space.flatDim);
  return out;
}

async function benchEnv(id: string): Promise<BenchResult[]> {
  const work = WORKLOAD[id]!;
  const plain = make(id) as Env<Float32Array, Float32Array>;
  const dim = plain.actionSpace.flatDim;
  const plainActions = actionPool(plain.actionSpace as Space<unknown>, POOL);
  await plain.reset({ seed: 0 });
  let k = 0;
  const runPlain = async () => {
    for (let s = 0; s < work.plain; s++) {
      const r = await plain.step(plainActions.subarray((k % POOL) * dim, ((k % POOL) + 1) * dim));
      k++;
      if (r.terminated || r.truncated) await plain.reset();
    }
  };

  const vectors: { name: string; mode: 'sync' | 'worker'; n: number; env: VectorEnv; steps: number }[] = [];
  for (const mode of ['sync', 'worker'] as const) {
    for (const n of SIZES) {
      const env = await makeVec(id, n, mode, { copy: false });
      await env.reset({ seed: 0 });
      vectors.push({ name: `${mode}.n${n}`, mode, n, env, steps: Math.max(1, Math.round(work[mode] / n)) });
    }
  }
  const cases: Record<string, () => Promise<void>> = { plain: runPlain };
  for (const v of vectors) {
    const rows = Math.floor(POOL / v.n);
    const pool = actionPool(v.env.singleActionSpace as Space<unknown>, rows * v.n);
    let j = 0;
    cases[v.name] = async () => {
      for (let s = 0; s < v.steps; s++) {
        const r = j++ % rows;
        await v.env.step(pool.subarray(r * v.n * dim, (r + 1) * v.n * dim));
      }
    };
  }

  console.log(`${id}: ${Object.keys(cases).length} cases, interleaved`);
  const samples = await interleave(cases, { warmup: 2, runs: 5 });
  const stepsPerSecond = (ms: number[], envSteps: number) => ms.map((t) => envSteps / (t / 1000));
  const plainRate = stepsPerSecond(samples.plain!, work.plain);
  const results: BenchResult[] = [summarize(`vector.${id}.plain`, 'steps/s', plainRate, { env: id, stepsPerRun: work.plain })];
  for (const v of vectors) {
    const rate = stepsPerSecond(samples[v.name]!, v.steps * v.n);
    const params = { env: id, mode: v.mode, n: v.n, stepsPerRun: v.steps * v.n, ...(v.env instanceof WorkerVectorEnv && { workers: v.env.numWorkers }) };
    results.push(summarize(`vector.${id}.${v.name}`, 'steps/s', rate, params));
    results.push(summarize(`vector.${id}.${v.name}.vs-plain`, 'x', ratios(rate, plainRate), params));
  }
  await plain.close();
  for (const v of vectors) await v.env.close();
  return results;
}

const ids = ['LineWorld-v0', 'PushBox-v0'].filter((id) => listEnvs().includes(id));
const results: BenchResult[] = [];
for (const id of ids) results.push(...(await benchEnv(id)));
await writeResults('vector', results);
