/**
 * Hashes a seeded fleet episode: the prioritised fleet policy driving 6 robots on the repository's
 * MovingAI map (observations, actions, infos, final physics snapshot). Imported by the fleet
 * determinism test and run as a child process (`node --import tsx …/fleet-hash-fixture.ts <seed>`), which
 * prints the hash, to compare fleet episodes across processes.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stateHash } from '../../src/physics/snapshot.js';
import { WarehouseEnv, WarehousePrioritizedPolicy } from '../../environments/warehouse/index.js';

const MAP = join(fileURLToPath(new URL('.', import.meta.url)), '../../environments/warehouse/maps/aisles-24x12.map');

/** One hash over 120 control steps of a 6-robot prioritised fleet on `aisles-24x12.map`. */
export async function hashFleet(seed: number): Promise<string> {
  const env = new WarehouseEnv({ layoutFile: MAP, robots: 6 });
  const policy = new WarehousePrioritizedPolicy(env);
  policy.reset(seed);
  const h = createHash('sha256');
  let { observation } = await env.reset({ seed });
  h.update(new Uint8Array(observation.buffer));
  for (let t = 0; t < 120; t++) {
    const action = policy.act(observation);
    const r = await env.step(action);
    observation = r.observation;
    h.update(new Uint8Array(action.buffer));
    h.update(new Uint8Array(observation.buffer));
    h.update(`${r.reward};${JSON.stringify(r.info)}`);
    if (r.terminated) break;
  }
  h.update(stateHash(env.getState().physics));
  await env.close();
  return h.digest('hex');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await hashFleet(Number(process.argv[2] ?? 0)));
}
