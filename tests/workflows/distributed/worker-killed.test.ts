import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../environments/index.js';
import { collectDataset } from '../../../workflows/collect.js';
import { collectOnQueue } from '../../../workflows/distributed/collect.js';
import type { QueueProgress } from '../../../workflows/distributed/run-jobs.js';
import { redisMissing, startTestRedis, startWorkerProcess, type TestRedis, type WorkerProcess } from '../../fixtures/redis-server.js';

const settings = { env: 'PushBox-v0', policy: 'scripted', noise: 0.1, maxEpisodeSteps: 150, seed: 3 } as const;
const EPISODES = 8;
// Short locks and stalled checks, so a dead worker's job is back on the queue within about 3 s.
const FAST_STALLS = ['--lock-duration', '2000', '--stalled-interval', '1000'];

describe.skipIf(redisMissing !== undefined)('a worker killed mid-job', () => {
  let redis: TestRedis;
  let dir: string;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distributed-kill-'));
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has its job retried by another worker; the dataset misses and repeats no episode', async () => {
    const shared = join(dir, 'shared');
    const start = () => {
      const w = startWorkerProcess(['--queue', redis.url, '--shared', shared, '--queue-name', 'kill-test', ...FAST_STALLS]);
      workers.push(w);
      return w;
    };
    const doomed = start();
    await doomed.waitFor('waiting for jobs');
    const progress: QueueProgress[] = [];
    const run = collectOnQueue({
      ...settings,
      episodes: EPISODES,
      shardEpisodes: 2,
      out: join(dir, 'queued'),
      queue: redis.url,
      queueName: 'kill-test',
      shared,
      onProgress: (p) => progress.push(p),
    });
    // Its first job starts a sandbox process (seconds): killed now, the worker dies mid-job.
    await doomed.waitFor(/job \S+ started/);
    const survivor = start();
    doomed.child.kill('SIGKILL');
    await survivor.waitFor('waiting for jobs');
    const local = await collectDataset({ ...settings, episodes: EPISODES, out: join(dir, 'local') });
    const queued = await run;

    expect(queued.manifest.episodeSeeds).toEqual(Array.from({ length: EPISODES }, (_, k) => settings.seed + k));
    expect(queued.manifest.counts).toEqual(local.manifest.counts);
    expect(queued.manifest.contentHash).toBe(local.manifest.contentHash);
    expect(queued.jobs).toMatchObject({ total: 4, done: 4, failed: 0 });
    expect(queued.jobs.retried).toBeGreaterThanOrEqual(1);
    expect(doomed.output()).not.toMatch(/job \S+ done/);
    expect(survivor.output()).toMatch(/job \S+ done \(attempt 2\)/);
  }, 30_000);
});
