import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../environments/index.js';
import { validateOnQueue } from '../../../workflows/distributed/validate.js';
import { runJobs } from '../../../workflows/distributed/run-jobs.js';
import { runWorker } from '../../../workflows/distributed/worker.js';
import { redisMissing, startTestRedis, type TestRedis } from '../../fixtures/redis-server.js';

describe.skipIf(redisMissing !== undefined)('validate through the queue', () => {
  let redis: TestRedis;
  let dir: string;
  const stop = new AbortController();
  let worker: ReturnType<typeof runWorker>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distributed-validate-'));
    redis = await startTestRedis();
    worker = runWorker({ queue: redis.url, queueName: 'validate-test', shared: join(dir, 'shared'), sandbox: false, signal: stop.signal });
  });
  afterAll(async () => {
    stop.abort();
    await worker;
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs validateModel on a worker and writes its report here; the same call returns the stored report', async () => {
    const options = {
      env: 'Reach-v0',
      oracle: true,
      quick: true,
      closedLoop: false,
      samples: 8,
      horizon: 3,
      iterations: 1,
      queue: redis.url,
      queueName: 'validate-test',
      shared: join(dir, 'shared'),
    };
    const r = await validateOnQueue({ ...options, out: join(dir, 'report') });
    expect(r.written.json).toBe(join(dir, 'report', 'report.json'));
    expect(existsSync(r.written.html)).toBe(true);
    expect(JSON.parse(readFileSync(r.written.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(r.report)));
    expect(r.report.env).toMatchObject({ id: 'Reach-v0' });
    const again = await validateOnQueue({ ...options, out: join(dir, 'again') });
    expect(again.run).toBe(r.run);
    expect(again.report.createdAt).toBe(r.report.createdAt);
    await expect(validateOnQueue({ ...options, oracle: false, out: join(dir, 'x') })).rejects.toThrow(/`model`: give exactly one of `model` and `oracle: true`/);
  }, 30_000);

  it('stops with a clear error when the workers write to another shared folder', async () => {
    const run = 'elsewhere';
    const job = { id: `${run}.collect-00000`, payload: { kind: 'collect', run, firstEpisode: 0, episodes: 1, settings: { env: 'LineWorld-v0', maxEpisodeSteps: 3 } } } as const;
    const other = join(dir, 'other');
    await expect(
      runJobs({ queue: redis.url, queueName: 'validate-test', redis: {}, shared: other, run, jobs: [job], attempts: 1, redisTimeoutMs: 5_000, pollMs: 50, missingResultMs: 500 }),
    ).rejects.toThrow(
      /job elsewhere\.collect-00000 left the queue \d+ times without its result appearing at .*other\/runs\/elsewhere\/results\/elsewhere\.collect-00000\.json: do the workers mount the same shared folder/,
    );
  }, 30_000);
});
