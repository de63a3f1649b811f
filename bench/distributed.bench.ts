/**
 * Distributed collection on a BullMQ queue (a private redis-server on 127.0.0.1):
 *
 * - `distributed.collect.pushbox.workers1` / `.workers2`: wall time of a PushBox-v0 collection (random
 *   policy, 384 whole 200-step episodes, shards of 8 episodes: `BENCH_EPISODES`, `BENCH_SHARD`) through 1 and through 2 `embodied worker`
 *   processes, runs interleaved; `distributed.collect.pushbox.speedup` is their per-run ratio (target ≥ 1.8×
 *   on 2 idle cores). Each run collects other seeds, so no shard is reused.
 * - `distributed.collect.pushbox.local`: the same collection by `collectDataset` in this process, and
 *   `distributed.collect.pushbox.queue1-over-local`: what one worker through the queue costs over it.
 * - `distributed.job.queue` / `.direct`: a trivial job (one 1-step episode) through the queue with one worker
 *   vs the same job run here by `processJob` (on a loaded machine their difference is noise: the sandbox is
 *   another process, with its own share of the cores).
 * - `distributed.job.queue-overhead`: the queue's own cost per job — jobs whose result is already stored
 *   (what a retried job does), one after another through one worker: Redis round trips, the hand-off to the
 *   sandbox process, one small file read.
 *
 * `npm run bench -- --only distributed` → bench/results/distributed.json. Needs redis-server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import '../environments/index.js';
import { redisOptions } from '../workflows/distributed/connection.js';
import { startTestRedis, startWorkerProcess, type WorkerProcess } from '../tests/fixtures/redis-server.js';
import { collectDataset } from '../workflows/collect.js';
import { collectOnQueue } from '../workflows/distributed/collect.js';
import { jobIdFor } from '../workflows/distributed/jobs.js';
import { processJob } from '../workflows/distributed/process-job.js';
import { runJobs, type JobSpec } from '../workflows/distributed/run-jobs.js';
import { interleave, ratios, summarize, writeResults, type BenchResult } from './harness.js';

const EPISODES = Number(process.env.BENCH_EPISODES ?? 384);
const SHARD = Number(process.env.BENCH_SHARD ?? 8); // the default of `embodied collect --queue`
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TRIVIAL_JOBS = 40;
const settings = { env: 'PushBox-v0', policy: 'random' } as const;

const dir = mkdtempSync(join(tmpdir(), 'bench-distributed-'));
const shared = join(dir, 'shared');
const redis = await startTestRedis();
const workers: WorkerProcess[] = [];
// Queue "one" has one worker, queue "two" two: idle workers only wait on Redis.
for (const queueName of ['one', 'two', 'two']) {
  const w = startWorkerProcess(['--queue', redis.url, '--shared', shared, '--queue-name', queueName]);
  workers.push(w);
}
await Promise.all(workers.map((w) => w.waitFor('waiting for jobs', 60_000)));

let run = 0;
const outs: string[] = [];
const queued = (queueName: string) => async () => {
  const out = join(dir, `out-${run}`);
  outs.push(out);
  // Fresh seeds every run: a new run id, nothing to reuse.
  await collectOnQueue({ ...settings, seed: 1000 * run++, episodes: EPISODES, shardEpisodes: SHARD, out, queue: redis.url, queueName, shared, pollMs: 20 });
};
const local = async () => {
  const out = join(dir, `out-${run}`);
  outs.push(out);
  await collectDataset({ ...settings, seed: 1000 * run++, episodes: EPISODES, out });
};

const results: BenchResult[] = [];
// The machine's load while measuring (other programs on the same cores): 2 workers cannot beat 1 without idle cores.
const loadBefore = loadavg()[0]!;
try {
  const samples = await interleave({ workers1: queued('one'), workers2: queued('two'), local }, { warmup: 1, runs: RUNS });
  const load = { loadAverageBefore: loadBefore, loadAverageAfter: loadavg()[0]! };
  const params = { env: settings.env, policy: settings.policy, episodes: EPISODES, shardEpisodes: SHARD, episodeSteps: 200, ...load };
  for (const [name, values] of Object.entries(samples)) results.push(summarize(`distributed.collect.pushbox.${name}`, 'ms', values, params));
  results.push(summarize('distributed.collect.pushbox.speedup', 'x', ratios(samples.workers1!, samples.workers2!), { ...params, what: 'workers1 / workers2 wall time' }));
  results.push(summarize('distributed.collect.pushbox.queue1-over-local', 'x', ratios(samples.workers1!, samples.local!), { ...params, what: 'workers1 / local wall time' }));

  // The queue's own cost per job: trivial jobs through one worker vs the same jobs run here.
  const trivial = (tag: string): JobSpec[] =>
    Array.from({ length: TRIVIAL_JOBS }, (_, i) => ({
      id: jobIdFor(`trivial-${tag}`, 'collect', i),
      payload: { kind: 'collect', run: `trivial-${tag}`, firstEpisode: i, episodes: 1, settings: { ...settings, maxEpisodeSteps: 1 } },
    }));
  let round = 0;
  const jobSamples = await interleave(
    {
      queue: async () => {
        const tag = `q${round++}`;
        await runJobs({ queue: redis.url, queueName: 'one', redis: {}, shared, run: `trivial-${tag}`, jobs: trivial(tag), attempts: 1, redisTimeoutMs: 10_000, pollMs: 5 });
      },
      direct: async () => {
        const tag = `d${round++}`;
        for (const job of trivial(tag)) await processJob(job.payload, { jobId: job.id, shared, attempt: 1 });
      },
    },
    { warmup: 1, runs: RUNS },
  );
  const perJob = (v: number[]) => v.map((ms) => ms / TRIVIAL_JOBS);
  const jobParams = { jobs: TRIVIAL_JOBS, job: 'collect 1 episode of 1 step (PushBox-v0)', worker: '1 process, sandboxed', coordinatorPollMs: 5, loadAverageAfter: loadavg()[0]! };
  results.push(summarize('distributed.job.queue', 'ms', perJob(jobSamples.queue!), jobParams));
  results.push(summarize('distributed.job.direct', 'ms', perJob(jobSamples.direct!), jobParams));

  // The queue's cost alone: jobs whose results are already stored (a retry's path: the worker reads the result
  // file and returns it), added straight to BullMQ and waited for until the queue is empty.
  const noop = trivial('noop');
  await runJobs({ queue: redis.url, queueName: 'one', redis: {}, shared, run: 'trivial-noop', jobs: noop, attempts: 1, redisTimeoutMs: 10_000, pollMs: 5 });
  const queue = new Queue('one', { connection: redisOptions(redis.url) });
  try {
    const noopSamples = await interleave(
      {
        noop: async () => {
          await queue.addBulk(noop.map((j) => ({ name: 'collect', data: j.payload, opts: { jobId: j.id, removeOnComplete: true } })));
          for (;;) {
            const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
            if (Object.values(counts).every((n) => n === 0)) break;
            await sleep(2);
          }
        },
      },
      { warmup: 1, runs: RUNS },
    );
    results.push(
      summarize('distributed.job.queue-overhead', 'ms', perJob(noopSamples.noop!), {
        ...jobParams,
        job: 'a job whose result is stored (Redis round trips, sandbox hand-off, one small file read)',
        what: 'wall time per job, jobs one after another through one worker',
      }),
    );
  } finally {
    await queue.close();
  }
  await writeResults('distributed', results);
} finally {
  await Promise.all(workers.map((w) => w.stop()));
  await redis.dispose();
  rmSync(dir, { recursive: true, force: true });
}
