/**
 * Hashes seeded Warehouse-v0 episodes (observations, rewards, infos, final physics snapshot). Imported
 * by the warehouse determinism test and run as a child process (`node --import tsx …/warehouse-hash-fixture.ts
 * <seed>`), which prints the hash, to compare trajectories across processes.
 */
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Rng } from '../../src/rng.js';
import { stateHash } from '../../src/physics/snapshot.js';
import { WarehouseEnv } from '../../environments/warehouse/index.js';
import { WarehouseGreedyPolicy } from '../../environments/warehouse/scripted.js';

/** One hash over a 50-step small-layout episode: greedy actions mixed with random ones (grips included). */
export async function hashWarehouse(seed: number): Promise<string> {
  const env = new WarehouseEnv({ layout: 'small', lidarRays: 4 });
  const policy = new WarehouseGreedyPolicy(env);
  const h = createHash('sha256');
  const rng = Rng.fromSeed(seed + 1000);
  for (let e = 0; e < 1; e++) {
    let { observation } = await env.reset({ seed: seed + e });
    h.update(new Uint8Array(observation.buffer));
    for (let t = 0; t < 50; t++) {
      const action = t % 4 === 3 ? env.actionSpace.sample(rng) : policy.act(observation);
      const r = await env.step(action);
      observation = r.observation;
      h.update(new Uint8Array(observation.buffer));
      h.update(`${r.reward};${JSON.stringify(r.info)}`);
      if (r.terminated) break;
    }
    h.update(stateHash(env.getState().physics));
  }
  await env.close();
  return h.digest('hex');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await hashWarehouse(Number(process.argv[2] ?? 0)));
}
