/**
 * `collect`: runs a policy in an environment and writes a transition dataset.
 *
 * Episode k is reset with seed `seed + k` and the policy with a seed derived from it, so the data
 * depends only on (environment, policy, seed, budget) — not on the number of workers or on timing.
 * Episodes are written in index order; with a step budget the last one is cut (marked `truncated`)
 * so the dataset holds exactly `steps` transitions.
 *
 * @module
 */
import cliProgress from 'cli-progress';
import { z } from 'zod';
import type { Env } from '../env.js';
import { EmbodiedError, describeValue } from '../errors.js';
import { parseOptions } from '../options.js';
import { PhysicsEnv } from '../physics/physics-env.js';
import { RAPIER_PACKAGE, rapierVersion } from '../physics/rapier.js';
import type { Policy } from '../policy.js';
import { make } from '../registry.js';
import { Rng } from '../rng.js';
import { unwrap } from '../wrappers/wrapper.js';
import { DatasetError, type DatasetManifest } from './dataset-manifest.js';
import { DatasetWriter, EpisodeBuffer } from './dataset-writer.js';

/** Progress of a collection, reported after every finished episode. */
export interface CollectProgress {
  /** Transitions written (episodes finished in order). */
  readonly transitions: number;
  readonly episodes: number;
  /** The budget in the unit chosen (`steps` or `episodes`). */
  readonly total: number;
  readonly unit: 'steps' | 'episodes';
}

/** Options of {@link collect}. */
export interface CollectOptions {
  /** The environment: an id to `make` (with `envOptions`), or a factory. Exactly one of `env`/`envId`. */
  readonly env?: () => Env<unknown, unknown>;
  /** A registered environment id, e.g. `Reach-v0`. */
  readonly envId?: string;
  /** Options for `make(envId, envOptions)`. Default `{}`. */
  readonly envOptions?: Record<string, unknown>;
  /**
   * The policy, or a factory giving one policy per worker (required when `workers > 1`: policies
   * keep per-episode state, so workers cannot share one).
   */
  readonly policy: Policy<unknown, unknown> | ((worker: number) => Policy<unknown, unknown>);
  /** Number of episodes to collect. Exactly one of `episodes`/`steps`. */
  readonly episodes?: number;
  /** Number of transitions to collect (the last episode is cut to fit). */
  readonly steps?: number;
  /** Environments stepped concurrently (each its own instance). Default 1. */
  readonly workers?: number;
  /** Base seed: episode k is reset with `seed + k`. Default 0. */
  readonly seed?: number;
  /** Output directory (must not exist unless `overwrite`). */
  readonly out: string;
  /** Replace an existing output directory. Default `false`. */
  readonly overwrite?: boolean;
  /** Publish a valid (incomplete) dataset every this many transitions; 0 = only at the end. Default 0. */
  readonly checkpointEvery?: number;
  /** Transitions buffered before they are appended to disk. Default 4096. */
  readonly chunkSize?: number;
  /** Stops collection; the episodes finished so far are written (`stopReason: 'stopped'`). */
  readonly signal?: AbortSignal;
  /** Show a cli-progress bar on stderr: `true`, `false`, or `'auto'` (only on a TTY). Default `'auto'`. */
  readonly progress?: boolean | 'auto';
  /** Called after every episode written. */
  readonly onProgress?: (p: CollectProgress) => void;
}

/** What {@link collect} returns. */
export interface CollectResult {
  /** The dataset directory. */
  readonly path: string;
  readonly manifest: DatasetManifest;
  /** Whether `signal` stopped collection before the budget was reached. */
  readonly stopped: boolean;
}

const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { message: `expected ${what}` });

const Schema = z
  .object({
    env: fn('a function returning an Env').optional(),
    envId: z.string().min(1).optional(),
    envOptions: z.record(z.string(), z.unknown()).optional(),
    policy: z.union([fn('a policy factory'), z.object({ name: z.string().min(1), act: fn('an `act` method') }).loose()], { message: 'expected a Policy { name, act } or a factory (worker) => Policy' }),
    episodes: z.number().int().positive().optional(),
    steps: z.number().int().positive().optional(),
    workers: z.number().int().positive().max(256).default(1),
    seed: z.number().int().nonnegative().default(0),
    out: z.string().min(1),
    overwrite: z.boolean().default(false),
    checkpointEvery: z.number().int().nonnegative().default(0),
    chunkSize: z.number().int().positive().default(4096),
    signal: z.instanceof(AbortSignal).optional(),
    progress: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    onProgress: fn('a function').optional(),
  })
  .strict()
  .refine((o) => (o.env === undefined) !== (o.envId === undefined), { message: 'expected exactly one of `env` (a factory) and `envId`', path: ['env'] })
  .refine((o) => (o.episodes === undefined) !== (o.steps === undefined), { message: 'expected exactly one of `episodes` and `steps`', path: ['episodes'] })
  .refine((o) => o.workers === 1 || typeof o.policy === 'function', { message: 'expected a policy factory `(worker) => Policy` when workers > 1 (workers cannot share a stateful policy)', path: ['policy'] });

/** The seed `collect` gives the policy for the episode whose environment seed is `episodeSeed`. */
export function policySeedFor(episodeSeed: number): number {
  return Rng.fromSeed(episodeSeed).derive(1).nextSeed();
}

/**
 * Runs `policy` in the environment and writes a dataset directory (see `Dataset`).
 *
 * @example
 * ```ts
 * const env = make('LineWorld-v0');
 * await collect({ envId: 'LineWorld-v0', policy: randomPolicy(env.actionSpace), steps: 10_000, seed: 1, out: 'data/line' });
 * ```
 * @throws {@link InvalidArgumentError} for bad options; {@link DatasetError} when stopped before any
 * episode finished (nothing is written); errors of the environment or policy (after discarding the staging data).
 */
export async function collect(options: CollectOptions): Promise<CollectResult> {
  const o = parseOptions(Schema, options, 'collect options');
  const makeEnv = (): Env<unknown, unknown> => (o.envId !== undefined ? make(o.envId, o.envOptions ?? {}) : (o.env as () => Env<unknown, unknown>)());
  const envs: Env<unknown, unknown>[] = [];
  for (let w = 0; w < o.workers; w++) envs.push(makeEnv());
  const policies = envs.map((_, w) => (typeof o.policy === 'function' ? (o.policy as (w: number) => Policy<unknown, unknown>)(w) : (o.policy as Policy<unknown, unknown>)));
  const first = envs[0]!;
  const unit: CollectProgress['unit'] = o.steps !== undefined ? 'steps' : 'episodes';
  const total = o.steps ?? o.episodes!;
  let writer: DatasetWriter | undefined;
  const bar = (o.progress === 'auto' ? process.stderr.isTTY === true : o.progress)
    ? new cliProgress.SingleBar({ format: `collect ${first.spec.id} |{bar}| {value}/{total} ${unit} | {episodes} episodes | {rate} steps/s | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  try {
    writer = await DatasetWriter.create({
      out: o.out,
      envId: first.spec.id,
      envOptions: o.envOptions ?? { ...(first.spec.kwargs ?? {}) },
      observationSpace: first.observationSpace,
      actionSpace: first.actionSpace,
      policy: policies[0]!.name,
      seed: o.seed,
      chunkSize: o.chunkSize,
      checkpointEvery: o.checkpointEvery,
      overwrite: o.overwrite,
      extra: { budget: { [unit]: total }, workers: o.workers },
    });
    bar?.start(total, 0, { episodes: 0, rate: '0' });
    const started = performance.now();
    const stopped = await runLanes(envs, policies, writer, {
      seed: o.seed,
      steps: o.steps,
      episodes: o.episodes,
      signal: o.signal,
      onEpisode: (transitions, episodes) => {
        const rate = (transitions / Math.max(1e-3, (performance.now() - started) / 1000)).toFixed(0);
        bar?.update(unit === 'steps' ? transitions : episodes, { episodes, rate });
        (o.onProgress as CollectOptions['onProgress'])?.({ transitions, episodes, total, unit });
      },
    });
    const physics = envs.some((e) => unwrap(e) instanceof PhysicsEnv);
    const manifest = await finalizeWith(writer, stopped, physics);
    return { path: writer.path, manifest, stopped };
  } catch (e) {
    await writer?.abort();
    throw e;
  } finally {
    bar?.stop();
    for (const e of envs) await e.close();
  }
}

async function finalizeWith(writer: DatasetWriter, stopped: boolean, physics: boolean): Promise<DatasetManifest> {
  if (physics) writer.setRapier(RAPIER_PACKAGE, rapierVersion());
  try {
    return await writer.finalize(stopped ? 'stopped' : 'finished');
  } catch (e) {
    if (e instanceof DatasetError && stopped) throw new DatasetError(`collect: stopped before any episode finished; nothing was written to ${writer.path}`, { cause: e });
    throw e;
  }
}

interface LaneOptions {
  seed: number;
  steps: number | undefined;
  episodes: number | undefined;
  signal: AbortSignal | undefined;
  onEpisode: (transitions: number, episodes: number) => void;
}

/**
 * Steps every environment concurrently, each running whole episodes k = 0, 1, …; finished episodes
 * are written strictly in index order. Returns whether the signal stopped it.
 */
async function runLanes(envs: Env<unknown, unknown>[], policies: Policy<unknown, unknown>[], writer: DatasetWriter, o: LaneOptions): Promise<boolean> {
  const obsSpace = envs[0]!.observationSpace;
  const actSpace = envs[0]!.actionSpace;
  const finished = new Map<number, EpisodeBuffer>();
  let nextEpisode = 0; // next index to start
  let nextToWrite = 0; // next index to write
  let written = 0; // transitions written
  let inFlight = 0; // steps of started, unwritten episodes (finished or not)
  let done = false;
  let writing = Promise.resolve();

  const budgetReached = () => (o.steps !== undefined ? written >= o.steps : nextToWrite >= o.episodes!);
  const mayStart = () => !done && !o.signal?.aborted && (o.steps !== undefined ? written + inFlight < o.steps : nextEpisode < o.episodes!);

  // Writes the finished prefix; with a step budget the episode that reaches it is cut to fit.
  const drain = async (): Promise<void> => {
    while (!done && finished.has(nextToWrite)) {
      const ep = finished.get(nextToWrite)!;
      finished.delete(nextToWrite);
      inFlight -= ep.length;
      if (o.steps !== undefined && written + ep.length >= o.steps) {
        if (written + ep.length > o.steps) ep.cut(o.steps - written);
        done = true;
      }
      await writer.appendEpisode(ep);
      written += ep.length;
      nextToWrite++;
      if (budgetReached()) done = true;
      o.onEpisode(written, nextToWrite);
    }
  };

  const lane = async (w: number): Promise<void> => {
    try {
      await runLane(w);
    } catch (e) {
      done = true; // stop the other lanes too
      throw e;
    }
  };

  const runLane = async (w: number): Promise<void> => {
    const env = envs[w]!;
    const policy = policies[w]!;
    while (mayStart()) {
      const k = nextEpisode++;
      const seed = o.seed + k;
      const ep = new EpisodeBuffer(obsSpace.flatDim, actSpace.flatDim, seed);
      policy.reset?.(policySeedFor(seed));
      let { observation, info } = await env.reset({ seed });
      let obsFlat = obsSpace.flatten(observation);
      // Without knowing the earlier episodes' lengths, no episode needs more than the whole budget.
      const cap = o.steps ?? Number.POSITIVE_INFINITY;
      while (!ep.ended) {
        if (o.signal?.aborted || done) return;
        const action = await policy.act(observation, info);
        const r = await env.step(action);
        const nextFlat = obsSpace.flatten(r.observation);
        ep.push(obsFlat, actSpace.flatten(action), r.reward, nextFlat, r.terminated, r.truncated || ep.length + 1 >= cap);
        inFlight++;
        observation = r.observation;
        info = r.info;
        obsFlat = nextFlat;
      }
      finished.set(k, ep);
      writing = writing.then(drain);
      await writing;
    }
  };

  const results = await Promise.allSettled(envs.map((_, w) => lane(w)));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason instanceof Error ? failure.reason : new EmbodiedError(`collect: a worker failed: ${describeValue(failure.reason)}`);
  await writing;
  return !budgetReached();
}
