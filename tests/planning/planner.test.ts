/**
 * The planner: model + objective + trajectory optimiser. Closed-loop MPC on LineWorld-v0 with an exact
 * model (MBRL-Lib's MockLineEnv test, here with every optimiser), warm starts, timing, and bad input.
 */
import { describe, expect, it } from 'vitest';
import { LineWorld } from '../../environments/line-world/index.js';
import type { OptimizerSpec } from '../../src/planning/create-optimizer.js';
import { publishedPresets } from '../../src/planning/create-optimizer.js';
import { goalObjective, rewardObjective, uncertaintyObjective } from '../../src/planning/objectives.js';
import { PlanningError } from '../../src/planning/optimizer.js';
import { Planner } from '../../src/planning/planner.js';
import type { RolloutModel } from '../../src/planning/rollout-model.js';
import { IntegratorModel, LineWorldModel } from './helpers.js';

async function episode(spec: OptimizerSpec | undefined, seed: number): Promise<{ success: boolean; steps: number; ret: number }> {
  const env = new LineWorld();
  const model = new LineWorldModel(env.params);
  let { observation } = await env.reset({ seed });
  const planner = spec && new Planner(model, { horizon: 15, actionLow: [-1], actionHigh: [1], optimizer: { ...spec, seed }, objective: rewardObjective() });
  let ret = 0;
  for (let steps = 1; steps <= 60; steps++) {
    const action = planner ? (await planner.plan(observation)).action : Float32Array.of(0);
    const r = await env.step(action);
    ret += r.reward;
    observation = r.observation;
    if (r.terminated) return { success: true, steps, ret };
  }
  await env.close();
  return { success: false, steps: 60, ret };
}

describe('MPC on LineWorld-v0 with an exact model (H = 15, 4 seeded episodes)', () => {
  const specs: [string, OptimizerSpec][] = [
    ['random shooting, 200 samples', { algorithm: 'random-shooting', samples: 200 }],
    ['CEM, 100 × 4', { algorithm: 'cem', samples: 100, iterations: 4 }],
    ['iCEM, 100 × 4', { algorithm: 'icem', samples: 100, iterations: 4 }],
    ['MPPI, 100 × 4, 10 elites, λ = 0.5', { algorithm: 'mppi', samples: 100, elites: 10, iterations: 4, temperature: 0.5 }],
  ];
  const totals = new Map<string, number>();

  it.each(specs)('%s reaches the goal within 20 steps with return ≥ −9.5 in every episode', async (name, spec) => {
    let total = 0;
    for (const seed of [1, 2, 3, 4]) {
      const { success, steps, ret } = await episode(spec, seed);
      expect(success).toBe(true);
      expect(steps).toBeLessThanOrEqual(20);
      expect(ret).toBeGreaterThanOrEqual(-9.5);
      total += ret;
    }
    totals.set(name, total);
  });

  it('CEM, iCEM and MPPI each earn at least random shooting’s total; doing nothing never succeeds', async () => {
    expect(totals.size).toBe(4);
    const rs = totals.get('random shooting, 200 samples')!;
    for (const [name, total] of totals) if (!name.startsWith('random')) expect(total).toBeGreaterThanOrEqual(rs);
    for (const seed of [1, 2]) expect((await episode(undefined, seed)).success).toBe(false);
  });
});

describe('Planner', () => {
  const model = new IntegratorModel(2);
  const make = (spec: OptimizerSpec = { algorithm: 'mppi', samples: 64, elites: 8, iterations: 3 }) =>
    new Planner(model, { horizon: 5, actionLow: [-1, -1], actionHigh: [1, 1], optimizer: spec, objective: rewardObjective() });

  it('returns the first action, the whole plan, statistics and a timing split', async () => {
    const planner = make();
    expect(Array.from(planner.actionLow)).toEqual([-1, -1]);
    expect(Array.from(planner.actionHigh)).toEqual([1, 1]);
    expect([planner.horizon, planner.actionDim]).toEqual([5, 2]);
    const result = await planner.plan(Float32Array.of(2, -1.5), { warmStart: false });
    expect(result.action).toHaveLength(2);
    expect(result.solution).toHaveLength(10);
    expect(Array.from(result.action)).toEqual(Array.from(result.solution.slice(0, 2)));
    // Drive the integrator to the origin: first actions push against the state.
    expect(result.action[0]).toBeLessThan(-0.5);
    expect(result.action[1]).toBeGreaterThan(0.5);
    expect(result.iterations).toHaveLength(3);
    expect(result.evaluations).toBe(192);
    const t = result.timing;
    expect(t.totalMs).toBeGreaterThan(0);
    expect(t.rolloutMs).toBeGreaterThan(0);
    expect(t.rolloutMs + t.scoringMs + t.overheadMs).toBeCloseTo(t.totalMs, 6);
  });

  it('same seed, same plan bits; warm starts make the second plan start from the first one shifted', async () => {
    const a = make({ algorithm: 'cem', samples: 50, iterations: 3, seed: 9 });
    const b = make({ algorithm: 'cem', samples: 50, iterations: 3, seed: 9 });
    const s = Float32Array.of(0.5, 0.5);
    const ra = await a.plan(s);
    const rb = await b.plan(s);
    expect(Buffer.from(ra.solution.buffer).equals(Buffer.from(rb.solution.buffer))).toBe(true);
    expect(Array.from(a.trajectory.startSequence(1))).toEqual([...Array.from(ra.mean.slice(2)), 0, 0]);
    // A per-plan seed makes plans reproducible regardless of what ran before.
    const c = await a.plan(s, { seed: 3, warmStart: false });
    const d = await b.plan(s, { seed: 3, warmStart: false });
    expect(Array.from(c.solution)).toEqual(Array.from(d.solution));
    a.reset();
    expect(a.trajectory.hasWarmStart).toBe(false);
  });

  it('plans with a published preset', async () => {
    const preset = publishedPresets.tdmpc2;
    const planner = new Planner(model, {
      horizon: preset.horizon,
      actionLow: [-1, -1],
      actionHigh: [1, 1],
      optimizer: preset.optimizer,
      objective: rewardObjective({ discount: preset.discount }),
    });
    const result = await planner.plan(Float32Array.of(1, 1));
    expect(result.evaluations).toBe(512 * 6);
    expect(result.action[0]).toBeLessThan(0);
  });

  it('sums several objectives: a goal plus an uncertainty penalty steers away from uncertain actions', async () => {
    // Uncertainty grows with the first action component's value: positive pushes are "unknown".
    const uncertain = new IntegratorModel(1, { uncertainty: () => 0 });
    const u: RolloutModel = {
      stateDim: 1,
      actionDim: 1,
      async rollout(states, actions, h) {
        const r = await uncertain.rollout(states, actions, h);
        return { ...r, uncertainty: Float32Array.from(actions, (a) => Math.max(0, a) * 10) };
      },
    };
    const goal = goalObjective({ goal: [2], norm: 'l1' });
    const spec: OptimizerSpec = { algorithm: 'cem', samples: 100, iterations: 5, seed: 1 };
    const plain = await new Planner(u, { horizon: 3, actionLow: [-1], actionHigh: [1], optimizer: spec, objective: goal }).plan(Float32Array.of(0));
    const cautious = await new Planner(u, { horizon: 3, actionLow: [-1], actionHigh: [1], optimizer: spec, objective: [goal, uncertaintyObjective({ weight: 1 })] }).plan(
      Float32Array.of(0),
    );
    expect(plain.action[0]).toBeGreaterThan(0.5);
    expect(cautious.action[0]).toBeLessThan(0.1);
  });

  it('counts NaN rollouts and fails clearly when every candidate is NaN', async () => {
    const poisoned = new IntegratorModel(1, { nanWhen: (a) => a > 0 });
    const planner = new Planner(poisoned, {
      horizon: 3,
      actionLow: [-1],
      actionHigh: [1],
      optimizer: { algorithm: 'cem', samples: 40, iterations: 3, execute: 'best' },
      objective: rewardObjective(),
    });
    const result = await planner.plan(Float32Array.of(-0.5));
    expect(result.nanCount).toBeGreaterThan(0);
    expect(result.action[0]).toBeLessThanOrEqual(0);
    const hopeless = new Planner(new IntegratorModel(1, { nanWhen: () => true }), {
      horizon: 3,
      actionLow: [-1],
      actionHigh: [1],
      optimizer: { algorithm: 'mppi', samples: 16, elites: 4 },
      objective: rewardObjective(),
    });
    await expect(hopeless.plan(Float32Array.of(0))).rejects.toThrow(/MppiOptimizer: the objective returned NaN for all 16 candidates in iteration 0/);
  });

  it('rejects bad input with messages that say what was expected', async () => {
    const planner = make();
    await expect(planner.plan(new Float32Array(3))).rejects.toThrow(
      /Planner.plan: expected `startState` to be a Float32Array of 2 values \(model.stateDim\), got Float32Array\(3\)/,
    );
    await expect(planner.plan(Float32Array.of(0, Number.NaN))).rejects.toThrow(/expected a finite `startState`, got NaN at index 1/);
    expect(() => new Planner(model, { horizon: 5, actionLow: [-1], actionHigh: [1], optimizer: { algorithm: 'cem' }, objective: rewardObjective() })).toThrow(
      /expected action bounds of length model.actionDim = 2, got 1/,
    );
    expect(() => new Planner(model, { horizon: 0, actionLow: [-1, -1], actionHigh: [1, 1], optimizer: { algorithm: 'cem' }, objective: rewardObjective() })).toThrow(
      /expected `horizon` to be a positive integer, got 0/,
    );
    expect(() => new Planner(model, { horizon: 2, actionLow: [-1, -1], actionHigh: [1, 1], optimizer: { algorithm: 'cem' }, objective: [] })).toThrow(
      /expected `objective` to be a PlanningObjective or a non-empty list of them/,
    );
    expect(() => new Planner({} as never, { horizon: 2, actionLow: [-1], actionHigh: [1], optimizer: { algorithm: 'cem' }, objective: rewardObjective() })).toThrow(
      /Planner: expected a RolloutModel \{ stateDim, actionDim, rollout \}/,
    );
    const broken: RolloutModel = { stateDim: 2, actionDim: 2, rollout: async () => ({ states: new Float32Array(3), rewards: new Float32Array(1) }) };
    const p2 = new Planner(broken, { horizon: 5, actionLow: [-1, -1], actionHigh: [1, 1], optimizer: { algorithm: 'cem', samples: 10 }, objective: rewardObjective() });
    await expect(p2.plan(new Float32Array(2))).rejects.toThrow(PlanningError);
    await expect(p2.plan(new Float32Array(2))).rejects.toThrow(/the model's rollout returned `states` of 3; expected a Float32Array of 100 values \(N=10, H=5, S=2\)/);
  });
});
