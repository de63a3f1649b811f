/**
 * `embodied worker`: flags → {@link runWorker}. Runs Embodied's jobs (collect shards, evaluations, validations,
 * training) from a BullMQ queue on Redis, writing results into the shared folder, until Ctrl-C or
 * SIGTERM: then the running jobs finish (a second signal quits at once; the jobs are retried elsewhere).
 */
import type { Command } from 'commander';
import { runWorker, type WorkerEvent } from '../../workflows/distributed/worker.js';
import { integerOption, jsonObjectOption, withCtrlC } from '../options.js';

/** One line per event, as the worker prints it. */
function describeEvent(e: WorkerEvent): string {
  if (e.kind === 'ready') return 'connected; waiting for jobs';
  if (e.kind === 'error') return `connection: ${e.message}`;
  if (e.kind === 'stalled') return `job ${e.jobId} stalled (its worker stopped answering); it goes back to the queue`;
  if (e.kind === 'failed') return `job ${e.jobId} failed (attempt ${e.attempt}${e.final ? ', for good' : ', will be retried'}): ${e.message}`;
  return `job ${e.jobId} ${e.kind === 'active' ? 'started' : 'done'} (attempt ${e.attempt})`;
}

/** Adds the `worker` subcommand. */
export function registerWorkerCommand(program: Command): void {
  const command = program
    .command('worker')
    .description('run collect, evaluate, validate and train jobs from a BullMQ queue on Redis (see docs/distributed.md)')
    .requiredOption('--queue <url>', 'Redis URL, e.g. redis://10.0.0.5:6379 (rediss:// for TLS, redis://:password@host:port)')
    .requiredOption('--shared <dir>', "this machine's path to the shared folder (datasets, bundles and results)")
    .option('--queue-name <name>', 'BullMQ queue name', 'embodied')
    .option('--concurrency <n>', 'jobs run at once, each in its own process', integerOption(1), 1)
    .option('--no-sandbox', 'run jobs in this process instead of a child process each')
    .option('--lock-duration <ms>', "a job's lock lifetime: a worker silent this long has stalled and its job is retried", integerOption(1), 30_000)
    .option('--stalled-interval <ms>', 'how often to look for stalled jobs', integerOption(1), 30_000)
    .option('--redis-options <json>', 'ioredis options as a JSON object, over those of the URL (e.g. {"tls":{"servername":"redis.lan"}})', jsonObjectOption);
  type Flags = {
    queue: string;
    shared: string;
    queueName: string;
    concurrency: number;
    sandbox: boolean;
    lockDuration: number;
    stalledInterval: number;
    redisOptions?: Record<string, unknown>;
  };
  command.action(async ({ redisOptions, ...o }: Flags) => {
    const imports = (program.opts() as { import?: string[] }).import ?? [];
    await withCtrlC(command, 'stopping after the running jobs', async (signal) => {
      const r = await runWorker({
        ...o,
        imports,
        ...(redisOptions !== undefined && { redis: redisOptions }),
        signal,
        onEvent: (e) => console.log(`${new Date().toISOString()} ${describeEvent(e)}`),
      });
      console.log(`worker stopped: ${r.completed} jobs done, ${r.failed} attempts failed`);
    });
  });
}
