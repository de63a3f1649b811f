/**
 * `planEpisodes`: runs MPC episodes — planning with a world-model bundle, or with Rapier itself
 * (`oracle: true`) — and measures the success rate, the return (mean ± 95% CI), plan-time percentiles
 * and fallbacks. An abort stops after the current step and reports the finished episodes.
 *
 * @module
 */
import { Subscription } from 'rxjs';
import { formatMeanCI, meanCI95, percentile, summarizeEpisodes, type EpisodeResult, type EpisodesSummary, type MeanCI } from '../agents/episode-stats.js';
import { mpcAgent, type MpcAgent, type MpcTelemetry } from '../agents/mpc-agent.js';
import { createPlanSource, planDefaults, PLAN_FACTORY_MODULE, type PlanSpec } from '../agents/plan-factory.js';
import { PlanWorker } from '../agents/plan-worker.js';
import type { PlanSource } from '../agents/plan-source.js';
import { runEpisodes } from '../agents/run-episodes.js';
import { parseOptions, z } from '../src/options.js';
import type { Env, Info } from '../src/env.js';
import { make, registration, type MakeSettings } from '../src/registry.js';
import { callbackOption, signalOption } from './schema.js';

/** Progress of {@link planEpisodes}, reported when the run starts (0 done) and after every episode. */
export interface PlanProgress {
  /** Episodes finished. */
  readonly done: number;
  /** Episodes to run. */
  readonly total: number;
  /** Successful episodes among those finished. */
  readonly successes: number;
}

/** An algorithm name as the workflows accept it, where `random` is short for random shooting. */
export function algorithmName(name: NonNullable<PlanSpec['algorithm']> | 'random'): NonNullable<PlanSpec['algorithm']> {
  return name === 'random' ? 'random-shooting' : name;
}

const positiveInt = () => z.number().int().positive();

/** Zod schema of {@link PlanEpisodesOptions}. */
export const PlanEpisodesOptionsSchema = z
  .object({
    /** Registered environment id, e.g. `PushBox-v0`. */
    env: z.string().min(1),
    /** World-model bundle directory to plan with. Exactly one of `model` and `oracle`. */
    model: z.string().min(1).optional(),
    /** Plan with Rapier (PhysicsRolloutModel) instead of a model. Default false. */
    oracle: z.boolean().default(false),
    /** `mppi`, `cem`, `icem` or `random` (random shooting). Default: the bundle's certified settings (`manifest.planner`), else the environment preset's. */
    algorithm: z.enum(['mppi', 'cem', 'icem', 'random', 'random-shooting'], { message: 'expected mppi, cem, icem or random' }).optional(),
    /** Episodes to run. Default 20. */
    episodes: positiveInt().default(20),
    /** Base seed: episode k is reset with `seed + k`. Default 0. */
    seed: z.number().int().nonnegative().default(0),
    /** Planning horizon. Default: the bundle's certified settings (`manifest.planner`), else the environment preset's. */
    horizon: positiveInt().optional(),
    /** Candidates per iteration. Default: the bundle's certified settings (`manifest.planner`), else the environment preset's. */
    samples: positiveInt().optional(),
    /** Optimiser iterations per plan. Default: the bundle's certified settings (`manifest.planner`), else the environment preset's. */
    iterations: positiveInt().optional(),
    /** MPPI temperature λ. Default: the bundle's certified settings (`manifest.planner`), else the environment preset's. */
    temperature: z.number().positive().optional(),
    /** Reward discount γ. Default: the bundle's certified settings (`manifest.planner`), else the environment preset's. */
    discount: z.number().gt(0).lte(1).optional(),
    /** Step limit per episode. Default: the environment's time limit; a larger value lifts that limit. */
    maxSteps: positiveInt().optional(),
    /** The environment's time limit (`make`'s `maxEpisodeSteps`). Default: the registered one (or `maxSteps` when larger). */
    maxEpisodeSteps: positiveInt().optional(),
    /** Actions executed per plan. Default: the bundle's certified settings (`manifest.planner`), else the environment preset's. */
    replanEvery: positiveInt().optional(),
    /** Plan deadline, ms: a late plan falls back to the previous plan. Default none. */
    deadlineMs: z.number().nonnegative().optional(),
    /** Plan in a worker thread. Default false. */
    worker: z.boolean().default(false),
    /** A formula over named observation entries to maximise instead of the predicted reward (`PlanSpec.objective`). Default: the reward. */
    objective: z.string().min(1).optional(),
    /** Environment options. Default `{}`. */
    envOptions: z.record(z.string(), z.unknown()).default({}),
    /** A policy bundle the planner draws part of its population from and starts cold plans with (`PlanSpec.prior`). Default: none. */
    prior: z.string().min(1).optional(),
    /** Sequences the prior proposes per plan. Default 16. */
    priorTrajectories: positiveInt().optional(),
    /** Stops after the current step; the finished episodes are reported. */
    signal: signalOption(),
    /** Called when the run starts and after every episode. */
    onProgress: callbackOption<(progress: PlanProgress) => void>(),
  })
  .strict()
  .refine((o) => !(o.oracle && o.model !== undefined), { message: 'give either `model` or `oracle: true`, not both', path: ['oracle'] })
  .refine((o) => o.oracle || o.model !== undefined, {
    message: 'give `model` (a bundle directory) to plan with a world model, or `oracle: true` to plan with Rapier',
    path: ['model'],
  });

/** Options of {@link planEpisodes}. */
export type PlanEpisodesOptions = z.input<typeof PlanEpisodesOptionsSchema>;
type Resolved = z.output<typeof PlanEpisodesOptionsSchema>;

/** What {@link planEpisodes} measured. */
export interface PlanReport {
  /** The environment id. */
  readonly envId: string;
  /** The bundle directory, or `oracle (Rapier)`. */
  readonly model: string;
  /** The planning algorithm used (`mppi`, `cem`, `icem`, `random-shooting`). */
  readonly algorithm: string;
  /** The planning horizon used. */
  readonly horizon: number;
  /** Actions executed per plan. */
  readonly replanEvery: number;
  /** Each finished episode, in seed order. */
  readonly results: EpisodeResult[];
  /** Success rate, return and length with their intervals. */
  readonly summary: EpisodesSummary;
  /** Plan times, ms. */
  readonly planMs: { readonly p50: number; readonly p95: number; readonly count: number };
  /** Plans replaced by the previous plan: past the deadline, or while one was still in flight. */
  readonly fallbacks: { readonly deadline: number; readonly inFlight: number };
  /** Whether the signal stopped the run early. */
  readonly stopped: boolean;
  /**
   * Task metrics from the last step's `info` of each episode, mean ± 95% CI, for the entries of
   * {@link INFO_METRICS} the environment reports (the warehouse: deliveries, throughput, collisions).
   */
  readonly infoMetrics: Readonly<Record<string, MeanCI>>;
}

/**
 * Numeric `info` entries of an episode's last step that the report summarises when the environment
 * reports them: the warehouse's `deliveries`, `throughput` (deliveries per simulated hour),
 * `deliveriesPerRobotHour`, `collisions` (and by kind: robot–robot, robot–shelf) and `idleTime` (robot-seconds).
 */
export const INFO_METRICS: readonly string[] = ['deliveries', 'throughput', 'deliveriesPerRobotHour', 'collisions', 'robotRobotCollisions', 'robotShelfCollisions', 'idleTime'];

/** Runs the MPC episodes `options` describe (what `embodied plan` runs). @throws {@link InvalidArgumentError} for bad options */
export async function planEpisodes(options: PlanEpisodesOptions): Promise<PlanReport> {
  const o = parseOptions(PlanEpisodesOptionsSchema, options, 'planEpisodes options');
  // A bundle's certified settings (its manifest's `planner`) are the defaults; else the environment's preset.
  const preset = await planDefaults(o.env, { ...(o.model !== undefined && { model: o.model }), oracle: o.oracle });
  const algorithm = o.algorithm === undefined ? preset.algorithm : algorithmName(o.algorithm);
  const replanEvery = o.replanEvery ?? preset.replanEvery;
  const spec: PlanSpec = {
    envId: o.env,
    envOptions: o.envOptions,
    ...(o.model !== undefined && { model: o.model }),
    oracle: o.oracle,
    algorithm,
    ...(o.horizon !== undefined && { horizon: o.horizon }),
    ...(o.samples !== undefined && { samples: o.samples }),
    ...(o.iterations !== undefined && { iterations: o.iterations }),
    ...(o.temperature !== undefined && { temperature: o.temperature }),
    ...(o.discount !== undefined && { discount: o.discount }),
    ...(o.objective !== undefined && { objective: o.objective }),
    ...(o.prior !== undefined && { prior: o.prior }),
    ...(o.priorTrajectories !== undefined && { priorTrajectories: o.priorTrajectories }),
    seed: o.seed,
  };
  const source: PlanSource & { close(): Promise<void> } = o.worker
    ? await PlanWorker.start({ module: PLAN_FACTORY_MODULE, options: spec, sendState: spec.oracle ?? false })
    : await createPlanSource(spec);
  const telemetry: MpcTelemetry[] = [];
  let run: { results: EpisodeResult[]; stopped: boolean; infos: Info[] };
  try {
    const agent = mpcAgent({ source, seed: o.seed, replanEvery, ...(o.deadlineMs !== undefined && { deadlineMs: o.deadlineMs }) });
    const telemetrySub = agent.telemetry$.subscribe((e) => telemetry.push(e));
    run = await playAll(o, agent);
    telemetrySub.unsubscribe();
  } finally {
    await source.close();
  }
  const ms = telemetry.filter((e): e is Extract<MpcTelemetry, { kind: 'plan' }> => e.kind === 'plan').map((e) => e.ms);
  const fallbacks = telemetry.filter((e) => e.kind === 'fallback');
  return {
    envId: o.env,
    model: o.oracle ? 'oracle (Rapier)' : o.model!,
    algorithm,
    horizon: source.horizon,
    replanEvery,
    results: run.results,
    summary: summarizeEpisodes(run.results),
    planMs: { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95), count: ms.length },
    fallbacks: {
      deadline: fallbacks.filter((e) => e.kind === 'fallback' && e.reason === 'deadline').length,
      inFlight: fallbacks.filter((e) => e.kind === 'fallback' && e.reason === 'plan-in-flight').length,
    },
    stopped: run.stopped,
    infoMetrics: summarizeInfos(run.infos.slice(0, run.results.length)),
  };
}

/** The time limit of the episodes' environments: `maxEpisodeSteps`, else the registered one lifted to `maxSteps`. */
export function episodeLimit(o: { env: string; maxSteps?: number | undefined; maxEpisodeSteps?: number | undefined }): MakeSettings {
  if (o.maxEpisodeSteps !== undefined) return { maxEpisodeSteps: o.maxEpisodeSteps };
  const registered = registration(o.env).maxEpisodeSteps;
  return o.maxSteps !== undefined && registered !== undefined && o.maxSteps > registered ? { maxEpisodeSteps: o.maxSteps } : {};
}

/**
 * `env` with the `info` of every step kept in `infos[slot]` (the last step's stays). The instance's
 * own `step` is wrapped rather than the env put in a Wrapper: a wrapper would change the state
 * (`getState`) that an oracle plan source reads.
 */
function keepLastInfo(env: Env<Float32Array, Float32Array>, infos: Info[]): Env<Float32Array, Float32Array> {
  const slot = infos.push({}) - 1;
  const step = env.step.bind(env);
  env.step = async (action) => {
    const result = await step(action);
    infos[slot] = result.info;
    return result;
  };
  return env;
}

function summarizeInfos(infos: readonly Info[]): Record<string, MeanCI> {
  const metrics: Record<string, MeanCI> = {};
  for (const key of INFO_METRICS) {
    const values = infos.map((info) => info[key]);
    if (values.length > 0 && values.every((v) => typeof v === 'number')) metrics[key] = meanCI95(values as number[]);
  }
  return metrics;
}

/** Plays every seed with `agent`; an abort resolves with the episodes finished so far. */
function playAll(o: Resolved, agent: MpcAgent): Promise<{ results: EpisodeResult[]; stopped: boolean; infos: Info[] }> {
  const results: EpisodeResult[] = [];
  // One environment per episode, made in seed order (one episode at a time): infos[k] is episode k's.
  const infos: Info[] = [];
  const limit = episodeLimit(o);
  const total = o.episodes;
  o.onProgress?.({ done: 0, total, successes: 0 });
  return new Promise((resolve, reject) => {
    const subscription = new Subscription();
    const onAbort = () => {
      subscription.unsubscribe();
      resolve({ results, stopped: true, infos });
    };
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    subscription.add(
      runEpisodes(() => keepLastInfo(make(o.env, o.envOptions, limit), infos), agent, {
        seeds: Array.from({ length: total }, (_, k) => o.seed + k),
        ...(o.maxSteps !== undefined && { maxSteps: o.maxSteps }),
      }).subscribe({
        next: (r) => {
          results.push(r);
          o.onProgress?.({ done: results.length, total, successes: results.filter((x) => x.success).length });
        },
        error: reject,
        complete: () => resolve({ results, stopped: false, infos }),
      }),
    );
    subscription.add(() => o.signal?.removeEventListener('abort', onAbort));
  });
}

/** The report as `embodied plan` prints it. */
export function formatPlanReport(r: PlanReport): string {
  const s = r.summary;
  const wins = r.results.filter((x) => x.success).length;
  return [
    `${r.envId} · planner ${r.algorithm} (H=${r.horizon}, replan every ${r.replanEvery}) · model ${r.model}${r.stopped ? ' · stopped early' : ''}`,
    `episodes   ${s.episodes}`,
    `success    ${(100 * s.successRate).toFixed(1)}% (${wins}/${s.episodes})`,
    `return     ${formatMeanCI(s.return)} (mean ± 95% CI)`,
    `length     ${formatMeanCI(s.length, 1)} steps`,
    `plan time  p50 ${r.planMs.p50.toFixed(1)} ms · p95 ${r.planMs.p95.toFixed(1)} ms (${r.planMs.count} plans)`,
    `fallbacks  ${r.fallbacks.deadline + r.fallbacks.inFlight} (deadline ${r.fallbacks.deadline}, plan in flight ${r.fallbacks.inFlight})`,
    ...Object.entries(r.infoMetrics).map(
      ([key, m]) => `${key.padEnd(10)} ${formatMeanCI(m, key === 'throughput' || key === 'deliveriesPerRobotHour' ? 1 : 2)}${INFO_UNITS[key] ?? ''} (mean ± 95% CI)`,
    ),
  ].join('\n');
}

const INFO_UNITS: Readonly<Record<string, string>> = {
  deliveries: ' per episode',
  throughput: ' deliveries per simulated hour',
  deliveriesPerRobotHour: ' deliveries per robot-hour',
  collisions: ' per episode',
  robotRobotCollisions: ' per episode',
  robotShelfCollisions: ' per episode',
  idleTime: ' robot-seconds per episode',
};
