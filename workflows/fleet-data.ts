/**
 * Fleet data for one model shared by every robot: scripted fleets of any size on any maps, recorded as
 * ego-centric per-robot transitions (`egoObservations`: own motion, task, nearest robots and shelves;
 * the robot's `[vx, vz, grip]`; the robot's own reward). Each robot of each fleet episode becomes one
 * episode of a standard transition dataset (`embodied.dataset` format, `Dataset.load` reads it), so
 * the trainer sees every robot, every fleet size and every map as one distribution.
 *
 * The actions are the prioritised fleet policy's, with seeded Gaussian noise (`noise`, clipped to the
 * action box; with `noiseMin`, a std per robot and episode) so the data covers more than the baseline's
 * own paths.
 *
 * @module
 */
import { WarehouseEnv, type WarehouseOptions } from '../environments/warehouse/index.js';
import { egoObservationDim, egoObservations, type EgoObservationOptions } from '../environments/warehouse/fleet/ego.js';
import { WarehousePrioritizedPolicy } from '../environments/warehouse/fleet/prioritized.js';
import { parseOptions, z } from '../src/options.js';
import { Rng } from '../src/rng.js';
import { Box } from '../src/spaces.js';
import { DatasetWriter, EpisodeBuffer } from '../src/training/dataset-writer.js';
import type { DatasetManifest } from '../src/training/dataset-manifest.js';
import { signalOption } from './schema.js';

/** Options of {@link collectFleetDataset}. */
export const CollectFleetDatasetOptionsSchema = z
  .object({
    /** Output directory (must not exist unless `overwrite`). */
    out: z.string().min(1),
    /** The fleets: `Warehouse-v0` options each (layout or layoutFile, robots, packages, …); each runs `episodes` episodes. */
    fleets: z.array(z.record(z.string(), z.unknown())).min(1),
    /** Episodes per fleet; episode k of fleet f is reset with seed `seed + 1000·f + k`. Default 1. */
    episodes: z.number().int().min(1).default(1),
    /** Control steps per episode. Default 300. */
    maxSteps: z.number().int().min(1).default(300),
    /** Std of the Gaussian noise added to the velocity commands (the grip is left alone). Default 0.2. */
    noise: z.number().min(0).max(2).default(0.2),
    /**
     * With `noiseMin` < `noise`, each robot's std in each episode is drawn uniformly from [`noiseMin`,
     * `noise`]: some robots nearly follow the plan (stopping and waiting as it does), others wander, so the
     * data holds both. Default: `noise` (every robot the same std).
     */
    noiseMin: z.number().min(0).max(2).optional(),
    /** Ego-centric vector sizes (see `egoObservations`). Default: 4 robots, 8 shelf cells, 3 m. */
    ego: z
      .object({
        robots: z.number().int().min(0).optional(),
        shelves: z.number().int().min(0).optional(),
        range: z.number().positive().optional(),
        route: z.boolean().optional(),
      })
      .strict()
      .default({}),
    /** Seed of the episodes and the noise. Default 0. */
    seed: z.number().int().min(0).default(0),
    /** Replace an existing dataset at `out`. Default false. */
    overwrite: z.boolean().default(false),
    /** Stops after the current episode; the finished ones are kept. */
    signal: signalOption(),
  })
  .strict()
  .refine((o) => o.noiseMin === undefined || o.noiseMin <= o.noise, { message: 'expected `noiseMin` ≤ `noise`', path: ['noiseMin'] });

/** Options accepted by {@link collectFleetDataset}. */
export type CollectFleetDatasetOptions = z.input<typeof CollectFleetDatasetOptionsSchema>;

/**
 * Collects ego-centric per-robot transitions from scripted fleets (see the module docs).
 * @returns the dataset's manifest (one episode per robot per fleet episode)
 * @throws {@link InvalidArgumentError} for bad options or fleets
 */
export async function collectFleetDataset(options: CollectFleetDatasetOptions): Promise<DatasetManifest> {
  const o = parseOptions(CollectFleetDatasetOptionsSchema, options, 'collectFleetDataset options');
  const ego: EgoObservationOptions = o.ego;
  const dim = egoObservationDim(ego);
  const writer = await DatasetWriter.create({
    out: o.out,
    envId: 'Warehouse-v0',
    envOptions: {},
    observationSpace: new Box(-Infinity, Infinity, [dim]),
    actionSpace: new Box(-1, 1, [3]),
    policy: `scripted:warehouse-prioritized+noise${o.noise}`,
    seed: o.seed,
    overwrite: o.overwrite,
    extra: { view: 'ego', ego, fleets: o.fleets, episodes: o.episodes, maxSteps: o.maxSteps },
  });
  try {
    for (let f = 0; f < o.fleets.length && !o.signal?.aborted; f++) {
      const env = new WarehouseEnv(o.fleets[f] as WarehouseOptions);
      const policy = new WarehousePrioritizedPolicy(env);
      try {
        for (let k = 0; k < o.episodes && !o.signal?.aborted; k++) {
          const seed = o.seed + 1000 * f + k;
          for (const episode of await fleetEpisode(env, policy, seed, o.maxSteps, [o.noiseMin ?? o.noise, o.noise], ego)) await writer.appendEpisode(episode);
        }
      } finally {
        await env.close();
      }
    }
    return await writer.finalize(o.signal?.aborted ? 'stopped' : 'finished');
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

/** One fleet episode as one {@link EpisodeBuffer} per robot. */
async function fleetEpisode(
  env: WarehouseEnv,
  policy: WarehousePrioritizedPolicy,
  seed: number,
  maxSteps: number,
  noise: readonly [number, number],
  ego: EgoObservationOptions,
): Promise<EpisodeBuffer[]> {
  const N = env.numRobots;
  const dim = egoObservationDim(ego);
  const rng = Rng.fromSeed(seed).derive(1);
  // Each robot's std: drawn from its own stream, so a constant std leaves the noise stream as it was.
  const streams = Rng.fromSeed(seed).derive(2);
  const stds = Array.from({ length: N }, (_, i) => noise[0] + (noise[1] - noise[0]) * streams.derive(i).uniform());
  const buffers = Array.from({ length: N }, () => new EpisodeBuffer(dim, 3, seed));
  policy.reset(seed);
  let { observation } = await env.reset({ seed });
  let before = egoObservations(observation, env, ego);
  for (let t = 0; t < maxSteps; t++) {
    const action = policy.act(observation);
    for (let i = 0; i < N; i++) {
      for (const a of [3 * i, 3 * i + 1]) action[a] = Math.max(-1, Math.min(1, action[a]! + stds[i]! * rng.normal()));
    }
    const r = await env.step(action);
    const after = egoObservations(r.observation, env, ego);
    const rewards = env.robotRewards();
    const last = t === maxSteps - 1;
    for (let i = 0; i < N; i++) {
      buffers[i]!.push(
        before.subarray(i * dim, (i + 1) * dim),
        action.subarray(3 * i, 3 * i + 3),
        rewards[i]!,
        after.subarray(i * dim, (i + 1) * dim),
        r.terminated,
        last && !r.terminated,
      );
    }
    observation = r.observation;
    before = after;
    if (r.terminated) break;
  }
  return buffers;
}
