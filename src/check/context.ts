/**
 * What every check of {@link checkEnv} shares: the env under test, the resolved options, the seeds, a
 * guard that turns a hung call into a failure, and the helpers that fail a check with a message.
 *
 * @module
 */
import type { Env, Stateful } from '../env.js';
import { Rng } from '../rng.js';
import { Wrapper } from '../wrappers/wrapper.js';

/** Thrown by a check to fail with a message (any other error is reported as "threw …"). */
export class Failure extends Error {}

/** Runs one call into the env, failing the check if it does not settle within the timeout. */
export type Guard = <T>(what: string, run: () => T | Promise<T>) => Promise<T>;

/** {@link checkEnv}'s options with every default filled in. */
export interface ResolvedCheckOptions {
  readonly seed: number;
  readonly stateSteps: number;
  readonly skipRenderCheck: boolean;
  readonly skipCloseCheck: boolean;
  readonly timeoutMs: number;
}

/** The state shared by the checks of one {@link checkEnv} run. */
export interface CheckContext {
  readonly env: Env<unknown, unknown>;
  readonly options: ResolvedCheckOptions;
  /** The determinism checks' seed. */
  readonly seed: number;
  /** A second seed, `seed + 333`, that must give a different episode. */
  readonly seed2: number;
  readonly guard: Guard;
  /** Advice that is not a failure, in the order found. */
  readonly warnings: string[];
  /** `n` actions sampled from the action space with a fresh `Rng(seed)`. */
  sampleActions(n: number, seed: number): unknown[];
}

/** The context of a check that needs a {@link Stateful} env; `clonable` is set by the state-clonable check. */
export interface StateCheckContext extends CheckContext {
  readonly stateful: Stateful;
  clonable: boolean;
}

/** The context of one {@link checkEnv} run over `env`. */
export function checkContext(env: Env<unknown, unknown>, options: ResolvedCheckOptions): CheckContext {
  return {
    env,
    options,
    seed: options.seed,
    seed2: options.seed + 333,
    guard: (what, run) => withTimeout(what, run, options.timeoutMs),
    warnings: [],
    sampleActions: (n, s) => {
      const rng = Rng.fromSeed(s);
      return Array.from({ length: n }, () => env.actionSpace.sample(rng));
    },
  };
}

function withTimeout<T>(what: string, run: () => T | Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Failure(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve().then(run), timeout]).finally(() => clearTimeout(timer));
}

/** Fails the running check with `message`. */
export function fail(message: string): never {
  throw new Failure(message);
}

/** A structured clone, or `v` itself when it cannot be cloned (the checks then compare what they have). */
export function clone<T>(v: T): T {
  try {
    return structuredClone(v);
  } catch {
    return v;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

export function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return isObject(v) && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

export function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** `'FrameStack → TimeLimit → LineWorld-v0'`: the wrappers around an env, outermost first. */
export function wrapperChain(env: Env<unknown, unknown>): string {
  const names: string[] = [];
  let e: Env<unknown, unknown> = env;
  while (e instanceof Wrapper) {
    names.push(e.constructor.name);
    e = e.env as Env<unknown, unknown>;
  }
  return [...names, e.spec?.id ?? e.constructor.name].join(' → ');
}
