/**
 * The oracle: candidate sequences evaluated in the real environment from an exact start state.
 * LineWorld-v0 (pure TS) for the semantics; Reach-v0 and PushBox-v0 (Rapier) for exactness and oracle
 * MPC. The Rapier tests need Rapier's WASM to start and tier up, and the Reach MPC test plans a short
 * episode with a small budget (~4k Rapier steps): a few seconds in all on an idle core (~12 s measured
 * with the machine's load average at 15).
 */
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { LineWorld } from '../../environments/line-world/index.js';
import type { Env } from '../../src/env.js';
import { isStateful } from '../../src/env.js';
import { make } from '../../src/registry.js';
import { Box } from '../../src/spaces.js';
import { PhysicsRolloutModel } from '../../src/planning/physics-rollout-model.js';
import { Planner } from '../../src/planning/planner.js';
import { goalObjective, rewardObjective } from '../../src/planning/objectives.js';
import { Rng } from '../../src/rng.js';

const tile = (row: Float32Array, n: number) => {
  const out = new Float32Array(row.length * n);
  for (let i = 0; i < n; i++) out.set(row, i * row.length);
  return out;
};

async function lineWorldAt(seed: number, options: Record<string, unknown> = {}): Promise<{ env: Env & { getState(): unknown }; observation: Float32Array }> {
  const env = make('LineWorld-v0') as Env & { getState(): unknown };
  const { observation } = await env.reset({ seed, options });
  return { env, observation };
}

describe('PhysicsRolloutModel on LineWorld-v0', () => {
  it('returns exactly what stepping the real environment from the same state gives', async () => {
    const oracle = await PhysicsRolloutModel.create({ factory: () => make('LineWorld-v0') });
    expect([oracle.stateDim, oracle.actionDim]).toEqual([3, 1]);
    expect(Array.from(oracle.actionLow)).toEqual([-1]);
    const { env, observation } = await lineWorldAt(4);
    const state = env.getState();
    oracle.setStart(state, observation);
    const b = 5;
    const h = 7;
    const actions = Rng.fromSeed(1).fillUniform(new Float32Array(b * h), -1, 1);
    const result = await oracle.rollout(tile(observation, b), actions, h);
    for (let i = 0; i < b; i++) {
      (env as unknown as LineWorld & { setState(s: unknown): void }).setState(state);
      for (let t = 0; t < h; t++) {
        const step = await env.step(actions.slice(i * h + t, i * h + t + 1));
        expect(Array.from(result.states.slice((i * h + t) * 3, (i * h + t + 1) * 3))).toEqual(Array.from(step.observation));
        expect(result.rewards[i * h + t]).toBe(Math.fround(step.reward));
      }
    }
    expect(oracle.stats).toEqual({ candidates: 5, steps: 35, endedEarly: 0 });
    // A pool of three splits the work and gives the same bits.
    const pooled = await PhysicsRolloutModel.create({ factory: () => make('LineWorld-v0'), poolSize: 3 });
    pooled.setStart(state, observation);
    const again = await pooled.rollout(tile(observation, b), actions, h);
    expect(Array.from(again.states)).toEqual(Array.from(result.states));
    expect(Array.from(again.rewards)).toEqual(Array.from(result.rewards));
    await Promise.all([oracle.close(), pooled.close(), env.close()]);
  });

  it('after termination inside the horizon: rewards 0, states repeat, terminals 1', async () => {
    const { env, observation } = await lineWorldAt(1, { position: 0.4, goal: 0.52 });
    const oracle = await PhysicsRolloutModel.create({ factory: () => make('LineWorld-v0') });
    oracle.setStart(env.getState(), observation);
    // Candidate 0 pushes into the goal (terminates at step 1 or 2); candidate 1 pushes away.
    const h = 6;
    const actions = Float32Array.of(1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1);
    const r = await oracle.rollout(tile(observation, 2), actions, h);
    const endAt = Array.from(r.terminals!.slice(0, h)).indexOf(1);
    expect(endAt).toBeGreaterThanOrEqual(0);
    expect(endAt).toBeLessThan(h - 1);
    for (let t = endAt + 1; t < h; t++) {
      expect(r.rewards[t]).toBe(0);
      expect(r.terminals![t]).toBe(1);
      expect(Array.from(r.states.slice(t * 3, t * 3 + 3))).toEqual(Array.from(r.states.slice(endAt * 3, endAt * 3 + 3)));
    }
    expect(r.rewards[endAt]).toBeLessThan(0);
    expect(Array.from(r.terminals!.slice(h))).toEqual(new Array(h).fill(0));
    expect(oracle.stats.endedEarly).toBe(1);
    await Promise.all([oracle.close(), env.close()]);
  });

  it('after truncation (time limit) the last reward repeats by default, or is 0 on request', async () => {
    const limited = () => make('LineWorld-v0', {}, { maxEpisodeSteps: 3 });
    const env = limited() as Env & { getState(): unknown };
    const { observation } = await env.reset({ seed: 2 });
    const h = 5;
    const actions = new Float32Array(h);
    for (const [afterTruncation, expectTail] of [
      ['repeat-reward', 'repeat'],
      ['zero', 'zero'],
    ] as const) {
      const oracle = await PhysicsRolloutModel.create({ factory: limited, afterTruncation });
      oracle.setStart(env.getState(), observation);
      const r = await oracle.rollout(observation.slice(), actions, h);
      expect(r.rewards[3]).toBe(expectTail === 'repeat' ? r.rewards[2] : 0);
      expect(r.rewards[4]).toBe(r.rewards[3]);
      expect(Array.from(r.terminals!)).toEqual([0, 0, 0, 0, 0]);
      expect(Array.from(r.states.slice(12, 15))).toEqual(Array.from(r.states.slice(6, 9)));
      await oracle.close();
    }
    await env.close();
  });

  it('plans from the start it was given and says so when asked to plan from elsewhere', async () => {
    const oracle = await PhysicsRolloutModel.create({ factory: () => make('LineWorld-v0') });
    const { env, observation } = await lineWorldAt(3);
    await expect(oracle.rollout(observation.slice(), new Float32Array(2), 2)).rejects.toThrow(
      /rollout\(\) called before setStart\(\); call setStart\(env.getState\(\), observation\)/,
    );
    oracle.setStart(env.getState(), observation);
    const other = observation.slice();
    other[0] = other[0]! + 0.5;
    await expect(oracle.rollout(tile(other, 2), new Float32Array(4), 2)).rejects.toThrow(
      /states row 0 differs from the start observation at index 0 .*the oracle rolls out only from the state given to setStart/,
    );
    await expect(oracle.rollout(observation.slice(), new Float32Array(3), 2)).rejects.toThrow(/expected `actions` to be a Float32Array of B × H × A = 1 × 2 × 1 values/);
    await expect(oracle.rollout(observation.slice(), new Float32Array(2), 0)).rejects.toThrow(/expected `horizon` to be a positive integer, got 0/);
    expect(() => oracle.setStart(env.getState(), Float32Array.of(1))).toThrow(/setStart: invalid observation: expected 3 values/);
    const unchecked = await PhysicsRolloutModel.create({ factory: () => make('LineWorld-v0'), checkStates: false });
    unchecked.setStart(env.getState(), observation);
    await expect(unchecked.rollout(tile(other, 2), new Float32Array(4), 2)).resolves.toBeDefined();
    await Promise.all([oracle.close(), unchecked.close(), env.close()]);
  });

  it('rejects environments it cannot use, and closes everything it built (twice is fine)', async () => {
    const closed: string[] = [];
    const plain: Env = {
      spec: { id: 'Plain-v0' },
      observationSpace: new Box(-1, 1, [1]),
      actionSpace: new Box(-1, 1, [1]),
      metadata: { renderModes: [] },
      reset: async () => ({ observation: new Float32Array(1), info: {} }),
      step: async () => ({ observation: new Float32Array(1), reward: 0, terminated: false, truncated: false, info: {} }),
      close: async () => void closed.push('plain'),
    };
    expect(isStateful(plain)).toBe(false);
    await expect(PhysicsRolloutModel.create({ factory: () => plain })).rejects.toThrow(/expected a Stateful environment \(getState\/setState\), got Plain-v0 without them/);
    expect(closed).toEqual(['plain']);
    await expect(PhysicsRolloutModel.create({ factory: () => make('LineWorld-v0'), poolSize: 0 })).rejects.toThrow(/PhysicsRolloutModel options: `poolSize`/);

    const envs: LineWorld[] = [];
    const oracle = await PhysicsRolloutModel.create({
      factory: () => {
        const e = new LineWorld();
        envs.push(e);
        return e;
      },
      poolSize: 2,
    });
    await oracle.close();
    await oracle.close();
    // Closed environments refuse to step: the pool really was released.
    await expect(envs[0]!.step(Float32Array.of(0))).rejects.toThrow(/step\(\) called after close\(\)/);
    await expect(envs[1]!.step(Float32Array.of(0))).rejects.toThrow(/step\(\) called after close\(\)/);
    await expect(oracle.rollout(new Float32Array(3), new Float32Array(1), 1)).rejects.toThrow(/rollout\(\) called after close\(\)/);
  });

  it('oracle MPC solves LineWorld', async () => {
    const oracle = await PhysicsRolloutModel.create({ factory: () => make('LineWorld-v0') });
    const planner = new Planner(oracle, {
      horizon: 10,
      actionLow: oracle.actionLow,
      actionHigh: oracle.actionHigh,
      optimizer: { algorithm: 'cem', samples: 32, iterations: 3, seed: 1 },
      objective: rewardObjective(),
    });
    for (const seed of [5, 6]) {
      const { env, observation: first } = await lineWorldAt(seed);
      let observation = first;
      let success = false;
      for (let step = 0; step < 40 && !success; step++) {
        oracle.setStart(env.getState(), observation);
        const r = await env.step((await planner.plan(observation)).action);
        observation = r.observation;
        success = r.terminated && r.info.success === true;
      }
      expect(success).toBe(true);
      planner.reset();
      await env.close();
    }
    await oracle.close();
  });
});

describe('PhysicsRolloutModel on Rapier environments', () => {
  it.each(['Reach-v0', 'PushBox-v0'])('%s: rollouts equal stepping the real environment from its exact state, bit for bit', async (id) => {
    const oracle = await PhysicsRolloutModel.create({ factory: () => make(id), poolSize: 2 });
    const env = make(id) as Env & { getState(): unknown; setState(s: unknown): void };
    let { observation } = await env.reset({ seed: 7 });
    // Start mid-episode, with contacts and velocities in flight.
    for (let i = 0; i < 5; i++) observation = (await env.step(Float32Array.of(0.8, -0.6))).observation;
    const state = env.getState();
    oracle.setStart(state, observation);
    const b = 4;
    const h = 6;
    const a = oracle.actionDim;
    const actions = Rng.fromSeed(3).fillUniform(new Float32Array(b * h * a), -1, 1);
    const r = await oracle.rollout(tile(observation, b), actions, h);
    for (let i = 0; i < b; i++) {
      env.setState(state);
      for (let t = 0; t < h; t++) {
        const step = await env.step(actions.slice((i * h + t) * a, (i * h + t + 1) * a));
        const row = i * h + t;
        expect(Array.from(r.states.slice(row * oracle.stateDim, (row + 1) * oracle.stateDim))).toEqual(Array.from(step.observation));
        expect(r.rewards[row]).toBe(Math.fround(step.reward));
        if (step.terminated || step.truncated) break;
      }
    }
    await Promise.all([oracle.close(), env.close()]);
  });

  it('oracle MPC drives the Reach ball to the goal', async () => {
    const oracle = await PhysicsRolloutModel.create({ factory: () => make('Reach-v0') });
    expect([oracle.stateDim, oracle.actionDim]).toEqual([6, 2]);
    const env = make('Reach-v0') as Env & { getState(): unknown };
    let { observation } = await env.reset({ seed: 3, options: { start: [-0.2, 0.1], goal: [0.15, -0.1] } });
    // Observation indices 0, 1 are the ball position; 4, 5 the goal: reach it.
    const goal = goalObjective({ goal: [0.15, -0.1], dims: [0, 1], norm: 'l2', steps: 'all' });
    const planner = new Planner(oracle, {
      horizon: 8,
      actionLow: oracle.actionLow,
      actionHigh: oracle.actionHigh,
      optimizer: { algorithm: 'mppi', samples: 24, elites: 6, iterations: 2, temperature: 0.05, seed: 2 },
      objective: goal,
    });
    let success = false;
    let steps = 0;
    while (!success && steps < 30) {
      oracle.setStart(env.getState(), observation);
      const r = await env.step((await planner.plan(observation)).action);
      steps++;
      observation = r.observation;
      success = r.info.success === true;
      if (r.truncated) break;
    }
    expect(success).toBe(true);
    expect(oracle.stats.steps).toBeGreaterThan(0);
    await Promise.all([oracle.close(), env.close()]);
  });
});
