/** The planners' noise: the ziggurat normal sampler and 1/f^β colored noise. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { fillStandardNormal, sampleClippedGaussian, standardNormal } from '../../src/planning/normal-sampler.js';
import { ColoredNoise, synthesisMatrix } from '../../src/planning/colored-noise.js';

/** Φ(x) via the Abramowitz–Stegun erf approximation (|error| < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return 0.5 * (1 + (x >= 0 ? erf : -erf));
}

describe('ziggurat standard normal', () => {
  const n = 400_000;
  const x = fillStandardNormal(Rng.fromSeed(11), new Float64Array(n));

  it('has mean 0, variance 1 and kurtosis 3', () => {
    let m = 0;
    for (const v of x) m += v;
    m /= n;
    let v2 = 0;
    let v4 = 0;
    for (const v of x) {
      v2 += (v - m) ** 2;
      v4 += (v - m) ** 4;
    }
    v2 /= n;
    v4 /= n;
    // 5 standard errors: mean se = 1/√n ≈ 0.0016, variance se = √(2/n) ≈ 0.0022, kurtosis se = √(24/n) ≈ 0.0077.
    expect(Math.abs(m)).toBeLessThan(0.008);
    expect(Math.abs(v2 - 1)).toBeLessThan(0.011);
    expect(Math.abs(v4 / (v2 * v2) - 3)).toBeLessThan(0.04);
  });

  it('passes a Kolmogorov–Smirnov test against Φ, tails included', () => {
    const sorted = Float64Array.from(x).sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const f = normalCdf(sorted[i]!);
      d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
    }
    // Critical value at α = 0.001: 1.95 / √n.
    expect(d).toBeLessThan(1.95 / Math.sqrt(n));
    // The tail beyond the base layer (|x| > 3.44) is sampled exactly: P = 5.77e-4.
    const tail = x.filter((v) => Math.abs(v) > 3.442619855899).length / n;
    expect(tail).toBeGreaterThan(5.77e-4 - 5 * Math.sqrt(5.77e-4 / n));
    expect(tail).toBeLessThan(5.77e-4 + 5 * Math.sqrt(5.77e-4 / n));
  });

  it('is reproducible: same seed, same bits; standardNormal matches the fill', () => {
    const a = fillStandardNormal(Rng.fromSeed(3), new Float32Array(1000));
    const b = fillStandardNormal(Rng.fromSeed(3), new Float32Array(1000));
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    const rng = Rng.fromSeed(3);
    const c = Float32Array.from({ length: 1000 }, () => standardNormal(rng));
    expect(Array.from(c)).toEqual(Array.from(a));
    expect(Array.from(fillStandardNormal(Rng.fromSeed(4), new Float32Array(1000)))).not.toEqual(Array.from(a));
  });

  it('sampleClippedGaussian never leaves the bounds and centres on the mean', () => {
    const dim = 6;
    const mean = Float32Array.of(0, 0.9, -0.9, 0.2, 5, -5);
    const std = Float32Array.of(0.1, 0.5, 0.5, 2, 1, 1);
    const low = Float32Array.of(-1, -1, -1, -0.5, 0, -3);
    const high = Float32Array.of(1, 1, 1, 0.25, 1, -2);
    const rows = 20_000;
    const out = new Float32Array(rows * dim);
    sampleClippedGaussian(Rng.fromSeed(1), mean, std, low, high, out, rows);
    let m0 = 0;
    let outside = 0;
    for (let r = 0; r < rows; r++) {
      for (let d = 0; d < dim; d++) {
        const v = out[r * dim + d]!;
        if (!(v >= low[d]! && v <= high[d]!)) outside++;
      }
      m0 += out[r * dim]!;
    }
    expect(outside).toBe(0);
    expect(Math.abs(m0 / rows)).toBeLessThan(0.005);
    // Coordinates whose mean lies outside the box sit on the nearest bound.
    expect(out[4]).toBe(1);
    expect(out[5]).toBe(-3);
  });
});

describe('ColoredNoise (1/f^β)', () => {
  /** Circulant covariance C = M Mᵀ of the synthesis matrix. */
  function covariance(h: number, beta: number): Float64Array {
    const m = synthesisMatrix(h, beta);
    const c = new Float64Array(h * h);
    for (let i = 0; i < h; i++) for (let j = 0; j < h; j++) for (let k = 0; k < h; k++) c[i * h + j] = c[i * h + j]! + m[i * h + k]! * m[j * h + k]!;
    return c;
  }

  it.each([7, 8, 12, 15])('β = 0 is exactly white noise (H = %i): covariance = identity', (h) => {
    const c = covariance(h, 0);
    for (let i = 0; i < h; i++) for (let j = 0; j < h; j++) expect(c[i * h + j]).toBeCloseTo(i === j ? 1 : 0, 12);
  });

  it.each([
    [12, 1],
    [12, 2],
    [15, 2.5],
  ])('H = %i, β = %f: unit variance at every step, and the power spectrum falls as f^−β', (h, beta) => {
    const c = covariance(h, beta);
    for (let t = 0; t < h; t++) expect(c[t * h + t]).toBeCloseTo(1, 12);
    // The covariance is circulant; its DFT is the power spectrum. Check P(k)/P(1) = k^−β for 1 ≤ k < H/2.
    const power = (k: number): number => {
      let re = 0;
      for (let lag = 0; lag < h; lag++) re += c[lag]! * Math.cos((2 * Math.PI * k * lag) / h);
      return re;
    };
    for (let k = 2; k < h / 2; k++) expect(power(k) / power(1)).toBeCloseTo(k ** -beta, 9);
    // Neighbouring steps are strongly correlated for red noise, as iCEM wants.
    if (beta >= 2) expect(c[1]).toBeGreaterThan(0.6);
  });

  it('sampleClipped draws unit-variance sequences that respect the bounds, deterministically', () => {
    const h = 10;
    const a = 3;
    const noise = new ColoredNoise(h, 2);
    const dim = h * a;
    const rows = 4000;
    const mean = new Float32Array(dim);
    const std = new Float32Array(dim).fill(1);
    const wide = new Float32Array(dim).fill(100);
    const out = new Float32Array(rows * dim);
    noise.sampleClipped(
      Rng.fromSeed(2),
      a,
      mean,
      std,
      wide.map((v) => -v),
      wide,
      out,
      rows,
    );
    let v = 0;
    let lag = 0;
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < h; t++) v += out[r * dim + t * a + 1]! ** 2;
      for (let t = 0; t + 1 < h; t++) lag += out[r * dim + t * a + 1]! * out[r * dim + (t + 1) * a + 1]!;
    }
    expect(v / (rows * h)).toBeGreaterThan(0.94);
    expect(v / (rows * h)).toBeLessThan(1.06);
    expect(lag / (rows * (h - 1))).toBeGreaterThan(0.5);
    // Tight bounds: clipped, never violated.
    const low = new Float32Array(dim).fill(-0.3);
    const high = new Float32Array(dim).fill(0.1);
    const clipped = new Float32Array(rows * dim);
    noise.sampleClipped(Rng.fromSeed(2), a, mean, std, low, high, clipped, rows);
    expect(clipped.every((x) => x >= -0.3 - 1e-7 && x <= 0.1 + 1e-7)).toBe(true);
    expect(Math.min(...clipped)).toBe(Math.fround(-0.3));
    const again = new Float32Array(rows * dim);
    noise.sampleClipped(Rng.fromSeed(2), a, mean, std, low, high, again, rows);
    expect(Buffer.from(again.buffer).equals(Buffer.from(clipped.buffer))).toBe(true);
  });

  it('rejects a bad horizon or exponent', () => {
    expect(() => new ColoredNoise(0, 2)).toThrow(/expected `horizon` to be a positive integer, got 0/);
    expect(() => new ColoredNoise(5, -1)).toThrow(/expected `exponent` \(β\) to be a finite number ≥ 0, got -1/);
  });
});
