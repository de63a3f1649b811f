/**
 * Warehouse-v0 gives the same bits for the same seed across processes and across SyncVectorEnv and
 * WorkerVectorEnv. (Spawns one child process and two worker threads: ~8 s CPU, more wall time on a
 * loaded 2-core box.)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { makeVec } from '../../src/registry.js';
import '../../environments/warehouse/index.js';
import { hashWarehouse } from './warehouse-hash-fixture.js';

const fixture = fileURLToPath(new URL('./warehouse-hash-fixture.ts', import.meta.url));

describe('Warehouse-v0 determinism', () => {
  it('the same seed gives the same bits in this process and in a separate one', async () => {
    const here = await hashWarehouse(31);
    expect(await hashWarehouse(31)).toBe(here);
    expect(await hashWarehouse(32)).not.toBe(here);
    const child = spawnSync(process.execPath, ['--import', 'tsx', fixture, '31'], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).not.toMatch(/Error/);
    expect(child.status).toBe(0);
    expect(child.stdout.trim().split('\n').pop()).toBe(here);
  });

  it('SyncVectorEnv and WorkerVectorEnv give identical bits', async () => {
    const kwargs = { layout: 'small', lidarRays: 2 };
    const sync = await makeVec('Warehouse-v0', 2, 'sync', { kwargs });
    const worker = await makeVec('Warehouse-v0', 2, 'worker', { kwargs, numWorkers: 2 });
    try {
      const a = await sync.reset({ seed: 8 });
      const b = await worker.reset({ seed: 8 });
      expect(Array.from(b.observations)).toEqual(Array.from(a.observations));
      const rng = Rng.fromSeed(3);
      for (let t = 0; t < 15; t++) {
        const actions = Float32Array.from({ length: 12 }, () => rng.uniformRange(-1, 1));
        const sa = await sync.step(actions);
        const sb = await worker.step(actions);
        expect(Array.from(sb.observations)).toEqual(Array.from(sa.observations));
        expect(Array.from(sb.rewards)).toEqual(Array.from(sa.rewards));
      }
    } finally {
      await sync.close();
      await worker.close();
    }
  });
});
