/**
 * `collect`: runs a policy in an environment and writes a transition dataset.
 *
 * Environments run as a vector env (in worker threads with `workers > 1`), each resetting to the next
 * episode when its own ends. Episode k is reset with seed `seed + k` and the policy with a seed
 * derived from it, so the data depends only on (environment, policy, seed, budget) — not on the
 * number of workers or on timing.
 * Episodes are written in index order; with a step budget the last one is cut (marked `truncated`)
 * so the dataset holds exactly `steps` transitions.
 *
 * @module
 */
import cliProgress from 'cli-progress';
import { z } from 'zod';
import type { Env } from '../env.js';
import { InvalidArgumentError } from '../errors.js';
import { parseOptions } from '../options.js';
import { PhysicsEnv } from '../physics/physics-env.js';
import { RAPIER_PACKAGE, initRapier, rapierVersion } from '../physics/rapier.js';
import type { Policy } from '../policy.js';
import { make, makeVec } from '../registry.js';
import { Rng } from '../rng.js';
import type { Space } from '../spaces.js';
import { SyncVectorEnv } from '../vector/sync-vector-env.js';
import type { VectorEnv } from '../vector/types.js';
import { unwrap } from '../wrappers/wrapper.js';
import { DatasetError, type DatasetManifest } from './dataset-manifest.js';
import { DatasetWriter, EpisodeBuffer } from './dataset-writer.js';

/**
 * An environment (or policy) produced a non-finite observation, action or reward. Collection stops there;
 * the episodes finished before it are kept (published with `stopReason: 'stopped'`) and the message says
 * which episode, step and value broke — a dataset that `Dataset.load` would reject is never written.
 */
export class NonFiniteTransitionError extends DatasetError {
  constructor(
    message: string,
    /** The seed of the episode that broke. */
    readonly seed: number,
    /** Its step (0-based) that broke. */
    readonly step: number,
    /** `observation`, `action`, `reward` or `nextObservation`. */
    readonly field: string,
  ) {
    super(message);
  }
}

/** Throws {@link NonFiniteTransitionError} when any value of the transition is not finite. */
function checkTransition(ep: EpisodeBuffer, fields: Readonly<Record<string, ArrayLike<number>>>): void {
  for (const [field, values] of Object.entries(fields)) {
    for (let j = 0; j < values.length; j++) {
      if (Number.isFinite(values[j]!)) continue;
      throw new NonFiniteTransitionError(
        `collect: the episode with seed ${ep.seed} produced a non-finite ${field} at step ${ep.length} (${values[j]} at index ${j}); a dataset holds finite values only`,
        ep.seed,
        ep.length,
        field,
      );
    }
  }
}

/** Progress of a collection, reported after every finished episode. */
export interface CollectProgress {
  /** Transitions written (episodes finished in order). */
  readonly transitions: number;
  readonly episodes: number;
  /** The budget in the unit chosen (`steps` or `episodes`). */
  readonly total: number;
  readonly unit: 'steps' | 'episodes';
}

/** What {@link collect} returns. */
export interface CollectResult {
  /** The dataset directory. */
  readonly path: string;
  readonly manifest: DatasetManifest;
  /** Whether `signal` stopped collection before the budget was reached. */
  readonly stopped: boolean;
}

const fn = <F extends (...args: never[]) => unknown>(what: string) => z.custom<F>((v) => typeof v === 'function', { message: `expected ${what}` });

/** The policy option of {@link collect}: one policy, or a factory giving one policy per environment. */
export type CollectPolicyOption = Policy<Float32Array, unknown> | ((worker: number) => Policy<Float32Array, unknown>);

const policyOption = z.union([fn('a policy factory'), z.object({ name: z.string().min(1), act: fn('an `act` method') }).loose()], {
  message: 'expected a Policy { name, act } or a factory (worker) => Policy',
}) as unknown as z.ZodType<CollectPolicyOption, CollectPolicyOption>; // the union checks the shape; the cast names the type

/** Zod schema of {@link CollectOptions}. */
export const CollectOptionsSchema = z
  .object({
    /**
     * The environment: a registered id (with `envOptions`), a factory, or a caller-owned
     * {@link VectorEnv} made with `autoresetMode: 'disabled'`. Exactly one of `envId`/`env`/`vectorEnv`.
     */
    envId: z.string().min(1).optional(),
    /** A factory; `workers` copies are stepped in this thread ({@link SyncVectorEnv}). */
    env: fn<() => Env<Float32Array, unknown>>('a function returning an Env').optional(),
    /** A vector env to collect from (its `numEnvs` replaces `workers`); not closed by `collect`. */
    vectorEnv: z
      .custom<VectorEnv>((v) => typeof v === 'object' && v !== null && typeof (v as VectorEnv).step === 'function' && typeof (v as VectorEnv).numEnvs === 'number', {
        message: 'expected a VectorEnv',
      })
      .optional(),
    /** Options for `make(envId, envOptions)`. Default `{}`. */
    envOptions: z.record(z.string(), z.unknown()).optional(),
    /** With `envId`: the environments' time limit (`make`'s `maxEpisodeSteps`). Default: the registered one. */
    maxEpisodeSteps: z.number().int().positive().optional(),
    /**
     * The policy, or a factory giving one policy per environment (required when there are several:
     * policies keep per-episode state, so environments cannot share one).
     */
    policy: policyOption,
    /** Number of episodes to collect. Exactly one of `episodes`/`steps`. */
    episodes: z.number().int().positive().optional(),
    /** Number of transitions to collect (the last episode is cut to fit). */
    steps: z.number().int().positive().optional(),
    /** Environments stepped together. Default 1. */
    workers: z.number().int().positive().max(256).default(1),
    /**
     * With `envId`: run the environments in worker threads (`'worker'`, {@link WorkerVectorEnv}) or in
     * this thread (`'sync'`). Default `'auto'`: workers when `workers > 1`.
     */
    vectorMode: z.enum(['auto', 'sync', 'worker']).default('auto'),
    /** Base seed: episode k is reset with `seed + k`. Default 0. */
    seed: z.number().int().nonnegative().default(0),
    /**
     * Reset options per episode, from the episode's seed (`undefined`: none) — e.g. a start drawn from a
     * wide range of physical states. A function of the seed only, so the data stays independent of the
     * number of workers.
     */
    resetOptions: fn<(episodeSeed: number) => Record<string, unknown> | undefined>('a function (episodeSeed) => reset options').optional(),
    /** Output directory (must not exist unless `overwrite`). */
    out: z.string().min(1),
    /** Replace an existing output directory. Default `false`. */
    overwrite: z.boolean().default(false),
    /** Publish a valid (incomplete) dataset every this many transitions; 0 = only at the end. Default 0. */
    checkpointEvery: z.number().int().nonnegative().default(0),
    /** Transitions buffered before they are appended to disk. Default 4096. */
    chunkSize: z.number().int().positive().default(4096),
    /** Stops collection; the episodes finished so far are written (`stopReason: 'stopped'`). */
    signal: z.instanceof(AbortSignal).optional(),
    /** Show a cli-progress bar on stderr: `true`, `false`, or `'auto'` (only on a TTY). Default `'auto'`. */
    progress: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    /** Called after every episode written. */
    onProgress: fn<(p: CollectProgress) => void>('a function').optional(),
  })
  .strict()
  .refine((o) => [o.env, o.envId, o.vectorEnv].filter((x) => x !== undefined).length === 1, {
    message: 'expected exactly one of `envId`, `env` (a factory) and `vectorEnv`',
    path: ['envId'],
  })
  .refine((o) => (o.episodes === undefined) !== (o.steps === undefined), { message: 'expected exactly one of `episodes` and `steps`', path: ['episodes'] })
  .refine((o) => (o.vectorEnv?.numEnvs ?? o.workers) === 1 || typeof o.policy === 'function', {
    message: 'expected a policy factory `(worker) => Policy` when several environments run (they cannot share a stateful policy)',
    path: ['policy'],
  });

/** Options of {@link collect}. */
export type CollectOptions = z.input<typeof CollectOptionsSchema>;

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
  const o = parseOptions(CollectOptionsSchema, options, 'collect options');
  const vec = o.vectorEnv ?? (await openVectorEnv(o));
  if (vec.autoresetMode !== 'disabled') {
    throw new InvalidArgumentError(`collect options: \`vectorEnv\` must be made with autoresetMode 'disabled' (collect resets each env itself), got '${vec.autoresetMode}'`);
  }
  const policies = Array.from({ length: vec.numEnvs }, (_, w) => (typeof o.policy === 'function' ? o.policy(w) : o.policy));
  const unit: CollectProgress['unit'] = o.steps !== undefined ? 'steps' : 'episodes';
  const total = o.steps ?? o.episodes!;
  const envId = vec.spec.id;
  // Rapier's own version string, from this thread's instance (the workers load the same package).
  const rapierVer = (await isPhysicsEnv(o, envId)) ? (await initRapier(), rapierVersion()) : undefined;
  let writer: DatasetWriter | undefined;
  const bar = (o.progress === 'auto' ? process.stderr.isTTY === true : o.progress)
    ? new cliProgress.SingleBar(
        { format: `collect ${envId} |{bar}| {value}/{total} ${unit} | {episodes} episodes | {rate} steps/s | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  try {
    writer = await DatasetWriter.create({
      out: o.out,
      envId,
      envOptions: o.envOptions ?? { ...(vec.spec.kwargs ?? {}) },
      observationSpace: vec.singleObservationSpace,
      actionSpace: vec.singleActionSpace,
      policy: policies[0]!.name,
      seed: o.seed,
      chunkSize: o.chunkSize,
      checkpointEvery: o.checkpointEvery,
      overwrite: o.overwrite,
      ...(rapierVer !== undefined && { rapierPackage: RAPIER_PACKAGE, rapierVersion: rapierVer }),
      extra: { budget: { [unit]: total }, environments: vec.numEnvs, vector: vec.constructor.name },
    });
    bar?.start(total, 0, { episodes: 0, rate: '0' });
    const started = performance.now();
    const stopped = await runVector(vec, policies, writer, {
      seed: o.seed,
      steps: o.steps,
      episodes: o.episodes,
      signal: o.signal,
      resetOptions: o.resetOptions,
      onEpisode: (transitions, episodes) => {
        const rate = (transitions / Math.max(1e-3, (performance.now() - started) / 1000)).toFixed(0);
        bar?.update(unit === 'steps' ? transitions : episodes, { episodes, rate });
        o.onProgress?.({ transitions, episodes, total, unit });
      },
    });
    const manifest = await finalizeWith(writer, stopped);
    return { path: writer.path, manifest, stopped };
  } catch (e) {
    if (e instanceof NonFiniteTransitionError && writer !== undefined && writer.episodes > 0) throw await keepFinished(writer, e);
    await writer?.abort();
    throw e;
  } finally {
    bar?.stop();
    if (o.vectorEnv === undefined) await vec.close();
  }
}

async function openVectorEnv(o: z.output<typeof CollectOptionsSchema>): Promise<VectorEnv> {
  if (o.env !== undefined) {
    const factory = o.env;
    return new SyncVectorEnv(
      Array.from({ length: o.workers }, () => factory),
      { autoresetMode: 'disabled' },
    );
  }
  const mode = o.vectorMode === 'auto' ? (o.workers > 1 ? 'worker' : 'sync') : o.vectorMode;
  return makeVec(o.envId!, o.workers, mode, {
    kwargs: o.envOptions ?? {},
    autoresetMode: 'disabled',
    ...(o.maxEpisodeSteps !== undefined && { maxEpisodeSteps: o.maxEpisodeSteps }),
  });
}

/** Whether the environment is a Rapier one (for provenance), probed on a throw-away instance. */
async function isPhysicsEnv(o: z.output<typeof CollectOptionsSchema>, envId: string): Promise<boolean> {
  if (o.vectorEnv !== undefined) return false;
  const probe = o.env !== undefined ? o.env() : make(envId, o.envOptions ?? {});
  try {
    return unwrap(probe) instanceof PhysicsEnv;
  } finally {
    await probe.close();
  }
}

/** Publishes the episodes finished before `error` (as a stopped collection) and says so in the error. */
async function keepFinished(writer: DatasetWriter, error: NonFiniteTransitionError): Promise<NonFiniteTransitionError> {
  const manifest = await writer.finalize('stopped');
  return new NonFiniteTransitionError(
    `${error.message}. The ${manifest.counts.episodes} episodes finished before it were kept in ${writer.path} (stopReason 'stopped')`,
    error.seed,
    error.step,
    error.field,
  );
}

async function finalizeWith(writer: DatasetWriter, stopped: boolean): Promise<DatasetManifest> {
  try {
    return await writer.finalize(stopped ? 'stopped' : 'finished');
  } catch (e) {
    if (e instanceof DatasetError && stopped) throw new DatasetError(`collect: stopped before any episode finished; nothing was written to ${writer.path}`, { cause: e });
    throw e;
  }
}

interface RunOptions {
  seed: number;
  resetOptions: ((episodeSeed: number) => Record<string, unknown> | undefined) | undefined;
  steps: number | undefined;
  episodes: number | undefined;
  signal: AbortSignal | undefined;
  onEpisode: (transitions: number, episodes: number) => void;
}

/**
 * Steps the vector env; each sub-env runs whole episodes k = 0, 1, … (seed `seed + k`) and is reset
 * by `collect` when its episode ends. Finished episodes are written strictly in index order. Once no
 * further episode is needed, an idle sub-env runs a throw-away episode so the batch can keep stepping.
 * Returns whether the signal stopped collection before the budget was reached.
 */
async function runVector(vec: VectorEnv, policies: Policy<Float32Array, unknown>[], writer: DatasetWriter, o: RunOptions): Promise<boolean> {
  const n = vec.numEnvs;
  const od = vec.singleObservationSpace.flatDim;
  const actSpace = vec.singleActionSpace as Space<unknown>;
  const ad = actSpace.flatDim;
  const finished = new Map<number, EpisodeBuffer>();
  let nextEpisode = 0;
  let nextToWrite = 0;
  let written = 0;
  let inFlight = 0;
  let spare = 0;
  let done = false;
  // Without knowing the earlier episodes' lengths, no episode needs more than the whole budget.
  const cap = o.steps ?? Number.POSITIVE_INFINITY;
  const budgetReached = () => (o.steps !== undefined ? written >= o.steps : nextToWrite >= o.episodes!);
  const needMore = () => (o.steps !== undefined ? written + inFlight < o.steps : nextEpisode < o.episodes!);

  const drain = async (): Promise<void> => {
    while (!done && finished.has(nextToWrite)) {
      const ep = finished.get(nextToWrite)!;
      finished.delete(nextToWrite);
      inFlight -= ep.length;
      if (o.steps !== undefined && written + ep.length > o.steps) ep.cut(o.steps - written);
      await writer.appendEpisode(ep);
      written += ep.length;
      nextToWrite++;
      if (budgetReached()) done = true;
      o.onEpisode(written, nextToWrite);
    }
  };

  // Slot i runs episode `index[i]` into `buffers[i]`; −1 marks a throw-away episode (or an idle slot).
  const index = new Int32Array(n);
  const buffers: EpisodeBuffer[] = new Array(n);
  // The reset options of the episode each slot starts next (real episodes only).
  const startOptions = new Array<Record<string, unknown> | undefined>(n).fill(undefined);
  const assign = (i: number, real: boolean): number => {
    const k = real ? nextEpisode++ : -1;
    // Throw-away episodes use seeds past any real one (2^40 + j), so they never repeat real data.
    const seed = real ? o.seed + k : 2 ** 40 + spare++;
    startOptions[i] = real ? o.resetOptions?.(seed) : undefined;
    index[i] = k;
    buffers[i] = new EpisodeBuffer(od, ad, seed);
    policies[i]!.reset?.(policySeedFor(seed));
    return seed;
  };

  const firstSeeds = Array.from({ length: n }, (_, i) => assign(i, needMore()));
  let { observations, infos } = await vec.reset({ seed: firstSeeds, ...(o.resetOptions && { options: [...startOptions] }) });
  const actions = new Float32Array(n * ad);
  while (!done && !o.signal?.aborted && index.some((k) => k >= 0)) {
    const chosen = await Promise.all(policies.map((p, i) => p.act(observations.slice(i * od, (i + 1) * od), infos[i])));
    chosen.forEach((a, i) => {
      actSpace.flatten(a, actions, i * ad);
    });
    const r = await vec.step(actions);
    const ended: number[] = [];
    for (let i = 0; i < n; i++) {
      const ep = buffers[i]!;
      const cut = ep.length + 1 >= cap;
      const obs = observations.subarray(i * od, (i + 1) * od);
      const act = actions.subarray(i * ad, (i + 1) * ad);
      const next = r.observations.subarray(i * od, (i + 1) * od);
      checkTransition(ep, { observation: obs, action: act, reward: [r.rewards[i]!], nextObservation: next });
      ep.push(obs, act, r.rewards[i]!, next, r.terminated[i] === 1, r.truncated[i] === 1 || cut);
      if (index[i]! >= 0) inFlight++;
      if (!ep.ended) continue;
      if (index[i]! >= 0) finished.set(index[i]!, ep);
      index[i] = -1;
      ended.push(i);
    }
    await drain();
    observations = r.observations;
    infos = r.infos;
    if (done || o.signal?.aborted || ended.length === 0) continue;
    // Ended slots take the next episodes; if none is needed they run throw-away episodes, but only
    // while another slot still has a real one (the batch must keep stepping until it ends).
    const fresh = ended.map((i) => ({ i, real: false }));
    const resetSeeds = new Array<number>(n).fill(0);
    const resetMask = new Array<boolean>(n).fill(false);
    for (const f of fresh) {
      f.real = needMore();
      if (f.real) resetSeeds[f.i] = assign(f.i, true);
    }
    const anyReal = index.some((k) => k >= 0);
    for (const f of fresh) {
      if (!f.real && anyReal) resetSeeds[f.i] = assign(f.i, false);
      resetMask[f.i] = f.real || anyReal;
    }
    if (!anyReal) continue;
    const rr = await vec.reset({ seed: resetSeeds, mask: resetMask, ...(o.resetOptions && { options: [...startOptions] }) });
    observations = rr.observations;
    infos = infos.map((info, i) => (resetMask[i] ? rr.infos[i]! : info));
  }
  return !budgetReached();
}
