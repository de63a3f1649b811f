/** Shared helpers of the training tests: seeded data, ORT sessions, comparisons. */
import * as ort from 'onnxruntime-node';
import { Rng } from '../../src/rng.js';
import type { NormalizationStats } from '../../src/training/batch.js';

/** Deterministic statistics for `obsDim` observations. */
export function testStats(obsDim: number): NormalizationStats {
  return {
    obsMean: Float32Array.from({ length: obsDim }, (_v, i) => 0.1 * i - 0.2),
    obsStd: Float32Array.from({ length: obsDim }, (_v, i) => 0.5 + 0.25 * i),
    rewardMean: 0.3,
    rewardStd: 1.7,
  };
}

/** Seeded normal data. */
export function randn(n: number, seed: number, std = 1): Float32Array {
  return Rng.fromSeed(seed).fillNormal(new Float32Array(n), 0, std);
}

/** Creates a session from bytes or a path with the project's session options. */
export function session(model: Uint8Array | string): Promise<ort.InferenceSession> {
  const opts: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: 1 };
  return typeof model === 'string' ? ort.InferenceSession.create(model, opts) : ort.InferenceSession.create(model, opts);
}

/** A float32 ORT tensor. */
export function tensor(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

/** Largest absolute difference. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Data of an output tensor as Float32Array. */
export function f32(t: ort.Tensor | undefined): Float32Array {
  if (!t) throw new Error('missing output');
  return t.data as Float32Array;
}
