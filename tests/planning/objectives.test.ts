/** Objectives: each adds its cost of every candidate, computed from a batched rollout. */
import { describe, expect, it } from 'vitest';
import { decodedObjective, goalObjective, rewardObjective, uncertaintyObjective, type RolloutBatch } from '../../src/planning/objectives.js';
import type { RolloutResult } from '../../src/planning/rollout-model.js';

/** A batch of N = 2 candidates, H = 3 steps, S = 2. */
function batch(rollout: Partial<RolloutResult> = {}): RolloutBatch {
  return {
    count: 2,
    horizon: 3,
    stateDim: 2,
    actionDim: 1,
    startStates: new Float32Array(4),
    actions: new Float32Array(6),
    rollout: {
      // candidate 0: (1,0) → (2,0) → (3,0); candidate 1: (0,1) → (0,2) → (0,3)
      states: Float32Array.of(1, 0, 2, 0, 3, 0, 0, 1, 0, 2, 0, 3),
      rewards: Float32Array.of(1, 2, 3, 10, 0, -1),
      ...rollout,
    },
  };
}

async function costs(objective: { evaluate: (b: RolloutBatch, c: Float32Array) => void | Promise<void> }, b = batch(), start = [0, 0]): Promise<number[]> {
  const c = Float32Array.from(start);
  await objective.evaluate(b, c);
  return Array.from(c);
}

describe('rewardObjective', () => {
  it('is minus the return, discounted, added to what is there', async () => {
    expect(await costs(rewardObjective())).toEqual([-6, -9]);
    expect(await costs(rewardObjective(), batch(), [1, 1])).toEqual([-5, -8]);
    const c = await costs(rewardObjective({ discount: 0.5 }));
    expect(c[0]).toBeCloseTo(-(1 + 0.5 * 2 + 0.25 * 3), 6);
    expect(c[1]).toBeCloseTo(-(10 + 0 - 0.25), 6);
  });

  it('adds γ^H V(s_H) of the last states', async () => {
    let seen: number[] = [];
    const value = (states: Float32Array, n: number) => {
      seen = Array.from(states);
      return Float32Array.from({ length: n }, (_, i) => states[i * 2]! + states[i * 2 + 1]! * 100);
    };
    const c = await costs(rewardObjective({ discount: 0.5, terminalValue: value }));
    expect(seen).toEqual([3, 0, 0, 3]);
    expect(c[0]).toBeCloseTo(-(2.75 + 0.125 * 3), 6);
    expect(c[1]).toBeCloseTo(-(9.75 + 0.125 * 300), 6);
  });

  it('weighs rewards by the probability of still running when the model predicts terminals', async () => {
    const b = batch({ terminals: Float32Array.of(0, 1, 0, 0.5, 0.5, 0) });
    // candidate 0 ends at step 1: rewards 1 + 2, then nothing; candidate 1: 10 + 0.5·0 + 0.25·(−1)
    expect(await costs(rewardObjective(), b)).toEqual([-3, -9.75]);
    expect(await costs(rewardObjective({ respectTerminals: false }), b)).toEqual([-6, -9]);
  });

  it('rejects bad options and a malformed terminal value', async () => {
    expect(() => rewardObjective({ discount: 0 })).toThrow(/rewardObjective options: `discount`/);
    expect(() => rewardObjective({ terminalValue: 3 as never })).toThrow(/`terminalValue`: expected a function/);
    await expect(costs(rewardObjective({ terminalValue: () => new Float32Array(1) }))).rejects.toThrow(
      /expected `terminalValue` to return a Float32Array of 2 values, got Float32Array\(1\)/,
    );
  });
});

describe('goalObjective', () => {
  it('measures the last step by default (DINO-WM: mean squared error), or all steps, in L1 / L2 / MSE', async () => {
    const goal = [3, 0];
    expect(await costs(goalObjective({ goal }))).toEqual([0, (9 + 9) / 2]);
    expect(await costs(goalObjective({ goal, norm: 'l1' }))).toEqual([0, 3]);
    expect((await costs(goalObjective({ goal, norm: 'l2' })))[1]).toBeCloseTo(Math.sqrt(18), 6);
    // All steps: candidate 0 distances (L1 mean over dims) 1, 0.5, 0 → mean 0.5
    expect(await costs(goalObjective({ goal, norm: 'l1', steps: 'all' }))).toEqual([(1 + 0.5 + 0) / 3, (2 + 2.5 + 3) / 3]);
    expect(await costs(goalObjective({ goal, norm: 'l1', weight: 2 }))).toEqual([0, 6]);
  });

  it('reads a subset of state dimensions and can change its goal', async () => {
    const objective = goalObjective({ goal: [3], dims: [1], norm: 'l1' });
    expect(await costs(objective)).toEqual([3, 0]);
    objective.setGoal([0]);
    expect(objective.goal).toEqual(Float32Array.of(0));
    expect(await costs(objective)).toEqual([0, 3]);
    expect(() => objective.setGoal([0, 1])).toThrow(/expected `goal` to be 1 finite numbers, got \[0,1\]/);
  });

  it('rejects goals that do not fit the states', async () => {
    await expect(costs(goalObjective({ goal: [1, 2, 3] }))).rejects.toThrow(/goalObjective: the goal has 3 values but the model's states have 2/);
    await expect(costs(goalObjective({ goal: [1], dims: [5] }))).rejects.toThrow(/read from state indices \[5\] but the model's states have 2/);
    expect(() => goalObjective({ goal: [Number.NaN] })).toThrow(/expected `goal` to be a non-empty array of finite numbers/);
    expect(() => goalObjective({ goal: [1], norm: 'l3' as never })).toThrow(/goalObjective options: `norm`/);
  });
});

describe('decodedObjective', () => {
  it('decodes the predicted states in one batch and hands the observations to the user cost', async () => {
    const calls: number[] = [];
    const objective = decodedObjective({
      observationDim: 1,
      decode: (states, n) => {
        calls.push(n);
        return Float32Array.from({ length: n }, (_, i) => states[i * 2]! - states[i * 2 + 1]!);
      },
      // Penalise observations below zero at any step.
      cost: (obs, b, c) => {
        const t = obs.length / b.count;
        for (let i = 0; i < b.count; i++) for (let k = 0; k < t; k++) c[i] = c[i]! + Math.max(0, -obs[i * t + k]!);
      },
    });
    expect(await costs(objective)).toEqual([0, 6]);
    expect(calls).toEqual([6]);
    const last = decodedObjective({
      observationDim: 1,
      steps: 'last',
      decode: (s, n) => Float32Array.from({ length: n }, (_, i) => s[i * 2]!),
      cost: (o, _b, c) =>
        o.forEach((v, i) => {
          c[i] = c[i]! + v;
        }),
    });
    expect(await costs(last)).toEqual([3, 0]);
  });

  it('rejects a decoder that returns the wrong shape', async () => {
    const objective = decodedObjective({ observationDim: 4, decode: () => new Float32Array(3), cost: () => undefined });
    await expect(costs(objective)).rejects.toThrow(/expected `decode` to return a Float32Array of 6 × 4 = 24 values, got Float32Array\(3\)/);
  });
});

describe('uncertaintyObjective', () => {
  const b = batch({ uncertainty: Float32Array.of(0.1, 0.2, 0.3, 1, 1, 1) });
  it('adds disagreement as a penalty (pessimism) or subtracts it as a bonus (exploration)', async () => {
    const pen = await costs(uncertaintyObjective({ weight: 2 }), b);
    expect(pen[0]).toBeCloseTo(1.2, 6);
    expect(pen[1]).toBeCloseTo(6, 6);
    const bonus = await costs(uncertaintyObjective({ mode: 'bonus', discount: 0.5 }), b);
    expect(bonus[0]).toBeCloseTo(-(0.1 + 0.1 + 0.075), 6);
    expect(bonus[1]).toBeCloseTo(-1.75, 6);
  });

  it('requires a model that reports uncertainty', async () => {
    await expect(costs(uncertaintyObjective())).rejects.toThrow(/the model returned no `uncertainty`; expected an ensemble model/);
  });
});
