/**
 * Helpers shared by the vector envs and their workers: batched spaces, seeds, masks, action checks and
 * the flat buffers a batch lives in.
 *
 * @module
 */
import { EmbodiedError, EnvStateError, InvalidActionError, InvalidArgumentError, WorkerCrashError, describeValue } from '../errors.js';
import { Rng, assertSeed } from '../rng.js';
import { Box, Discrete, MultiDiscrete, batchBox, type Space } from '../spaces.js';
import type { VectorActionSpace } from './types.js';

/** The flat arrays one batch lives in (plain or `SharedArrayBuffer`-backed). */
export interface VectorBuffers {
  /** `numEnvs × obsDim`. */
  readonly observations: Float32Array;
  /** `numEnvs × actDim`. */
  readonly actions: Float32Array;
  /** `numEnvs`. */
  readonly rewards: Float32Array;
  /** `numEnvs`, 0/1. */
  readonly terminated: Uint8Array;
  /** `numEnvs`, 0/1. */
  readonly truncated: Uint8Array;
}

/** Allocates {@link VectorBuffers}; `shared` backs them with `SharedArrayBuffer`s for workers. */
export function allocateBuffers(numEnvs: number, obsDim: number, actDim: number, shared: boolean): VectorBuffers {
  const make = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return {
    observations: new Float32Array(make(numEnvs * obsDim * 4)),
    actions: new Float32Array(make(numEnvs * actDim * 4)),
    rewards: new Float32Array(make(numEnvs * 4)),
    terminated: new Uint8Array(make(numEnvs)),
    truncated: new Uint8Array(make(numEnvs)),
  };
}

/** Checks that a sub-environment's observation space can be batched and returns it as a Box. */
export function assertBatchableObservationSpace(space: Space<unknown>, where: string): Box {
  if (!(space instanceof Box)) {
    throw new InvalidArgumentError(`${where}: expected sub-environments with a Box observation space, got ${describeValue(space?.type)}`);
  }
  return space;
}

/** Checks that a sub-environment's action space can be batched. */
export function assertBatchableActionSpace(space: Space<unknown>, where: string): VectorActionSpace {
  if (!(space instanceof Box) && !(space instanceof Discrete) && !(space instanceof MultiDiscrete)) {
    throw new InvalidArgumentError(`${where}: expected sub-environments with a Box, Discrete or MultiDiscrete action space, got ${describeValue(space?.type)}`);
  }
  return space;
}

/** The batched action space: Box `[n, ...]`, or a MultiDiscrete of `n × k` components. */
export function batchActionSpace(space: VectorActionSpace, n: number): Box | MultiDiscrete {
  if (space instanceof Box) return batchBox(space, n);
  const nvec = space instanceof Discrete ? [space.n] : Array.from(space.nvec);
  const start = space instanceof Discrete ? [space.start] : Array.from(space.start);
  const all = (v: number[]) => Array.from({ length: n }, () => v).flat();
  return new MultiDiscrete(all(nvec), all(start));
}

/** Validates `numEnvs`. */
export function assertNumEnvs(n: unknown, where: string): number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError(`${where}: expected \`numEnvs\` to be a positive integer, got ${describeValue(n)}`);
  }
  return n;
}

/**
 * Per-env seeds for a reset: `s` → `s + i`, an array → itself, omitted → a fresh entropy base on the
 * first reset (so every env's seed is known, e.g. for crash reports) and no reseeding afterwards.
 */
export function resolveSeeds(seed: unknown, n: number, firstReset: boolean, where: string): (number | undefined)[] {
  if (seed === undefined || seed === null) {
    if (!firstReset) return new Array<undefined>(n).fill(undefined);
    // Leave room for + i below 2^53.
    const base = Rng.entropySeed() % 2 ** 48;
    return Array.from({ length: n }, (_, i) => base + i);
  }
  if (typeof seed === 'number') {
    assertSeed(seed, `${where} seed`);
    if (!Number.isSafeInteger(seed + n - 1)) throw new InvalidArgumentError(`${where}: expected seed + numEnvs - 1 to be a safe integer, got seed ${seed}`);
    return Array.from({ length: n }, (_, i) => seed + i);
  }
  if (Array.isArray(seed)) {
    if (seed.length !== n) throw new InvalidArgumentError(`${where}: expected ${n} seeds (one per env), got ${seed.length}`);
    return seed.map((s, i) => assertSeed(s, `${where} seed[${i}]`));
  }
  throw new InvalidArgumentError(`${where}: expected \`seed\` to be a number or an array of ${n} numbers, got ${describeValue(seed)}`);
}

/** Normalises a reset mask to booleans (omitted: all true). */
export function resolveMask(mask: unknown, n: number, where: string): boolean[] {
  if (mask === undefined || mask === null) return new Array<boolean>(n).fill(true);
  const m = mask as ArrayLike<unknown>;
  if (typeof m !== 'object' || typeof m.length !== 'number' || m.length !== n) {
    throw new InvalidArgumentError(`${where}: expected \`mask\` to hold ${n} booleans (one per env), got ${describeValue(mask)}`);
  }
  return Array.from(m, (v) => Boolean(v));
}

/**
 * Checks a batch of actions before anything is stepped, so one bad row leaves every env untouched.
 * @throws {@link InvalidActionError} naming the env and what was expected.
 */
export function validateActions(actions: unknown, space: VectorActionSpace, n: number, where: string): void {
  const dim = space.flatDim;
  if (!(actions instanceof Float32Array)) {
    throw new InvalidActionError(`${where}: expected a Float32Array of ${n} × ${dim} = ${n * dim} actions, got ${describeValue(actions)}`);
  }
  if (actions.length !== n * dim) {
    throw new InvalidActionError(`${where}: expected ${n} × ${dim} = ${n * dim} action values (numEnvs × actDim), got ${actions.length}`);
  }
  for (let i = 0; i < n; i++) {
    let why: string | undefined;
    if (space instanceof Box) {
      why = space.explain(actions.subarray(i * dim, (i + 1) * dim));
    } else {
      for (let j = 0; j < dim && why === undefined; j++) {
        const v = actions[i * dim + j]!;
        if (!Number.isInteger(v)) why = `expected an integer at index ${j}, got ${v}`;
      }
      why ??= space.explain(space.unflatten(actions, i * dim));
    }
    if (why !== undefined) throw new InvalidActionError(`${where}: invalid action for env ${i}: ${why}`);
  }
}

/** Rethrows `err` with `prefix` in front of its message, keeping its class when it is an EmbodiedError. */
export function withContext(err: unknown, prefix: string): unknown {
  if (!(err instanceof EmbodiedError) || err instanceof WorkerCrashError) return err;
  try {
    const Ctor = err.constructor as new (message: string, options?: ErrorOptions) => EmbodiedError;
    const wrapped = new Ctor(`${prefix}${err.message}`, { cause: err });
    if (wrapped instanceof EmbodiedError && wrapped.message.startsWith(prefix)) return wrapped;
  } catch {
    // A subclass with another constructor signature: fall through and keep the original.
  }
  return err;
}

/** The {@link EnvStateError} for a call that cannot run now, or undefined. */
export function lifecycleError(name: string, state: { closed: boolean; busy: boolean; crashed?: string | undefined }, call: string): EnvStateError | undefined {
  if (state.closed) return new EnvStateError(`${name}: ${call}() called after close()`);
  if (state.crashed !== undefined) return new EnvStateError(`${name}: ${call}() called after a worker crashed (${state.crashed}); close() this vector env and build a new one`);
  if (state.busy) return new EnvStateError(`${name}: ${call}() called while another reset()/step() is still running; await it first`);
  return undefined;
}
