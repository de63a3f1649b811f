import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../environments/index.js';
import { Dataset } from '../../../src/training/dataset.js';
import { collectDataset } from '../../../workflows/collect.js';
import { collectOnQueue } from '../../../workflows/distributed/collect.js';
import { redisMissing, startTestRedis, startWorkerProcess, type TestRedis, type WorkerProcess } from '../../fixtures/redis-server.js';

// Scripted control with seeded noise, excursions, random starts and idle openings: every episode's data depends on its seed through the
// environment and the policy, so a shard collected on another process must reproduce both.
const settings = { env: 'PushBox-v0', policy: 'scripted', noise: 0.2, randomProb: 0.1, randomStarts: 0.5, passiveSteps: 3, maxEpisodeSteps: 30, seed: 11 } as const;
const EPISODES = 6;

describe.skipIf(redisMissing !== undefined)('collect through the queue', () => {
  let redis: TestRedis;
  let dir: string;
  const workers: WorkerProcess[] = [];
  const worker = () => {
    const w = startWorkerProcess(['--queue', redis.url, '--shared', join(dir, 'shared'), '--queue-name', 'collect-test']);
    workers.push(w);
    return w;
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distributed-'));
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the local content hash with 1 and with 2 worker processes', async () => {
    const local = await collectDataset({ ...settings, episodes: EPISODES, out: join(dir, 'local') });
    const queued = (out: string, shardEpisodes: number) =>
      collectOnQueue({ ...settings, episodes: EPISODES, shardEpisodes, out: join(dir, out), queue: redis.url, queueName: 'collect-test', shared: join(dir, 'shared') });

    const first = worker();
    await first.waitFor('waiting for jobs');
    const one = await queued('one', 2);
    expect(one.manifest.contentHash).toBe(local.manifest.contentHash);
    expect(one.manifest.episodeSeeds).toEqual(local.manifest.episodeSeeds);
    expect(one.jobs).toMatchObject({ total: 3, done: 3, failed: 0 });

    await worker().waitFor('waiting for jobs');
    const two = await queued('two', 1);
    expect(two.manifest.contentHash).toBe(local.manifest.contentHash);
    expect(two.jobs).toMatchObject({ total: 6, done: 6, failed: 0 });
    // The assembled dataset loads and verifies like any other; the shards are gone (keepShards false).
    const data = await Dataset.load(two.path);
    expect(data.numEpisodes).toBe(EPISODES);
    expect(two.manifest.extra).toMatchObject({ distributed: { shards: 6, shardEpisodes: 1 } });
  }, 30_000);
});
