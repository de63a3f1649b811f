/**
 * Parameter initialisers. Every draw comes from a seeded {@link Rng}: each parameter gets its own
 * stream derived from the seed and the parameter's name, so adding a parameter does not change the
 * initial values of the others.
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { Rng } from '../rng.js';
import type { Shape } from './tensor.js';
import { staticSize } from './tensor.js';

/** How a parameter's initial values are drawn. */
export type Initializer =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'normal'; readonly mean?: number; readonly std: number }
  /** Normal draws redrawn until within two standard deviations (as `torch.nn.init.trunc_normal_`). */
  | { readonly kind: 'truncatedNormal'; readonly std: number }
  /**
   * Uniform in ±`gain`/√fanIn, the PyTorch `nn.Linear` default (gain 1); fanIn is the first dimension
   * of a `[in, out]` weight unless given.
   */
  | { readonly kind: 'fanInUniform'; readonly gain?: number; readonly fanIn?: number };

/** Initialiser shorthands. */
export const init = {
  /** All zeros. */
  zeros: (): Initializer => ({ kind: 'zeros' }),
  /** All ones. */
  ones: (): Initializer => ({ kind: 'ones' }),
  /** Every element equal to `value`. */
  constant: (value: number): Initializer => ({ kind: 'constant', value }),
  /** Uniform in [`low`, `high`). */
  uniform: (low: number, high: number): Initializer => ({ kind: 'uniform', low, high }),
  /** Normal with standard deviation `std` and mean `mean` (default 0). */
  normal: (std: number, mean = 0): Initializer => ({ kind: 'normal', std, mean }),
  /** Zero-mean normal with standard deviation `std`, redrawn until within ±2σ. */
  truncatedNormal: (std: number): Initializer => ({ kind: 'truncatedNormal', std }),
  /** Uniform in ±`gain`/√fanIn (PyTorch `nn.Linear` default); fanIn defaults to the weight's first dimension. */
  fanInUniform: (gain = 1, fanIn?: number): Initializer => (fanIn === undefined ? { kind: 'fanInUniform', gain } : { kind: 'fanInUniform', gain, fanIn }),
};

/** FNV-1a of a string, as a non-negative 31-bit integer (a stable per-name stream index). */
export function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 1;
}

/**
 * Draws the initial values of one parameter.
 * @param seed - the model seed; the stream is `Rng.fromSeed(seed).derive(nameHash(name))`
 */
export function initialValues(name: string, shape: Shape, initializer: Initializer, seed: number): Float32Array {
  const n = staticSize(shape, `parameter ${name}`);
  const out = new Float32Array(n);
  const rng = Rng.fromSeed(seed).derive(nameHash(name));
  switch (initializer.kind) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'constant':
      return out.fill(initializer.value);
    case 'uniform':
      return rng.fillUniform(out, initializer.low, initializer.high);
    case 'normal':
      return rng.fillNormal(out, initializer.mean ?? 0, initializer.std);
    case 'truncatedNormal':
      for (let i = 0; i < n; i++) {
        let v = rng.normal();
        while (Math.abs(v) > 2) v = rng.normal();
        out[i] = v * initializer.std;
      }
      return out;
    case 'fanInUniform': {
      const fanIn = initializer.fanIn ?? (shape.length >= 2 ? (shape[0] as number) : n);
      if (!(fanIn > 0)) throw new InvalidArgumentError(`Expected a positive fanIn for parameter ${name}, got ${fanIn}`);
      const bound = (initializer.gain ?? 1) / Math.sqrt(fanIn);
      return rng.fillUniform(out, -bound, bound);
    }
  }
}
