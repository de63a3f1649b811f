/**
 * The checks of what an env declares before it runs: its spec and its observation and action spaces
 * (structure, JSON round trip, samples inside), with Gymnasium's advice on Box bounds as warnings.
 *
 * @module
 */
import { describeValue } from '../errors.js';
import { Rng } from '../rng.js';
import { type Space, spaceFromJSON } from '../spaces.js';
import { type CheckContext, describeError, Failure, fail, isObject } from './context.js';

/** `env.spec` is an object with a non-empty string `id`. */
export function checkSpec({ env }: CheckContext): void {
  if (!isObject(env.spec) || typeof env.spec.id !== 'string' || env.spec.id.length === 0)
    fail(`expected env.spec to be an object with a string \`id\`, got ${describeValue(env.spec)}`);
}

/** `env.observationSpace` is a well-formed space; warns about unbounded Box dimensions. */
export function checkObservationSpace(ctx: CheckContext): void {
  checkSpace(ctx.env.observationSpace, 'observationSpace', ctx.seed, ctx.warnings, false);
}

/** `env.actionSpace` is a well-formed space; warns about unbounded or non-normalised Boxes. */
export function checkActionSpace(ctx: CheckContext): void {
  checkSpace(ctx.env.actionSpace, 'actionSpace', ctx.seed, ctx.warnings, true);
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
  switch (space.type) {
    case 'Box':
      return explainBox(space, path);
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

function explainBox(space: Record<string, unknown>, path: string): string | undefined {
  const { shape, low, high } = space as { shape: unknown; low: unknown; high: unknown };
  const shapeOk = Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && (d as number) > 0);
  if (!shapeOk) return `expected ${path}.shape to be positive integers, got ${describeValue(shape)}`;
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (!(low instanceof Float32Array) || !(high instanceof Float32Array)) return `expected ${path}.low and .high to be Float32Arrays`;
  if (low.length !== size || high.length !== size)
    return `expected ${path}.low and .high to have ${size} entries (shape [${(shape as number[]).join(', ')}]), got ${low.length} and ${high.length}`;
  if (space.flatDim !== size) return `expected ${path}.flatDim to be ${size}, got ${describeValue(space.flatDim)}`;
  for (let i = 0; i < size; i++) {
    if (Number.isNaN(low[i]) || Number.isNaN(high[i])) return `${path} has a NaN bound at index ${i}`;
    if (low[i]! > high[i]!) return `${path} has low > high at index ${i} (${low[i]} > ${high[i]})`;
  }
  return undefined;
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
