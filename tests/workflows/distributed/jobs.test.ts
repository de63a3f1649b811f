import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import '../../../environments/index.js';
import { redisOptions } from '../../../workflows/distributed/connection.js';
import { jobIdFor, parseJobPayload, runIdFor } from '../../../workflows/distributed/jobs.js';
import { runJobs, type JobSpec } from '../../../workflows/distributed/run-jobs.js';
import type { EvaluateJobResult, TrainJobResult } from '../../../workflows/distributed/shared-folder.js';
import { collectDataset } from '../../../workflows/collect.js';
import { WorldModel } from '../../../src/worldmodel/world-model.js';
import { runWorker, type WorkerEvent } from '../../../workflows/distributed/worker.js';
import { redisMissing, startTestRedis, type TestRedis } from '../../fixtures/redis-server.js';

describe('job payloads', () => {
  it('name every bad field', () => {
    expect(() => parseJobPayload({ kind: 'collect', run: 'r', firstEpisode: -1, episodes: 2, settings: { env: 'PushBox-v0', polcy: 'random' } }, 'j1')).toThrow(
      /^job j1 payload: `firstEpisode`: .*>=0.* \(got -1\); `settings`: Unrecognized key: "polcy"/,
    );
    expect(() => parseJobPayload('garbage', 'j2')).toThrow(/job j2 payload: `\(root\)`: expected a job whose `kind` is collect, evaluate, validate or train/);
    expect(() => parseJobPayload({ kind: 'evaluate', run: 'r', settings: { env: 'Reach-v0', model: '../outside' } }, 'j3')).toThrow(
      /`settings.model`: expected a path relative to the shared folder, without `..`/,
    );
    expect(() => parseJobPayload({ kind: 'evaluate', run: 'r:1', settings: { env: 'Reach-v0', oracle: true } }, 'j4')).toThrow(/`run`: expected 1 to 100 letters/);
  });

  it('key runs by what they compute', () => {
    expect(runIdFor('collect', { a: 1, b: [2] })).toBe(runIdFor('collect', { b: [2], a: 1 }));
    expect(runIdFor('collect', { a: 1 })).not.toBe(runIdFor('collect', { a: 2 }));
    expect(jobIdFor('run-1', 'collect', 7)).toBe('run-1.collect-00007');
  });

  it('take Redis URLs with passwords, databases and TLS', () => {
    expect(redisOptions('rediss://user:p%40ss@10.0.0.5:6380/2', { connectTimeout: 5 })).toEqual({
      host: '10.0.0.5',
      port: 6380,
      username: 'user',
      password: 'p@ss',
      db: 2,
      tls: {},
      connectTimeout: 5,
    });
    expect(() => redisOptions('http://localhost')).toThrow(/expected `queue` to be a redis:\/\/ or rediss:\/\/ URL, got "http:\/\/localhost"/);
  });
});

describe.skipIf(redisMissing !== undefined)('a worker', () => {
  let redis: TestRedis;
  let dir: string;
  let queue: Queue;
  const stop = new AbortController();
  const events: WorkerEvent[] = [];
  let worker: ReturnType<typeof runWorker>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distributed-jobs-'));
    redis = await startTestRedis();
    queue = new Queue('jobs-test', { connection: redisOptions(redis.url) });
    worker = runWorker({ queue: redis.url, queueName: 'jobs-test', shared: dir, signal: stop.signal, onEvent: (e) => events.push(e) });
  });
  afterAll(async () => {
    stop.abort();
    await worker;
    await queue?.close();
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails a malformed job at once with a clear error, and lives on to run the next', async () => {
    const bad = await queue.add(
      'collect',
      { kind: 'collect', run: 'bad-run', firstEpisode: -1, episodes: 2, settings: { env: 'PushBox-v0', polcy: 'random' } },
      { jobId: 'bad-1', attempts: 3 },
    );
    while ((await bad.getState()) !== 'failed') await sleep(50);
    const failed = (await queue.getJob('bad-1'))!;
    expect(failed.failedReason).toMatch(/^job bad-1 payload: `firstEpisode`: .*; `settings`: Unrecognized key: "polcy"/);
    expect(failed.attemptsMade).toBe(1);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'failed', jobId: 'bad-1', final: true }));

    // An evaluation over a seed range (plan with Rapier itself), run through the coordinator.
    const run = 'eval-test';
    const job: JobSpec = {
      id: jobIdFor(run, 'evaluate', 0),
      payload: { kind: 'evaluate', run, settings: { env: 'Reach-v0', oracle: true, algorithm: 'cem', samples: 16, horizon: 4, iterations: 1, maxSteps: 4, episodes: 2, seed: 3 } },
    };
    const gather = () => runJobs({ queue: redis.url, queueName: 'jobs-test', redis: {}, shared: dir, run, jobs: [job], attempts: 2, redisTimeoutMs: 10_000 });
    const first = await gather();
    const result = first.results.get(job.id) as EvaluateJobResult;
    expect(result.report.results.map((r) => r.seed)).toEqual([3, 4]);
    expect(result.report.model).toBe('oracle (Rapier)');
    expect(result.attempt).toBe(1);
    // Idempotent: the same job again returns the stored result; nothing runs twice.
    const again = await gather();
    expect(again.results.get(job.id)).toEqual(result);
  }, 30_000);

  it('trains a world model on a dataset in the shared folder', async () => {
    await collectDataset({ env: 'Reach-v0', episodes: 3, maxEpisodeSteps: 20, seed: 1, out: join(dir, 'data', 'reach') });
    const run = 'train-test';
    const config = { latentDim: 8, encoderHidden: [16], dynamicsHidden: [16], rewardHidden: [8], terminalHidden: [8], decoderHidden: [16], batchSize: 16, horizon: 3 };
    const job: JobSpec = { id: jobIdFor(run, 'train', 0), payload: { kind: 'train', run, settings: { data: ['data/reach'], steps: 8, seed: 2, config } } };
    const { results } = await runJobs({ queue: redis.url, queueName: 'jobs-test', redis: {}, shared: dir, run, jobs: [job], attempts: 1, redisTimeoutMs: 10_000 });
    const result = results.get(job.id) as TrainJobResult;
    expect(result.bundle).toMatch(/^runs\/train-test\/models\/train-test\.train-00000\/[^/]+\/bundle$/);
    const model = await WorldModel.load(join(dir, result.bundle));
    expect(model.manifest.envId).toBe('Reach-v0');
    await model.close();
  }, 30_000);
});
