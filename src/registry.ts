/**
 * The environment registry: `register` an id with a factory, `make` it by id (with a `TimeLimit`
 * from the spec), `listEnvs` what is there. Ids are versioned (`Name-vN`), as in Gymnasium.
 *
 * Registrations may name the `module` that performs them (`import.meta.url`), so a worker thread
 * can import that module and rebuild the same environment (see `WorkerVectorEnv`).
 *
 * @module
 */
import { InvalidArgumentError, RegistrationError, UnknownEnvError, describeValue } from './errors.js';
import type { Env, EnvSpec } from './env.js';
import { TimeLimit } from './wrappers/time-limit.js';
import { SyncVectorEnv } from './vector/sync-vector-env.js';
import { WorkerVectorEnv } from './vector/worker-vector-env.js';
import type { VectorEnv, VectorEnvOptions } from './vector/types.js';

/** What `register` takes. */
export interface EnvRegistration<O = unknown, A = unknown> {
  /** Versioned id, `Name-vN` (optionally `namespace/Name-vN`). */
  readonly id: string;
  /** Builds a fresh environment from constructor options (`kwargs` merged with `make`'s options). */
  readonly entryPoint: (options: Record<string, unknown>) => Env<O, A>;
  /** URL of the module that performs this registration, so workers can import it. */
  readonly module?: string;
  /** Default episode length; `make` adds a `TimeLimit` with it. */
  readonly maxEpisodeSteps?: number;
  /** Return at which the task counts as solved. */
  readonly rewardThreshold?: number;
  /** True when the same seed may not reproduce the same episode. */
  readonly nondeterministic?: boolean;
  /** Default constructor options. */
  readonly kwargs?: Readonly<Record<string, unknown>>;
  /** One line for `embodied envs`. */
  readonly description?: string;
}

/** Settings of `make` itself (as opposed to the environment's own options). */
export interface MakeSettings {
  /** Overrides the registered episode length; `false` adds no `TimeLimit`. Default: the registered value. */
  readonly maxEpisodeSteps?: number | false;
}

const ID_PATTERN = /^(?:([\w.-]+)\/)?([\w.:-]+?)-v(\d+)$/;
const registry = new Map<string, EnvRegistration>();

/** Splits a versioned id into namespace, name and version. */
export function parseEnvId(id: string): { namespace: string | undefined; name: string; version: number } {
  const m = ID_PATTERN.exec(id);
  if (!m) throw new RegistrationError(`Expected an environment id of the form \`Name-vN\` (e.g. \`PushBox-v0\`), got ${describeValue(id)}`);
  return { namespace: m[1], name: m[2]!, version: Number(m[3]) };
}

/**
 * Registers an environment id.
 * @throws {@link RegistrationError} when the id is malformed or already registered (unless `override`).
 */
export function register<O, A>(registration: EnvRegistration<O, A>, { override = false }: { override?: boolean } = {}): void {
  parseEnvId(registration.id);
  if (typeof registration.entryPoint !== 'function') {
    throw new RegistrationError(`register(${registration.id}): expected \`entryPoint\` to be a function, got ${describeValue(registration.entryPoint)}`);
  }
  if (registration.maxEpisodeSteps !== undefined && (!Number.isSafeInteger(registration.maxEpisodeSteps) || registration.maxEpisodeSteps <= 0)) {
    throw new RegistrationError(`register(${registration.id}): expected \`maxEpisodeSteps\` to be a positive integer, got ${describeValue(registration.maxEpisodeSteps)}`);
  }
  if (registry.has(registration.id) && !override) {
    // Re-registering from the same module (e.g. a module evaluated twice by a test runner) is harmless.
    const existing = registry.get(registration.id)!;
    if (existing.module !== undefined && existing.module === registration.module) return;
    throw new RegistrationError(`Environment \`${registration.id}\` is already registered; pass { override: true } to replace it`);
  }
  registry.set(registration.id, registration as EnvRegistration);
}

/** Removes a registration (mostly for tests). Returns whether it existed. */
export function unregister(id: string): boolean {
  return registry.delete(id);
}

/** The registration of `id`. @throws {@link UnknownEnvError} listing close matches. */
export function registration(id: string): EnvRegistration {
  const reg = registry.get(id);
  if (reg === undefined) throw unknownEnv(id);
  return reg;
}

/** The spec `make(id)` would give, without building the environment. */
export function spec(id: string): EnvSpec {
  const reg = registration(id);
  return {
    id: reg.id,
    ...(reg.maxEpisodeSteps !== undefined && { maxEpisodeSteps: reg.maxEpisodeSteps }),
    ...(reg.rewardThreshold !== undefined && { rewardThreshold: reg.rewardThreshold }),
    ...(reg.nondeterministic !== undefined && { nondeterministic: reg.nondeterministic }),
    kwargs: { ...reg.kwargs },
  };
}

/** All registered ids, sorted. */
export function listEnvs(): string[] {
  return [...registry.keys()].sort();
}

/** All registrations, sorted by id. */
export function listRegistrations(): EnvRegistration[] {
  return listEnvs().map((id) => registry.get(id)!);
}

/**
 * Builds a registered environment: `entryPoint({...kwargs, ...options})`, wrapped in a `TimeLimit`
 * when the registration (or `settings.maxEpisodeSteps`) gives an episode length.
 *
 * @example
 * ```ts
 * const env = make('PushBox-v0', { sparse: true });
 * ```
 * @throws {@link UnknownEnvError} for an unknown id, listing close matches.
 */
export function make<O = Float32Array, A = Float32Array>(id: string, options: Record<string, unknown> = {}, settings: MakeSettings = {}): Env<O, A> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`make(${id}): expected \`options\` to be an object, got ${describeValue(options)}`);
  }
  const reg = registration(id);
  const env = reg.entryPoint({ ...reg.kwargs, ...options }) as Env<O, A>;
  if (env.spec?.id !== id) {
    throw new RegistrationError(`make(${id}): the entry point built an environment whose spec.id is ${describeValue(env.spec?.id)}`);
  }
  const limit = settings.maxEpisodeSteps ?? reg.maxEpisodeSteps;
  if (limit === false || limit === undefined) return env;
  return new TimeLimit(env, limit);
}

/** Options of {@link makeVec}. */
export interface MakeVecOptions extends VectorEnvOptions {
  /** Constructor options of every sub-environment (merged over the registered `kwargs`). Default `{}`. */
  readonly kwargs?: Record<string, unknown>;
  /** Overrides the registered episode length of each sub-env; `false` adds no `TimeLimit`. */
  readonly maxEpisodeSteps?: number | false;
  /** `'worker'` mode: number of worker threads. Default `min(n, os.availableParallelism())`. */
  readonly numWorkers?: number;
  /** `'worker'` mode: extra modules each worker imports (the registration's `module` is always imported). */
  readonly modules?: readonly string[];
  /**
   * `'worker'` mode: longest a `reset()`/`step()` may take, ms, before the stuck worker is terminated and the
   * call rejects with a `WorkerTimeoutError` (see {@link WorkerVectorEnv}). Default: no limit.
   */
  readonly callTimeoutMs?: number;
}

/**
 * Builds `n` copies of a registered environment as one vector env: `'sync'` steps them in this thread
 * ({@link SyncVectorEnv}), `'worker'` in worker threads ({@link WorkerVectorEnv}). Each sub-env is
 * `make(id, kwargs)`, so it carries the spec's `TimeLimit`.
 *
 * @example
 * ```ts
 * const envs = await makeVec('LineWorld-v0', 8, 'worker', { autoresetMode: 'same-step' });
 * ```
 * @throws {@link UnknownEnvError} for an unknown id; {@link InvalidArgumentError} for bad options or a
 *   `'worker'` registration without a `module`.
 */
export async function makeVec(id: string, n: number, mode: 'sync' | 'worker' = 'sync', options: MakeVecOptions = {}): Promise<VectorEnv> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`makeVec(${id}): expected \`options\` to be an object, got ${describeValue(options)}`);
  }
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`makeVec(${id}): expected \`n\` to be a positive integer, got ${describeValue(n)}`);
  const reg = registration(id);
  const { kwargs = {}, maxEpisodeSteps, numWorkers, modules = [], callTimeoutMs, ...vectorOptions } = options;
  if (mode === 'sync') {
    if (numWorkers !== undefined || modules.length > 0 || callTimeoutMs !== undefined) {
      throw new InvalidArgumentError(`makeVec(${id}): \`numWorkers\`, \`modules\` and \`callTimeoutMs\` apply to 'worker' mode only`);
    }
    const settings: MakeSettings = maxEpisodeSteps === undefined ? {} : { maxEpisodeSteps };
    return new SyncVectorEnv(
      Array.from({ length: n }, () => () => make<Float32Array, unknown>(id, kwargs, settings)),
      vectorOptions,
    );
  }
  if (mode === 'worker') {
    const all = [...(reg.module === undefined ? [] : [reg.module]), ...modules];
    if (all.length === 0) {
      throw new InvalidArgumentError(
        `makeVec(${id}, 'worker'): the registration has no \`module\` for workers to import; register with \`module: import.meta.url\` or pass \`modules\``,
      );
    }
    return WorkerVectorEnv.create({
      ...vectorOptions,
      envId: id,
      numEnvs: n,
      kwargs,
      modules: all,
      ...(maxEpisodeSteps !== undefined && { maxEpisodeSteps }),
      ...(numWorkers !== undefined && { numWorkers }),
      ...(callTimeoutMs !== undefined && { callTimeoutMs }),
    });
  }
  throw new InvalidArgumentError(`makeVec(${id}): expected \`mode\` to be 'sync' or 'worker', got ${describeValue(mode)}`);
}

function levenshtein(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Ids close to `id` (same name other version, or small edit distance), best first. */
export function closeMatches(id: string, limit = 5): string[] {
  const wanted = id.toLowerCase();
  const name = ID_PATTERN.exec(id)?.[2]?.toLowerCase();
  const scored = listEnvs().map((candidate) => {
    const sameName = name !== undefined && ID_PATTERN.exec(candidate)?.[2]?.toLowerCase() === name;
    return { candidate, score: sameName ? 0 : levenshtein(wanted, candidate.toLowerCase()) };
  });
  const maxDistance = Math.max(3, Math.floor(id.length / 3));
  return scored
    .filter((s) => s.score <= maxDistance)
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
    .slice(0, limit)
    .map((s) => s.candidate);
}

function unknownEnv(id: string): UnknownEnvError {
  const close = closeMatches(id);
  const hint =
    close.length > 0
      ? ` Did you mean: ${close.join(', ')}?`
      : registry.size > 0
        ? ` Registered: ${listEnvs().join(', ')}.`
        : ' No environments are registered (import the module that registers them).';
  return new UnknownEnvError(`Unknown environment id ${describeValue(id)}.${hint}`);
}
