/**
 * Where distributed runs keep their files inside the shared folder (a directory every machine mounts —
 * NFS, SMB, a cloud file system — or the object-store mount of docs/distributed.md):
 *
 * ```
 * <shared>/runs/<run>/results/<job>.json           a job's result, written atomically after its data
 * <shared>/runs/<run>/coordinator.json             the lock of the command gathering the run (run-lock.ts)
 * <shared>/runs/<run>/shards/<job>/<attempt>/      a collect job's dataset (one folder per attempt)
 * <shared>/runs/<run>/models/<job>/<attempt>/      a train job's bundle (and checkpoint)
 * <shared>/runs/<run>/reports/<job>/<attempt>/     a validate job's report.json and report.html
 * ```
 *
 * An attempt writes only into its own folder, so two attempts of one job (a stalled worker that still
 * runs beside its replacement) never write the same file; the result file names the attempt whose data
 * counts, and a job whose result exists is not run again.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from '../../src/atomic-write.js';
import { InvalidArgumentError } from '../../src/errors.js';
import type { ValidationReport } from '../../src/validation/report-types.js';
import type { PlanReport } from '../plan.js';
import { QueueError, SharedPathSchema } from './jobs.js';

/** Who ran a job. */
export interface JobWorker {
  /** The machine's host name. */
  readonly host: string;
  /** The process that ran the job (the sandbox child, when sandboxed). */
  readonly pid: number;
}

interface ResultBase {
  readonly jobId: string;
  readonly run: string;
  readonly worker: JobWorker;
  /** 1 for the first attempt, 2 for its first retry, … (BullMQ's `attemptsStarted`). */
  readonly attempt: number;
  /** ISO time the job finished. */
  readonly finishedAt: string;
}

/** The result of a collect job: its shard dataset. */
export interface CollectJobResult extends ResultBase {
  readonly kind: 'collect';
  /** The shard's dataset folder, relative to the shared folder. */
  readonly dataset: string;
  readonly firstEpisode: number;
  readonly episodes: number;
  readonly transitions: number;
  readonly contentHash: string;
}

/** The result of an evaluate job: `planEpisodes`' report (its `model` relative to the shared folder). */
export interface EvaluateJobResult extends ResultBase {
  readonly kind: 'evaluate';
  readonly report: PlanReport;
}

/** The result of a validate job: the report (also written, with report.html, into `folder`). */
export interface ValidateJobResult extends ResultBase {
  readonly kind: 'validate';
  readonly report: ValidationReport;
  /** The folder of report.json and report.html, relative to the shared folder. */
  readonly folder: string;
}

/** The result of a train job: the bundle it wrote. */
export interface TrainJobResult extends ResultBase {
  readonly kind: 'train';
  /** The bundle folder, relative to the shared folder. */
  readonly bundle: string;
  readonly steps: number;
  readonly finalLosses: Readonly<Record<string, number>>;
}

/** Any job's result. */
export type JobResult = CollectJobResult | EvaluateJobResult | ValidateJobResult | TrainJobResult;

/** This process as a {@link JobWorker}. */
export function thisWorker(): JobWorker {
  return { host: hostname(), pid: process.pid };
}

/** The folder of run `run`. */
export function runFolder(shared: string, run: string): string {
  return join(resolve(shared), 'runs', run);
}

/** The result file of job `jobId` of run `run`. */
export function resultFile(shared: string, run: string, jobId: string): string {
  return join(runFolder(shared, run), 'results', `${jobId}.json`);
}

/** A fresh attempt folder for job `jobId` (relative to the shared folder), unique across machines. */
export function attemptFolder(run: string, area: 'shards' | 'models' | 'reports', jobId: string): string {
  const w = thisWorker();
  return ['runs', run, area, jobId, `${w.host.replace(/[^\w.-]/g, '_')}-${w.pid}-${randomBytes(4).toString('hex')}`].join('/');
}

/**
 * The absolute path of `path` (relative to the shared folder).
 * @throws {@link InvalidArgumentError} when `path` is absolute or leaves the shared folder.
 */
export function inShared(shared: string, path: string): string {
  const parsed = SharedPathSchema.safeParse(path);
  if (!parsed.success) throw new InvalidArgumentError(`expected a path relative to the shared folder, without \`..\`, got ${JSON.stringify(path)}`);
  return join(resolve(shared), path);
}

/**
 * `path` (absolute or relative to the working directory) as a path relative to the shared folder.
 * @throws {@link InvalidArgumentError} naming `what` when `path` is outside the shared folder (workers on
 * other machines could not read it).
 */
export function sharedRelative(shared: string, path: string, what: string): string {
  const rel = relative(resolve(shared), resolve(path));
  if (rel === '' || rel.startsWith('..') || resolve(path) !== join(resolve(shared), rel)) {
    throw new InvalidArgumentError(`${what} ${resolve(path)} is outside the shared folder ${resolve(shared)}; copy it there so that every worker can read it`);
  }
  return rel.split(sep).join('/');
}

/** The result of a job, or `undefined` when it has none yet. @throws {@link QueueError} when the file is not a result of that job. */
export async function readJobResult(shared: string, run: string, jobId: string): Promise<JobResult | undefined> {
  const file = resultFile(shared, run, jobId);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let json: JobResult;
  try {
    json = JSON.parse(text) as JobResult;
  } catch (e) {
    throw new QueueError(`${file}: not JSON (${(e as Error).message}); it is no job result of Embodied's`, { cause: e });
  }
  if (json?.jobId !== jobId) throw new QueueError(`${file}: expected the result of job ${jobId}, found ${JSON.stringify(json?.jobId)}`);
  return json;
}

/** The ids of the jobs of run `run` whose result file exists (one directory listing). */
export async function storedResultIds(shared: string, run: string): Promise<Set<string>> {
  let names: string[];
  try {
    names = await readdir(dirname(resultFile(shared, run, 'x')));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw e;
  }
  return new Set(names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length)));
}

/** Writes a job's result atomically (the data it names must be complete before). */
export async function writeJobResult(shared: string, result: JobResult): Promise<void> {
  await writeFileAtomic(resultFile(shared, result.run, result.jobId), `${JSON.stringify(result, null, 2)}\n`);
}
