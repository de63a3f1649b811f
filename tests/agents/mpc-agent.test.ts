/**
 * mpcAgent timing logic under virtual time. The plan source is a test double whose plans are cold
 * marble observables: plan for the percept at step s is [s·10, s·10+1, …] (A = 1), so every emitted
 * action says which plan and which row it came from.
 */
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { lastValueFrom, map, of, throwError, toArray, type Observable } from 'rxjs';
import { mpcAgent, shifted, type MpcTelemetry } from '../../agents/mpc-agent.js';
import type { PlanOutcome, PlanRequest, PlanSource } from '../../agents/plan-source.js';
import type { Percept } from '../../agents/types.js';
import { runEpisode } from '../../agents/run-episode.js';
import { PointEnv } from './fixtures/point-env.js';

const H = 4;
const percept = (step: number): Percept => ({ observation: Float32Array.of(step), info: {}, step, seed: 1 });
const planFor = (step: number): PlanOutcome => ({ actions: Float32Array.from({ length: H }, (_, h) => step * 10 + h), iterations: 3, bestCost: -step, nanCount: 0 });

function source(delay: (req: PlanRequest) => Observable<PlanOutcome>): PlanSource & { requests: PlanRequest[] } {
  const requests: PlanRequest[] = [];
  return {
    horizon: H,
    actionDim: 1,
    actionLow: Float32Array.of(-100),
    actionHigh: Float32Array.of(100),
    requests,
    plan(req) {
      requests.push(req);
      return delay(req);
    },
  };
}

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const values = { a: percept(0), b: percept(1), c: percept(2), d: percept(3), e: percept(4), f: percept(5) };
const describeEvent = (e: MpcTelemetry) =>
  e.kind === 'plan' ? `plan@${e.step}:${e.fallbackUsed ? 'late' : 'ok'}:shift${e.shift}:${e.ms}ms` : `fallback@${e.step}:${e.reason}:${e.action}`;
const asNumbers = (o: Observable<Float32Array>) => o.pipe(map((a) => a[0]!));

describe('mpcAgent (virtual time)', () => {
  it('answers percept i with action i, replanning every step from the shifted previous plan', () => {
    const ts = newScheduler();
    ts.run(({ cold, hot, expectObservable }) => {
      const src = source((req) => cold('--(p|)', { p: planFor(req.percept.step) }));
      const agent = mpcAgent({ source: src, scheduler: ts });
      const input = hot('a----b----c|', values);
      expectObservable(asNumbers(input.pipe(agent))).toBe('--x----y----(z|)', { x: 0, y: 10, z: 20 });
      ts.flush();
      expect(src.requests[0]!.warmStart).toBeUndefined();
      expect(Array.from(src.requests[1]!.warmStart!)).toEqual([1, 2, 3, 3]);
      expect(Array.from(src.requests[2]!.warmStart!)).toEqual([11, 12, 13, 13]);
    });
  });

  it('executes the first k actions of a plan before replanning (replanEvery)', () => {
    const ts = newScheduler();
    ts.run(({ cold, hot, expectObservable }) => {
      const src = source((req) => cold('-(p|)', { p: planFor(req.percept.step) }));
      const agent = mpcAgent({ source: src, scheduler: ts, replanEvery: 2 });
      const input = hot('a--b--c--d--e|', values);
      expectObservable(asNumbers(input.pipe(agent))).toBe('-u-v---w-x---(y|)', { u: 0, v: 1, w: 20, x: 21, y: 40 });
    });
  });

  it('falls back to the previous plan at the deadline, adopts the late plan shifted, and replans for the waiting percept', () => {
    const ts = newScheduler();
    ts.run(({ cold, hot, expectObservable }) => {
      const events: MpcTelemetry[] = [];
      // Plan for step 1 takes 6 frames; the others 1. Deadline 3.
      const src = source((req) => cold(req.percept.step === 1 ? '------(p|)' : '-(p|)', { p: planFor(req.percept.step) }));
      const agent = mpcAgent({ source: src, scheduler: ts, deadlineMs: 3 });
      agent.telemetry$.subscribe((e) => events.push(e));
      // a@0 → plan 0 @1 → 0. b@4: plan 1 is late → deadline @7 → previous plan row 1 → 1.
      // c@9 waits for plan 1 (still computing); it lands @10 (shift 1) → c replans (plan 2 @11) → 20.
      // d@13 → plan 3 @14 → 30.
      const input = hot('a---b----c---d---|', values);
      expectObservable(asNumbers(input.pipe(agent))).toBe('-x-----y---z--w--|', { x: 0, y: 1, z: 20, w: 30 });
      ts.flush();
      expect(events.map(describeEvent)).toEqual([
        'plan@0:ok:shift0:1ms',
        'fallback@1:deadline:previous-plan',
        'plan@1:late:shift1:6ms',
        'plan@2:ok:shift0:1ms',
        'plan@3:ok:shift0:1ms',
      ]);
    });
  });

  it('falls back when a percept waits for an earlier late plan past its own deadline', () => {
    const ts = newScheduler();
    ts.run(({ cold, hot, expectObservable }) => {
      const events: MpcTelemetry[] = [];
      // Plan for step 1 takes 12 frames (lands @16). Deadline 4.
      const src = source((req) => cold(req.percept.step === 1 ? '------------(p|)' : '-(p|)', { p: planFor(req.percept.step) }));
      const agent = mpcAgent({ source: src, scheduler: ts, deadlineMs: 4 });
      agent.telemetry$.subscribe((e) => events.push(e));
      // b@4 falls back @8 (row 1); c@9 waits for plan 1 and falls back @13 (row 2); d@14 waits;
      // plan 1 lands @16 with shift 2 → d replans (plan 3 @17) → 30.
      const input = hot('a---b----c----d----|', values);
      expectObservable(asNumbers(input.pipe(agent))).toBe('-x------y----z---w-|', { x: 0, y: 1, z: 2, w: 30 });
      ts.flush();
      expect(events.map(describeEvent)).toEqual([
        'plan@0:ok:shift0:1ms',
        'fallback@1:deadline:previous-plan',
        'fallback@2:plan-in-flight:previous-plan',
        'plan@1:late:shift2:12ms',
        'plan@3:ok:shift0:1ms',
      ]);
    });
  });

  it('uses the late plan from its shifted row when the next percept needs no replan', () => {
    const ts = newScheduler();
    ts.run(({ cold, hot, expectObservable }) => {
      const src = source((req) => cold(req.percept.step === 0 ? '----(p|)' : '-(p|)', { p: planFor(req.percept.step) }));
      const agent = mpcAgent({ source: src, scheduler: ts, deadlineMs: 2, replanEvery: 3, defaultAction: Float32Array.of(-1) });
      // a@0 misses its deadline @2 → default action −1; plan 0 lands @4 with shift 1 (sinceReplan 1 < 3).
      // b@5 → row 1 of plan 0 = 1; c@7 → row 2 = 2; d@9 → replan (plan 3 @10) → 30.
      const input = hot('a----b-c-d|', values);
      expectObservable(asNumbers(input.pipe(agent))).toBe('--x--y-z--(w|)', { x: -1, y: 1, z: 2, w: 30 });
    });
  });

  it('answers with the midpoint of the action bounds when the first plan is late', () => {
    const ts = newScheduler();
    ts.run(({ cold, hot, expectObservable }) => {
      const src = { ...source((req) => cold('-----(p|)', { p: planFor(req.percept.step) })), actionLow: Float32Array.of(-2), actionHigh: Float32Array.of(4) };
      expectObservable(asNumbers(hot('a|', values).pipe(mpcAgent({ source: src, scheduler: ts, deadlineMs: 2 })))).toBe('--(x|)', { x: 1 });
    });
  });

  it('queues percepts that arrive while an earlier one waits for its plan', () => {
    const ts = newScheduler();
    ts.run(({ cold, hot, expectObservable }) => {
      const src = source((req) => cold('---(p|)', { p: planFor(req.percept.step) }));
      const agent = mpcAgent({ source: src, scheduler: ts });
      expectObservable(asNumbers(hot('ab|', values).pipe(agent))).toBe('---x--(y|)', { x: 0, y: 10 });
    });
  });

  it('cancels the plan in flight when the episode is unsubscribed', () => {
    const ts = newScheduler();
    ts.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const plans: ReturnType<typeof cold<PlanOutcome>>[] = [];
      const src = source((req) => {
        const p = cold<PlanOutcome>('-----(p|)', { p: planFor(req.percept.step) });
        plans.push(p);
        return p;
      });
      const agent = mpcAgent({ source: src, scheduler: ts });
      expectObservable(asNumbers(hot('a------b---', values).pipe(agent)), '^---------!').toBe('-----x----', { x: 0 });
      ts.flush();
      expect(plans).toHaveLength(2);
      expectSubscriptions(plans[0]!.subscriptions).toBe('^----!');
      expectSubscriptions(plans[1]!.subscriptions).toBe('-------^--!');
    });
  });

  it('sends planner errors and unusable plans to error', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const failing = source(() => throwError(() => new Error('rollout failed')));
      expectObservable(asNumbers(hot('a|', values).pipe(mpcAgent({ source: failing, scheduler: ts })))).toBe('#', undefined, new Error('rollout failed'));
    });
    const ts2 = newScheduler();
    ts2.run(({ hot, expectObservable }) => {
      const throwing = source(() => {
        throw new RangeError('cannot plan from here');
      });
      const agent = mpcAgent({ source: throwing, scheduler: ts2, deadlineMs: 2 });
      const events: MpcTelemetry[] = [];
      agent.telemetry$.subscribe((e) => events.push(e));
      expectObservable(asNumbers(hot('a---|', values).pipe(agent))).toBe('#', undefined, new RangeError('cannot plan from here'));
      ts2.flush();
      expect(events).toEqual([]); // no deadline fallback fires after the error
    });
    const nanPlan = source(() => of({ ...planFor(0), actions: Float32Array.of(0, 1, Number.NaN, 3) }));
    const errors: unknown[] = [];
    of(percept(0))
      .pipe(mpcAgent({ source: nanPlan }))
      .subscribe({ error: (e) => errors.push(e) });
    expect(String(errors[0])).toMatch(
      /PlanningError: mpcAgent: the planner returned an unusable plan at step 0: expected finite actions, got NaN at index 2 \(step 2, dimension 0\)/,
    );
    const short = source(() => of({ ...planFor(0), actions: Float32Array.of(0, 1) }));
    of(percept(0))
      .pipe(mpcAgent({ source: short }))
      .subscribe({ error: (e) => errors.push(e) });
    expect(String(errors[1])).toMatch(/expected 4 action values \(H=4 × A=1\), got 2/);
  });

  it('rejects bad options with clear errors', () => {
    const src = source(() => of(planFor(0)));
    expect(() => mpcAgent({ source: src, replanEvery: 5 })).toThrow(/`replanEvery` \(5\) must not exceed the horizon \(4\)/);
    expect(() => mpcAgent({ source: src, deadlineMs: 0 })).toThrow(/mpcAgent options: `deadlineMs`/);
    expect(() => mpcAgent({ source: {} as PlanSource })).toThrow(/expected a PlanSource/);
    expect(() => mpcAgent({ source: src, defaultAction: Float32Array.of(0, 0) })).toThrow(/expected `defaultAction` of length 1 .* got 2/);
  });

  it('drives a real episode and derives reproducible, distinct plan seeds', async () => {
    const seeds: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const src = source((req) => of({ ...planFor(0), actions: Float32Array.from({ length: H }, () => -Math.sign(req.percept.observation[0]!) * 0.5) }));
      await lastValueFrom(runEpisode(() => new PointEnv(), mpcAgent({ source: src, seed: 5 }), { seed: 3, maxSteps: 5 }).pipe(toArray()));
      seeds.push(src.requests.map((r) => r.seed));
    }
    expect(seeds[0]).toEqual(seeds[1]);
    expect(new Set(seeds[0]).size).toBe(5);
    expect(Array.from(shifted(Float32Array.of(1, 2, 3, 4, 5, 6), 1, 3, 2))).toEqual([3, 4, 5, 6, 5, 6]);
  });
});
