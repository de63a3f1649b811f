/**
 * Agents benchmark → `bench/results/agents.json`.
 *
 * 1. Oracle MPC (planning with Rapier through `PhysicsRolloutModel`) on Reach-v0, CartPole-v0 and
 *    PushBox-v0: success rate over 20 seeded episodes each (seeds 0…19), with the environment presets
 *    of `agents/plan-factory.ts`; return (mean ± 95% CI) and plan times in the params. The episodes are
 *    split between two `PlanWorker`s so both cores plan (each worker owns its oracle and planner).
 * 2. Real-time control: a `controlLoop` at 20 Hz whose MPC agent plans with the reference MLP
 *    (latent 64, action 4, MPPI 512 × 12 × 6) in a worker versus on the main thread; event-loop lag
 *    (p50/p99/max of `monitorEventLoopDelay`), late actions and plan times. Runs interleaved.
 *
 * `AGENTS_BENCH_EPISODES` overrides the episode count (default 20). When imported by a worker, this
 * module only exports the plan-source factory of part 2.
 */
import { isMainThread } from 'node:worker_threads';
import { lastValueFrom, map, toArray } from 'rxjs';
import { controlLoop, type ControlLoopStats } from '../agents/control-loop.js';
import { percentile, summarizeEpisodes, type EpisodeResult } from '../agents/episode-stats.js';
import { localPlanSource } from '../agents/local-plan-source.js';
import { mpcAgent, type MpcTelemetry } from '../agents/mpc-agent.js';
import { PLAN_FACTORY_MODULE, type PlanSpec } from '../agents/plan-factory.js';
import { planPresetFor } from '../environments/cards.js';
import type { PlanSource } from '../agents/plan-source.js';
import type { Agent } from '../agents/types.js';
import { PlanWorker } from '../agents/plan-worker.js';
import { runEpisodes } from '../agents/run-episodes.js';
import '../environments/index.js';
import { Planner, ReferenceMlpModel, rewardObjective } from '../src/planning/index.js';
import { make } from '../src/registry.js';
import { Rng } from '../src/rng.js';
import { median, summarize, writeResults, type BenchResult } from './harness.js';

/** Plan-source factory for part 2 (imported by the PlanWorker): MPPI over the reference MLP from a fixed latent. */
export async function createLagPlanSource(options: { samples: number; horizon: number; iterations: number }): Promise<PlanSource & { close(): Promise<void> }> {
  const model = await ReferenceMlpModel.create({ seed: 1 });
  const planner = new Planner(model, {
    horizon: options.horizon,
    actionLow: [-1, -1, -1, -1],
    actionHigh: [1, 1, 1, 1],
    optimizer: { algorithm: 'mppi', samples: options.samples, iterations: options.iterations, elites: 64 },
    objective: rewardObjective(),
  });
  const rng = Rng.fromSeed(7);
  const latent = Float32Array.from({ length: model.stateDim }, () => rng.normal());
  // The environment (LineWorld) only provides the clock and the percepts; the planning work is the
  // reference MLP's, from the same start latent every time.
  return Object.assign(localPlanSource({ planner, start: () => latent }), { close: () => model.close() });
}

const ORACLE_ENVS = ['Reach-v0', 'CartPole-v0', 'PushBox-v0'] as const;

async function oracleSuccess(envId: string, seeds: number[]): Promise<BenchResult[]> {
  const preset = planPresetFor(envId);
  const halves = [seeds.filter((_, i) => i % 2 === 0), seeds.filter((_, i) => i % 2 === 1)].filter((h) => h.length > 0);
  const spec: PlanSpec = { envId, oracle: true };
  const telemetry: MpcTelemetry[] = [];
  const t0 = performance.now();
  const results = (
    await Promise.all(
      halves.map(async (half) => {
        await using worker = await PlanWorker.start({ module: PLAN_FACTORY_MODULE, options: spec, sendState: true });
        const agent = mpcAgent({ source: worker, replanEvery: preset.replanEvery });
        agent.telemetry$.subscribe((e) => telemetry.push(e));
        // `return await`: a bare `return` would dispose the worker before the episodes run.
        return await lastValueFrom(runEpisodes(() => make(envId), agent, { seeds: half }).pipe(toArray()));
      }),
    )
  ).flat();
  const wallS = (performance.now() - t0) / 1000;
  const summary = summarizeEpisodes(results);
  const planMs = telemetry.filter((e) => e.kind === 'plan').map((e) => (e as Extract<MpcTelemetry, { kind: 'plan' }>).ms);
  const key = envId.replace(/-v\d+$/, '').toLowerCase();
  const params = {
    env: envId,
    episodes: results.length,
    successes: results.filter((r: EpisodeResult) => r.success).length,
    returnMean: summary.return.mean,
    returnCI95: summary.return.ci95,
    lengthMean: summary.length.mean,
    planner: preset,
    workers: halves.length,
    wallSeconds: wallS,
    failedSeeds: results.filter((r) => !r.success).map((r) => r.seed),
  };
  console.log(
    `${envId}: success ${params.successes}/${params.episodes}, return ${summary.return.mean.toFixed(2)} ± ${summary.return.ci95.toFixed(2)}, plan p50 ${percentile(planMs, 0.5).toFixed(1)} ms, ${wallS.toFixed(0)} s`,
  );
  const rate = (100 * params.successes) / params.episodes;
  return [
    { name: `agents.oracle.${key}.success`, unit: '%', median: rate, min: rate, max: rate, runs: results.length, params },
    { ...summarize(`agents.oracle.${key}.plan`, 'ms', planMs, { env: envId, p95: percentile(planMs, 0.95), note: 'per plan in a PlanWorker, two workers planning at once' }) },
  ];
}

interface LagRun {
  stats: ControlLoopStats;
  planMs: number[];
}

async function lagRun(source: PlanSource, steps: number, dtMs: number): Promise<LagRun> {
  const mpc = mpcAgent({ source, deadlineMs: dtMs * 0.8 });
  const planMs: number[] = [];
  const sub = mpc.telemetry$.subscribe((e) => e.kind === 'plan' && planMs.push(e.ms));
  // The reference MLP plans 4-D actions; LineWorld takes the first one.
  const agent: Agent = (percepts) =>
    percepts.pipe(
      mpc,
      map((a) => Float32Array.of(a[0]!)),
    );
  // A goal tolerance nothing reaches: the episode lasts exactly `steps` steps.
  const env = () => make('LineWorld-v0', { goalTolerance: 1e-9 }, { maxEpisodeSteps: false });
  const out = await lastValueFrom(controlLoop(env, agent, { dt: dtMs, seed: 1, maxSteps: steps }).pipe(toArray()));
  sub.unsubscribe();
  return { stats: out.at(-1)!.stats, planMs };
}

async function controlLoopLag(): Promise<BenchResult[]> {
  const budget = { samples: 512, horizon: 12, iterations: 6 };
  const dtMs = 50;
  const steps = 60;
  const rounds = 3;
  const worker = await PlanWorker.start({ module: import.meta.url, exportName: 'createLagPlanSource', options: budget });
  const local = await createLagPlanSource(budget);
  const runs: { worker: LagRun[]; main: LagRun[] } = { worker: [], main: [] };
  try {
    await lagRun(worker, 10, dtMs); // warm-up: sessions, JIT
    await lagRun(local, 10, dtMs);
    for (let r = 0; r < rounds; r++) {
      runs.worker.push(await lagRun(worker, steps, dtMs));
      runs.main.push(await lagRun(local, steps, dtMs));
    }
  } finally {
    await worker.close();
    await local.close();
  }
  const params = (where: string, list: LagRun[]) => ({
    plannedIn: where,
    dtMs,
    steps,
    budget,
    planMsMedian: median(list.flatMap((l) => l.planMs)),
    lateActions: list.map((l) => l.stats.lateActions),
    overruns: list.map((l) => l.stats.overruns),
  });
  const results: BenchResult[] = [];
  for (const where of ['worker', 'main'] as const) {
    const list = runs[where];
    results.push(
      summarize(
        `agents.controlLoop.lag.p99.${where}`,
        'ms',
        list.map((l) => l.stats.lag.p99),
        params(where, list),
      ),
    );
    results.push(
      summarize(
        `agents.controlLoop.lag.max.${where}`,
        'ms',
        list.map((l) => l.stats.lag.max),
        params(where, list),
      ),
    );
    results.push(
      summarize(
        `agents.controlLoop.late.${where}`,
        '%',
        list.map((l) => (100 * l.stats.lateActions) / l.stats.steps),
        params(where, list),
      ),
    );
  }
  results.push(
    summarize(
      'agents.controlLoop.lag.p99.main_over_worker',
      'x',
      runs.main.map((m, i) => m.stats.lag.p99 / Math.max(runs.worker[i]!.stats.lag.p99, 1e-3)),
      { note: 'event-loop lag p99 with the planner on the main thread ÷ in a worker, per interleaved round' },
    ),
  );
  return results;
}

async function main(): Promise<void> {
  const episodes = Number(process.env.AGENTS_BENCH_EPISODES ?? 20);
  const seeds = Array.from({ length: episodes }, (_, i) => i);
  const results: BenchResult[] = [];
  results.push(...(await controlLoopLag()));
  if (episodes > 0) for (const envId of ORACLE_ENVS) results.push(...(await oracleSuccess(envId, seeds)));
  await writeResults('agents', results);
}

if (isMainThread) await main();
