import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../environments/index.js';
import { collectDataset } from '../../../workflows/collect.js';
import { collectOnQueue } from '../../../workflows/distributed/collect.js';
import { runWorker } from '../../../workflows/distributed/worker.js';
import { trainWorldModel } from '../../../workflows/train.js';
import { redisMissing, startTestRedis, type TestRedis } from '../../fixtures/redis-server.js';

describe.skipIf(redisMissing !== undefined)('collect through the queue', () => {
  let redis: TestRedis;
  let dir: string;
  const stop = new AbortController();
  let worker: ReturnType<typeof runWorker>;
  const shared = () => join(dir, 'shared');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distributed-policies-'));
    redis = await startTestRedis();
    // In this process (no sandbox): the jobs here are small.
    worker = runWorker({ queue: redis.url, queueName: 'policies-test', shared: shared(), sandbox: false, signal: stop.signal });
  });
  afterAll(async () => {
    stop.abort();
    await worker;
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  const queue = () => ({ queue: redis.url, queueName: 'policies-test', shared: shared() });

  it('plans with a bundle from the shared folder (--policy mpc) and gives the local hash', async () => {
    await collectDataset({ env: 'LineWorld-v0', episodes: 3, seed: 2, out: join(dir, 'data') });
    const tiny = { latentDim: 4, simNormGroup: 0, encoderHidden: [8], dynamicsHidden: [8], rewardHidden: [4], terminalHidden: [4], decoderHidden: [8], batchSize: 8, horizon: 2 };
    const model = join(shared(), 'models', 'line');
    await trainWorldModel({ data: join(dir, 'data'), out: model, steps: 8, seed: 1, config: tiny });
    const mpc = {
      env: 'LineWorld-v0',
      policy: 'mpc',
      model,
      algorithm: 'cem',
      horizon: 3,
      samples: 8,
      iterations: 1,
      noise: 0.1,
      maxEpisodeSteps: 8,
      seed: 4,
      episodes: 4,
    } as const;
    const local = await collectDataset({ ...mpc, out: join(dir, 'local-mpc') });
    const queued = await collectOnQueue({ ...mpc, ...queue(), shardEpisodes: 2, out: join(dir, 'queued-mpc') });
    expect(queued.manifest.policy).toBe(local.manifest.policy);
    expect(queued.manifest.contentHash).toBe(local.manifest.contentHash);
    await expect(collectOnQueue({ ...mpc, ...queue(), model: join(dir, 'elsewhere'), out: join(dir, 'x') })).rejects.toThrow(
      /`model` .*elsewhere is outside the shared folder .*shared; copy it there so that every worker can read it/,
    );
  }, 30_000);

  it('stopped, assembles the shards finished from episode 0 on as a stopped dataset', async () => {
    const settings = { env: 'PushBox-v0', policy: 'random', maxEpisodeSteps: 100, seed: 21 } as const;
    const controller = new AbortController();
    const stopped = await collectOnQueue({
      ...settings,
      ...queue(),
      episodes: 16,
      shardEpisodes: 2,
      out: join(dir, 'stopped'),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 1) controller.abort();
      },
    });
    expect(stopped.stopped).toBe(true);
    expect(stopped.manifest.stopReason).toBe('stopped');
    const n = stopped.manifest.counts.episodes;
    expect(n % 2).toBe(0);
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThan(16);
    expect(stopped.manifest.episodeSeeds).toEqual(Array.from({ length: n }, (_, k) => settings.seed + k));
    const local = await collectDataset({ ...settings, episodes: n, out: join(dir, 'stopped-local') });
    expect(stopped.manifest.contentHash).toBe(local.manifest.contentHash);
  }, 30_000);
});
