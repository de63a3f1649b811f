/**
 * `runJobs`: the coordinator's side of a distributed run. It puts jobs on the queue under fixed ids (BullMQ
 * keeps one job per id, so resubmitting never duplicates work) and watches two places until every job is
 * done: the shared folder, where a job's result file appears when it finished, and Redis, where a job
 * that vanished (Redis restarted without persistence) is submitted again and a job that failed for good is
 * counted. While Redis is unreachable it waits, up to `redisTimeoutMs`, then stops with a {@link QueueError}
 * that says how to resume — the finished results stay in the shared folder, and the same command run again
 * picks them up.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { EmbodiedError } from '../../src/errors.js';
import { redactedUrl, redisOptions } from './connection.js';
import { QueueError, type JobPayload } from './jobs.js';
import { readJobResult, resultFile, runFolder, storedResultIds, type JobResult } from './shared-folder.js';

/** Progress of {@link runJobs}: jobs done, failed for good, retried (started more than once), resubmitted. */
export interface QueueProgress {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  /** Jobs started more than once (a worker died or an attempt failed). */
  readonly retried: number;
  /** Jobs submitted again because Redis had lost them (a restart without persistence). */
  readonly resubmitted: number;
}

/** One job to run: its id (see `jobIdFor`) and payload. */
export interface JobSpec {
  readonly id: string;
  readonly payload: JobPayload;
}

/** Options of {@link runJobs}. */
export interface RunJobsOptions {
  /** Redis URL. */
  readonly queue: string;
  /** BullMQ queue name. */
  readonly queueName: string;
  /** ioredis options laid over the URL's. */
  readonly redis: Record<string, unknown>;
  /** The shared folder. */
  readonly shared: string;
  /** The run the jobs belong to (every payload's `run`). */
  readonly run: string;
  readonly jobs: readonly JobSpec[];
  /** Attempts per job before it fails for good. */
  readonly attempts: number;
  /** How long Redis may stay unreachable before the run stops with a {@link QueueError}, ms. */
  readonly redisTimeoutMs: number;
  /** How often the shared folder and Redis are looked at, ms. Default 200. */
  readonly pollMs?: number;
  /**
   * How long a job may keep finishing in Redis without its result appearing in the shared folder before the
   * run stops with a {@link QueueError} (the workers write elsewhere: another `--shared`), ms. Generous by
   * default, because a network file system may show another machine's new file only after its attribute
   * cache expires (NFS: up to a minute). Default 120000.
   */
  readonly missingResultMs?: number;
  /** Stops waiting (queued jobs stay queued; the same command run again picks up their results). */
  readonly signal?: AbortSignal;
  /** Called after every look. */
  readonly onProgress?: (progress: QueueProgress) => void;
}

/** What {@link runJobs} gathered. */
export interface RunJobsResult {
  /** Results by job id (every job, unless some failed or the run was stopped). */
  readonly results: ReadonlyMap<string, JobResult>;
  /** Jobs that failed for good, with BullMQ's reason. */
  readonly failed: ReadonlyMap<string, string>;
  /** Whether `signal` stopped the run before every job finished. */
  readonly stopped: boolean;
  /**
   * Why closing the queue's Redis connection failed after every result was gathered (Redis went away at
   * the very end): the results are complete and stored, so the run does not fail for it.
   */
  readonly closeError?: string;
}

/** How often the jobs' states in Redis are read (at most), ms. */
const STATES_EVERY_MS = 1_000;

/** A Redis call that takes longer than this counts as Redis being unreachable. */
const CALL_TIMEOUT_MS = 5_000;

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  const timeout = new AbortController();
  try {
    return await Promise.race([
      work,
      sleep(ms, undefined, { signal: timeout.signal }).then(() => {
        throw new Error(`${what} took longer than ${ms} ms`);
      }),
    ]);
  } finally {
    timeout.abort();
  }
}

/**
 * Closes the queue. With Redis gone closing fails too: that must not hide the error that says so
 * (`failing`); after a complete gather the failure is returned for the result (the results are stored);
 * otherwise it is thrown.
 */
async function closeQueue(queue: Queue, failing: boolean, complete: boolean): Promise<string | undefined> {
  try {
    await withTimeout(queue.close(), CALL_TIMEOUT_MS, 'closing the queue');
    return undefined;
  } catch (e) {
    if (failing || complete) return (e as Error).message;
    throw e;
  }
}

/** Moves the pending jobs whose result file exists (one listing of the results folder) into `results`. */
async function gatherStored(o: RunJobsOptions, pending: Map<string, JobSpec>, results: Map<string, JobResult>, retried: Set<string>): Promise<void> {
  const stored = await storedResultIds(o.shared, o.run);
  for (const id of pending.keys()) {
    if (!stored.has(id)) continue;
    const result = await readJobResult(o.shared, o.run, id);
    if (result === undefined) continue;
    results.set(id, result);
    if (result.attempt > 1) retried.add(id);
    pending.delete(id);
  }
}

/**
 * Submits `jobs` and waits until each has a result in the shared folder or failed for good.
 * @throws {@link QueueError} when Redis stays unreachable longer than `redisTimeoutMs`.
 */
export async function runJobs(o: RunJobsOptions): Promise<RunJobsResult> {
  const queue = new Queue(o.queueName, { connection: { ...redisOptions(o.queue, o.redis), enableOfflineQueue: false, maxRetriesPerRequest: 1 } });
  let lastError = 'no answer';
  queue.on('error', (e) => {
    lastError = e.message;
  });
  // BullMQ sends INFO while the connection may still be opening; without the offline queue that can fail,
  // and nothing in BullMQ handles that promise. Its error is kept: the loop below reports it if Redis stays away.
  queue.waitUntilReady().catch((e: unknown) => {
    lastError = (e as Error).message;
  });
  const pending = new Map(o.jobs.map((j) => [j.id, j]));
  const results = new Map<string, JobResult>();
  const failed = new Map<string, string>();
  const retried = new Set<string>();
  let resubmitted = 0;
  let first = true;
  let downSince: number | undefined;
  // A job that keeps leaving Redis (finished) without a result file: the workers see another shared folder.
  const vanished = new Map<string, { since: number; times: number }>();
  const checkResultAppears = (id: string) => {
    const v = vanished.get(id) ?? { since: performance.now(), times: 0 };
    v.times++;
    vanished.set(id, v);
    if (v.times < 3 || performance.now() - v.since < (o.missingResultMs ?? 120_000)) return;
    throw new QueueError(
      `job ${id} left the queue ${v.times} times without its result appearing at ${resultFile(o.shared, o.run, id)}: ` +
        `do the workers mount the same shared folder (their --shared) as ${o.shared}?`,
    );
  };
  const report = () => o.onProgress?.({ total: o.jobs.length, done: results.size, failed: failed.size, retried: retried.size, resubmitted });

  // One look at the unfinished jobs: the shared folder first (the truth; one listing), then, at most once
  // every STATES_EVERY_MS, each job's state in Redis (two round trips a job: a fast poll over many jobs
  // must not take the cores the workers need).
  let statesAt = Number.NEGATIVE_INFINITY;
  const statesEveryMs = Math.max(o.pollMs ?? 200, STATES_EVERY_MS);
  const look = async () => {
    await gatherStored(o, pending, results, retried);
    if (pending.size === 0 || performance.now() - statesAt < statesEveryMs) return false;
    statesAt = performance.now();
    for (const [id, spec] of pending) {
      const job = await withTimeout(queue.getJob(id), CALL_TIMEOUT_MS, 'a Redis call');
      const state = job === undefined ? 'unknown' : await withTimeout(job.getState(), CALL_TIMEOUT_MS, 'a Redis call');
      // A job that failed in an earlier run of the same command gets a fresh start in this one.
      if (job !== undefined && state === 'failed' && first) await job.remove();
      if (job === undefined || (state === 'failed' && first)) {
        const options = { jobId: id, attempts: o.attempts, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } };
        await withTimeout(queue.add(spec.payload.kind, spec.payload, options), CALL_TIMEOUT_MS, 'a Redis call');
        if (!first) {
          resubmitted++;
          checkResultAppears(id);
        }
        continue;
      }
      if (job.attemptsStarted > 1 || job.stalledCounter > 0) retried.add(id);
      if (state === 'failed') {
        failed.set(id, job.failedReason);
        pending.delete(id);
      }
    }
    first = false;
    return true;
  };

  let failing = false;
  let closeError: string | undefined;
  try {
    while (pending.size > 0 && !o.signal?.aborted) {
      try {
        // Redis answered (when this look asked it): it is not down.
        if (await look()) downSince = undefined;
      } catch (e) {
        if (e instanceof EmbodiedError) throw e;
        lastError = (e as Error).message;
        downSince ??= performance.now();
        if (performance.now() - downSince > o.redisTimeoutMs) {
          throw new QueueError(
            `lost Redis at ${redactedUrl(o.queue)} for ${(o.redisTimeoutMs / 1000).toFixed(0)} s (${lastError}); ${results.size} of ${o.jobs.length} jobs had finished ` +
              `and their results are kept in ${runFolder(o.shared, o.run)}. Nothing was assembled: start Redis and run the same command again to resume`,
            { cause: e },
          );
        }
      }
      report();
      // An abort ends the wait early (the loop then stops): not an error.
      if (pending.size > 0) await sleep(o.pollMs ?? 200, undefined, o.signal ? { signal: o.signal } : {}).catch(() => undefined);
    }
  } catch (e) {
    failing = true;
    throw e;
  } finally {
    closeError = await closeQueue(queue, failing, pending.size === 0);
  }
  return { results, failed, stopped: pending.size > 0, ...(closeError !== undefined && { closeError }) };
}
