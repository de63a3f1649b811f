/**
 * `checkEnv`: the conformance checks every environment must pass — each check of Gymnasium's
 * `check_env` plus Embodied's own for {@link Stateful} environments (exact save/restore, clonable
 * states, side-effect-free `getState`). It never throws for a broken environment: it reports.
 *
 * @module
 */
import { z } from 'zod';
import { EnvStateError, describeValue } from './errors.js';
import { isStateful, type Env, type Stateful } from './env.js';
import { parseOptions } from './options.js';
import { Rng } from './rng.js';
import { spaceFromJSON, type Space } from './spaces.js';
import { Wrapper } from './wrappers/wrapper.js';

/** Options of {@link checkEnv}. */
export interface CheckEnvOptions {
  /** Seed of the determinism checks; a second seed is `seed + 333`. Default 123 (as Gymnasium). */
  readonly seed?: number;
  /** Steps replayed by the state checks. Default 10. */
  readonly stateSteps?: number;
  /** Skip rendering every declared mode. Default false. */
  readonly skipRenderCheck?: boolean;
  /** Skip closing the env (and the use-after-close check); the env stays usable. Default false. */
  readonly skipCloseCheck?: boolean;
  /** Longest time one call into the env may take before it counts as hung, ms. Default 10000. */
  readonly timeoutMs?: number;
}

/** One check's outcome. */
export interface EnvCheckResult {
  /** The check's name, e.g. `'reset-seed-determinism'`. */
  readonly name: string;
  /** Whether it passed (skipped checks count as passed). */
  readonly passed: boolean;
  /** Why it failed, or why it was skipped. */
  readonly message?: string;
  /** True when the check did not run (nondeterministic env, not Stateful, an earlier failure). */
  readonly skipped?: boolean;
}

/** What {@link checkEnv} returns. */
export interface CheckReport {
  /** True when no check failed. */
  readonly passed: boolean;
  /** The failed checks and why. */
  readonly failures: { readonly check: string; readonly message: string }[];
  /** Advice that is not a failure (unbounded spaces, non-normalised actions, a wrapped env). */
  readonly warnings: string[];
  /** Every check, in the order run. */
  readonly checks: EnvCheckResult[];
}

const Options = z
  .object({
    seed: z.number().int().nonnegative().default(123),
    stateSteps: z.number().int().positive().default(10),
    skipRenderCheck: z.boolean().default(false),
    skipCloseCheck: z.boolean().default(false),
    timeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

/** Thrown by a check body to fail with a message. */
class Failure extends Error {}

/**
 * Runs the conformance checks on `env` and reports every failure. The env is reset and stepped many
 * times and, unless `skipCloseCheck`, closed at the end.
 *
 * @example
 * ```ts
 * const report = await checkEnv(new LineWorld());
 * if (!report.passed) console.error(report.failures);
 * ```
 * @throws only {@link InvalidArgumentError} for bad `options`; a broken env is reported, never thrown.
 */
export async function checkEnv(env: Env<unknown, unknown>, options: CheckEnvOptions = {}): Promise<CheckReport> {
  const opts = parseOptions(Options, options, 'checkEnv options');
  const checks: EnvCheckResult[] = [];
  const warnings: string[] = [];
  const seed = opts.seed;
  const seed2 = seed + 333;
  const guard = <T>(what: string, run: () => T | Promise<T>): Promise<T> => withTimeout(what, run, opts.timeoutMs);
  const sampleActions = (n: number, s: number): unknown[] => {
    const rng = Rng.fromSeed(s);
    return Array.from({ length: n }, () => env.actionSpace.sample(rng));
  };

  const failed = new Set<string>();
  // biome-ignore lint/suspicious/noConfusingVoidType: a check body either returns a note or nothing
  const run = async (name: string, body: () => Promise<string | void> | string | void, skip?: string): Promise<void> => {
    if (skip !== undefined) {
      checks.push({ name, passed: true, skipped: true, message: `skipped: ${skip}` });
      return;
    }
    try {
      const note = await body();
      checks.push({ name, passed: true, ...(note ? { message: note } : {}) });
    } catch (e) {
      failed.add(name);
      checks.push({ name, passed: false, message: e instanceof Failure ? e.message : `threw ${describeError(e)}` });
    }
  };
  const nondeterministic = isObject(env.spec) && env.spec.nondeterministic === true ? 'spec.nondeterministic is true' : undefined;

  if (env instanceof Wrapper) {
    warnings.push(`checking a wrapped environment (${wrapperChain(env)}): the checks apply to the whole stack; pass env.unwrapped to check the environment alone`);
  }

  await run('spec', () => {
    if (!isObject(env.spec) || typeof env.spec.id !== 'string' || env.spec.id.length === 0)
      fail(`expected env.spec to be an object with a string \`id\`, got ${describeValue(env.spec)}`);
  });
  await run('observation-space', () => checkSpace(env.observationSpace, 'observationSpace', seed, warnings, false));
  await run('action-space', () => checkSpace(env.actionSpace, 'actionSpace', seed, warnings, true));
  const spacesBroken = failed.has('observation-space') || failed.has('action-space') ? 'a space is malformed' : undefined;

  await run(
    'reset-result',
    async () => {
      const result = await guard('reset({ seed })', () => env.reset({ seed }));
      if (!isObject(result) || !('observation' in result) || !('info' in result)) fail(`expected reset() to return { observation, info }, got ${describeValue(result)}`);
      if (!isPlainRecord(result.info)) fail(`expected reset() info to be a plain object, got ${describeValue(result.info)}`);
      const why = env.observationSpace.explain(result.observation);
      if (why !== undefined) fail(`reset() observation is not in observationSpace: ${why}`);
    },
    spacesBroken,
  );
  const noReset = failed.has('reset-result') ? 'reset() is broken' : spacesBroken;

  await run(
    'reset-seed-determinism',
    async () => {
      const first = clone((await guard('reset({ seed })', () => env.reset({ seed }))).observation);
      const next1 = clone((await guard('reset()', () => env.reset())).observation);
      const second = clone((await guard('reset({ seed })', () => env.reset({ seed }))).observation);
      const next2 = clone((await guard('reset()', () => env.reset())).observation);
      const d1 = difference(first, second);
      if (d1) fail(`two reset({ seed: ${seed} }) calls gave different observations: ${d1}`);
      const d2 = difference(next1, next2);
      if (d2) fail(`an unseeded reset() right after reset({ seed: ${seed} }) did not repeat: ${d2}`);
    },
    noReset ?? nondeterministic,
  );

  await run(
    'reset-seed-different',
    async () => {
      const actions = sampleActions(5, seed);
      const a = await trajectory(env, guard, seed, actions);
      const b = await trajectory(env, guard, seed2, actions);
      if (difference(a, b) === undefined) {
        fail(`reset({ seed: ${seed} }) and reset({ seed: ${seed2} }) gave identical observations for the reset and ${actions.length} steps: the seed seems to be ignored`);
      }
    },
    noReset ?? nondeterministic,
  );

  await run(
    'reset-options',
    async () => {
      const result = await guard('reset({ options: {} })', () => env.reset({ options: {} }));
      const why = env.observationSpace.explain(result?.observation);
      if (why !== undefined) fail(`reset({ options: {} }) observation is not in observationSpace: ${why}`);
      await guard('reset({ seed, options: {} })', () => env.reset({ seed, options: {} }));
    },
    noReset,
  );

  await run(
    'step-result',
    async () => {
      await guard('reset({ seed })', () => env.reset({ seed }));
      const action = sampleActions(1, seed)[0];
      const result = await guard('step(action)', () => env.step(action));
      if (!isObject(result)) fail(`expected step() to return { observation, reward, terminated, truncated, info }, got ${describeValue(result)}`);
      for (const key of ['observation', 'reward', 'terminated', 'truncated', 'info']) {
        if (!(key in result)) fail(`expected step() result to have \`${key}\`, got keys [${Object.keys(result).join(', ')}]`);
      }
      if (typeof result.reward !== 'number' || !Number.isFinite(result.reward)) fail(`expected step() reward to be a finite number, got ${describeValue(result.reward)}`);
      if (typeof result.terminated !== 'boolean') fail(`expected step() terminated to be a boolean, got ${describeValue(result.terminated)}`);
      if (typeof result.truncated !== 'boolean') fail(`expected step() truncated to be a boolean, got ${describeValue(result.truncated)}`);
      if (!isPlainRecord(result.info)) fail(`expected step() info to be a plain object, got ${describeValue(result.info)}`);
      const why = env.observationSpace.explain(result.observation);
      if (why !== undefined) fail(`step() observation is not in observationSpace: ${why}`);
    },
    noReset,
  );
  const noStep = failed.has('step-result') ? 'step() is broken' : noReset;

  await run(
    'step-determinism',
    async () => {
      const action = sampleActions(1, seed)[0];
      const steps = [];
      for (let i = 0; i < 2; i++) {
        await guard('reset({ seed })', () => env.reset({ seed }));
        steps.push(clone(await guard('step(action)', () => env.step(clone(action)))));
      }
      const d = difference(steps[0], steps[1]);
      if (d) fail(`the same seed and action gave different step results: ${d}`);
    },
    noStep ?? nondeterministic,
  );

  const renderModes = isObject(env.metadata) ? env.metadata.renderModes : undefined;
  await run(
    'render',
    async () => {
      if (!Array.isArray(renderModes)) fail(`expected metadata.renderModes to be an array, got ${describeValue(renderModes)}`);
      if (renderModes.length === 0) return 'no render modes declared';
      if (typeof env.render !== 'function') fail(`metadata.renderModes declares [${renderModes.join(', ')}] but the env has no render() method`);
      await guard('reset({ seed })', () => env.reset({ seed }));
      for (const mode of renderModes) {
        const out = await guard(`render('${mode}')`, () => env.render!(mode));
        if (out === undefined || out === null) fail(`render('${mode}') returned ${String(out)}`);
      }
      return undefined;
    },
    opts.skipRenderCheck ? 'skipRenderCheck' : noReset,
  );

  const stateful = isStateful(env) ? (env as Env<unknown, unknown> & Stateful) : undefined;
  const noState = stateful === undefined ? 'not Stateful' : noStep;
  let clonable = false;
  await run(
    'state-clonable',
    async () => {
      await guard('reset({ seed })', () => env.reset({ seed }));
      const state = await guard('getState()', () => stateful!.getState());
      try {
        structuredClone(state);
      } catch (e) {
        fail(`getState() returned a state that is not structured-clonable (it cannot cross worker threads): ${describeError(e)}`);
      }
      clonable = true;
    },
    noState,
  );

  await run(
    'state-restore',
    async () => {
      const warm = sampleActions(3, seed);
      const actions = sampleActions(opts.stateSteps, seed2);
      await guard('reset({ seed })', () => env.reset({ seed }));
      for (const a of warm) {
        const r = await guard('step(action)', () => env.step(clone(a)));
        if (r.terminated || r.truncated) await guard('reset({ seed })', () => env.reset({ seed: seed2 }));
      }
      const saved = await guard('getState()', () => stateful!.getState());
      const state = clonable ? structuredClone(saved) : saved;
      const first = await rollout(env, guard, actions);
      await guard('setState(state)', () => stateful!.setState(state));
      const second = await rollout(env, guard, actions);
      const d = difference(first, second);
      if (d) fail(`getState() → ${actions.length} steps → setState() → the same steps did not repeat bit for bit: ${d}`);
    },
    noState ?? nondeterministic,
  );

  await run(
    'state-no-side-effects',
    async () => {
      const actions = sampleActions(opts.stateSteps, seed2);
      await guard('reset({ seed })', () => env.reset({ seed }));
      const plain = await rollout(env, guard, actions);
      await guard('reset({ seed })', () => env.reset({ seed }));
      const probed = await rollout(env, guard, actions, async () => {
        await guard('getState()', () => stateful!.getState());
        await guard('getState()', () => stateful!.getState());
      });
      const d = difference(plain, probed);
      if (d) fail(`calling getState() between steps changed the trajectory: ${d}`);
      if (!clonable) return 'aliasing not checked: the state is not clonable';
      await guard('reset({ seed })', () => env.reset({ seed }));
      const saved = await guard('getState()', () => stateful!.getState());
      const copy = structuredClone(saved);
      await rollout(env, guard, actions.slice(0, 3));
      const changed = difference(copy, saved);
      if (changed) fail(`a saved state changed when the env stepped on (it aliases live buffers): ${changed}`);
      return undefined;
    },
    noState ?? nondeterministic,
  );

  await run(
    'close',
    async () => {
      await guard('close()', () => env.close());
      await guard('close() (second call)', () => env.close());
    },
    opts.skipCloseCheck ? 'skipCloseCheck' : undefined,
  );

  await run(
    'use-after-close',
    async () => {
      const action = sampleActions(1, seed)[0];
      try {
        await guard('step() after close()', () => env.step(action));
      } catch (e) {
        if (e instanceof EnvStateError) return;
        fail(`expected step() after close() to throw an EnvStateError, got ${describeError(e)}`);
      }
      fail('expected step() after close() to throw an EnvStateError, but it returned a result');
    },
    opts.skipCloseCheck ? 'skipCloseCheck' : failed.has('close') ? 'close() is broken' : noStep,
  );

  const failures = checks.filter((c) => !c.passed).map((c) => ({ check: c.name, message: c.message ?? '' }));
  return { passed: failures.length === 0, failures, warnings, checks };
}

/** Validates a space's structure (for objects that bypassed the constructors) and records warnings. */
function checkSpace(space: unknown, path: string, seed: number, warnings: string[], isAction: boolean): void {
  const why = explainSpace(space, path);
  if (why !== undefined) fail(why);
  const s = space as Space<unknown>;
  try {
    if (!spaceFromJSON(s.toJSON()).equals(s)) fail(`${path} does not survive a JSON round trip`);
  } catch (e) {
    if (e instanceof Failure) throw e;
    fail(`${path} JSON round trip threw ${describeError(e)}`);
  }
  const sample = s.sample(Rng.fromSeed(seed));
  const outside = s.explain(sample);
  if (outside !== undefined) fail(`${path}.sample() returned a value outside the space: ${outside}`);
  boxWarnings(s, path, warnings, isAction);
}

function explainSpace(space: unknown, path: string): string | undefined {
  if (!isObject(space)) return `expected ${path} to be a Space, got ${describeValue(space)}`;
  for (const m of ['sample', 'contains', 'explain', 'flatten', 'unflatten', 'toJSON', 'equals']) {
    if (typeof space[m] !== 'function') return `expected ${path} to be a Space with a ${m}() method`;
  }
  const shapeOk = (shape: unknown): shape is number[] => Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && (d as number) > 0);
  switch (space.type) {
    case 'Box': {
      const { shape, low, high } = space as { shape: unknown; low: unknown; high: unknown };
      if (!shapeOk(shape)) return `expected ${path}.shape to be positive integers, got ${describeValue(shape)}`;
      const size = shape.reduce((a, b) => a * b, 1);
      if (!(low instanceof Float32Array) || !(high instanceof Float32Array)) return `expected ${path}.low and .high to be Float32Arrays`;
      if (low.length !== size || high.length !== size)
        return `expected ${path}.low and .high to have ${size} entries (shape [${shape.join(', ')}]), got ${low.length} and ${high.length}`;
      if (space.flatDim !== size) return `expected ${path}.flatDim to be ${size}, got ${describeValue(space.flatDim)}`;
      for (let i = 0; i < size; i++) {
        if (Number.isNaN(low[i]) || Number.isNaN(high[i])) return `${path} has a NaN bound at index ${i}`;
        if (low[i]! > high[i]!) return `${path} has low > high at index ${i} (${low[i]} > ${high[i]})`;
      }
      return undefined;
    }
    case 'Discrete':
      if (!Number.isSafeInteger(space.n) || (space.n as number) <= 0) return `expected ${path}.n to be a positive integer, got ${describeValue(space.n)}`;
      return Number.isSafeInteger(space.start) ? undefined : `expected ${path}.start to be an integer, got ${describeValue(space.start)}`;
    case 'MultiDiscrete': {
      const nvec = space.nvec;
      if (!(nvec instanceof Int32Array) || nvec.length === 0) return `expected ${path}.nvec to be a non-empty Int32Array, got ${describeValue(nvec)}`;
      if (nvec.some((n) => n <= 0)) return `expected ${path}.nvec entries to be positive, got ${describeValue(nvec)}`;
      return undefined;
    }
    case 'Dict': {
      const subs = space.spaces;
      if (!isObject(subs) || Object.keys(subs).length === 0) return `expected ${path} to have at least one sub-space`;
      for (const [k, v] of Object.entries(subs)) {
        const why = explainSpace(v, `${path}.${k}`);
        if (why !== undefined) return why;
      }
      return undefined;
    }
    default:
      return `expected ${path}.type to be Box, Discrete, MultiDiscrete or Dict, got ${describeValue(space.type)}`;
  }
}

/** Gymnasium's advice on Box bounds: unbounded dimensions, and action boxes outside [-1, 1] / [0, 1]. */
function boxWarnings(space: Space<unknown>, path: string, warnings: string[], isAction: boolean): void {
  if (space.type === 'Dict') {
    for (const [k, v] of Object.entries((space as unknown as { spaces: Record<string, Space<unknown>> }).spaces)) boxWarnings(v, `${path}.${k}`, warnings, isAction);
    return;
  }
  if (space.type !== 'Box') return;
  const { low, high } = space as unknown as { low: Float32Array; high: Float32Array };
  const unbounded = [...low.keys()].filter((i) => !Number.isFinite(low[i]!) || !Number.isFinite(high[i]!));
  if (unbounded.length > 0) warnings.push(`${path} is unbounded at indices [${unbounded.join(', ')}]; finite bounds help normalisation and checking`);
  if (isAction && unbounded.length === 0) {
    const odd = [...low.keys()].some((i) => (low[i] !== 0 && Math.abs(low[i]!) !== Math.abs(high[i]!)) || low[i]! < -1 || high[i]! > 1);
    if (odd) warnings.push(`${path} is not a symmetric, normalised Box ([-1, 1] or [0, 1]); agents learn and plan better in one (see RescaleAction)`);
  }
}

type Guard = <T>(what: string, run: () => T | Promise<T>) => Promise<T>;

interface Step {
  observation: unknown;
  reward: unknown;
  terminated: unknown;
  truncated: unknown;
}

/** Steps with `actions` until the episode ends, recording clones of what each step returned. */
async function rollout(env: Env<unknown, unknown>, guard: Guard, actions: unknown[], between?: () => Promise<void>): Promise<Step[]> {
  const out: Step[] = [];
  for (const a of actions) {
    await between?.();
    const r = await guard('step(action)', () => env.step(clone(a)));
    out.push(clone({ observation: r.observation, reward: r.reward, terminated: r.terminated, truncated: r.truncated }));
    if (r.terminated || r.truncated) break;
  }
  return out;
}

async function trajectory(env: Env<unknown, unknown>, guard: Guard, seed: number, actions: unknown[]): Promise<unknown[]> {
  const reset = clone((await guard('reset({ seed })', () => env.reset({ seed }))).observation);
  return [reset, ...(await rollout(env, guard, actions))];
}

/** Where two values differ bit for bit (typed arrays by bytes, numbers with Object.is), or undefined. */
function difference(a: unknown, b: unknown, path = ''): string | undefined {
  const at = path === '' ? '' : ` at ${path}`;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor || a.byteLength !== b.byteLength) {
      return `${describeValue(a)} vs ${describeValue(b)}${at}`;
    }
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < x.length; i++) {
      if (x[i] !== y[i]) {
        const k = Math.floor(i / ((a as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1));
        return `${(a as unknown as ArrayLike<number>)[k]} vs ${(b as unknown as ArrayLike<number>)[k]} at ${path}[${k}]`;
      }
    }
    return undefined;
  }
  if (isObject(a) && isObject(b)) {
    if (Array.isArray(a) !== Array.isArray(b)) return `${describeValue(a)} vs ${describeValue(b)}${at}`;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = difference(a[k], b[k], Array.isArray(a) ? `${path}[${k}]` : path === '' ? k : `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${describeValue(a)} vs ${describeValue(b)}${at}`;
}

function withTimeout<T>(what: string, run: () => T | Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Failure(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve().then(run), timeout]).finally(() => clearTimeout(timer));
}

function clone<T>(v: T): T {
  try {
    return structuredClone(v);
  } catch {
    return v;
  }
}

function fail(message: string): never {
  throw new Failure(message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return isObject(v) && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function wrapperChain(env: Env<unknown, unknown>): string {
  const names: string[] = [];
  let e: Env<unknown, unknown> = env;
  while (e instanceof Wrapper) {
    names.push(e.constructor.name);
    e = e.env as Env<unknown, unknown>;
  }
  return [...names, e.spec?.id ?? e.constructor.name].join(' → ');
}
