/**
 * `embodied learn` benchmark → `bench/results/learn.json` (issue 12's acceptance measurements).
 *
 * For each environment and chain seed:
 *
 * 1. `learn({ env, budget, seed })` from nothing: wall time (collection included), rounds, stop reason.
 * 2. Held-out closed loop: the published model plans (with the planner `learn` certified it with) on
 *    seeds 100–119, which no collection or validation of `learn` uses → success rate (warehouse: mean
 *    deliveries per package), plan-time p50/p95 and the control rate it sustains (`1000 · replanEvery /
 *    p95 plan ms`, Hz).
 * 3. A full (not quick) validation of the published model, without the oracle contender → PPS, each
 *    plausibility check, controllability, counterfactual, valid horizon.
 *
 * Once per environment: the Rapier oracle MPC with the same planner budget on the same seeds, and the
 * learned rate as a share of it (set `LEARN_BENCH_ORACLE=0` to skip: the oracle's Rapier rollouts at a
 * learned model's budget are slow — CartPole's 128 × 30 × 3 over 20 × 500 steps is ~38 M Rapier steps,
 * about half an hour on one core; docs/performance.md "agents" has the oracle at its own preset).
 *
 * `LEARN_BENCH_REUSE=<dir>` evaluates the learn runs kept in `<dir>` (by `LEARN_BENCH_KEEP=1`) again
 * instead of learning anew (their wall times are the ones they recorded).
 * `LEARN_BENCH_ENVS=PushBox-v0:10m,Reach-v0:3m` picks environments and budgets (default: Reach-v0 3m,
 * CartPole-v0 3m, PushBox-v0 10m, Warehouse-v0 10m); `LEARN_BENCH_SEEDS=0,1,2` the chain seeds. Results
 * of environments not run this time are kept from the previous file (each entry records `measuredAt`).
 * Runs everything on this machine one after another (learn uses both cores itself).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../environments/index.js';
import { WorldModel } from '../src/worldmodel/world-model.js';
import { learn, type LearnState } from '../workflows/learn.js';
import { planEpisodes, type PlanReport } from '../workflows/plan.js';
import { validateModel } from '../workflows/validate.js';
import { summarize, writeResults, type BenchResult } from './harness.js';

const DEFAULT_ENVS = 'Reach-v0:3m,CartPole-v0:3m,PushBox-v0:10m,Warehouse-v0:10m';
const HELD_OUT = Array.from({ length: 20 }, (_v, i) => 100 + i);
const measuredAt = new Date().toISOString();

const envs = (process.env.LEARN_BENCH_ENVS ?? DEFAULT_ENVS).split(',').map((e) => {
  const [env, budget] = e.split(':');
  return { env: env!, budget: budget ?? '10m' };
});
const seeds = (process.env.LEARN_BENCH_SEEDS ?? '0,1,2').split(',').map(Number);
const withOracle = process.env.LEARN_BENCH_ORACLE !== '0';
/** A folder of earlier learn runs (`<env>-<seed>/`, kept with LEARN_BENCH_KEEP=1) to evaluate again instead of learning anew. */
const reuse = process.env.LEARN_BENCH_REUSE;

/** A finished learn run read back from its folder (its wall time is the one it recorded). */
function reusedRun(dir: string): { out: string; model: string; state: LearnState; stopReason: string | undefined; selectedRound: number | undefined } {
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as LearnState;
  const manifest = JSON.parse(readFileSync(join(dir, 'model', 'manifest.json'), 'utf8')) as { provenance: { learn: { selectedRound: number } } };
  return { out: dir, model: join(dir, 'model'), state, stopReason: state.stopReason, selectedRound: manifest.provenance.learn.selectedRound };
}

/** The task score of a held-out run: success rate, or for the warehouse the mean deliveries per episode (the tiny layout has one package). */
function taskScore(r: PlanReport): { value: number; metric: string } {
  const delivered = r.infoMetrics.deliveries;
  return delivered ? { value: delivered.mean, metric: 'deliveries' } : { value: r.summary.successRate, metric: 'success' };
}

async function heldOut(env: string, planner: Record<string, unknown>, model: string | undefined): Promise<PlanReport> {
  const [first] = HELD_OUT;
  return planEpisodes({ env, ...(model ? { model } : { oracle: true }), ...planner, episodes: HELD_OUT.length, seed: first! });
}

async function benchEnv(env: string, budget: string, out: string): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const perSeed: { seed: number; score: number; pps: number | null }[] = [];
  let plannerUsed: Record<string, unknown> | undefined;
  for (const seed of seeds) {
    const t0 = performance.now();
    // The machine's 1-minute load average when the run started: learn's budget is wall time, so other jobs cut its training.
    const loadAtStart = loadavg()[0]!;
    const run = reuse ? reusedRun(join(reuse, `${env}-${seed}`)) : await learn({ env, budget, seed, out: join(out, `${env}-${seed}`), overwrite: true });
    const wallS = reuse ? run.state.wallMs / 1000 : (performance.now() - t0) / 1000;
    if (!run.model) throw new Error(`learn ${env} seed ${seed} finished no round (${run.stopReason})`);
    const wm = await WorldModel.load(run.model, { uncertainty: false });
    const p = wm.manifest.planner!;
    await wm.close();
    const planner = {
      algorithm: p.algorithm,
      horizon: p.horizon,
      samples: p.samples,
      iterations: p.iterations,
      temperature: p.temperature,
      discount: p.discount,
      replanEvery: p.replanEvery,
    };
    plannerUsed = planner;
    const plan = await heldOut(env, planner, run.model);
    const score = taskScore(plan);
    // Errors in units of the training data's σ (its first dataset), as learn's own validation measures them.
    const data = join(run.out, 'round-0', 'data');
    const { report } = await validateModel({ env, model: run.model, data, out: join(out, `${env}-${seed}-validation`), seed: 7, oracleMpc: false, closedLoop: false });
    const checks = Object.fromEntries(report.plausibility.checks.map((c) => [c.id, c.status === 'scored' ? c.score : c.status]));
    const curve = report.drift.curves[0];
    const common = {
      env,
      budget,
      chainSeed: seed,
      rounds: run.state.rounds.length,
      selectedRound: run.selectedRound,
      stopReason: run.stopReason,
      planner,
      heldOutSeeds: `${HELD_OUT[0]}–${HELD_OUT.at(-1)}`,
      trainSteps: run.state.rounds.reduce((sum, r) => sum + r.trainSteps, 0),
      loadAtStart,
      measuredAt,
    };
    results.push(summarize(`learn ${env} wall time (seed ${seed})`, 's', [wallS], common));
    results.push(summarize(`learn ${env} held-out ${score.metric} (seed ${seed})`, '%', [100 * score.value], { ...common, episodes: plan.results.length }));
    results.push(
      summarize(`learn ${env} control rate at p95 plan time (seed ${seed})`, 'Hz', [(1000 * plan.replanEvery) / Math.max(1e-6, plan.planMs.p95)], {
        ...common,
        planMsP50: plan.planMs.p50,
        planMsP95: plan.planMs.p95,
      }),
    );
    results.push(
      summarize(`learn ${env} PPS (seed ${seed})`, 'x', [report.plausibility.pps ?? Number.NaN], {
        ...common,
        checks,
        controllability: report.causal.controllability.score,
        counterfactual: report.causal.counterfactual.status === 'scored' ? report.causal.counterfactual.score : report.causal.counterfactual.status,
        validHorizon: curve?.validHorizon ?? `> ${curve?.horizon}`,
        driftAtHorizon: curve?.overall.at(-1)?.mean,
      }),
    );
    perSeed.push({ seed, score: score.value, pps: report.plausibility.pps });
    console.log(`${env} seed ${seed}: ${score.metric} ${(100 * score.value).toFixed(0)}% · PPS ${report.plausibility.pps?.toFixed(3)} · ${wallS.toFixed(0)} s`);
  }
  results.push(
    summarize(
      `learn ${env} held-out score over chain seeds`,
      '%',
      perSeed.map((s) => 100 * s.score),
      { env, budget, seeds, measuredAt },
    ),
  );
  if (withOracle && plannerUsed) {
    const oracle = await heldOut(env, plannerUsed, undefined);
    const o = taskScore(oracle);
    results.push(summarize(`oracle MPC ${env} held-out ${o.metric} (same planner budget)`, '%', [100 * o.value], { env, planner: plannerUsed, measuredAt }));
  }
  return results;
}

const out = mkdtempSync(join(tmpdir(), 'embodied-learn-bench-'));
if (reuse && !existsSync(reuse)) throw new Error(`LEARN_BENCH_REUSE: ${reuse} does not exist`);
const fresh: BenchResult[] = [];
try {
  for (const { env, budget } of envs) fresh.push(...(await benchEnv(env, budget, out)));
} finally {
  if (process.env.LEARN_BENCH_KEEP !== '1') rmSync(out, { recursive: true, force: true });
  else console.log(`kept the learn runs in ${out}`);
}
// Keep earlier results not measured this time (by name: an env × chain seed run again replaces its own entries),
// then recompute each environment's spread over chain seeds from every per-seed entry now in the file.
const path = join(dirname(fileURLToPath(import.meta.url)), 'results', 'learn.json');
const freshNames = new Set(fresh.map((r) => r.name));
const kept = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { results: BenchResult[] }).results.filter((r) => !freshNames.has(r.name)) : [];
await writeResults('learn', overChainSeeds([...kept, ...fresh]));

/** Replaces each environment's "held-out score over chain seeds" and "score / oracle's" entries by ones over all its per-seed held-out entries (and its oracle entry). */
function overChainSeeds(results: BenchResult[]): BenchResult[] {
  const perSeed = /^learn (\S+) held-out (success|deliveries) \(seed (\d+)\)$/;
  const byEnv = new Map<string, BenchResult[]>();
  for (const r of results) {
    const m = perSeed.exec(r.name);
    if (m) byEnv.set(m[1]!, [...(byEnv.get(m[1]!) ?? []), r]);
  }
  const out = results.filter((r) => !/^learn \S+ held-out score (over chain seeds|\/ oracle's)$/.test(r.name));
  for (const [env, entries] of byEnv) {
    // The learned rate as a share of the oracle's, from the oracle entry in the file (kept when LEARN_BENCH_ORACLE=0).
    const oracle = results.find((r) => r.name.startsWith(`oracle MPC ${env} held-out `));
    if (oracle && oracle.median > 0) {
      const sorted = [...entries].sort((a, b) => Number(a.params.chainSeed) - Number(b.params.chainSeed));
      out.push(
        summarize(
          `learn ${env} held-out score / oracle's`,
          'x',
          sorted.map((r) => r.median / oracle.median),
          {
            env,
            seeds: sorted.map((r) => Number(r.params.chainSeed)),
            oracleMeasuredAt: oracle.params.measuredAt,
            measuredAt: [...new Set(sorted.map((r) => String(r.params.measuredAt)))].sort().join(', '),
          },
        ),
      );
    }
    const seedsOf = entries.map((r) => Number(r.params.chainSeed)).sort((a, b) => a - b);
    const measured = [...new Set(entries.map((r) => String(r.params.measuredAt)))].sort();
    out.push(
      summarize(
        `learn ${env} held-out score over chain seeds`,
        '%',
        entries.map((r) => r.median),
        { env, budget: entries[0]!.params.budget, seeds: seedsOf, measuredAt: measured.join(', ') },
      ),
    );
  }
  return out;
}
