/**
 * localPlanSource end to end on LineWorld-v0 (pure TS, fast): the physics oracle, a Planner, the MPC
 * agent and runEpisode together. ~2 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstValueFrom, from, lastValueFrom, toArray } from 'rxjs';
import '../../environments/line-world/index.js';
import { make } from '../../src/registry.js';
import { Planner, PhysicsRolloutModel, rewardObjective, type RolloutModel } from '../../src/planning/index.js';
import { localPlanSource } from '../../agents/local-plan-source.js';
import { mpcAgent, type MpcTelemetry } from '../../agents/mpc-agent.js';
import { runEpisode } from '../../agents/run-episode.js';
import { evaluateAgent } from '../../agents/run-episodes.js';

let oracle: PhysicsRolloutModel;
const plannerOver = (model: RolloutModel, low: ArrayLike<number>, high: ArrayLike<number>) =>
  new Planner(model, { horizon: 12, actionLow: low, actionHigh: high, optimizer: { algorithm: 'mppi', samples: 64, elites: 16, iterations: 3 }, objective: rewardObjective() });

beforeAll(async () => {
  oracle = await PhysicsRolloutModel.create({ factory: () => make('LineWorld-v0') });
});
afterAll(() => oracle.close());

describe('localPlanSource', () => {
  it('oracle MPC solves LineWorld-v0 on every seed', async () => {
    const agent = mpcAgent({ source: localPlanSource({ planner: plannerOver(oracle, oracle.actionLow, oracle.actionHigh) }) });
    const events: MpcTelemetry[] = [];
    agent.telemetry$.subscribe((e) => events.push(e));
    const { summary, results } = await evaluateAgent(() => make('LineWorld-v0'), agent, { seeds: [0, 1, 2, 3, 4] });
    expect(summary.successRate).toBe(1);
    expect(Math.max(...results.map((r) => r.length))).toBeLessThan(80);
    const plans = events.filter((e) => e.kind === 'plan');
    expect(plans).toHaveLength(results.reduce((s, r) => s + r.length, 0));
    expect(plans.every((p) => p.kind === 'plan' && p.iterations === 3 && p.nanCount === 0 && !p.fallbackUsed)).toBe(true);
  });

  it('serves two concurrent episodes on one oracle source without mixing their start states', async () => {
    const agent = mpcAgent({ source: localPlanSource({ planner: plannerOver(oracle, oracle.actionLow, oracle.actionHigh) }) });
    const { summary } = await evaluateAgent(() => make('LineWorld-v0'), agent, { seeds: [10, 11, 12, 13], concurrency: 2 });
    expect(summary.successRate).toBe(1);
  });

  it('is reproducible: the same seeds give the same actions', async () => {
    const run = () => {
      const agent = mpcAgent({ source: localPlanSource({ planner: plannerOver(oracle, oracle.actionLow, oracle.actionHigh) }), seed: 3 });
      return lastValueFrom(runEpisode(() => make('LineWorld-v0'), agent, { seed: 8, maxSteps: 15 }).pipe(toArray()));
    };
    const a = await run();
    const b = await run();
    expect(a.map((t) => t.action[0])).toEqual(b.map((t) => t.action[0]));
  });

  it('plans from the observation for a model without encode, warm-started from the planner memory', async () => {
    // An exact analytic LineWorld model (x, v, goal) → the same rollouts as the oracle, without Rapier or state sync.
    const env = make('LineWorld-v0');
    const { observation } = await env.reset({ seed: 2 });
    const analytic: RolloutModel = {
      stateDim: 3,
      actionDim: 1,
      async rollout(states, actions, h) {
        const b = states.length / 3;
        const out = { states: new Float32Array(b * h * 3), rewards: new Float32Array(b * h) };
        for (let i = 0; i < b; i++) {
          let x = states[i * 3]!;
          let v = states[i * 3 + 1]!;
          const g = states[i * 3 + 2]!;
          for (let t = 0; t < h; t++) {
            v = Math.max(-2, Math.min(2, v + (actions[i * h + t]! - 0.1 * v) * 0.1));
            x = Math.max(-2, Math.min(2, x + v * 0.1));
            out.states.set([x, v, g], (i * h + t) * 3);
            out.rewards[i * h + t] = -Math.abs(x - g);
          }
        }
        return out;
      },
    };
    const source = localPlanSource({ planner: plannerOver(analytic, [-1], [1]) });
    expect([source.horizon, source.actionDim, Array.from(source.actionLow), Array.from(source.actionHigh)]).toEqual([12, 1, [-1], [1]]);
    const percept = { observation, info: {}, step: 0, seed: 2 };
    const first = await firstValueFrom(from(source.plan({ percept, warmStart: undefined, shift: undefined, seed: 1 })));
    expect(first.actions).toHaveLength(12);
    // Toward the goal: the first action pushes in the direction of (goal − x).
    expect(Math.sign(first.actions[0]!)).toBe(Math.sign(observation[2]! - observation[0]!));
    expect(source.planner.trajectory.hasWarmStart).toBe(true);
    await env.close();
  });

  it('explains what is missing', async () => {
    const source = localPlanSource({ planner: plannerOver(oracle, oracle.actionLow, oracle.actionHigh) });
    const percept = { observation: Float32Array.of(0, 0, 1), info: {}, step: 0, seed: 0 };
    expect(() => source.plan({ percept, warmStart: undefined, shift: undefined, seed: 0 })).toThrow(/the oracle needs the environment state with each percept/);
    expect(() => localPlanSource({ planner: {} as Planner })).toThrow(/expected options \{ planner: Planner, … \}/);
    expect(() => localPlanSource({ planner: plannerOver(oracle, oracle.actionLow, oracle.actionHigh), start: 'encode' })).toThrow(
      /`start: 'encode'` needs a planner over a model with `encode`/,
    );
  });
});
