/**
 * Assembling a dataset from the shard datasets of a distributed collection: shards in episode order,
 * each checked (complete, same environment, policy and spaces, exactly the seeds its place in the
 * collection gives), then written through the one `DatasetWriter` — so the assembled dataset holds the
 * same bytes, and the same content hash, as a local collection with the same seeds.
 *
 * @module
 */
import { DatasetWriter, EpisodeBuffer } from '../../src/training/dataset-writer.js';
import { Dataset } from '../../src/training/dataset.js';
import type { DatasetManifest } from '../../src/training/dataset-manifest.js';
import type { CollectResult } from '../../src/training/collect.js';
import { spaceFromJSON } from '../../src/spaces.js';
import { QueueError } from './jobs.js';

/** One shard: its dataset folder and the episodes of the collection it holds. */
export interface ShardRef {
  readonly dir: string;
  /** Index of its first episode in the collection. */
  readonly firstEpisode: number;
  readonly episodes: number;
}

/** Options of {@link assembleShards}. */
export interface AssembleOptions {
  /** The shards, in episode order, without gaps from episode 0. */
  readonly shards: readonly ShardRef[];
  /** The dataset folder to write. */
  readonly out: string;
  /** Replace an existing dataset at `out`. */
  readonly overwrite: boolean;
  /** The collection's base seed: episode k has seed `seed + k`. */
  readonly seed: number;
  /** The environment the shards must come from. */
  readonly envId: string;
  /** `finished`, or `stopped` for a collection stopped early (the shards finished so far). */
  readonly stopReason: 'finished' | 'stopped';
  /** Provenance recorded under the manifest's `extra` (not part of the content hash). */
  readonly extra: Record<string, unknown>;
}

/** Throws unless `m` is the complete shard `shard` of the collection. */
function checkShard(m: DatasetManifest, shard: ShardRef, o: AssembleOptions, first: DatasetManifest | undefined): void {
  const where = `shard ${shard.dir}`;
  if (!m.complete) throw new QueueError(`${where} is not a complete dataset (stopReason ${m.stopReason}); run the collection again to redo it`);
  if (m.envId !== o.envId) throw new QueueError(`${where} holds ${m.envId}, expected ${o.envId}`);
  const want = Array.from({ length: shard.episodes }, (_, j) => o.seed + shard.firstEpisode + j);
  if (m.episodeSeeds.join(',') !== want.join(',')) {
    throw new QueueError(`${where} holds the episodes of seeds [${m.episodeSeeds.join(', ')}], expected [${want.join(', ')}]`);
  }
  if (first !== undefined && (m.policy !== first.policy || m.obsDim !== first.obsDim || m.actionDim !== first.actionDim)) {
    throw new QueueError(
      `${where} was collected with policy ${m.policy} (obsDim ${m.obsDim}, actionDim ${m.actionDim}), unlike the first shard (${first.policy}, ${first.obsDim}, ${first.actionDim})`,
    );
  }
}

/** Appends every episode of `data` to `writer`, in order. */
async function appendAll(writer: DatasetWriter, data: Dataset, seeds: readonly number[]): Promise<void> {
  const od = data.obsDim;
  const ad = data.actionDim;
  for (let k = 0; k < data.numEpisodes; k++) {
    const { start, end } = data.episodeRange(k);
    const ep = new EpisodeBuffer(od, ad, seeds[k]!, end - start);
    for (let t = start; t < end; t++) {
      ep.push(
        data.observations.subarray(t * od, (t + 1) * od),
        data.actions.subarray(t * ad, (t + 1) * ad),
        data.rewards[t]!,
        data.nextObservations.subarray(t * od, (t + 1) * od),
        data.terminated[t] === 1,
        data.truncated[t] === 1,
      );
    }
    await writer.appendEpisode(ep);
  }
}

/**
 * Writes the dataset of `shards` at `out` (atomically, like every dataset).
 * @throws {@link QueueError} when a shard is incomplete, of another environment or policy, or holds other
 * seeds than its place gives (a missing or duplicated episode); `DatasetError` when a shard is corrupt.
 * Nothing is written at `out` then.
 */
export async function assembleShards(o: AssembleOptions): Promise<CollectResult> {
  let writer: DatasetWriter | undefined;
  let first: DatasetManifest | undefined;
  let next = 0;
  try {
    for (const shard of o.shards) {
      if (shard.firstEpisode !== next) throw new QueueError(`the shards leave a gap: expected a shard starting at episode ${next}, got one at ${shard.firstEpisode}`);
      const data = await Dataset.load(shard.dir);
      const m = data.manifest!;
      checkShard(m, shard, o, first);
      if (writer === undefined) {
        first = m;
        writer = await DatasetWriter.create({
          out: o.out,
          envId: m.envId,
          envOptions: m.envOptions,
          observationSpace: spaceFromJSON(m.observationSpace),
          actionSpace: spaceFromJSON(m.actionSpace),
          policy: m.policy,
          seed: o.seed,
          overwrite: o.overwrite,
          ...(m.rapierPackage !== undefined && m.rapierVersion !== undefined && { rapierPackage: m.rapierPackage, rapierVersion: m.rapierVersion }),
          extra: o.extra,
        });
      }
      await appendAll(writer, data, m.episodeSeeds);
      next += shard.episodes;
    }
    if (writer === undefined) throw new QueueError(`no shard finished, so nothing was written to ${o.out}`);
    const manifest = await writer.finalize(o.stopReason);
    return { path: writer.path, manifest, stopped: o.stopReason === 'stopped' };
  } catch (e) {
    await writer?.abort();
    throw e;
  }
}
