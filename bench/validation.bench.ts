/**
 * Validation benchmark → bench/results/validation.json.
 *
 * The wall time of a full `embodied validate` of the default PushBox model — open-loop drift (random,
 * scripted and planner action sources), the plausibility battery, counterfactuals and
 * controllability, closed-loop MPC with the learned model and the Rapier oracle (same planner, same
 * budget) plus scripted and random baselines, and writing report.json + report.html — at the default
 * and the `--quick` sizes, with the time of each stage. The target is under 2 minutes on 2 cores.
 *
 * The model is `models/pushbox` (the project's default bundle), or `VALIDATION_BENCH_MODEL`; without
 * either, the Rapier oracle is validated instead (it costs about the same, minus the ONNX calls, plus
 * oracle-sized drift planning) and the result says so. One warm-up run at tiny sizes first.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import '../environments/index.js';
import { validateModel } from '../workflows/validate.js';
import { pushBoxValidationSpec } from '../environments/index.js';
import { OracleModel, validate } from '../src/validation/index.js';
import { summarize, writeResults, type BenchResult } from './harness.js';

const here = new URL('.', import.meta.url).pathname;
const candidate = process.env.VALIDATION_BENCH_MODEL ?? join(here, '..', 'models', 'pushbox');
const model = existsSync(join(candidate, 'manifest.json')) ? candidate : undefined;
const results: BenchResult[] = [];
const out = mkdtempSync(join(tmpdir(), 'validation-bench-'));

// Warm-up: Rapier's WASM, onnxruntime and V8 tier up on a tiny run.
{
  const spec = pushBoxValidationSpec();
  const env = spec.makeEnv();
  const oracle = new OracleModel(() => spec.makeEnv());
  await validate({ env, model: oracle, spec, starts: 2, horizon: 5, scenarioInstances: 1, permanenceRows: 1, permanenceHorizon: 10, counterfactualStarts: 1 });
  await oracle.close();
  await env.close();
}

for (const quick of [false, true]) {
  const t0 = performance.now();
  const { report } = await validateModel({ env: 'PushBox-v0', ...(model ? { model } : { oracle: true }), out: join(out, quick ? 'quick' : 'full'), quick });
  const totalS = (performance.now() - t0) / 1000;
  const label = quick ? 'quick' : 'full';
  const params = {
    model: model ?? 'Rapier oracle (models/pushbox not found)',
    quick,
    starts: report.settings.starts,
    horizon: report.settings.horizon,
    sources: report.settings.sources,
    closedLoopEpisodes: report.closedLoop.seeds.length,
    contenders: report.closedLoop.contenders.map((c) => c.name),
    pps: report.plausibility.pps,
    successRates: Object.fromEntries(report.closedLoop.contenders.map((c) => [c.name, c.successRate.mean])),
  };
  results.push(summarize(`validation.pushbox.${label}.wall`, 's', [totalS], params));
  for (const c of report.closedLoop.contenders) results.push(summarize(`validation.pushbox.${label}.closed-loop.${c.kind}`, 's', [c.wallMs / 1000], { episodes: c.episodes }));
  results.push(
    summarize(`validation.pushbox.${label}.open-loop-and-checks`, 's', [report.durationMs / 1000 - report.closedLoop.contenders.reduce((s, c) => s + c.wallMs / 1000, 0)], {}),
  );
  console.log(
    `${label}: ${totalS.toFixed(1)} s (validate ${(report.durationMs / 1000).toFixed(1)} s) · PPS ${report.plausibility.pps?.toFixed(3)} · ${report.closedLoop.contenders.map((c) => `${c.name} ${(c.wallMs / 1000).toFixed(1)} s`).join(', ')}`,
  );
}

rmSync(out, { recursive: true, force: true });
console.log(`wrote ${await writeResults('validation', results)}`);
