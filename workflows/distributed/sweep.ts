/**
 * `sweep`: an evaluation sweep over models × planners × seeds — MPC episodes (`planEpisodes`) for every
 * combination, as evaluate jobs on the queue (or here, without `queue`), gathered into one JSON file
 * (`embodied.sweep/v1`) with each combination's episodes in seed order and their summary.
 *
 * @module
 */
import { summarizeEpisodes, type EpisodeResult, type EpisodesSummary } from '../../agents/episode-stats.js';
import { writeFileAtomic } from '../../src/atomic-write.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { parseOptions, z } from '../../src/options.js';
import { inspectOutput } from '../../src/output-dir.js';
import { callbackOption, signalOption } from '../schema.js';
import { planEpisodes } from '../plan.js';
import { QueueOptionsSchema, queueSettings } from './collect.js';
import { EvaluateSettingsSchema, jobIdFor, QueueError, runIdFor, type EvaluateSettings } from './jobs.js';
import { runJobs, type JobSpec, type QueueProgress } from './run-jobs.js';
import { sharedRelative, type EvaluateJobResult } from './shared-folder.js';

const positiveInt = () => z.number().int().positive();
const ALGORITHMS = ['mppi', 'cem', 'icem', 'random', 'random-shooting'] as const;

/** Zod schema of {@link SweepOptions}. */
export const SweepOptionsSchema = QueueOptionsSchema.partial({ queue: true, shared: true })
  .extend({
    /** Registered environment id. */
    env: z.string().min(1),
    /** Environment options. Default `{}`. */
    envOptions: z.record(z.string(), z.unknown()).default({}),
    /** World-model bundles (inside `shared` with `queue`), and/or `oracle` for Rapier itself. */
    models: z.array(z.string().min(1)).min(1),
    /** Optimisers to compare. Default: each model's certified settings (one planner, `default`). */
    planners: z
      .array(z.enum(ALGORITHMS, { message: 'expected mppi, cem, icem or random' }))
      .min(1)
      .optional(),
    /** First seed: episode k is reset with `seed + k`. Default 0. */
    seed: z.number().int().nonnegative().default(0),
    /** Episodes per model and planner. Default 10. */
    episodes: positiveInt().default(10),
    /** Episodes per job. Default 5. */
    episodesPerJob: positiveInt().default(5),
    /** Planning horizon. Default: the model's certified settings, else the preset's. */
    horizon: positiveInt().optional(),
    /** Candidates per iteration. */
    samples: positiveInt().optional(),
    /** Optimiser iterations. */
    iterations: positiveInt().optional(),
    /** Step limit per episode. */
    maxSteps: positiveInt().optional(),
    /** The JSON file to write. */
    out: z.string().min(1),
    /** Replace `out` when it exists. Default false. */
    overwrite: z.boolean().default(false),
    /** Stops: nothing is written. */
    signal: signalOption(),
    /** Called as jobs finish. */
    onProgress: callbackOption<(progress: QueueProgress) => void>(),
  })
  .strict()
  .refine((o) => (o.queue === undefined) === (o.shared === undefined), { message: '`queue` and `shared` go together', path: ['shared'] });

/** Options of {@link sweep}. */
export type SweepOptions = z.input<typeof SweepOptionsSchema>;

/** One model × planner of a sweep. */
export interface SweepCell {
  /** The bundle as given (relative to the shared folder on a queue), or `oracle`. */
  readonly model: string;
  /** The optimiser, or `default` (the model's certified settings). */
  readonly planner: string;
  /** Every episode, in seed order. */
  readonly results: EpisodeResult[];
  readonly summary: EpisodesSummary;
  /** Median plan time of each job, ms. */
  readonly planMsP50: number[];
}

/** The file {@link sweep} writes. */
export interface SweepReport {
  readonly format: 'embodied.sweep/v1';
  readonly envId: string;
  readonly seeds: number[];
  readonly cells: SweepCell[];
  /** The run id on the queue (absent when run here). */
  readonly run?: string;
}

type Resolved = z.output<typeof SweepOptionsSchema>;

/** The evaluate settings of every job, by cell. */
function jobsOf(o: Resolved): { model: string; planner: string; settings: EvaluateSettings }[] {
  const jobs = [];
  for (const model of o.models) {
    const ref = model === 'oracle' ? undefined : o.shared !== undefined ? sharedRelative(o.shared, model, '`models` entry') : model;
    for (const planner of o.planners ?? [undefined]) {
      for (let first = 0; first < o.episodes; first += o.episodesPerJob) {
        const settings: EvaluateSettings = {
          env: o.env,
          envOptions: o.envOptions,
          ...(ref === undefined ? { oracle: true } : { model: ref }),
          ...(planner !== undefined && { algorithm: planner }),
          ...(o.horizon !== undefined && { horizon: o.horizon }),
          ...(o.samples !== undefined && { samples: o.samples }),
          ...(o.iterations !== undefined && { iterations: o.iterations }),
          ...(o.maxSteps !== undefined && { maxSteps: o.maxSteps }),
          seed: o.seed + first,
          episodes: Math.min(o.episodesPerJob, o.episodes - first),
        };
        jobs.push({ model, planner: planner ?? 'default', settings: parseOptions(EvaluateSettingsSchema, settings, 'sweep job') });
      }
    }
  }
  return jobs;
}

/** Runs the jobs here, one after another. */
async function runHere(jobs: ReturnType<typeof jobsOf>, o: Resolved): Promise<EvaluateJobResult['report'][]> {
  const reports = [];
  for (const [i, job] of jobs.entries()) {
    reports.push(await planEpisodes({ ...job.settings, ...(o.signal && { signal: o.signal }) }));
    o.onProgress?.({ total: jobs.length, done: i + 1, failed: 0, retried: 0, resubmitted: 0 });
  }
  return reports;
}

/** Runs the jobs on the queue and returns their reports in job order. */
async function runOnQueue(jobs: ReturnType<typeof jobsOf>, o: Resolved, run: string): Promise<EvaluateJobResult['report'][]> {
  const specs: JobSpec[] = jobs.map((job, i) => ({ id: jobIdFor(run, 'evaluate', i), payload: { kind: 'evaluate', run, settings: job.settings } }));
  const gathered = await runJobs({
    ...queueSettings({ ...o, queue: o.queue!, shared: o.shared! }),
    run,
    jobs: specs,
    ...(o.signal && { signal: o.signal }),
    ...(o.onProgress && { onProgress: o.onProgress }),
  });
  if (gathered.failed.size > 0) {
    throw new QueueError(
      `${gathered.failed.size} of ${specs.length} sweep jobs failed for good (${[...gathered.failed].map(([id, r]) => `${id}: ${r}`).join('; ')}); nothing was written to ${o.out}`,
    );
  }
  return specs.map((s) => (gathered.results.get(s.id) as EvaluateJobResult).report);
}

/**
 * Runs the sweep `options` describe and writes its report (atomically) to `out`.
 * @throws {@link InvalidArgumentError} for bad options or an existing `out`; {@link QueueError} when jobs failed.
 */
export async function sweep(options: SweepOptions): Promise<SweepReport> {
  const o = parseOptions(SweepOptionsSchema, options, 'sweep options');
  if (!o.overwrite && (await inspectOutput(o.out)) !== 'absent')
    throw new InvalidArgumentError(`sweep: ${o.out} already exists; choose another \`out\` or pass \`overwrite: true\``);
  const jobs = jobsOf(o);
  const run = o.queue !== undefined ? runIdFor('sweep', jobs) : undefined;
  const reports = run === undefined ? await runHere(jobs, o) : await runOnQueue(jobs, o, run);
  if (o.signal?.aborted || reports.some((r) => r.stopped)) throw new QueueError(`sweep: stopped before every job finished; nothing was written to ${o.out}`);
  const cells: SweepCell[] = [];
  jobs.forEach((job, i) => {
    let cell = cells.find((c) => c.model === job.model && c.planner === job.planner);
    if (cell === undefined) {
      cell = { model: job.model, planner: job.planner, results: [], summary: summarizeEpisodes([]), planMsP50: [] };
      cells.push(cell);
    }
    cell.results.push(...reports[i]!.results);
    cell.planMsP50.push(reports[i]!.planMs.p50);
  });
  const report: SweepReport = {
    format: 'embodied.sweep/v1',
    envId: o.env,
    seeds: Array.from({ length: o.episodes }, (_, k) => o.seed + k),
    cells: cells.map((c) => ({ ...c, summary: summarizeEpisodes(c.results) })),
    ...(run !== undefined && { run }),
  };
  await writeFileAtomic(o.out, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
