import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import '../../../environments/index.js';
import { sweep } from '../../../workflows/distributed/sweep.js';
import { runWorker } from '../../../workflows/distributed/worker.js';
import { redisMissing, startTestRedis, type TestRedis } from '../../fixtures/redis-server.js';

describe.skipIf(redisMissing !== undefined)('embodied sweep', () => {
  let redis: TestRedis;
  let dir: string;
  const stop = new AbortController();
  let worker: ReturnType<typeof runWorker>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'distributed-sweep-'));
    redis = await startTestRedis();
    worker = runWorker({ queue: redis.url, queueName: 'sweep-test', shared: dir, signal: stop.signal });
  });
  afterAll(async () => {
    stop.abort();
    await worker;
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sweeps models × planners × seeds on the queue, with the results of a sweep run here', async () => {
    const what = {
      env: 'Reach-v0',
      models: ['oracle'],
      planners: ['cem', 'random'] as const,
      samples: 16,
      horizon: 4,
      iterations: 1,
      maxSteps: 4,
      episodes: 3,
      episodesPerJob: 2,
      seed: 10,
    };
    const here = await sweep({ ...what, planners: [...what.planners], out: join(dir, 'here.json') });
    const queued = await sweep({ ...what, planners: [...what.planners], out: join(dir, 'queued.json'), queue: redis.url, queueName: 'sweep-test', shared: dir });
    expect(queued.cells.map((c) => [c.model, c.planner, c.results.map((r) => r.seed)])).toEqual([
      ['oracle', 'cem', [10, 11, 12]],
      ['oracle', 'random', [10, 11, 12]],
    ]);
    expect(queued.cells.map((c) => c.results.map((r) => r.return))).toEqual(here.cells.map((c) => c.results.map((r) => r.return)));
    expect(JSON.parse(readFileSync(join(dir, 'queued.json'), 'utf8'))).toMatchObject({ format: 'embodied.sweep/v1', envId: 'Reach-v0', run: queued.run });
    await expect(sweep({ ...what, planners: ['cem'], out: join(dir, 'here.json') })).rejects.toThrow(/already exists; choose another `out`/);
  }, 30_000);

  it('embodied sweep prints a line per model × planner', async () => {
    const out = join(dir, 'cli.json');
    const args = ['bin/embodied.mjs', 'sweep', '--env', 'Reach-v0', '--models', 'oracle', '--planners', 'cem', 'random', '--samples', '8', '--horizon', '3'];
    args.push('--iterations', '1', '--max-steps', '3', '--episodes', '2', '--out', out, '--no-progress');
    const { stdout } = await promisify(execFile)(process.execPath, args);
    expect(stdout).toMatch(/^oracle · cem: success \d+\.\d% · return .* · 2 episodes\noracle · random: success .* · 2 episodes\nwrote .*cli\.json\n$/);
    expect(JSON.parse(readFileSync(out, 'utf8')).cells).toHaveLength(2);
  }, 30_000);
});
