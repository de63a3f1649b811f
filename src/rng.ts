/**
 * Seeded randomness: the one source of truth for every random draw in Embodied.
 *
 * Built on pure-rand's xoroshiro128+ (fast, jumpable, 128-bit state that serialises to four int32s).
 * Floats use 53 random bits; normals use the Box–Muller transform without a cached spare, so the
 * whole generator state is the four words and can be saved in an environment snapshot.
 *
 * @module
 */
import { type xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { InvalidArgumentError } from './errors.js';

/** The serialisable state of an {@link Rng}: four signed 32-bit words. */
export type RngState = readonly [number, number, number, number];

const TWO_PI = 2 * Math.PI;
const UINT32 = 0x1_0000_0000;

/** SplitMix32 finaliser: spreads the bits of one word so nearby seeds give unrelated streams. */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

/**
 * Checks that `seed` is a non-negative safe integer and returns it.
 * @throws {@link InvalidArgumentError} naming the argument and its value.
 */
export function assertSeed(seed: unknown, name = 'seed'): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidArgumentError(`Expected \`${name}\` to be a non-negative safe integer, got ${String(seed)}`);
  }
  return seed;
}

/**
 * A seeded pseudo-random generator. Same seed, same bits, on every platform.
 *
 * @example
 * ```ts
 * const rng = Rng.fromSeed(42);
 * const u = rng.uniform();          // [0, 1)
 * const child = rng.derive(3);      // independent stream for worker 3
 * ```
 */
export class Rng {
  private constructor(private readonly gen: ReturnType<typeof xoroshiro128plus>) {}

  /**
   * Creates a generator from a non-negative safe integer seed. Seeds above 2³² use their high bits too.
   * @throws {@link InvalidArgumentError} when the seed is negative, fractional or unsafe.
   */
  static fromSeed(seed: number): Rng {
    assertSeed(seed);
    const lo = (seed % UINT32) | 0;
    const hi = Math.floor(seed / UINT32) | 0;
    // Chain the words so every one depends on the whole seed: the first output is s00 + s10 (words 1
    // and 3), so those must differ between nearby seeds or every seed < 2^32 starts with the same draw.
    const a = mix32(lo ^ 0x2545f491);
    const b = mix32(hi ^ 0x6c078965 ^ a);
    const c = mix32(a ^ 0x5bd1e995 ^ b);
    const d = mix32(b ^ 0x1b873593 ^ c);
    // xoroshiro must not start from the all-zero state.
    const state: RngState = a === 0 && b === 0 && c === 0 && d === 0 ? [1, 0, 0, 0] : [a, b, c, d];
    return new Rng(xoroshiro128plusFromState(state));
  }

  /** Restores a generator from {@link Rng.getState}. */
  static fromState(state: RngState): Rng {
    if (!Array.isArray(state) || state.length !== 4 || !state.every((w) => Number.isInteger(w))) {
      throw new InvalidArgumentError(`Expected an Rng state of four int32 words, got ${JSON.stringify(state)}`);
    }
    return new Rng(xoroshiro128plusFromState(state));
  }

  /** A seed drawn from the OS entropy pool, for callers that asked for no seed (as Gymnasium does). */
  static entropySeed(): number {
    const words = new Uint32Array(2);
    globalThis.crypto.getRandomValues(words);
    return (words[0]! % 0x20_0000) * UINT32 + words[1]!; // < 2^53
  }

  /** The current state; {@link Rng.fromState} of it continues the same stream. */
  getState(): RngState {
    const s = this.gen.getState();
    return [s[0]!, s[1]!, s[2]!, s[3]!];
  }

  /** An independent copy at the same position of the stream. */
  clone(): Rng {
    return new Rng(this.gen.clone());
  }

  /**
   * An independent child stream, e.g. for sub-environment `index` of a vector env.
   * Deterministic in (this stream's position, index); does not advance this generator.
   */
  derive(index: number): Rng {
    assertSeed(index, 'index');
    const s = this.gen.getState();
    const k = mix32(index ^ 0x68e31da4);
    return new Rng(xoroshiro128plusFromState([mix32(s[0]! ^ k), mix32(s[1]! ^ k), mix32(s[2]! + k), mix32(s[3]! - k) | 1]));
  }

  /** A new non-negative 53-bit integer seed drawn from this stream (for seeding child objects). */
  nextSeed(): number {
    return Math.floor(this.uniform() * 0x20_0000_0000_0000);
  }

  /**
   * One raw draw of the stream: a signed 32-bit integer, all bits random. For samplers that consume
   * bits directly (the planners' ziggurat normal sampler), where a float per draw would cost 2–3×.
   */
  int32(): number {
    return this.gen.next();
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    return uniformFloat64(this.gen);
  }

  /** Uniform in [low, high). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * uniformFloat64(this.gen);
  }

  /** Uniform integer in [low, high] (both included). */
  integer(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high < low) {
      throw new InvalidArgumentError(`Expected integers low <= high, got low=${low}, high=${high}`);
    }
    return uniformInt(this.gen, low, high);
  }

  /** Standard normal draw (Box–Muller). */
  normal(mean = 0, std = 1): number {
    const u1 = 1 - uniformFloat64(this.gen); // (0, 1]: log is finite
    const u2 = uniformFloat64(this.gen);
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(TWO_PI * u2);
  }

  /** Exponential draw with rate 1. */
  exponential(): number {
    return -Math.log(1 - uniformFloat64(this.gen));
  }

  /** Fills `out` with uniform draws in [low, high). */
  fillUniform<T extends Float32Array | Float64Array>(out: T, low = 0, high = 1): T {
    const span = high - low;
    for (let i = 0; i < out.length; i++) out[i] = low + span * uniformFloat64(this.gen);
    return out;
  }

  /** Fills `out` with normal draws, using both Box–Muller outputs of each pair. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    const n = out.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const u1 = 1 - uniformFloat64(this.gen);
      const u2 = uniformFloat64(this.gen);
      const r = std * Math.sqrt(-2 * Math.log(u1));
      out[i] = mean + r * Math.cos(TWO_PI * u2);
      out[i + 1] = mean + r * Math.sin(TWO_PI * u2);
    }
    if (i < n) out[i] = this.normal(mean, std);
    return out;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[] | Int32Array | Uint32Array): typeof items {
    for (let i = items.length - 1; i > 0; i--) {
      const j = uniformInt(this.gen, 0, i);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }
}
