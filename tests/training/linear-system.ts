/**
 * A known linear system x' = A·x + B·u as a {@link BatchSource}: the ground truth for the training
 * test. Start states are N(0, I), actions U(−1, 1); the reward after a step is c·x'.
 */
import type { Rng } from '../../src/rng.js';
import { Rng as RngClass } from '../../src/rng.js';
import type { BatchSource, NormalizationStats, SequenceBatch } from '../../src/training/batch.js';

export class LinearSystem implements BatchSource {
  readonly obsDim = 4;
  readonly actionDim = 2;
  readonly size = 1_000_000;
  /** Damped rotations in two planes. */
  readonly A = [
    [0.95 * Math.cos(0.3), -0.95 * Math.sin(0.3), 0, 0],
    [0.95 * Math.sin(0.3), 0.95 * Math.cos(0.3), 0, 0],
    [0, 0, 0.9, 0.2],
    [0, 0, -0.2, 0.9],
  ];
  readonly B = [
    [0.5, 0],
    [0, 0.5],
    [0.3, 0.2],
    [-0.2, 0.4],
  ];
  readonly c = [1, -0.5, 0.25, 0.5];
  private cachedStats: NormalizationStats | undefined;

  /** One step: writes A·x + B·u into `out`. */
  step(x: ArrayLike<number>, u: ArrayLike<number>, out: Float32Array, offset = 0): void {
    for (let i = 0; i < 4; i++) {
      let s = 0;
      for (let j = 0; j < 4; j++) s += this.A[i]![j]! * x[j]!;
      for (let j = 0; j < 2; j++) s += this.B[i]![j]! * u[j]!;
      out[offset + i] = s;
    }
  }

  reward(x: ArrayLike<number>): number {
    return this.c.reduce((s, c, i) => s + c * x[i]!, 0);
  }

  sample(batchSize: number, horizon: number, rng: Rng): SequenceBatch {
    const O = 4;
    const A = 2;
    const observations = new Float32Array(batchSize * (horizon + 1) * O);
    const actions = new Float32Array(batchSize * horizon * A);
    const rewards = new Float32Array(batchSize * horizon);
    for (let b = 0; b < batchSize; b++) {
      const base = b * (horizon + 1) * O;
      for (let i = 0; i < O; i++) observations[base + i] = rng.normal();
      for (let t = 0; t < horizon; t++) {
        const u = actions.subarray((b * horizon + t) * A, (b * horizon + t + 1) * A);
        rng.fillUniform(u, -1, 1);
        this.step(observations.subarray(base + t * O, base + (t + 1) * O), u, observations, base + (t + 1) * O);
        rewards[b * horizon + t] = this.reward(observations.subarray(base + (t + 1) * O, base + (t + 2) * O));
      }
    }
    return {
      batchSize,
      horizon,
      obsDim: O,
      actionDim: A,
      observations,
      actions,
      rewards,
      terminated: new Float32Array(batchSize * horizon),
      mask: new Float32Array(batchSize * horizon).fill(1),
    };
  }

  stats(): NormalizationStats {
    if (this.cachedStats) return this.cachedStats;
    const batch = this.sample(2000, 5, RngClass.fromSeed(12345));
    const mean = new Float64Array(4);
    const sq = new Float64Array(4);
    const n = batch.observations.length / 4;
    for (let k = 0; k < n; k++) for (let i = 0; i < 4; i++) mean[i]! += batch.observations[k * 4 + i]! / n;
    for (let k = 0; k < n; k++) for (let i = 0; i < 4; i++) sq[i]! += (batch.observations[k * 4 + i]! - mean[i]!) ** 2 / n;
    let rm = 0;
    for (const r of batch.rewards) rm += r / batch.rewards.length;
    let rv = 0;
    for (const r of batch.rewards) rv += (r - rm) ** 2 / batch.rewards.length;
    this.cachedStats = { obsMean: Float32Array.from(mean), obsStd: Float32Array.from(sq, Math.sqrt), rewardMean: rm, rewardStd: Math.sqrt(rv) };
    return this.cachedStats;
  }
}
