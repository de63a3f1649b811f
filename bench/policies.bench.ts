/**
 * Policy-learning benchmark → `bench/results/policies.json` (issue 15's acceptance measurements).
 *
 * - `bc`: scripted datasets are collected here (never committed) — Reach-v0 200 episodes; PushBox-v0 200
 *   clean + 400 with action noise 0.1 (DART-style: the noise visits recovery states, the regression target
 *   is still the scripted mean) — then `trainBehaviorCloning` and the success rate over held-out seeds
 *   100–119 in Rapier.
 * - `ppo`: `trainPpo` on Reach-v0 and CartPole-v0 with a 5-minute budget each (stops earlier once the
 *   training episodes reach the target), then held-out success; env steps/s of the whole loop and the
 *   shares of wall time in the environments (Rapier, in worker threads), policy inference and updates.
 * - `prior`: PushBox-v0 MPC with the shipped world model (its certified iCEM settings, 128 samples) against the
 *   same planner with 16 samples plus 16 proposals of the BC policy per plan: held-out success, and plan time
 *   and control rate interleaved on the same states.
 * - `imagination`: a PushBox-v0 policy trained only in the shipped world model (starts: latents of the clean
 *   scripted dataset's real observations; no Rapier step while it trains), 3,000 steps or 10 minutes; its
 *   success in Rapier on seeds 100–119 and in imagination (`WorldModelEnv` prompted with the same seeds' first
 *   observations, success = the model's terminal head) → the imagined/real gap.
 * - `speed`: an exported policy's actions/s at batch 1 (`OnnxPolicy.act`).
 *
 * `POLICIES_BENCH_PARTS=bc,ppo,prior,imagination,speed` picks parts (default all); without `bc`,
 * `POLICIES_BENCH_POLICY` (the PushBox BC bundle) and `POLICIES_BENCH_PUSHBOX_DATA` (a scripted PushBox dataset) stand in; results of parts not run are kept
 * from the previous file. The machine may be shared: every entry records it in `params.note`.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../environments/index.js';
import { loadPolicyBundle } from '../agents/policy-bundle.js';
import { trainBehaviorCloning } from '../workflows/bc.js';
import { collectDataset } from '../workflows/collect.js';
import { evaluatePolicy } from '../workflows/evaluate-policy.js';
import { planEpisodes } from '../workflows/plan.js';
import { evaluateInImagination, trainInImagination } from '../workflows/imagine.js';
import { trainPpo } from '../workflows/rl.js';
import { createPlanSource } from '../agents/plan-factory.js';
import { make } from '../src/registry.js';
import { WorldModel } from '../src/worldmodel/world-model.js';
import { ratios, summarize, writeResults, type BenchResult } from './harness.js';

const NOTE = process.env.POLICIES_BENCH_NOTE ?? 'machine shared with other jobs while measured (2 cores, nice 10)';
const parts = new Set((process.env.POLICIES_BENCH_PARTS ?? 'bc,ppo,prior,imagination,speed').split(','));
let pushBoxData = process.env.POLICIES_BENCH_PUSHBOX_DATA ?? '';
const HELD_OUT = Array.from({ length: 20 }, (_v, i) => 100 + i);
const tmp = mkdtempSync(join(tmpdir(), 'policies-bench-'));
const results: BenchResult[] = [];
const one = (name: string, unit: BenchResult['unit'], value: number, params: Record<string, unknown> = {}) =>
  results.push(summarize(name, unit, [value], { ...params, note: NOTE }));

/** Behaviour cloning of the scripted datasets; returns the PushBox bundle (the prior's policy). */
async function bc(): Promise<string> {
  const sets = [
    { env: 'Reach-v0', data: [{ episodes: 200, noise: 0, seed: 1 }], steps: 2000, network: {} },
    {
      env: 'PushBox-v0',
      data: [
        { episodes: 200, noise: 0, seed: 1 },
        { episodes: 400, noise: 0.1, seed: 2 },
      ],
      steps: 10_000,
      network: { hidden: [256, 256, 256] },
    },
  ];
  let pushBox = '';
  for (const s of sets) {
    const dirs: string[] = [];
    for (const d of s.data) {
      const out = join(tmp, `${s.env}-${d.seed}`);
      await collectDataset({ env: s.env, policy: 'scripted', episodes: d.episodes, noise: d.noise, seed: d.seed, out, workers: 2 });
      dirs.push(out);
      if (s.env === 'PushBox-v0' && d.noise === 0) pushBoxData = out;
    }
    const t0 = performance.now();
    const r = await trainBehaviorCloning({ data: dirs, out: join(tmp, `${s.env}-bc`), steps: s.steps, network: s.network });
    const trainS = (performance.now() - t0) / 1000;
    const e = await evaluatePolicy({ policy: r.bundle!, seeds: HELD_OUT });
    const params = { datasets: s.data, steps: s.steps, network: r.manifest!.network, finalLoss: r.finalLosses.loss, seeds: '100-119' };
    one(`bc.${s.env}.success`, '%', 100 * e.summary.successRate, params);
    one(`bc.${s.env}.train`, 's', trainS, params);
    console.log(`bc ${s.env}: ${(100 * e.summary.successRate).toFixed(0)}% in ${trainS.toFixed(0)} s`);
    if (s.env === 'PushBox-v0') pushBox = r.bundle!;
  }
  return pushBox;
}

async function ppo(): Promise<void> {
  const runs = [
    { env: 'Reach-v0', targetSuccess: 0.99, targetWindow: 200 },
    { env: 'CartPole-v0', targetSuccess: 0.95, targetWindow: 50 },
  ];
  for (const run of runs) {
    const r = await trainPpo({ ...run, out: join(tmp, `${run.env}-ppo`), maxSeconds: 300, totalSteps: 10_000_000, ppo: { seed: 0 } });
    const e = await evaluatePolicy({ policy: r.bundle!, seeds: HELD_OUT });
    const params = { stop: r.reason, envSteps: r.envSteps, iterations: r.iterations, settings: r.manifest!.provenance.settings, seeds: '100-119', budget: '300 s' };
    one(`ppo.${run.env}.success`, '%', 100 * e.summary.successRate, params);
    one(`ppo.${run.env}.wall`, 's', r.seconds, params);
    one(`ppo.${run.env}.env-steps-per-s`, 'steps/s', r.stepsPerSecond, params);
    one(`ppo.${run.env}.share.rapier`, '%', 100 * r.share.env, params);
    one(`ppo.${run.env}.share.inference`, '%', 100 * r.share.inference, params);
    one(`ppo.${run.env}.share.update`, '%', 100 * r.share.update, params);
    console.log(`ppo ${run.env}: ${(100 * e.summary.successRate).toFixed(0)}% after ${r.envSteps} steps, ${r.seconds.toFixed(0)} s (${r.reason})`);
  }
}

async function prior(policy: string): Promise<void> {
  const model = join(dirname(fileURLToPath(import.meta.url)), '..', 'models', 'pushbox');
  const base = { env: 'PushBox-v0', model, episodes: 20, seed: 100 };
  // ⅛ of the certified 128 samples; 16 policy proposals per plan.
  const samples = 16;
  const trajectories = 16;
  // Held-out closed loop: success (plan times here are one run each; the interleaved timing below is the fair one).
  const plain = await planEpisodes(base);
  const withPrior = await planEpisodes({ ...base, samples, prior: policy, priorTrajectories: trajectories });
  const settings = { plain: { samples: 'certified (icem 128 × 3, H 25)', prior: 'none' }, prior: { samples, prior: `PushBox-v0 BC policy, ${trajectories} trajectories` } };
  for (const [name, r] of [
    ['plain', plain],
    ['prior', withPrior],
  ] as const) {
    one(`prior.PushBox-v0.${name}.success`, '%', 100 * r.summary.successRate, { ...settings[name], seeds: '100-119', planP50Ms: r.planMs.p50, planP95Ms: r.planMs.p95 });
  }
  // Plan time, interleaved on the same start latents (the first observations of seeds 100–109).
  const sources = {
    plain: await createPlanSource({ envId: 'PushBox-v0', model }),
    prior: await createPlanSource({ envId: 'PushBox-v0', model, samples, prior: policy, priorTrajectories: trajectories }),
  };
  const wm = await WorldModel.load(model);
  const ms: Record<'plain' | 'prior', number[]> = { plain: [], prior: [] };
  try {
    for (let seed = 100; seed < 110; seed++) {
      const env = make<Float32Array, Float32Array>('PushBox-v0');
      const z = await wm.encode((await env.reset({ seed })).observation);
      await env.close();
      for (const k of ['plain', 'prior'] as const) sources[k].planner.reset();
      for (let i = 0; i < 12; i++) {
        for (const k of ['plain', 'prior'] as const) {
          const r = await sources[k].planner.plan(z);
          if (i >= 2) ms[k].push(r.timing.totalMs);
        }
      }
    }
  } finally {
    await sources.plain.close();
    await sources.prior.close();
    await wm.close();
  }
  for (const k of ['plain', 'prior'] as const) {
    results.push(summarize(`prior.PushBox-v0.${k}.plan`, 'ms', ms[k], { ...settings[k], note: NOTE }));
    results.push(
      summarize(
        `prior.PushBox-v0.${k}.control-rate`,
        'Hz',
        ms[k].map((x) => 1000 / x),
        { ...settings[k], formula: '1000 / plan ms (replan every step)', note: NOTE },
      ),
    );
  }
  results.push(
    summarize('prior.PushBox-v0.control-rate-ratio', 'x', ratios(ms.plain, ms.prior), { formula: 'plain plan ms / prior plan ms, interleaved on the same states', note: NOTE }),
  );
}

async function imagination(): Promise<void> {
  const model = join(dirname(fileURLToPath(import.meta.url)), '..', 'models', 'pushbox');
  if (pushBoxData === '') throw new Error('the imagination part needs a scripted PushBox dataset: run part bc too, or set POLICIES_BENCH_PUSHBOX_DATA=<dataset dir>');
  const t0 = performance.now();
  const r = await trainInImagination({ model, data: pushBoxData, out: join(tmp, 'PushBox-v0-imagination'), steps: 3000, maxSeconds: 600, seed: 0 });
  const wall = (performance.now() - t0) / 1000;
  const real = await evaluatePolicy({ policy: r.bundle!, seeds: HELD_OUT });
  const dream = await evaluateInImagination({ policy: r.bundle!, model, seeds: HELD_OUT, maxSteps: 200 });
  const params = { steps: r.steps, starts: r.starts, settings: r.manifest!.provenance.settings, envStepsWhileTraining: 0, seeds: '100-119' };
  one('imagination.PushBox-v0.success.real', '%', 100 * real.summary.successRate, params);
  one('imagination.PushBox-v0.success.imagined', '%', 100 * dream.imaginedSuccess, { ...params, imagined: 'WorldModelEnv, terminal head > 0.5 within 200 steps' });
  one('imagination.PushBox-v0.success.gap', '%', 100 * (dream.imaginedSuccess - real.summary.successRate), { formula: 'imagined − real success, percentage points' });
  one('imagination.PushBox-v0.train', 's', wall, params);
  console.log(
    `imagination PushBox-v0: real ${(100 * real.summary.successRate).toFixed(0)}%, imagined ${(100 * dream.imaginedSuccess).toFixed(0)}% after ${r.steps} steps, ${wall.toFixed(0)} s`,
  );
}

async function speed(policy: string): Promise<void> {
  const { policy: p } = await loadPolicyBundle(policy);
  try {
    const obs = new Float32Array(p.obsDim).fill(0.1);
    for (let i = 0; i < 2000; i++) await p.act(obs);
    const rates: number[] = [];
    for (let r = 0; r < 5; r++) {
      const n = 5000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await p.act(obs);
      rates.push((n * 1000) / (performance.now() - t0));
    }
    results.push(summarize('policy.actions-per-s.batch1', 'items/s', rates, { policy: 'PushBox-v0 BC (256×3 ReLU)', note: NOTE }));
  } finally {
    await p.close();
  }
}

const previous = join(dirname(fileURLToPath(import.meta.url)), 'results', 'policies.json');
let pushBoxPolicy = process.env.POLICIES_BENCH_POLICY ?? '';
if (parts.has('bc')) pushBoxPolicy = await bc();
if (parts.has('ppo')) await ppo();
if ((parts.has('prior') || parts.has('speed')) && pushBoxPolicy === '') {
  throw new Error('the prior and speed parts need the PushBox BC policy: run part bc too, or set POLICIES_BENCH_POLICY=<bundle dir>');
}
if (parts.has('prior')) await prior(pushBoxPolicy);
if (parts.has('imagination')) await imagination();
if (parts.has('speed')) await speed(pushBoxPolicy);
if (existsSync(previous)) {
  const kept = (JSON.parse(readFileSync(previous, 'utf8')) as { results: BenchResult[] }).results.filter((r) => !results.some((x) => x.name === r.name));
  results.unshift(...kept);
}
await writeResults('policies', results);
