import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import '../../../environments/index.js';
import '../../fixtures/slow-push-box.js';
import { collectDataset } from '../../../workflows/collect.js';
import { collectOnQueue } from '../../../workflows/distributed/collect.js';
import type { QueueProgress } from '../../../workflows/distributed/run-jobs.js';
import { redisMissing, startTestRedis, startWorkerProcess, type TestRedis, type WorkerProcess } from '../../fixtures/redis-server.js';

// Each step waits 5 ms (0.6 s an episode): jobs are still in flight when a test stops Redis, however
// fast or loaded the machine.
const settings = { env: 'SlowPushBox-v0', policy: 'random', maxEpisodeSteps: 120, seed: 5 } as const;
const EPISODES = 8;
const SLOW_ENV = 'tests/fixtures/slow-push-box.ts';

describe.skipIf(redisMissing !== undefined)('Redis restarted mid-run', () => {
  let redis: TestRedis;
  let dir: string;
  let worker: WorkerProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distributed-redis-'));
    redis = await startTestRedis();
    worker = startWorkerProcess([
      '--import',
      SLOW_ENV,
      '--queue',
      redis.url,
      '--shared',
      join(dir, 'shared'),
      '--queue-name',
      'restart-test',
      '--lock-duration',
      '2000',
      '--stalled-interval',
      '1000',
    ]);
    await worker.waitFor('waiting for jobs');
  });
  afterAll(async () => {
    await worker?.stop();
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const run = (out: string, redisTimeoutMs: number, onProgress: (p: QueueProgress) => void, episodes = EPISODES) =>
    collectOnQueue({
      ...settings,
      episodes,
      shardEpisodes: 1,
      out,
      queue: redis.url,
      queueName: 'restart-test',
      shared: join(dir, 'shared'),
      redisTimeoutMs,
      onProgress,
    });

  it('resumes: the lost jobs are submitted again and the dataset equals a local one', async () => {
    const out = join(dir, 'resumed');
    let done = 0;
    const collecting = run(out, 20_000, (p) => {
      done = p.done;
    });
    while (done < 1) await sleep(20);
    // A restart without persistence: every job of the run is gone from Redis.
    await redis.stop();
    try {
      await sleep(500);
      expect(done).toBeLessThan(EPISODES);
      expect(existsSync(out)).toBe(false);
    } finally {
      await redis.start();
    }
    const resumed = await collecting;
    const local = await collectDataset({ ...settings, episodes: EPISODES, out: join(dir, 'local') });
    expect(resumed.manifest.contentHash).toBe(local.manifest.contentHash);
    expect(resumed.manifest.episodeSeeds).toEqual(local.manifest.episodeSeeds);
    expect(resumed.jobs.resubmitted).toBeGreaterThanOrEqual(1);
    // The worker rode out the restart.
    expect(worker.child.exitCode).toBeNull();
  }, 60_000);

  it('fails with a clear error when Redis stays away, and writes nothing', async () => {
    const out = join(dir, 'lost');
    let done = 0;
    const collecting = run(out, 2_000, (p) => {
      done = p.done;
    });
    const outcome = collecting.then(
      (r) => ({ ok: true as const, r }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    while (done < 1) await sleep(20);
    await redis.stop();
    try {
      const o = await outcome;
      expect(o.ok).toBe(false);
      if (!o.ok) {
        expect((o.e as Error).message).toMatch(
          /lost Redis at redis:\/\/127\.0\.0\.1:\d+\/? for 2 s \(.*\); \d of 8 jobs had finished and their results are kept in .*runs\/collect-[0-9a-f]{16}\. Nothing was assembled: start Redis and run the same command again to resume/,
        );
      }
      expect(existsSync(out)).toBe(false);
    } finally {
      await redis.start();
    }
  }, 60_000);
});
