/**
 * The reference MLP model: its fused whole-horizon ONNX graph agrees with a plain-TS forward, it plans,
 * and it releases its sessions. Small batches keep this file quick.
 */
import { describe, expect, it } from 'vitest';
import { mlpFlopsPerStep, mlpStepReference, buildMlpRolloutGraph, randomMlpWeights } from '../../src/planning/mlp-rollout-graph.js';
import { ReferenceMlpModel } from '../../src/planning/reference-mlp.js';
import { Planner } from '../../src/planning/planner.js';
import { rewardObjective } from '../../src/planning/objectives.js';
import { Rng } from '../../src/rng.js';

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('ReferenceMlpModel', () => {
  it.each(['relu', 'mish'] as const)('(%s) matches a plain-TS forward over the whole horizon', async (activation) => {
    const model = await ReferenceMlpModel.create({ activation, seed: 4 });
    expect([model.stateDim, model.actionDim]).toEqual([64, 4]);
    const b = 6;
    const h = 4;
    const rng = Rng.fromSeed(1);
    const z0 = rng.fillNormal(new Float32Array(b * 64));
    const actions = rng.fillUniform(new Float32Array(b * h * 4), -1, 1);
    const out = await model.rollout(z0, actions, h);
    expect(out.states).toHaveLength(b * h * 64);
    expect(out.rewards).toHaveLength(b * h);
    let z = z0;
    for (let t = 0; t < h; t++) {
      const a = new Float32Array(b * 4);
      for (let i = 0; i < b; i++) a.set(actions.subarray((i * h + t) * 4, (i * h + t + 1) * 4), i * 4);
      const ref = mlpStepReference(model.weights, z, a, b);
      const got = new Float32Array(b * 64);
      const rew = new Float32Array(b);
      for (let i = 0; i < b; i++) {
        got.set(out.states.subarray((i * h + t) * 64, (i * h + t + 1) * 64), i * 64);
        rew[i] = out.rewards[i * h + t]!;
      }
      const scale = Math.max(1, ...Array.from(ref.next, Math.abs));
      expect(maxAbsDiff(got, ref.next) / scale).toBeLessThan(1e-5);
      expect(maxAbsDiff(rew, ref.reward)).toBeLessThan(1e-4);
      z = got; // continue from the graph's own state so float32 rounding does not compound
    }
    await model.close();
  });

  it('is deterministic, reuses its output buffers on request, and counts FLOPs of the reference shape', async () => {
    expect(mlpFlopsPerStep({ stateDim: 64, actionDim: 4, hidden: 256, activation: 'relu' })).toBe(2 * (68 * 256 + 256 * 256 + 256 * 64 + 68 * 256 + 256));
    const a = await ReferenceMlpModel.create({ seed: 2 });
    const b = await ReferenceMlpModel.create({ seed: 2, reuseOutputs: true });
    const z = Rng.fromSeed(3).fillNormal(new Float32Array(3 * 64));
    const act = Rng.fromSeed(4).fillUniform(new Float32Array(3 * 5 * 4), -1, 1);
    const r1 = await a.rollout(z, act, 5);
    const r2 = await b.rollout(z, act, 5);
    expect(Buffer.from(r1.states.buffer).equals(Buffer.from(r2.states.buffer))).toBe(true);
    const r3 = await b.rollout(z, act, 5);
    expect(r3.states).toBe(r2.states);
    const r4 = await a.rollout(z, act, 5);
    expect(r4.states).not.toBe(r1.states);
    await Promise.all([a.close(), b.close()]);
  });

  it('plans: MPPI improves the predicted return over its iterations', async () => {
    const model = await ReferenceMlpModel.create({ seed: 1 });
    const planner = new Planner(model, {
      horizon: 5,
      actionLow: [-1, -1, -1, -1],
      actionHigh: [1, 1, 1, 1],
      optimizer: { algorithm: 'mppi', samples: 64, elites: 8, iterations: 4, temperature: 0.5, seed: 1 },
      objective: rewardObjective(),
    });
    const z0 = Rng.fromSeed(9).fillNormal(new Float32Array(64));
    const result = await planner.plan(z0);
    expect(result.iterations[3]!.eliteMeanCost).toBeLessThan(result.iterations[0]!.eliteMeanCost);
    expect(result.nanCount).toBe(0);
    await model.close();
  });

  it('rejects bad input and use after close', async () => {
    const model = await ReferenceMlpModel.create();
    await expect(model.rollout(new Float32Array(65), new Float32Array(4), 1)).rejects.toThrow(/expected `states` to be a non-empty Float32Array of B × 64 values/);
    await expect(model.rollout(new Float32Array(64), new Float32Array(5), 1)).rejects.toThrow(
      /expected `actions` to be a Float32Array of B × H × A = 1 × 1 × 4 = 4 values, got Float32Array\(5\)/,
    );
    await expect(model.rollout(new Float32Array(64), new Float32Array(4), 0)).rejects.toThrow(/expected `horizon` to be a positive integer, got 0/);
    await model.close();
    await model.close();
    await expect(model.rollout(new Float32Array(64), new Float32Array(4), 1)).rejects.toThrow(/rollout\(\) called after close\(\)/);
    await expect(ReferenceMlpModel.create({ hidden: 0 })).rejects.toThrow(/ReferenceMlpModel options: `hidden`/);
    expect(() => randomMlpWeights({ stateDim: 4, actionDim: 1, hidden: 8, activation: 'tanh' as never }, 0)).toThrow(/expected `activation` 'relu' or 'mish', got "tanh"/);
    expect(() => buildMlpRolloutGraph(randomMlpWeights({ stateDim: 4, actionDim: 1, hidden: 8, activation: 'relu' }, 0), 0)).toThrow(
      /expected `horizon` to be a positive integer, got 0/,
    );
  });
});
