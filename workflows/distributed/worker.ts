/**
 * `runWorker`: a BullMQ worker that runs Embodied's jobs (collect a shard, evaluate, validate, train; see
 * `JobPayloadSchema`) from a Redis queue, writing their results into the shared folder. What
 * `embodied worker` runs, on any machine that has the package and mounts the shared folder.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { Worker, type Job } from 'bullmq';
import { parseOptions, z } from '../../src/options.js';
import { callbackOption, signalOption } from '../schema.js';
import { redactedUrl, redisOptions } from './connection.js';
import { DEFAULT_QUEUE_NAME } from './jobs.js';
import { processQueuedJob } from './process-job.js';

/** Environment variable holding the shared folder of a sandbox's worker. */
export const SANDBOX_SHARED_ENV = 'EMBODIED_WORKER_SHARED';
/** Environment variable holding the JSON list of modules a sandbox imports first (the worker's `--import`). */
export const SANDBOX_IMPORTS_ENV = 'EMBODIED_WORKER_IMPORTS';

/** Something that happened on a worker: a job started, finished or failed, or the connection had an error. */
export type WorkerEvent =
  | { readonly kind: 'ready' }
  | { readonly kind: 'active' | 'completed'; readonly jobId: string; readonly attempt: number }
  | { readonly kind: 'failed'; readonly jobId: string; readonly attempt: number; readonly message: string; readonly final: boolean }
  | { readonly kind: 'stalled'; readonly jobId: string }
  | { readonly kind: 'error'; readonly message: string };

const positiveInt = () => z.number().int().positive();

/** Zod schema of {@link RunWorkerOptions}. */
export const RunWorkerOptionsSchema = z
  .object({
    /** The Redis URL, `redis://host:port` (`rediss://` for TLS; a password as `redis://:password@host:port`). */
    queue: z.string().min(1),
    /** The BullMQ queue name. Default `embodied`. */
    queueName: z.string().min(1).default(DEFAULT_QUEUE_NAME),
    /** The shared folder (this machine's mount of it). */
    shared: z.string().min(1),
    /** Jobs run at once (each in its own sandbox process). Default 1. */
    concurrency: positiveInt().max(256).default(1),
    /** Run each job in a child process (BullMQ's sandboxed processor), so a crashing job cannot take the worker down. Default true. */
    sandbox: z.boolean().default(true),
    /** How long a job's lock lasts without renewal, ms: a worker silent this long has stalled. Default 30000. */
    lockDuration: positiveInt().default(30_000),
    /** How often this worker looks for stalled jobs (of any worker), ms. Default 30000. */
    stalledInterval: positiveInt().default(30_000),
    /** Times a job may stall (its worker died) before it fails. Default 2. */
    maxStalledCount: z.number().int().nonnegative().default(2),
    /** ioredis options laid over those of the URL (password, `tls`, timeouts). Default `{}`. */
    redis: z.record(z.string(), z.unknown()).default({}),
    /** Modules each sandbox imports before its first job (your environments' registrations). Default none. */
    imports: z.array(z.string().min(1)).default([]),
    /** Stops the worker: running jobs finish, no new ones start. */
    signal: signalOption(),
    /** Called for every {@link WorkerEvent}. */
    onEvent: callbackOption<(event: WorkerEvent) => void>(),
  })
  .strict();

/** Options of {@link runWorker}. */
export type RunWorkerOptions = z.input<typeof RunWorkerOptionsSchema>;

/** What {@link runWorker} did. */
export interface RunWorkerResult {
  /** Jobs that completed here. */
  readonly completed: number;
  /** Attempts that failed here. */
  readonly failed: number;
}

/** The sandbox module, as a file: `.ts` beside the sources, `.js` in the compiled package. */
function sandboxFile(): string {
  return fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './sandbox.ts' : './sandbox.js', import.meta.url));
}

/** Node flags of a sandbox: from the TypeScript sources it loads tsx (an absolute URL, so any working directory works). */
function sandboxExecArgv(): string[] {
  return import.meta.url.endsWith('.ts') ? [...process.execArgv, '--import', import.meta.resolve('tsx')] : [...process.execArgv];
}

/**
 * Runs jobs from the queue until `signal` aborts; then lets the running jobs finish and returns.
 * @throws {@link InvalidArgumentError} for bad options (a bad URL, a bad option).
 */
export async function runWorker(options: RunWorkerOptions): Promise<RunWorkerResult> {
  const o = parseOptions(RunWorkerOptionsSchema, options, 'runWorker options');
  const shared = resolve(o.shared);
  const connection = redisOptions(o.queue, o.redis);
  const imports = o.imports.map((m) => resolve(m));
  const emit = (e: WorkerEvent) => o.onEvent?.(e);
  const processor = o.sandbox ? sandboxFile() : (job: Job, _token?: string, signal?: AbortSignal) => processQueuedJob(job, shared, signal);
  const worker = new Worker(o.queueName, processor, {
    connection: { ...connection, maxRetriesPerRequest: null },
    concurrency: o.concurrency,
    lockDuration: o.lockDuration,
    stalledInterval: o.stalledInterval,
    maxStalledCount: o.maxStalledCount,
    autorun: false,
    ...(o.sandbox && {
      workerForkOptions: { execArgv: sandboxExecArgv(), env: { ...process.env, [SANDBOX_SHARED_ENV]: shared, [SANDBOX_IMPORTS_ENV]: JSON.stringify(imports) } },
    }),
  });
  let completed = 0;
  let failed = 0;
  worker.on('ready', () => emit({ kind: 'ready' }));
  worker.on('active', (job) => emit({ kind: 'active', jobId: job.id ?? '', attempt: job.attemptsStarted }));
  worker.on('completed', (job) => {
    completed++;
    emit({ kind: 'completed', jobId: job.id ?? '', attempt: job.attemptsStarted });
  });
  worker.on('failed', (job, error) => {
    failed++;
    const final = job === undefined || error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    emit({ kind: 'failed', jobId: job?.id ?? '', attempt: job?.attemptsStarted ?? 0, message: error.message, final });
  });
  worker.on('stalled', (jobId) => emit({ kind: 'stalled', jobId }));
  // Connection trouble (Redis restarting) is reported and ridden out: ioredis reconnects by itself.
  worker.on('error', (error) => emit({ kind: 'error', message: `${redactedUrl(o.queue)}: ${error.message}` }));
  const stopped = new Promise<void>((done) => {
    if (o.signal?.aborted) done();
    o.signal?.addEventListener('abort', () => done(), { once: true });
  });
  const running = worker.run();
  try {
    await Promise.race([stopped, running]);
  } finally {
    // Lets the running jobs finish (their sandboxes exit after them); takes no new ones.
    await worker.close();
  }
  await running;
  return { completed, failed };
}
