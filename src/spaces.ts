/**
 * Spaces describe the set of valid observations and actions (Gymnasium's `spaces`).
 *
 * Each space can `sample(rng)` a member, test membership with `contains`, explain a non-member with
 * `explain`, round-trip through JSON, and flatten a member into a `Float32Array` for batching.
 * Unlike Gymnasium, `Discrete` flattens to its integer value (one slot), not a one-hot vector: flat
 * vectors here are a transport format for vector envs and datasets; use {@link oneHot} for learning.
 *
 * @module
 */
import { SpaceError, InvalidArgumentError, describeValue } from './errors.js';
import type { Rng } from './rng.js';

/** JSON form of a space, as written by `toJSON` and read by {@link spaceFromJSON}. */
export type SpaceJSON =
  | { type: 'Box'; shape: number[]; low: (number | string)[]; high: (number | string)[]; dtype: 'float32' }
  | { type: 'Discrete'; n: number; start: number }
  | { type: 'MultiDiscrete'; nvec: number[]; start: number[] }
  | { type: 'Dict'; spaces: Record<string, SpaceJSON> };

/** A set of values of type `T` that can be sampled, tested and serialised. */
export interface Space<T = unknown> {
  /** The space's kind, e.g. `'Box'`. */
  readonly type: SpaceJSON['type'];
  /** Shape of one member (`[]` for scalars; `[]` for Dict, whose members are records). */
  readonly shape: readonly number[];
  /** Length of the flat `Float32Array` form of one member. */
  readonly flatDim: number;
  /** Draws a member using `rng` (the only source of randomness). */
  sample(rng: Rng): T;
  /** Whether `x` is a member. */
  contains(x: unknown): x is T;
  /** Why `x` is not a member, or `undefined` when it is. Messages say what was expected. */
  explain(x: unknown): string | undefined;
  /** Writes the flat form of `x` into `out` at `offset` (allocates when `out` is omitted). */
  flatten(x: T, out?: Float32Array, offset?: number): Float32Array;
  /** Reads a member back from its flat form at `offset`. */
  unflatten(flat: ArrayLike<number>, offset?: number): T;
  /** The JSON form; {@link spaceFromJSON} inverts it. */
  toJSON(): SpaceJSON;
  /** Structural equality (same type, shape and bounds). */
  equals(other: Space<unknown>): boolean;
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function assertShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new InvalidArgumentError(`Expected ${what} to be an array of positive integers, got ${describeValue(shape)}`);
  }
}

function encodeBound(v: number): number | string {
  return Number.isFinite(v) ? v : v > 0 ? 'inf' : '-inf';
}
function decodeBound(v: number | string): number {
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (typeof v !== 'number') throw new SpaceError(`Expected a Box bound to be a number, 'inf' or '-inf', got ${describeValue(v)}`);
  return v;
}

function toFloat32Bounds(b: number | ArrayLike<number>, size: number, name: string): Float32Array {
  const out = new Float32Array(size);
  if (typeof b === 'number') {
    if (Number.isNaN(b)) throw new InvalidArgumentError(`Expected Box \`${name}\` to be a number, got NaN`);
    out.fill(b);
    return out;
  }
  if (b.length !== size) {
    throw new InvalidArgumentError(`Expected Box \`${name}\` to have ${size} entries (the shape's size), got ${b.length}`);
  }
  for (let i = 0; i < size; i++) {
    const v = b[i]!;
    if (Number.isNaN(v)) throw new InvalidArgumentError(`Expected Box \`${name}[${i}]\` to be a number, got NaN`);
    out[i] = v;
  }
  return out;
}

/**
 * A (possibly unbounded) box in ℝⁿ of float32 values, with per-dimension bounds.
 *
 * Sampling follows Gymnasium: uniform on [low, high] when both are finite, a shifted exponential
 * when one side is unbounded, a standard normal when both are.
 *
 * @example
 * ```ts
 * const a = new Box(-1, 1, [2]);          // two actions in [-1, 1]
 * const o = new Box([-5, 0], [5, 10]);     // per-dimension bounds, shape inferred
 * ```
 */
export class Box implements Space<Float32Array> {
  readonly type = 'Box' as const;
  readonly shape: readonly number[];
  readonly flatDim: number;
  /** Lower bounds, float32, one per element. */
  readonly low: Float32Array;
  /** Upper bounds, float32, one per element. */
  readonly high: Float32Array;

  /**
   * @param low - lower bound: a scalar (broadcast) or one value per element
   * @param high - upper bound: a scalar (broadcast) or one value per element
   * @param shape - shape of a member; defaults to `[low.length]` when `low` is an array
   * @throws {@link InvalidArgumentError} for a bad shape, mismatched bound lengths, NaN or low > high.
   */
  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape?: readonly number[]) {
    const inferred = shape ?? (typeof low !== 'number' ? [low.length] : typeof high !== 'number' ? [high.length] : undefined);
    if (inferred === undefined) throw new InvalidArgumentError('Expected Box `shape` when both bounds are scalars');
    assertShape(inferred, 'Box `shape`');
    this.shape = Object.freeze([...inferred]);
    this.flatDim = product(this.shape);
    this.low = toFloat32Bounds(low, this.flatDim, 'low');
    this.high = toFloat32Bounds(high, this.flatDim, 'high');
    for (let i = 0; i < this.flatDim; i++) {
      if (this.low[i]! > this.high[i]!) {
        throw new InvalidArgumentError(`Expected Box low <= high at index ${i}, got low=${this.low[i]}, high=${this.high[i]}`);
      }
    }
  }

  /** Whether every dimension has finite lower and upper bounds. */
  isBounded(): boolean {
    for (let i = 0; i < this.flatDim; i++) {
      if (!Number.isFinite(this.low[i]!) || !Number.isFinite(this.high[i]!)) return false;
    }
    return true;
  }

  sample(rng: Rng): Float32Array {
    const out = new Float32Array(this.flatDim);
    for (let i = 0; i < this.flatDim; i++) {
      const lo = this.low[i]!;
      const hi = this.high[i]!;
      const loFinite = Number.isFinite(lo);
      const hiFinite = Number.isFinite(hi);
      let v: number;
      if (loFinite && hiFinite) v = rng.uniformRange(lo, hi);
      else if (loFinite) v = lo + rng.exponential();
      else if (hiFinite) v = hi - rng.exponential();
      else v = rng.normal();
      // Rounding to float32 may step just outside a bound: clamp to keep the sample a member.
      out[i] = Math.min(hi, Math.max(lo, v));
    }
    return out;
  }

  explain(x: unknown): string | undefined {
    if (!(x instanceof Float32Array)) {
      return `expected a Float32Array of ${this.flatDim} values (shape [${this.shape.join(', ')}]), got ${describeValue(x)}`;
    }
    if (x.length !== this.flatDim) {
      return `expected ${this.flatDim} values (shape [${this.shape.join(', ')}]), got ${x.length}`;
    }
    for (let i = 0; i < this.flatDim; i++) {
      const v = x[i]!;
      if (Number.isNaN(v)) return `expected a number at index ${i}, got NaN`;
      if (!(v >= this.low[i]! && v <= this.high[i]!)) {
        return `expected index ${i} in [${this.low[i]}, ${this.high[i]}], got ${v}`;
      }
    }
    return undefined;
  }

  contains(x: unknown): x is Float32Array {
    return this.explain(x) === undefined;
  }

  flatten(x: Float32Array, out = new Float32Array(this.flatDim), offset = 0): Float32Array {
    out.set(x, offset);
    return out;
  }

  unflatten(flat: ArrayLike<number>, offset = 0): Float32Array {
    const out = new Float32Array(this.flatDim);
    for (let i = 0; i < this.flatDim; i++) out[i] = flat[offset + i]!;
    return out;
  }

  /** Clips `x` into the box, in place, and returns it. */
  clip(x: Float32Array): Float32Array {
    for (let i = 0; i < this.flatDim; i++) x[i] = Math.min(this.high[i]!, Math.max(this.low[i]!, x[i]!));
    return x;
  }

  toJSON(): SpaceJSON {
    return {
      type: 'Box',
      shape: [...this.shape],
      low: Array.from(this.low, encodeBound),
      high: Array.from(this.high, encodeBound),
      dtype: 'float32',
    };
  }

  equals(other: Space<unknown>): boolean {
    if (!(other instanceof Box) || other.shape.length !== this.shape.length) return false;
    if (!this.shape.every((d, i) => d === other.shape[i])) return false;
    for (let i = 0; i < this.flatDim; i++) {
      if (!Object.is(this.low[i], other.low[i]) || !Object.is(this.high[i], other.high[i])) return false;
    }
    return true;
  }
}

/** The integers `start, start + 1, …, start + n - 1`; members are plain numbers. */
export class Discrete implements Space<number> {
  readonly type = 'Discrete' as const;
  readonly shape: readonly number[] = Object.freeze([]);
  readonly flatDim = 1;

  /**
   * @param n - number of values, a positive integer
   * @param start - the smallest value (default 0)
   */
  constructor(
    readonly n: number,
    readonly start = 0,
  ) {
    if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`Expected Discrete \`n\` to be a positive integer, got ${describeValue(n)}`);
    if (!Number.isSafeInteger(start)) throw new InvalidArgumentError(`Expected Discrete \`start\` to be an integer, got ${describeValue(start)}`);
  }

  sample(rng: Rng): number {
    return rng.integer(this.start, this.start + this.n - 1);
  }

  explain(x: unknown): string | undefined {
    if (typeof x !== 'number' || !Number.isInteger(x)) return `expected an integer in [${this.start}, ${this.start + this.n - 1}], got ${describeValue(x)}`;
    if (x < this.start || x >= this.start + this.n) return `expected an integer in [${this.start}, ${this.start + this.n - 1}], got ${x}`;
    return undefined;
  }

  contains(x: unknown): x is number {
    return this.explain(x) === undefined;
  }

  flatten(x: number, out = new Float32Array(1), offset = 0): Float32Array {
    out[offset] = x;
    return out;
  }

  unflatten(flat: ArrayLike<number>, offset = 0): number {
    return Math.round(flat[offset]!);
  }

  toJSON(): SpaceJSON {
    return { type: 'Discrete', n: this.n, start: this.start };
  }

  equals(other: Space<unknown>): boolean {
    return other instanceof Discrete && other.n === this.n && other.start === this.start;
  }
}

/** A vector of independent discrete values; member `i` lies in `[start[i], start[i] + nvec[i])`. */
export class MultiDiscrete implements Space<Int32Array> {
  readonly type = 'MultiDiscrete' as const;
  readonly shape: readonly number[];
  readonly flatDim: number;
  /** Number of values of each component. */
  readonly nvec: Int32Array;
  /** Smallest value of each component. */
  readonly start: Int32Array;

  constructor(nvec: ArrayLike<number>, start?: ArrayLike<number>) {
    if (nvec.length === 0) throw new InvalidArgumentError('Expected MultiDiscrete `nvec` to be non-empty');
    for (let i = 0; i < nvec.length; i++) {
      const n = nvec[i]!;
      if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`Expected MultiDiscrete \`nvec[${i}]\` to be a positive integer, got ${describeValue(n)}`);
    }
    if (start !== undefined && start.length !== nvec.length) {
      throw new InvalidArgumentError(`Expected MultiDiscrete \`start\` to have ${nvec.length} entries, got ${start.length}`);
    }
    for (let i = 0; i < (start?.length ?? 0); i++) {
      // Int32Array.from would silently truncate a fractional start.
      if (!Number.isSafeInteger(start![i]!)) throw new InvalidArgumentError(`Expected MultiDiscrete \`start[${i}]\` to be an integer, got ${describeValue(start![i])}`);
    }
    this.nvec = Int32Array.from(nvec);
    this.start = start ? Int32Array.from(start) : new Int32Array(nvec.length);
    this.shape = Object.freeze([nvec.length]);
    this.flatDim = nvec.length;
  }

  sample(rng: Rng): Int32Array {
    const out = new Int32Array(this.flatDim);
    for (let i = 0; i < this.flatDim; i++) out[i] = rng.integer(this.start[i]!, this.start[i]! + this.nvec[i]! - 1);
    return out;
  }

  explain(x: unknown): string | undefined {
    if (!(x instanceof Int32Array)) return `expected an Int32Array of ${this.flatDim} values, got ${describeValue(x)}`;
    if (x.length !== this.flatDim) return `expected ${this.flatDim} values, got ${x.length}`;
    for (let i = 0; i < this.flatDim; i++) {
      const lo = this.start[i]!;
      const hi = lo + this.nvec[i]! - 1;
      if (x[i]! < lo || x[i]! > hi) return `expected index ${i} in [${lo}, ${hi}], got ${x[i]}`;
    }
    return undefined;
  }

  contains(x: unknown): x is Int32Array {
    return this.explain(x) === undefined;
  }

  flatten(x: Int32Array, out = new Float32Array(this.flatDim), offset = 0): Float32Array {
    for (let i = 0; i < this.flatDim; i++) out[offset + i] = x[i]!;
    return out;
  }

  unflatten(flat: ArrayLike<number>, offset = 0): Int32Array {
    const out = new Int32Array(this.flatDim);
    for (let i = 0; i < this.flatDim; i++) out[i] = Math.round(flat[offset + i]!);
    return out;
  }

  toJSON(): SpaceJSON {
    return { type: 'MultiDiscrete', nvec: Array.from(this.nvec), start: Array.from(this.start) };
  }

  equals(other: Space<unknown>): boolean {
    if (!(other instanceof MultiDiscrete) || other.flatDim !== this.flatDim) return false;
    for (let i = 0; i < this.flatDim; i++) {
      if (other.nvec[i] !== this.nvec[i] || other.start[i] !== this.start[i]) return false;
    }
    return true;
  }
}

/** The member type of a {@link DictSpace} built from `S`. */
export type DictValue<S extends Record<string, Space<unknown>>> = { [K in keyof S]: S[K] extends Space<infer T> ? T : never };

/**
 * A record of named sub-spaces. Keys are kept in sorted order so sampling and flattening are
 * deterministic whatever order the caller wrote them in.
 */
export class DictSpace<S extends Record<string, Space<unknown>> = Record<string, Space<unknown>>> implements Space<DictValue<S>> {
  readonly type = 'Dict' as const;
  readonly shape: readonly number[] = Object.freeze([]);
  readonly flatDim: number;
  /** The sub-spaces, keyed by name. */
  readonly spaces: Readonly<S>;
  /** Sorted keys: the order of sampling and flattening. */
  readonly keys: readonly (keyof S & string)[];

  constructor(spaces: S) {
    const keys = Object.keys(spaces).sort();
    if (keys.length === 0) throw new InvalidArgumentError('Expected DictSpace to have at least one sub-space');
    for (const k of keys) {
      const s = spaces[k] as unknown;
      if (typeof s !== 'object' || s === null || typeof (s as Space).sample !== 'function') {
        throw new InvalidArgumentError(`Expected DictSpace entry \`${k}\` to be a Space, got ${describeValue(s)}`);
      }
    }
    this.spaces = Object.freeze({ ...spaces });
    this.keys = Object.freeze(keys as (keyof S & string)[]);
    this.flatDim = keys.reduce((n, k) => n + spaces[k]!.flatDim, 0);
  }

  sample(rng: Rng): DictValue<S> {
    const out: Record<string, unknown> = {};
    for (const k of this.keys) out[k] = this.spaces[k]!.sample(rng);
    return out as DictValue<S>;
  }

  explain(x: unknown): string | undefined {
    if (typeof x !== 'object' || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) {
      return `expected a record with keys [${this.keys.join(', ')}], got ${describeValue(x)}`;
    }
    const rec = x as Record<string, unknown>;
    for (const k of Object.keys(rec)) {
      if (!(k in this.spaces)) return `unexpected key \`${k}\` (expected keys [${this.keys.join(', ')}])`;
    }
    for (const k of this.keys) {
      if (!(k in rec)) return `missing key \`${k}\``;
      const why = this.spaces[k]!.explain(rec[k]);
      if (why !== undefined) return `at key \`${k}\`: ${why}`;
    }
    return undefined;
  }

  contains(x: unknown): x is DictValue<S> {
    return this.explain(x) === undefined;
  }

  flatten(x: DictValue<S>, out = new Float32Array(this.flatDim), offset = 0): Float32Array {
    let o = offset;
    for (const k of this.keys) {
      const s = this.spaces[k]!;
      s.flatten(x[k] as never, out, o);
      o += s.flatDim;
    }
    return out;
  }

  unflatten(flat: ArrayLike<number>, offset = 0): DictValue<S> {
    const out: Record<string, unknown> = {};
    let o = offset;
    for (const k of this.keys) {
      const s = this.spaces[k]!;
      out[k] = s.unflatten(flat, o);
      o += s.flatDim;
    }
    return out as DictValue<S>;
  }

  toJSON(): SpaceJSON {
    const spaces: Record<string, SpaceJSON> = {};
    for (const k of this.keys) spaces[k] = this.spaces[k]!.toJSON();
    return { type: 'Dict', spaces };
  }

  equals(other: Space<unknown>): boolean {
    if (!(other instanceof DictSpace) || other.keys.length !== this.keys.length) return false;
    return this.keys.every((k, i) => other.keys[i] === k && this.spaces[k]!.equals(other.spaces[k] as Space<unknown>));
  }
}

/**
 * Rebuilds a space from its JSON form.
 * @throws {@link SpaceError} naming the first malformed field.
 */
export function spaceFromJSON(json: unknown): Space<unknown> {
  if (typeof json !== 'object' || json === null) throw new SpaceError(`Expected a space JSON object, got ${describeValue(json)}`);
  const j = json as Record<string, unknown>;
  try {
    switch (j.type) {
      case 'Box': {
        if (!Array.isArray(j.low) || !Array.isArray(j.high) || !Array.isArray(j.shape)) {
          throw new SpaceError(`Expected Box JSON with array fields low, high and shape, got ${describeValue(json)}`);
        }
        return new Box(j.low.map(decodeBound), j.high.map(decodeBound), j.shape as number[]);
      }
      case 'Discrete':
        return new Discrete(j.n as number, (j.start as number | undefined) ?? 0);
      case 'MultiDiscrete':
        return new MultiDiscrete(j.nvec as number[], j.start as number[] | undefined);
      case 'Dict': {
        if (typeof j.spaces !== 'object' || j.spaces === null) throw new SpaceError('Expected Dict JSON with a `spaces` object');
        const spaces: Record<string, Space<unknown>> = {};
        for (const [k, v] of Object.entries(j.spaces)) spaces[k] = spaceFromJSON(v);
        return new DictSpace(spaces);
      }
      default:
        throw new SpaceError(`Expected space JSON \`type\` to be one of Box, Discrete, MultiDiscrete, Dict, got ${describeValue(j.type)}`);
    }
  } catch (e) {
    if (e instanceof SpaceError) throw e;
    throw new SpaceError(`Malformed ${String(j.type)} JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** A one-hot float32 encoding of a {@link Discrete} member (Gymnasium's `flatten` of Discrete). */
export function oneHot(space: Discrete, x: number, out = new Float32Array(space.n), offset = 0): Float32Array {
  const why = space.explain(x);
  if (why !== undefined) throw new SpaceError(`oneHot: ${why}`);
  for (let i = 0; i < space.n; i++) out[offset + i] = 0;
  out[offset + x - space.start] = 1;
  return out;
}

/** The space of `n` stacked members of a Box: shape `[n, ...shape]`. */
export function batchBox(space: Box, n: number): Box {
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`Expected batch size \`n\` to be a positive integer, got ${describeValue(n)}`);
  const low = new Float32Array(n * space.flatDim);
  const high = new Float32Array(n * space.flatDim);
  for (let i = 0; i < n; i++) {
    low.set(space.low, i * space.flatDim);
    high.set(space.high, i * space.flatDim);
  }
  return new Box(low, high, [n, ...space.shape]);
}
