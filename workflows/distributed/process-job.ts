/**
 * Running one job on a worker: validate the payload, return the stored result when the job already
 * finished (a retry never duplicates data), else run the workflow into a fresh attempt folder of the
 * shared folder and write the result file last, atomically.
 *
 * @module
 */
import { join } from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { InvalidArgumentError } from '../../src/errors.js';
import { collectDataset } from '../collect.js';
import { planEpisodes } from '../plan.js';
import { trainWorldModel } from '../train.js';
import { validateModel } from '../validate.js';
import { parseJobPayload, QueueError, type ParsedJob } from './jobs.js';
import {
  attemptFolder,
  inShared,
  readJobResult,
  thisWorker,
  writeJobResult,
  type CollectJobResult,
  type EvaluateJobResult,
  type JobResult,
  type TrainJobResult,
  type ValidateJobResult,
} from './shared-folder.js';

/** Where and as which attempt a job runs. */
export interface JobContext {
  /** The BullMQ job id. */
  readonly jobId: string;
  /** The shared folder on this machine. */
  readonly shared: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  /** Aborted when the worker stops or the job is cancelled. */
  readonly signal?: AbortSignal;
}

/**
 * Runs the job `payload` describes and returns its result (the stored one when it already ran).
 * @throws {@link InvalidArgumentError} for a malformed payload (naming each bad field); {@link QueueError}
 * when the worker was stopped mid-job; the workflow's own errors.
 */
export async function processJob(payload: unknown, context: JobContext): Promise<JobResult> {
  const job = parseJobPayload(payload, context.jobId);
  const done = await readJobResult(context.shared, job.run, context.jobId);
  if (done !== undefined) return done;
  const base = { jobId: context.jobId, run: job.run, worker: thisWorker(), attempt: context.attempt };
  let result: JobResult;
  if (job.kind === 'collect') result = await collectShard(job, context, base);
  else if (job.kind === 'evaluate') result = await evaluate(job, context, base);
  else if (job.kind === 'validate') result = await validate(job, context, base);
  else result = await train(job, context, base);
  await writeJobResult(context.shared, result);
  return result;
}

type Base = Pick<JobResult, 'jobId' | 'run' | 'worker' | 'attempt'>;
type Of<K extends ParsedJob['kind']> = Extract<ParsedJob, { kind: K }>;

function stoppedError(context: JobContext): QueueError {
  return new QueueError(`job ${context.jobId}: the worker was stopped before the job finished; it will be retried`);
}

async function collectShard(job: Of<'collect'>, context: JobContext, base: Base): Promise<CollectJobResult> {
  const { model, seed, ...settings } = job.settings;
  const dataset = attemptFolder(job.run, 'shards', context.jobId);
  // The shard's episodes are episodes firstEpisode… of the collection: seeds seed + k, as a local run gives them.
  const r = await collectDataset({
    ...settings,
    ...(model !== undefined && { model: inShared(context.shared, model) }),
    seed: seed + job.firstEpisode,
    episodes: job.episodes,
    out: inShared(context.shared, dataset),
    ...(context.signal && { signal: context.signal }),
  });
  if (r.stopped) throw stoppedError(context);
  const m = r.manifest;
  return {
    ...base,
    kind: 'collect',
    dataset,
    firstEpisode: job.firstEpisode,
    episodes: m.counts.episodes,
    transitions: m.counts.transitions,
    contentHash: m.contentHash,
    finishedAt: new Date().toISOString(),
  };
}

async function evaluate(job: Of<'evaluate'>, context: JobContext, base: Base): Promise<EvaluateJobResult> {
  const { model, ...settings } = job.settings;
  const report = await planEpisodes({
    ...settings,
    ...(model !== undefined && { model: inShared(context.shared, model) }),
    ...(context.signal && { signal: context.signal }),
  });
  if (report.stopped) throw stoppedError(context);
  return { ...base, kind: 'evaluate', report: { ...report, model: model ?? report.model }, finishedAt: new Date().toISOString() };
}

async function validate(job: Of<'validate'>, context: JobContext, base: Base): Promise<ValidateJobResult> {
  const { model, data, ...settings } = job.settings;
  const folder = attemptFolder(job.run, 'reports', context.jobId);
  // A stop makes validateModel reject with the signal's reason: the job fails and is retried.
  const { report } = await validateModel({
    ...settings,
    ...(model !== undefined && { model: inShared(context.shared, model) }),
    ...(data !== undefined && { data: inShared(context.shared, data) }),
    out: inShared(context.shared, folder),
    ...(context.signal && { signal: context.signal }),
  });
  return { ...base, kind: 'validate', report, folder, finishedAt: new Date().toISOString() };
}

async function train(job: Of<'train'>, context: JobContext, base: Base): Promise<TrainJobResult> {
  const folder = attemptFolder(job.run, 'models', context.jobId);
  const bundle = `${folder}/bundle`;
  const r = await trainWorldModel({
    data: job.settings.data.map((d) => inShared(context.shared, d)),
    out: inShared(context.shared, bundle),
    checkpoint: join(inShared(context.shared, folder), 'train.ckpt'),
    steps: job.settings.steps,
    seed: job.settings.seed,
    config: job.settings.config,
    ...(context.signal && { signal: context.signal }),
  });
  if (r.stopped) throw stoppedError(context);
  return { ...base, kind: 'train', bundle, steps: r.steps, finalLosses: r.finalLosses, finishedAt: new Date().toISOString() };
}

/** What {@link processQueuedJob} needs of a BullMQ job (a `Job` or a sandbox's `SandboxedJob`). */
export interface QueuedJob {
  readonly id?: string | undefined;
  readonly data: unknown;
  readonly attemptsMade: number;
  readonly attemptsStarted?: number;
}

/**
 * A BullMQ processor's body: runs `job` with {@link processJob}. A malformed payload or invalid settings
 * fail the job at once (BullMQ's `UnrecoverableError`, no retry: another attempt cannot fix them); other
 * errors leave it to BullMQ's retries.
 */
export async function processQueuedJob(job: QueuedJob, shared: string, signal?: AbortSignal): Promise<JobResult> {
  const jobId = job.id ?? '(no id)';
  try {
    return await processJob(job.data, { jobId, shared, attempt: job.attemptsStarted ?? job.attemptsMade + 1, ...(signal && { signal }) });
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw new UnrecoverableError(e.message);
    throw e;
  }
}
