/**
 * The sandboxed processor of `runWorker`: BullMQ forks a child process that imports this module and
 * runs each job in it, so a job that crashes its process (a WebAssembly trap, running out of memory)
 * fails that job — to be retried — while the worker lives on. The worker passes the shared folder and
 * the user's `--import` modules through the environment.
 *
 * @module
 */
import '../../environments/index.js';
import { pathToFileURL } from 'node:url';
import type { SandboxedJob } from 'bullmq';
import { processQueuedJob } from './process-job.js';
import type { JobResult } from './shared-folder.js';
import { SANDBOX_IMPORTS_ENV, SANDBOX_SHARED_ENV } from './worker.js';

// The worker that forked this process is gone (killed): stop, rather than run a job nobody owns any more.
process.on('disconnect', () => process.exit(1));
// …also when it died while this process was still starting (before the listener above existed).
if (process.send !== undefined && !process.connected) process.exit(1);

for (const module of JSON.parse(process.env[SANDBOX_IMPORTS_ENV] ?? '[]') as string[]) await import(pathToFileURL(module).href);

/** Runs one job in the sandbox (BullMQ's processor signature). */
export default async function sandboxedProcessor(job: SandboxedJob, _token?: string, signal?: AbortSignal): Promise<JobResult> {
  const shared = process.env[SANDBOX_SHARED_ENV];
  if (shared === undefined) throw new Error(`the sandbox was started without ${SANDBOX_SHARED_ENV}; start it through runWorker`);
  return processQueuedJob(job, shared, signal);
}
