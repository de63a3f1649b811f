/**
 * Same seed → identical bits: within a process, across two processes, and across SyncVectorEnv and
 * WorkerVectorEnv. (Spawns one child process and two worker threads: ~5 s on a loaded 2-core box.)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { make, makeVec } from '../../src/registry.js';
import type { Box } from '../../src/spaces.js';
import { hashAll, hashEpisodes } from '../physics/fixtures/hash-episodes.js';

const fixture = fileURLToPath(new URL('../physics/fixtures/hash-episodes.ts', import.meta.url));

describe('determinism', () => {
  it('the same seed gives bit-identical trajectories in one process; another seed does not', async () => {
    const a = await hashAll(21);
    const b = await hashAll(21);
    expect(b).toEqual(a);
    const c = await hashAll(22);
    for (const key of Object.keys(a)) expect(c[key]).not.toBe(a[key]);
  });

  it('the same seed gives bit-identical trajectories in a separate process', async () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', fixture, '21'], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).not.toMatch(/Error/);
    expect(child.status).toBe(0);
    const theirs = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, string>;
    expect(theirs).toEqual(await hashAll(21));
  });

  it('SyncVectorEnv and WorkerVectorEnv give the same bits as each other and as single envs', async () => {
    for (const id of ['PushBox-v0', 'CartPole-v0']) {
      const sync = await makeVec(id, 2, 'sync');
      const worker = await makeVec(id, 2, 'worker', { numWorkers: 2 });
      try {
        const single = [make(id), make(id)];
        const space = single[0]!.actionSpace as Box;
        const rng = Rng.fromSeed(5);
        const a = await sync.reset({ seed: 40 });
        const b = await worker.reset({ seed: 40 });
        expect(Array.from(b.observations)).toEqual(Array.from(a.observations));
        const singleObs = [(await single[0]!.reset({ seed: 40 })).observation, (await single[1]!.reset({ seed: 41 })).observation];
        expect(Array.from(a.observations)).toEqual([...singleObs[0]!, ...singleObs[1]!]);
        for (let t = 0; t < 25; t++) {
          const actions = new Float32Array([...space.sample(rng), ...space.sample(rng)]);
          const sa = await sync.step(actions);
          const sb = await worker.step(actions);
          expect(Array.from(sb.observations)).toEqual(Array.from(sa.observations));
          expect(Array.from(sb.rewards)).toEqual(Array.from(sa.rewards));
          const dim = space.flatDim;
          for (let i = 0; i < 2; i++) {
            // Sub-envs stay in lock-step with standalone envs until one of them ends (then autoreset differs).
            if (sa.terminated[i] || sa.truncated[i]) continue;
            const r = await single[i]!.step(actions.slice(i * dim, (i + 1) * dim));
            expect(Array.from(sa.observations.slice(i * r.observation.length, (i + 1) * r.observation.length))).toEqual(Array.from(r.observation));
          }
          if (sa.terminated.some(Boolean) || sa.truncated.some(Boolean)) break;
        }
      } finally {
        await sync.close();
        await worker.close();
      }
    }
  });

  it('hashes are sensitive to every option that changes the physics', async () => {
    expect(await hashEpisodes('PushBox-v0', { boxMass: 0.6 }, 21, 1, 20)).not.toBe(await hashEpisodes('PushBox-v0', {}, 21, 1, 20));
  });
});
