/**
 * `collectOnQueue`: a collection fanned out over workers as shards of consecutive episodes (a BullMQ job
 * each), assembled in episode order into one dataset with the content hash a local `collectDataset` run
 * with the same seeds gives. What `embodied collect --queue` runs.
 *
 * @module
 */
import { rm } from 'node:fs/promises';
import { InvalidArgumentError } from '../../src/errors.js';
import { parseOptions, z } from '../../src/options.js';
import { assertReplaceable, inspectOutput } from '../../src/output-dir.js';
import { make } from '../../src/registry.js';
import type { CollectResult } from '../../src/training/collect.js';
import { callbackOption, signalOption } from '../schema.js';
import { assembleShards, type ShardRef } from './assemble.js';
import { redactedUrl } from './connection.js';
import { CollectSettingsSchema, DEFAULT_QUEUE_NAME, jobIdFor, QueueError, runIdFor, type JobPayload } from './jobs.js';
import { lockRun } from './run-lock.js';
import { runJobs, type QueueProgress } from './run-jobs.js';
import { inShared, runFolder, sharedRelative, type CollectJobResult } from './shared-folder.js';

const positiveInt = () => z.number().int().positive();

/** Zod schema of the options every queued run shares: where the queue and the shared folder are. */
export const QueueOptionsSchema = z.object({
  /** The Redis URL, `redis://host:port` (`rediss://` for TLS). */
  queue: z.string().min(1),
  /** The BullMQ queue name (the workers' `queueName`). Default `embodied`. */
  queueName: z.string().min(1).default(DEFAULT_QUEUE_NAME),
  /** The shared folder every worker mounts (this machine's path to it). */
  shared: z.string().min(1),
  /** Attempts per job (a worker that dies or an attempt that fails counts one). Default 3. */
  attempts: positiveInt().default(3),
  /** ioredis options laid over the URL's (password, `tls`). Default `{}`. */
  redis: z.record(z.string(), z.unknown()).default({}),
  /** How long Redis may stay unreachable before the run stops with a clear error, ms. Default 30000. */
  redisTimeoutMs: positiveInt().default(30_000),
  /** How often the coordinator looks at the shared folder and Redis, ms. Default 200. */
  pollMs: positiveInt().default(200),
});

/** Parsed {@link QueueOptionsSchema} fields. */
export type QueueSettings = z.output<typeof QueueOptionsSchema>;

/** The queue fields of parsed options (what `runJobs` takes of them), without the rest. */
export function queueSettings(o: QueueSettings): QueueSettings {
  const { queue, queueName, shared, attempts, redis, redisTimeoutMs, pollMs } = o;
  return { queue, queueName, shared, attempts, redis, redisTimeoutMs, pollMs };
}

/** Zod schema of {@link CollectOnQueueOptions}. */
export const CollectOnQueueOptionsSchema = CollectSettingsSchema.omit({ model: true })
  .extend(QueueOptionsSchema.shape)
  .extend({
    /** `policy: 'mpc'`: the world-model bundle, a folder inside the shared folder. */
    model: z.string().min(1).optional(),
    /** Episodes to collect (a queued collection is counted in whole episodes). */
    episodes: positiveInt(),
    /** Episodes per shard (per job). Default 8. */
    shardEpisodes: positiveInt().default(8),
    /** Output directory of the assembled dataset. */
    out: z.string().min(1),
    /** Replace the output directory if it holds a dataset. Default false. */
    overwrite: z.boolean().default(false),
    /** Keep the shard datasets in the shared folder after assembling. Default false. */
    keepShards: z.boolean().default(false),
    /** Stops waiting; the shards finished so far (from episode 0 on, without gaps) are assembled as a stopped dataset. */
    signal: signalOption(),
    /** Called after every look at the queue. */
    onProgress: callbackOption<(progress: QueueProgress) => void>(),
  })
  .strict()
  .refine((o) => o.policy !== 'mpc' || o.model !== undefined, { message: "`policy: 'mpc'` needs `model` (a bundle directory)", path: ['model'] });

/** Options of {@link collectOnQueue}. */
export type CollectOnQueueOptions = z.input<typeof CollectOnQueueOptionsSchema>;

/** What {@link collectOnQueue} returns: the dataset (as `collectDataset` does), its run id and the jobs' tally. */
export interface CollectOnQueueResult extends CollectResult {
  /** The run id (a hash of what is collected: the same command resumes the same run). */
  readonly run: string;
  /** The last progress of the jobs. */
  readonly jobs: QueueProgress;
}

const WHERE = 'collectOnQueue options';

/**
 * Collects `episodes` episodes through the queue at `queue` (workers: `runWorker`, `embodied worker`).
 * @throws {@link InvalidArgumentError} for bad options; {@link QueueError} when jobs failed for good or Redis
 * stayed unreachable (the finished shards are kept, nothing is written at `out`; the same call resumes).
 */
export async function collectOnQueue(options: CollectOnQueueOptions): Promise<CollectOnQueueResult> {
  const o = parseOptions(CollectOnQueueOptionsSchema, options, WHERE);
  if (o.overwrite) await assertReplaceable(o.out, 'dataset', 'collectOnQueue');
  else if ((await inspectOutput(o.out)) !== 'absent')
    throw new InvalidArgumentError(`collectOnQueue: ${o.out} already exists; choose another \`out\` or pass \`overwrite: true\` to replace it`);
  const { queue, queueName, shared, attempts, redis, redisTimeoutMs, pollMs, episodes, shardEpisodes, out, overwrite, keepShards, signal, onProgress, model, ...rest } = o;
  const settings = { ...rest, ...(model !== undefined && { model: sharedRelative(shared, model, '`model`') }) };
  // Fail here, not on every worker, when the environment is unknown or its options are bad.
  await make(settings.env, settings.envOptions).close();
  const run = runIdFor('collect', { settings, episodes, shardEpisodes });
  const shards = Array.from({ length: Math.ceil(episodes / shardEpisodes) }, (_, i) => {
    const firstEpisode = i * shardEpisodes;
    const payload: JobPayload = { kind: 'collect', run, firstEpisode, episodes: Math.min(shardEpisodes, episodes - firstEpisode), settings };
    return { id: jobIdFor(run, 'collect', i), payload };
  });
  const release = await lockRun(shared, run, 'collect');
  try {
    return await gatherAndAssemble(o, run, shards, settings);
  } finally {
    await release();
  }
}

/** Waits for the shards of `run` and assembles them in episode order (under the run's coordinator lock). */
async function gatherAndAssemble(
  o: z.output<typeof CollectOnQueueOptionsSchema>,
  run: string,
  shards: { id: string; payload: JobPayload }[],
  settings: { readonly seed: number; readonly env: string },
): Promise<CollectOnQueueResult> {
  const { queue, queueName, shared, episodes, shardEpisodes, out, overwrite, keepShards, signal, onProgress } = o;
  let last: QueueProgress = { total: shards.length, done: 0, failed: 0, retried: 0, resubmitted: 0 };
  const gathered = await runJobs({
    ...queueSettings(o),
    run,
    jobs: shards,
    ...(signal && { signal }),
    onProgress: (p) => {
      last = p;
      onProgress?.(p);
    },
  });
  if (gathered.failed.size > 0) {
    const reasons = [...gathered.failed].map(([id, reason]) => `${id}: ${reason}`).join('; ');
    throw new QueueError(
      `${gathered.failed.size} of ${shards.length} jobs failed for good (${reasons}); the finished shards are kept in ${runFolder(shared, run)} and nothing was written to ${out}`,
    );
  }
  // In episode order; a stopped run keeps the shards finished from episode 0 on, up to the first gap.
  const refs: ShardRef[] = [];
  for (const s of shards) {
    const r = gathered.results.get(s.id) as CollectJobResult | undefined;
    if (r === undefined) break;
    refs.push({ dir: inShared(shared, r.dataset), firstEpisode: r.firstEpisode, episodes: r.episodes });
  }
  const extra = { budget: { episodes }, distributed: { run, queue: redactedUrl(queue), queueName, shards: shards.length, shardEpisodes } };
  const result = await assembleShards({ shards: refs, out, overwrite, seed: settings.seed, envId: settings.env, stopReason: gathered.stopped ? 'stopped' : 'finished', extra });
  if (!keepShards && !gathered.stopped) await rm(runFolder(shared, run), { recursive: true, force: true });
  return { ...result, run, jobs: last };
}
