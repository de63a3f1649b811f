/**
 * `embodied plan`: runs MPC episodes — planning with a world-model bundle, or with Rapier itself
 * (`--oracle`) — and prints the success rate, the return (mean ± 95% CI), plan-time percentiles and
 * fallbacks. Ctrl-C stops after the current step and reports the finished episodes.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { Subscription } from 'rxjs';
import { formatMeanCI, percentile, summarizeEpisodes, type EpisodeResult, type EpisodesSummary } from '../../agents/episode-stats.js';
import { mpcAgent, type MpcTelemetry } from '../../agents/mpc-agent.js';
import { createPlanSource, PLAN_FACTORY_MODULE, PLAN_PRESETS, type PlanSpec } from '../../agents/plan-factory.js';
import { PlanWorker } from '../../agents/plan-worker.js';
import type { PlanSource } from '../../agents/plan-source.js';
import { runEpisodes } from '../../agents/run-episodes.js';
import { InvalidArgumentError, describeValue } from '../../src/errors.js';
import { make } from '../../src/registry.js';
import { integerOption, jsonObjectOption, numberOption, withCtrlC } from '../options.js';

/** Options of {@link runPlan} (the parsed command line). */
export interface PlanCommandOptions {
  readonly env: string;
  /** World-model bundle directory. */
  readonly model?: string;
  /** Plan with Rapier instead of the model. */
  readonly oracle?: boolean;
  /** `mppi`, `cem`, `icem` or `random` (random shooting). Default: the environment preset's. */
  readonly planner?: string;
  readonly episodes?: number;
  readonly seed?: number;
  readonly horizon?: number;
  readonly samples?: number;
  readonly iterations?: number;
  readonly maxSteps?: number;
  readonly replanEvery?: number;
  readonly deadlineMs?: number;
  /** Plan in a worker thread. */
  readonly worker?: boolean;
  readonly envOptions?: Record<string, unknown>;
  /** Progress bar: `true`, `false` or `'auto'` (on a TTY). Default `'auto'`. */
  readonly progress?: boolean | 'auto';
  readonly signal?: AbortSignal;
}

/** What {@link runPlan} measured. */
export interface PlanReport {
  readonly envId: string;
  readonly model: string;
  readonly planner: string;
  readonly horizon: number;
  readonly replanEvery: number;
  readonly results: EpisodeResult[];
  readonly summary: EpisodesSummary;
  /** Plan times, ms. */
  readonly planMs: { readonly p50: number; readonly p95: number; readonly count: number };
  readonly fallbacks: { readonly deadline: number; readonly inFlight: number };
  /** Whether Ctrl-C stopped the run early. */
  readonly stopped: boolean;
}

const PLANNERS: Readonly<Record<string, NonNullable<PlanSpec['planner']>>> = {
  mppi: 'mppi',
  cem: 'cem',
  icem: 'icem',
  random: 'random-shooting',
  'random-shooting': 'random-shooting',
};

/** Runs the episodes the command line describes (exported for tests and scripts). */
export async function runPlan(opts: PlanCommandOptions): Promise<PlanReport> {
  const preset = PLAN_PRESETS[opts.env] ?? PLAN_PRESETS.default!;
  const planner = opts.planner === undefined ? preset.planner : PLANNERS[opts.planner];
  if (planner === undefined) throw new InvalidArgumentError(`expected --planner mppi, cem, icem or random, got ${describeValue(opts.planner)}`);
  if (!opts.oracle && opts.model === undefined) throw new InvalidArgumentError('give --model <bundle dir> to plan with a world model, or --oracle to plan with Rapier');
  const spec: PlanSpec = {
    envId: opts.env,
    envOptions: opts.envOptions ?? {},
    ...(opts.model !== undefined && { model: opts.model }),
    oracle: opts.oracle ?? false,
    planner,
    ...(opts.horizon !== undefined && { horizon: opts.horizon }),
    ...(opts.samples !== undefined && { samples: opts.samples }),
    ...(opts.iterations !== undefined && { iterations: opts.iterations }),
    seed: opts.seed ?? 0,
  };
  const replanEvery = opts.replanEvery ?? preset.replanEvery;
  const episodes = opts.episodes ?? 20;
  const seed = opts.seed ?? 0;
  const source: PlanSource & { close(): Promise<void> } = opts.worker
    ? await PlanWorker.start({ module: PLAN_FACTORY_MODULE, options: spec, sendState: spec.oracle ?? false })
    : await createPlanSource(spec);
  const telemetry: MpcTelemetry[] = [];
  const results: EpisodeResult[] = [];
  let stopped = false;
  const showBar = opts.progress === true || ((opts.progress ?? 'auto') === 'auto' && process.stderr.isTTY === true);
  const bar = showBar
    ? new cliProgress.SingleBar(
        { format: `plan ${opts.env} |{bar}| {value}/{total} episodes | success {success} | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  try {
    const agent = mpcAgent({
      source,
      seed,
      replanEvery,
      ...(opts.deadlineMs !== undefined && { deadlineMs: opts.deadlineMs }),
    });
    const telemetrySub = agent.telemetry$.subscribe((e) => telemetry.push(e));
    bar?.start(episodes, 0, { success: '-' });
    await new Promise<void>((resolve, reject) => {
      const subscription = new Subscription();
      const onAbort = () => {
        stopped = true;
        subscription.unsubscribe();
        resolve();
      };
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      subscription.add(
        runEpisodes(() => make(opts.env, opts.envOptions ?? {}), agent, {
          seeds: Array.from({ length: episodes }, (_, k) => seed + k),
          ...(opts.maxSteps !== undefined && { maxSteps: opts.maxSteps }),
        }).subscribe({
          next: (r) => {
            results.push(r);
            bar?.increment(1, { success: `${((100 * results.filter((x) => x.success).length) / results.length).toFixed(0)}%` });
          },
          error: reject,
          complete: resolve,
        }),
      );
      subscription.add(() => opts.signal?.removeEventListener('abort', onAbort));
    });
    telemetrySub.unsubscribe();
  } finally {
    bar?.stop();
    await source.close();
  }
  const ms = telemetry.filter((e): e is Extract<MpcTelemetry, { kind: 'plan' }> => e.kind === 'plan').map((e) => e.ms);
  const fallbacks = telemetry.filter((e) => e.kind === 'fallback');
  return {
    envId: opts.env,
    model: opts.oracle ? 'oracle (Rapier)' : opts.model!,
    planner: planner,
    horizon: source.horizon,
    replanEvery,
    results,
    summary: summarizeEpisodes(results),
    planMs: { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95), count: ms.length },
    fallbacks: {
      deadline: fallbacks.filter((e) => e.kind === 'fallback' && e.reason === 'deadline').length,
      inFlight: fallbacks.filter((e) => e.kind === 'fallback' && e.reason === 'plan-in-flight').length,
    },
    stopped,
  };
}

/** The report as printed by `embodied plan`. */
export function formatPlanReport(r: PlanReport): string {
  const s = r.summary;
  const wins = r.results.filter((x) => x.success).length;
  return [
    `${r.envId} · planner ${r.planner} (H=${r.horizon}, replan every ${r.replanEvery}) · model ${r.model}${r.stopped ? ' · stopped early' : ''}`,
    `episodes   ${s.episodes}`,
    `success    ${(100 * s.successRate).toFixed(1)}% (${wins}/${s.episodes})`,
    `return     ${formatMeanCI(s.return)} (mean ± 95% CI)`,
    `length     ${formatMeanCI(s.length, 1)} steps`,
    `plan time  p50 ${r.planMs.p50.toFixed(1)} ms · p95 ${r.planMs.p95.toFixed(1)} ms (${r.planMs.count} plans)`,
    `fallbacks  ${r.fallbacks.deadline + r.fallbacks.inFlight} (deadline ${r.fallbacks.deadline}, plan in flight ${r.fallbacks.inFlight})`,
  ].join('\n');
}

/** Adds the `plan` subcommand. */
export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('run MPC episodes with a world model (--model) or the Rapier oracle (--oracle) and report success, return and plan times')
    .requiredOption('--env <id>', 'registered environment id, e.g. PushBox-v0')
    .option('--model <dir>', 'world-model bundle directory to plan with')
    .option('--oracle', 'plan with Rapier (PhysicsRolloutModel) instead of the model')
    .option('--planner <name>', 'mppi | cem | icem | random (default: the environment preset)')
    .option('--episodes <n>', 'episodes to run', integerOption(1), 20)
    .option('--seed <n>', 'base seed: episode k is reset with seed + k', integerOption(0), 0)
    .option('--horizon <n>', 'planning horizon (default: the environment preset)', integerOption(1))
    .option('--samples <n>', 'candidates per iteration (default: the environment preset)', integerOption(1))
    .option('--iterations <n>', 'optimiser iterations per plan (default: the environment preset)', integerOption(1))
    .option('--max-steps <n>', 'step limit per episode (default: the environment time limit)', integerOption(1))
    .option('--replan-every <n>', 'actions executed per plan (default: the environment preset)', integerOption(1))
    .option('--deadline-ms <ms>', 'plan deadline; a late plan falls back to the previous plan', numberOption(0))
    .option('--worker', 'plan in a worker thread')
    .option('--env-options <json>', 'environment options as a JSON object', jsonObjectOption)
    .option('--json', 'print the report as JSON')
    .option('--no-progress', 'no progress bar')
    .action(async (o: PlanCommandOptions & { json?: boolean; progress: boolean }) => {
      await withCtrlC('plan', 'stopping after the current step', async (signal) => {
        const report = await runPlan({ ...o, progress: o.progress ? 'auto' : false, signal });
        console.log(o.json ? JSON.stringify({ ...report, results: report.results }, null, 2) : formatPlanReport(report));
      });
    });
}
