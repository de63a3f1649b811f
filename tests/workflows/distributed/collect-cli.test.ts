import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import '../../../environments/index.js';
import { collectDataset } from '../../../workflows/collect.js';
import { runWorker } from '../../../workflows/distributed/worker.js';
import { redisMissing, startTestRedis, type TestRedis } from '../../fixtures/redis-server.js';

const settings = { env: 'PushBox-v0', policy: 'scripted', noise: 0.2, randomProb: 0.1, maxEpisodeSteps: 30, seed: 11 } as const;
const EPISODES = 6;

describe.skipIf(redisMissing !== undefined)('embodied collect --queue', () => {
  const run = promisify(execFile);
  let redis: TestRedis;
  let dir: string;
  const stop = new AbortController();
  let worker: ReturnType<typeof runWorker>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distributed-cli-'));
    redis = await startTestRedis();
    // The worker in this process: the command under test is the coordinator.
    worker = runWorker({ queue: redis.url, queueName: 'collect-test', shared: join(dir, 'shared'), sandbox: false, signal: stop.signal });
  });
  afterAll(async () => {
    stop.abort();
    await worker;
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('embodied collect --queue prints the same hash, and refuses a step budget', async () => {
    const flags = ['bin/embodied.mjs', 'collect', '--env', settings.env, '--policy', settings.policy, '--noise', String(settings.noise)];
    flags.push('--random-prob', String(settings.randomProb), '--max-episode-steps', String(settings.maxEpisodeSteps), '--seed', String(settings.seed));
    const queue = ['--queue', redis.url, '--queue-name', 'collect-test', '--shared', join(dir, 'shared'), '--no-progress'];
    const local = await collectDataset({ ...settings, episodes: EPISODES, out: join(dir, 'local') });
    const { stdout } = await run(process.execPath, [...flags, '--episodes', String(EPISODES), '--shard-episodes', '4', '--out', join(dir, 'cli'), ...queue]);
    expect(stdout).toMatch(new RegExp(`wrote \\d+ transitions in ${EPISODES} episodes of PushBox-v0 .*; jobs: 2 done, 0 retried, 0 resubmitted \\(run collect-[0-9a-f]{16}\\)`));
    expect(stdout).toContain(`content hash ${local.manifest.contentHash}`);
    await expect(run(process.execPath, [...flags, '--steps', '100', '--out', join(dir, 'steps'), ...queue])).rejects.toThrow(
      /embodied collect: --queue collects whole episodes: give --episodes instead of --steps/,
    );
  }, 30_000);
});
