/**
 * Gradient checks of every policy-learning loss: the graph builder's analytic gradients (float64
 * reference evaluation) against float64 central differences, and onnxruntime (float32) against the
 * float64 values. Plus: the CPU GAE equals the graph's, and the tanh correction equals log(1 − tanh²u).
 */
import { describe, expect, it } from 'vitest';
import { Graph, evaluateGraph, nd } from '../../src/graph/index.js';
import { clippedValueLoss, computeGae, gaeAdvantages, lambdaReturns, ppoClipLoss, tanhGaussianLogProb } from '../../src/policies/losses.js';
import { finiteDifferenceCheck, ortAgreement, values, weightedSum } from '../graph/gradcheck.js';

describe('tanh-Gaussian log-probability', () => {
  function build() {
    const g = new Graph();
    const u = g.input('u', [4, 3]);
    const mean = g.input('mean', [4, 3]);
    const logStd = g.input('log_std', [3]);
    const logp = tanhGaussianLogProb(u, mean, logStd);
    return { g, u, mean, logStd, logp, loss: weightedSum([logp]) };
  }
  const inputs = () => ({ u: values([4, 3], 1, (v) => 1.5 * v), mean: values([4, 3], 2), log_std: values([3], 3, (v) => 0.3 * v) });

  it('matches central differences in u, mean and log σ', async () => {
    const c = build();
    const report = finiteDifferenceCheck({ loss: c.loss, wrt: [c.u, c.mean, c.logStd] }, inputs());
    expect(report.worst, report.where).toBeLessThan(1);
    expect((await ortAgreement({ loss: c.loss, wrt: [c.u, c.mean, c.logStd] }, inputs())).worst).toBeLessThan(1);
  });

  it('equals the Gaussian density minus Σ log(1 − tanh²u), and stays finite for large |u|', () => {
    const c = build();
    const x = inputs();
    x.u.data[0] = 30; // 1 − tanh² underflows to 0 in float64: the stable form must not
    const [logp] = evaluateGraph(c.g, [c.logp], { inputs: x });
    for (let n = 0; n < 4; n++) {
      let want = 0;
      for (let a = 0; a < 3; a++) {
        const u = x.u.data[n * 3 + a]!;
        const s = Math.exp(x.log_std.data[a]!);
        const z = (u - x.mean.data[n * 3 + a]!) / s;
        const logDet = Math.abs(u) > 15 ? Math.log(4) - 2 * Math.abs(u) : Math.log(1 - Math.tanh(u) ** 2);
        want += -0.5 * z * z - Math.log(s) - 0.5 * Math.log(2 * Math.PI) - logDet;
      }
      expect(logp!.data[n]).toBeCloseTo(want, 9);
    }
  });
});

describe('PPO losses', () => {
  it('clipped surrogate: gradients in logp (inside and outside the clip range) match central differences', async () => {
    const g = new Graph();
    const logp = g.input('logp', [8]);
    const old = g.input('old', [8]);
    const adv = g.input('adv', [8]);
    const loss = ppoClipLoss(logp, old, adv, 0.2);
    // Log-ratios spread over ±0.6 so some rows are clipped (zero gradient) and some are not.
    const x = { logp: values([8], 4, (v) => 0.3 * v), old: values([8], 5, (v) => 0.3 * v), adv: values([8], 6) };
    const report = finiteDifferenceCheck({ loss, wrt: [logp, adv] }, x);
    expect(report.worst, report.where).toBeLessThan(1);
    expect((await ortAgreement({ loss, wrt: [logp, adv] }, x)).worst).toBeLessThan(1);
    const ratios = Array.from(x.logp.data, (l, i) => Math.exp(l - x.old.data[i]!));
    expect(ratios.some((r) => r > 1.2 || r < 0.8)).toBe(true);
    expect(ratios.some((r) => r < 1.2 && r > 0.8)).toBe(true);
  });

  it('clipped value loss: gradients match central differences', async () => {
    const g = new Graph();
    const v = g.input('v', [8]);
    const old = g.input('old', [8]);
    const ret = g.input('ret', [8]);
    const loss = clippedValueLoss(v, old, ret, 0.2);
    const x = { v: values([8], 7), old: values([8], 8), ret: values([8], 9) };
    const report = finiteDifferenceCheck({ loss, wrt: [v, ret] }, x);
    expect(report.worst, report.where).toBeLessThan(1);
    expect((await ortAgreement({ loss, wrt: [v, ret] }, x)).worst).toBeLessThan(1);
  });

  it('rejects a clip range outside (0, 1)', () => {
    const g = new Graph();
    const t = g.input('t', [2]);
    expect(() => ppoClipLoss(t, t, t, 1.5)).toThrow('expected a clip range in (0, 1), got 1.5');
  });
});

describe('λ-returns and GAE', () => {
  const T = 5;
  const N = 3;
  const dones = nd([T, N], [0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);

  it('λ-returns: gradients in rewards and values match central differences', async () => {
    const g = new Graph();
    const r = g.input('r', [T, N]);
    const v = g.input('v', [T + 1, N]);
    const d = g.input('d', [T, N]);
    const loss = weightedSum([lambdaReturns(r, v, d, 0.97, 0.9)]);
    const x = { r: values([T, N], 10), v: values([T + 1, N], 11), d: dones };
    const report = finiteDifferenceCheck({ loss, wrt: [r, v] }, x);
    expect(report.worst, report.where).toBeLessThan(1);
    expect((await ortAgreement({ loss, wrt: [r, v] }, x)).worst).toBeLessThan(1);
  });

  it('GAE targets: gradients match central differences, and the CPU recursion equals the graph', () => {
    const g = new Graph();
    const r = g.input('r', [T, N]);
    const v = g.input('v', [T + 1, N]);
    const d = g.input('d', [T, N]);
    const adv = gaeAdvantages(r, v, d, 0.99, 0.95);
    const x = { r: values([T, N], 12), v: values([T + 1, N], 13), d: dones };
    const report = finiteDifferenceCheck({ loss: weightedSum([adv]), wrt: [r, v] }, x);
    expect(report.worst, report.where).toBeLessThan(1);
    const [want] = evaluateGraph(g, [adv], { inputs: x });
    const advantages = new Float32Array(T * N);
    const returns = new Float32Array(T * N);
    computeGae(Float32Array.from(x.r.data), Float32Array.from(x.v.data), Float32Array.from(dones.data), T, N, 0.99, 0.95, advantages, returns);
    for (let i = 0; i < T * N; i++) {
      expect(advantages[i]).toBeCloseTo(want!.data[i]!, 5);
      expect(returns[i]).toBeCloseTo(want!.data[i]! + x.v.data[i]!, 5);
    }
  });

  it('λ = 1 gives discounted Monte-Carlo returns that stop at episode ends', () => {
    const advantages = new Float32Array(3);
    const returns = new Float32Array(3);
    computeGae(Float32Array.of(1, 1, 1), Float32Array.of(0, 0, 0, 100), Float32Array.of(0, 1, 0), 3, 1, 0.5, 1, advantages, returns);
    expect(Array.from(returns)).toEqual([1.5, 1, 51]);
  });
});
