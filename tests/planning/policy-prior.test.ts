/**
 * The policy prior of the planners: proposals are the policy's closed-loop actions along the model's
 * rollout; MPPI, CEM and iCEM put them in their population and a cold plan starts from them, so with a
 * good policy a planner with a handful of samples plans as well as the policy (and without it, it does not).
 */
import { describe, expect, it } from 'vitest';
import { Planner } from '../../src/planning/planner.js';
import { policyPrior } from '../../src/planning/policy-prior.js';
import type { PlanningObjective } from '../../src/planning/objectives.js';
import type { RolloutModel } from '../../src/planning/rollout-model.js';

/** A 1-D point: s' = s + a; reward −|s' − 1|. */
const model: RolloutModel = {
  stateDim: 1,
  actionDim: 1,
  async rollout(states, actions, H) {
    const n = states.length;
    const out = new Float32Array(n * H);
    const rewards = new Float32Array(n * H);
    for (let i = 0; i < n; i++) {
      let s = states[i]!;
      for (let t = 0; t < H; t++) {
        s += actions[i * H + t]!;
        out[i * H + t] = s;
        rewards[i * H + t] = -Math.abs(s - 1);
      }
    }
    return { states: out, rewards };
  },
};
const rewardCost: PlanningObjective = {
  name: 'reward',
  evaluate(batch, costs) {
    for (let i = 0; i < batch.count; i++) for (let t = 0; t < batch.horizon; t++) costs[i] = costs[i]! - batch.rollout.rewards[i * batch.horizon + t]!;
  },
};
/** The optimal feedback policy: a = clip(1 − s, ±0.3). */
const policy = { actBatch: (obs: Float32Array) => obs.map((s) => Math.max(-0.3, Math.min(0.3, 1 - s))) };

describe('policyPrior', () => {
  it("proposes the policy's closed-loop actions (the first proposal noise-free)", async () => {
    const prior = policyPrior(policy, { trajectories: 3, noise: 0.05, rounds: 5 });
    const seqs = await prior.propose(model, Float32Array.of(0), 5, new Float32Array(5).fill(-1), new Float32Array(5).fill(1));
    expect(seqs).toHaveLength(15);
    expect(Array.from(seqs.subarray(0, 5)).map((v) => +v.toFixed(5))).toEqual([0.3, 0.3, 0.3, 0.1, 0]);
    expect(Array.from(seqs.subarray(5, 10))).not.toEqual(Array.from(seqs.subarray(0, 5)));
  });

  for (const algorithm of ['mppi', 'cem', 'icem'] as const) {
    it(`${algorithm}: 8 samples with the prior plan as well as the policy; without it they do not`, async () => {
      const optimizer = {
        algorithm,
        samples: 8,
        iterations: 2,
        seed: 1,
        ...(algorithm === 'icem' ? { elites: 2 } : algorithm === 'mppi' ? { elites: 4 } : { elites: 2 }),
      } as never;
      const settings = { horizon: 6, actionLow: [-0.3], actionHigh: [0.3], optimizer, objective: rewardCost };
      const withPrior = new Planner(model, { ...settings, prior: policyPrior(policy, { trajectories: 4, noise: 0, rounds: 6 }) });
      const plain = new Planner(model, settings);
      const a = await withPrior.plan(Float32Array.of(0), { warmStart: false });
      const b = await plain.plan(Float32Array.of(0), { warmStart: false });
      // The policy's return from s = 0: −(0.7 + 0.4 + 0.1 + 0 + 0 + 0) = −1.2.
      expect(a.bestCost).toBeCloseTo(1.2, 4);
      expect(b.bestCost).toBeGreaterThan(1.3);
      expect(a.timing.priorMs).toBeGreaterThan(0);
    });
  }

  it('refuses a policy without actBatch and a prior of the wrong size', async () => {
    expect(() => policyPrior({} as never)).toThrow('policyPrior: expected a policy with `actBatch(observations)`');
    const planner = new Planner(model, { horizon: 2, actionLow: [-1], actionHigh: [1], optimizer: { algorithm: 'mppi', samples: 8, elites: 2 }, objective: rewardCost });
    await expect(planner.trajectory.optimize(async () => undefined, { prior: new Float32Array(3) })).rejects.toThrow(/expected `start.prior` to be a Float32Array of P × 2 values/);
  });
});
