/**
 * mpcController: the one MPC loop. A fake plan source records every request; its plan for the percept
 * at step s is [s·10, s·10+1, …] (A = 1), so every action says which plan and which row it came from.
 */
import { describe, expect, it } from 'vitest';
import { EMPTY, lastValueFrom, of, throwError, toArray } from 'rxjs';
import { AgentProtocolError } from '../../agents/errors.js';
import { PlanningError } from '../../src/planning/optimizer.js';
import { mpcAgent } from '../../agents/mpc-agent.js';
import { controllerPolicy, mpcController } from '../../agents/mpc-controller.js';
import type { PlanOutcome, PlanRequest, PlanSource } from '../../agents/plan-source.js';
import { policyAgent } from '../../agents/policy-agent.js';
import { runEpisode } from '../../agents/run-episode.js';
import type { Agent, Percept } from '../../agents/types.js';
import { Rng } from '../../src/rng.js';
import { PointEnv } from './fixtures/point-env.js';
import { createPlanSource } from './fixtures/point-planner.js';

const H = 4;
const percept = (step: number, seed = 1): Percept => ({ observation: Float32Array.of(step), info: {}, step, seed });
const planFor = (step: number): PlanOutcome => ({ actions: Float32Array.from({ length: H }, (_, h) => step * 10 + h), iterations: 3, bestCost: -step, nanCount: 0 });

function fakeSource(plan: (req: PlanRequest) => ReturnType<PlanSource['plan']> = (req) => of(planFor(req.percept.step))): PlanSource & { requests: PlanRequest[] } {
  const requests: PlanRequest[] = [];
  return {
    horizon: H,
    actionDim: 1,
    actionLow: Float32Array.of(-100),
    actionHigh: Float32Array.of(100),
    requests,
    plan(req) {
      requests.push(req);
      return plan(req);
    },
  };
}

/** Acts on percepts 0 … n−1 of one episode; returns the first action value of each. */
async function actAll(controller: ReturnType<typeof mpcController>, n: number, seed = 1): Promise<number[]> {
  const out: number[] = [];
  for (let t = 0; t < n; t++) out.push((await controller.act(percept(t, seed))).action[0]!);
  return out;
}

const planSeed = (seed: number, episode: number, step: number) => Rng.fromSeed(seed).derive(episode).derive(step).nextSeed();

describe('mpcController', () => {
  it('takes replanEvery actions from each plan and reports the plan made for a percept', async () => {
    const src = fakeSource();
    const controller = mpcController({ source: src, replanEvery: 2 });
    controller.reset(1);
    const decisions = [];
    for (let t = 0; t < 5; t++) decisions.push(await controller.act(percept(t)));
    expect(decisions.map((d) => d.action[0])).toEqual([0, 1, 20, 21, 40]);
    expect(decisions.map((d) => d.outcome?.bestCost)).toEqual([-0, undefined, -2, undefined, -4]);
    expect(src.requests.map((r) => r.percept.step)).toEqual([0, 2, 4]);
  });

  it('replans when the plan is used up, even before replanEvery actions', async () => {
    const src = fakeSource();
    const controller = mpcController({ source: src, replanEvery: H });
    controller.reset(0);
    expect(await actAll(controller, 6, 0)).toEqual([0, 1, 2, 3, 40, 41]);
  });

  it('warm-starts each plan with the previous plan shifted to the current step, and passes the steps since it as shift', async () => {
    const src = fakeSource();
    const controller = mpcController({ source: src, replanEvery: 2 });
    controller.reset(1);
    await actAll(controller, 5);
    expect(src.requests.map((r) => r.warmStart && Array.from(r.warmStart))).toEqual([undefined, [2, 3, 3, 3], [22, 23, 23, 23]]);
    expect(src.requests.map((r) => r.shift)).toEqual([undefined, 2, 2]);
  });

  it('seeds plan t of episode e with Rng.fromSeed(seed).derive(e).derive(t).nextSeed()', async () => {
    const seedsOf = async (seed: number, episode: number) => {
      const src = fakeSource();
      const controller = mpcController({ source: src, seed });
      controller.reset(episode);
      await actAll(controller, 4, episode);
      return src.requests.map((r) => r.seed);
    };
    const a = await seedsOf(7, 3);
    expect(a).toEqual([0, 1, 2, 3].map((t) => planSeed(7, 3, t)));
    expect(await seedsOf(7, 3)).toEqual(a);
    expect(new Set(a).size).toBe(4);
    const otherEpisode = await seedsOf(7, 4);
    const otherSeed = await seedsOf(8, 3);
    for (let t = 0; t < 4; t++) {
      expect(otherEpisode[t]).not.toBe(a[t]);
      expect(otherSeed[t]).not.toBe(a[t]);
    }
  });

  it('starts a new episode (cold, seeded by the percept) at a step-0 percept not preceded by reset', async () => {
    const src = fakeSource();
    const controller = mpcController({ source: src, seed: 2 });
    await actAll(controller, 2, 5);
    await actAll(controller, 2, 6);
    expect(src.requests.map((r) => [r.percept.step, r.shift, r.warmStart === undefined, r.seed])).toEqual([
      [0, undefined, true, planSeed(2, 5, 0)],
      [1, 1, false, planSeed(2, 5, 1)],
      [0, undefined, true, planSeed(2, 6, 0)],
      [1, 1, false, planSeed(2, 6, 1)],
    ]);
  });

  it('rejects unusable plans, empty sources and source errors', async () => {
    const nan = mpcController({ source: fakeSource(() => of({ ...planFor(0), actions: Float32Array.of(0, 1, Number.NaN, 3) })) });
    const error = await nan.act(percept(0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanningError);
    expect(String(error)).toMatch(
      /PlanningError: mpcController: the planner returned an unusable plan at step 0: expected finite actions, got NaN at index 2 \(step 2, dimension 0\)/,
    );
    const short = mpcController({ source: fakeSource(() => of({ ...planFor(0), actions: Float32Array.of(0, 1) })) });
    await expect(short.act(percept(0))).rejects.toThrow(/expected 4 action values \(H=4 × A=1\), got 2/);
    const notAPlan = mpcController({ source: fakeSource(() => of(undefined as unknown as PlanOutcome)) });
    await expect(notAPlan.act(percept(0))).rejects.toThrow(/unusable plan at step 0: expected \{ actions: Float32Array, … \}, got undefined/);
    const empty = mpcController({ source: fakeSource(() => EMPTY) });
    await expect(empty.act(percept(0))).rejects.toThrow(/mpcController: the plan source completed without a plan at step 0/);
    const failing = mpcController({ source: fakeSource(() => throwError(() => new Error('rollout failed'))) });
    await expect(failing.act(percept(0))).rejects.toThrow('rollout failed');
    const throwing = mpcController({
      source: fakeSource(() => {
        throw new RangeError('cannot plan from here');
      }),
    });
    await expect(throwing.act(percept(0))).rejects.toThrow(RangeError);
  });

  it('rejects a second act before the first settled', async () => {
    const controller = mpcController({ source: fakeSource((req) => new Promise((r) => setTimeout(() => r(planFor(req.percept.step)), 5))) });
    const first = controller.act(percept(0));
    await expect(controller.act(percept(1))).rejects.toThrow(AgentProtocolError);
    expect((await first).action[0]).toBe(0);
    expect((await controller.act(percept(1))).action[0]).toBe(10);
  });

  it('rejects bad options and seeds with clear errors', () => {
    const src = fakeSource();
    expect(() => mpcController({ source: src, replanEvery: 5 })).toThrow(/mpcController options: `replanEvery` \(5\) must not exceed the horizon \(4\)/);
    expect(() => mpcController({ source: src, replanEvery: 0 })).toThrow(/mpcController options: `replanEvery`/);
    expect(() => mpcController({ source: src, seed: -1 })).toThrow(/mpcController options: `seed`/);
    expect(() => mpcController({ source: {} as PlanSource })).toThrow(/mpcController options: `source`: expected a PlanSource/);
    expect(() => mpcController({ source: src, deadlineMs: 3 } as never)).toThrow(/mpcController options/);
    expect(() => mpcController({ source: { ...src, horizon: 0 } })).toThrow(/mpcController: expected the plan source's `horizon` to be a positive integer, got 0/);
    expect(() => mpcController({ source: src }).reset(-1)).toThrow(/mpcController.reset: expected `episodeSeed` to be a non-negative safe integer, got -1/);
    const controller = mpcController({ source: src });
    expect(() => controllerPolicy(controller, { name: '' })).toThrow(/controllerPolicy options: `name`/);
    expect(() => controllerPolicy({} as typeof controller, { name: 'x' })).toThrow(/controllerPolicy: expected an MpcController/);
  });
});

describe('controllerPolicy', () => {
  it('resets the controller between episodes and numbers steps from 0', async () => {
    const src = fakeSource();
    const policy = controllerPolicy(mpcController({ source: src, replanEvery: 2, seed: 4 }), { name: 'planner:test' });
    expect(policy.name).toBe('planner:test');
    const episode = async (seed: number) => {
      policy.reset!(seed);
      const out: number[] = [];
      for (let t = 0; t < 3; t++) out.push((await policy.act(Float32Array.of(t), {}))[0]!);
      return out;
    };
    expect(await episode(10)).toEqual([0, 1, 20]);
    expect(await episode(11)).toEqual([0, 1, 20]);
    expect(src.requests.map((r) => [r.percept.step, r.percept.seed, r.shift, r.warmStart === undefined, r.seed])).toEqual([
      [0, 10, undefined, true, planSeed(4, 10, 0)],
      [2, 10, 2, false, planSeed(4, 10, 2)],
      [0, 11, undefined, true, planSeed(4, 11, 0)],
      [2, 11, 2, false, planSeed(4, 11, 2)],
    ]);
  });

  it('hands the acting environment state to the source with each percept', async () => {
    const states: unknown[] = [];
    const src = fakeSource((req) => {
      states.push(req.percept.state?.());
      return of(planFor(req.percept.step));
    });
    let x = 0;
    const policy = controllerPolicy(mpcController({ source: src }), { name: 'oracle', state: () => ({ x: x++ }) });
    policy.reset!(0);
    await policy.act(Float32Array.of(0));
    await policy.act(Float32Array.of(1));
    expect(states).toEqual([{ x: 0 }, { x: 1 }]);
  });
});

describe('one MPC loop', () => {
  it('mpcAgent (deadlineMs Infinity) acts exactly like the controller-driven policy on the same source and seeds', async () => {
    const run = async (agentFor: (source: PlanSource) => Agent) => {
      const requests: PlanRequest[] = [];
      const inner = createPlanSource({ horizon: 5, samples: 16 });
      const source: PlanSource = { ...inner, plan: (req) => (requests.push(req), inner.plan(req)) };
      const agent = agentFor(source);
      const actions: number[][] = [];
      for (const seed of [3, 4]) {
        const transitions = await lastValueFrom(runEpisode(() => new PointEnv(), agent, { seed, maxSteps: 7 }).pipe(toArray()));
        actions.push(transitions.map((t) => t.action[0]!));
      }
      return { actions, requests: requests.map((r) => [r.percept.step, r.percept.seed, r.shift, r.warmStart && Array.from(r.warmStart), r.seed]) };
    };
    const options = { replanEvery: 2, seed: 9 };
    const fromAgent = await run((source) => mpcAgent({ source, ...options }));
    const fromPolicy = await run((source) => policyAgent(controllerPolicy(mpcController({ source, ...options }), { name: 'mpc' })));
    expect(fromAgent.actions.flat().length).toBeGreaterThan(8);
    expect(fromPolicy).toEqual(fromAgent);
  });
});
