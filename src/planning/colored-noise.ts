/**
 * Colored (1/f^β) Gaussian noise along the time axis of action sequences, for iCEM (Pinneri et al.
 * 2020). β = 0 is white noise; β = 1 pink; β = 2 red (Brownian-like): larger β gives smoother action
 * sequences, which explore better with physical systems that low-pass their inputs.
 *
 * The method is Timmer & König (1995), as in the `colorednoise` package that MBRL-Lib uses: draw a
 * complex white spectrum, scale bin k by f_k^(−β/2) (frequencies below 1/H clamped to 1/H), and
 * transform back with an inverse real DFT. Because the spectrum is a fixed linear scaling of white
 * noise, the whole transform is one H × H matrix `M` (precomputed once): a sequence is `x = M w` with
 * `w ~ N(0, I_H)`. That is an exact inverse DFT evaluated directly in O(H²) per sequence; for the
 * short, arbitrary horizons of MPC (3–30 steps, rarely powers of two) it is cheaper than an FFT and
 * needs no library. Rows are scaled so every step has unit variance exactly.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';
import type { Rng } from '../rng.js';
import { fillStandardNormal } from './normal-sampler.js';

/** Precomputed 1/f^β synthesis for sequences of one length. */
export class ColoredNoise {
  /** Row-major H × H synthesis matrix: sequence = M · white. */
  readonly matrix: Float64Array;
  private readonly white: Float64Array;

  /**
   * @param horizon - sequence length H (≥ 1)
   * @param exponent - β ≥ 0; the power spectral density falls as 1/f^β
   */
  constructor(
    readonly horizon: number,
    readonly exponent: number,
  ) {
    if (!Number.isSafeInteger(horizon) || horizon < 1) {
      throw new InvalidArgumentError(`ColoredNoise: expected \`horizon\` to be a positive integer, got ${describeValue(horizon)}`);
    }
    if (typeof exponent !== 'number' || !Number.isFinite(exponent) || exponent < 0) {
      throw new InvalidArgumentError(`ColoredNoise: expected \`exponent\` (β) to be a finite number ≥ 0, got ${describeValue(exponent)}`);
    }
    this.matrix = synthesisMatrix(horizon, exponent);
    this.white = new Float64Array(horizon);
  }

  /** Writes one unit-variance colored sequence of length H into `out[offset + t·stride]`, t = 0..H−1. */
  sample(rng: Rng, out: Float32Array | Float64Array, offset = 0, stride = 1): void {
    const h = this.horizon;
    const w = fillStandardNormal(rng, this.white);
    const m = this.matrix;
    for (let t = 0; t < h; t++) {
      let acc = 0;
      const row = t * h;
      for (let j = 0; j < h; j++) acc += m[row + j]! * w[j]!;
      out[offset + t * stride] = acc;
    }
  }

  /**
   * The fused sampling kernel of iCEM: row r of `out` (an `H × A` sequence, r in [0, rows)) is
   * `clip(mean + std ⊙ ε, low, high)` where each action dimension of ε is an independent colored
   * sequence over time. All vectors are `H × A`, row-major.
   */
  sampleClipped(rng: Rng, actionDim: number, mean: Float32Array, std: Float32Array, low: Float32Array, high: Float32Array, out: Float32Array, rows: number): void {
    const h = this.horizon;
    const dim = h * actionDim;
    const w = this.white;
    const m = this.matrix;
    for (let r = 0; r < rows; r++) {
      const base = r * dim;
      for (let a = 0; a < actionDim; a++) {
        fillStandardNormal(rng, w);
        for (let t = 0; t < h; t++) {
          let eps = 0;
          const row = t * h;
          for (let j = 0; j < h; j++) eps += m[row + j]! * w[j]!;
          const d = t * actionDim + a;
          const x = mean[d]! + std[d]! * eps;
          const lo = low[d]!;
          const hi = high[d]!;
          out[base + d] = x < lo ? lo : x > hi ? hi : x;
        }
      }
    }
  }
}

/**
 * The H × H matrix mapping white noise to 1/f^β noise (see the module comment). Columns: the real part
 * of bin 0, then the real and imaginary parts of bins 1..⌈H/2⌉−1, then (H even) the real part of the
 * Nyquist bin. DC and Nyquist carry a √2 so that β = 0 gives exactly white noise.
 */
export function synthesisMatrix(horizon: number, exponent: number): Float64Array {
  const h = horizon;
  const m = new Float64Array(h * h);
  const fMin = 1 / h;
  const scale = (k: number): number => Math.max(k / h, fMin) ** (-exponent / 2);
  const interior = Math.ceil(h / 2) - 1;
  const even = h % 2 === 0;
  for (let t = 0; t < h; t++) {
    const row = t * h;
    let col = 0;
    m[row + col++] = Math.SQRT2 * scale(0);
    for (let k = 1; k <= interior; k++) {
      const theta = (2 * Math.PI * k * t) / h;
      m[row + col++] = 2 * scale(k) * Math.cos(theta);
      m[row + col++] = -2 * scale(k) * Math.sin(theta);
    }
    if (even) m[row + col++] = Math.SQRT2 * scale(h / 2) * (t % 2 === 0 ? 1 : -1);
  }
  // The 1/H of the inverse DFT cancels in the normalisation; make each step's variance exactly 1.
  for (let t = 0; t < h; t++) {
    let v = 0;
    for (let j = 0; j < h; j++) v += m[t * h + j]! ** 2;
    const inv = 1 / Math.sqrt(v);
    for (let j = 0; j < h; j++) m[t * h + j] = m[t * h + j]! * inv;
  }
  return m;
}
