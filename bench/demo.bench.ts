/**
 * The main job's numbers → bench/results/demo.json: the shipped world models planned with MPC in latent
 * space on 20 seeded Rapier episodes (seeds 0–19), with the oracle (the same optimiser on
 * `PhysicsRolloutModel`, at the demo's oracle budget), the scripted baseline and random actions on the
 * same seeds; plan latency and control rate; the models' drift and PPS against Rapier. It runs
 * `runDemo` (what `npm run demo` runs) with 20 episodes per contender.
 *
 * - Warehouse-v0 (tiny) on models/warehouse-tiny: the acceptance is a learned-MPC delivery rate ≥ 80%.
 * - PushBox-v0 on models/pushbox at its default budget (its demo task's learned planner): ≥ 20 Hz planning
 *   and the success rate beside the oracle's and the scripted controller's.
 *
 * Success rates are single measurements over the 20 seeds (min/max: the Wilson 95% interval). Takes
 * several minutes: the oracle plans with Rapier rollouts. `DEMO_BENCH_EPISODES` and
 * `DEMO_BENCH_ORACLE_EPISODES` shrink it for a check run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeResults, type BenchResult } from './harness.js';
import '../environments/index.js';
import { plannerLabel, runDemo, type DemoResult } from '../workflows/demo/run-demo.js';
import { demoTask } from '../workflows/demo/demo-tasks.js';

const EPISODES = Number(process.env.DEMO_BENCH_EPISODES ?? 20);
const ORACLE_EPISODES = Number(process.env.DEMO_BENCH_ORACLE_EPISODES ?? EPISODES);
const results: BenchResult[] = [];

function record(key: string, r: DemoResult): void {
  const task = demoTask(r.envId);
  for (const row of r.rows) {
    const s = row.summary;
    const wins = row.episodes.filter((e) => e.success).length;
    const params: Record<string, unknown> = {
      episodes: s.episodes,
      successes: wins,
      seeds: row.episodes.map((e) => e.seed),
      failedSeeds: row.episodes.filter((e) => !e.success).map((e) => e.seed),
      meanReturn: s.return.mean,
      meanSteps: s.length.mean,
      ...(row.deliveries !== undefined && { deliveries: row.deliveries }),
      ...(row.settings !== undefined && { planner: row.settings }),
      ...(row.kind === 'learned-mpc' && { model: `models/${task.bundle}` }),
    };
    results.push({
      name: `demo.${key}.${row.kind}.success`,
      unit: '%',
      median: 100 * s.successRate.mean,
      min: 100 * s.successRate.low,
      max: 100 * s.successRate.high,
      runs: s.episodes,
      params,
    });
    if (row.planMs && row.planMs.count > 0) {
      const p = row.planMs;
      results.push({ name: `demo.${key}.${row.kind}.plan`, unit: 'ms', median: p.p50, min: p.min, max: p.max, runs: p.count, params: { p95: p.p95, planner: row.settings } });
      results.push({
        name: `demo.${key}.${row.kind}.rate`,
        unit: 'Hz',
        median: 1000 / p.p50,
        min: 1000 / p.max,
        max: 1000 / p.min,
        runs: p.count,
        params: { from: 'median plan latency', planner: row.settings },
      });
    }
  }
  const d = r.check.drift;
  const one = (name: string, unit: BenchResult['unit'], v: number | null, params: Record<string, unknown>) => {
    if (v !== null) results.push({ name: `demo.${key}.${name}`, unit, median: v, min: v, max: v, runs: 1, params });
  };
  one('drift.h1', 'x', d.first, { meaning: 'mean normalised observation error (σ of the training data) at h = 1', source: d.source });
  one(`drift.h${d.horizon}`, 'x', d.last, {
    meaning: `mean normalised observation error at h = ${d.horizon}`,
    source: d.source,
    validHorizon: d.validHorizon,
    threshold: d.threshold,
  });
  one('pps', 'x', r.check.pps, { meaning: 'Physical Plausibility Score, 0…1' });
  one('controllability', 'x', r.check.controllability, {});
  one('counterfactual', 'x', r.check.counterfactual, {});
  one('wall', 's', r.durationMs / 1000, { meaning: 'the whole runDemo call: every contender and the validation', episodes: EPISODES, oracleEpisodes: ORACLE_EPISODES });
}

const out = mkdtempSync(join(tmpdir(), 'demo-bench-'));
try {
  for (const [key, envId] of [
    ['warehouse-tiny', 'Warehouse-v0'],
    ['pushbox', 'PushBox-v0'],
  ] as const) {
    console.log(
      `${envId}: ${EPISODES} episodes per contender (oracle ${ORACLE_EPISODES}), learned ${plannerLabel(demoTask(envId).learned)}, oracle ${plannerLabel(demoTask(envId).oracle)}`,
    );
    const r = await runDemo({
      envId,
      episodes: EPISODES,
      oracleEpisodes: ORACLE_EPISODES,
      out: join(out, key),
      onEvent: (e) =>
        e.kind === 'episode' &&
        console.log(`  ${e.stage} ${e.episode + 1}/${e.episodes}: seed ${e.result.seed} ${e.result.success ? 'success' : 'fail'} (${e.result.length} steps)`),
    });
    record(key, r);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
await writeResults('demo', results);
