/**
 * controlLoop under fake timers: the clock, the agent's thinking time and the environment's step time
 * are all timers, so every tick's outcome is exact (no timing luck).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { concatMap, map, of, timer, toArray, lastValueFrom, take } from 'rxjs';
import { controlLoop, type ControlStep } from '../../agents/control-loop.js';
import type { Agent } from '../../agents/types.js';
import { PointEnv } from './fixtures/point-env.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  PointEnv.live = 0;
});
afterEach(() => vi.useRealTimers());

/** Answers percept s with (s + 1) / 100 after `thinkMs`. */
const thinker =
  (thinkMs: number): Agent =>
  (p) =>
    p.pipe(concatMap((x) => (thinkMs > 0 ? timer(thinkMs) : of(0)).pipe(map(() => Float32Array.of((x.step + 1) / 100)))));

async function collect(steps: ReturnType<typeof controlLoop<Float32Array, Float32Array>>, ms: number): Promise<ControlStep[]> {
  const out: ControlStep[] = [];
  let done = false;
  steps.subscribe({ next: (s) => out.push(s), complete: () => (done = true) });
  await vi.advanceTimersByTimeAsync(ms);
  expect(done).toBe(true);
  return out;
}

describe('controlLoop', () => {
  it('steps on every tick with the fresh action when the agent keeps up', async () => {
    const steps = await collect(
      controlLoop(() => new PointEnv(), thinker(0), { dt: 10, seed: 1, maxSteps: 5 }),
      100,
    );
    expect(steps.map((s) => s.tick)).toEqual([1, 2, 3, 4, 5]);
    expect(steps.map((s) => s.late)).toEqual([false, false, false, false, false]);
    expect(steps.map((s) => s.action[0])).toEqual([1, 2, 3, 4, 5].map((v) => expect.closeTo(v / 100, 6)));
    expect(steps.at(-1)!.stats).toMatchObject({ ticks: 5, steps: 5, lateActions: 0, overruns: 0, skippedPercepts: 0 });
    expect(steps.at(-1)!.truncated).toBe(true);
    expect(PointEnv.live).toBe(0);
  });

  it('holds the last command when the agent is late, and skips stale percepts', async () => {
    // Thinking takes 23 ms at dt = 10: percept 0 answered @23, percept 2 @46, percept 4 @69.
    const steps = await collect(
      controlLoop(() => new PointEnv(), thinker(23), { dt: 10, seed: 1, maxSteps: 7 }),
      100,
    );
    expect(steps.map((s) => s.late)).toEqual([true, true, false, true, false, true, false]);
    expect(steps.map((s) => s.action[0])).toEqual([0, 0, 0.01, 0.01, 0.03, 0.03, 0.05].map((v) => expect.closeTo(v, 6)));
    expect(steps.at(-1)!.stats).toMatchObject({ ticks: 7, steps: 7, lateActions: 4, overruns: 0, skippedPercepts: 3 });
  });

  it('counts overruns when a step outlasts the period', async () => {
    // Each step takes 15 ms at dt = 10: ticks 2, 4, 6 and 8 (@80, while the 4th step runs until 85)
    // find the previous step still running.
    const steps = await collect(
      controlLoop(() => new PointEnv(15), thinker(0), { dt: 10, seed: 1, maxSteps: 4 }),
      200,
    );
    expect(steps.map((s) => s.tick)).toEqual([1, 3, 5, 7]);
    expect(steps.at(-1)!.stats).toMatchObject({ ticks: 8, steps: 4, overruns: 4, lateActions: 0 });
  });

  it('captures the state with each percept when asked, since the world moves on while the agent thinks', async () => {
    const seen: number[] = [];
    const agent: Agent = (p) => p.pipe(concatMap((x) => (seen.push((x.state!() as { x: number }).x - x.observation[0]!), timer(15).pipe(map(() => Float32Array.of(0.1))))));
    await collect(
      controlLoop(() => new PointEnv(), agent, { dt: 10, seed: 1, maxSteps: 6, captureState: true }),
      100,
    );
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((d) => Math.abs(d) < 1e-6)).toBe(true);
  });

  it('closes the environment it built when unsubscribed mid-episode', async () => {
    const steps = controlLoop(() => new PointEnv(), thinker(5), { dt: 10, seed: 1 });
    const got = lastValueFrom(steps.pipe(take(3), toArray()));
    await vi.advanceTimersByTimeAsync(100);
    expect((await got).map((s) => s.tick)).toEqual([1, 2, 3]);
    expect(PointEnv.live).toBe(0);
  });

  it('rejects bad options and reports an agent that answers unasked', async () => {
    expect(() => controlLoop(() => new PointEnv(), thinker(0), { dt: 0 })).toThrow(/controlLoop options: `dt`/);
    const chatty: Agent = (p) => p.pipe(concatMap(() => of(Float32Array.of(0), Float32Array.of(0))));
    let error: unknown;
    controlLoop(() => new PointEnv(), chatty, { dt: 10, seed: 1 }).subscribe({ error: (e) => (error = e) });
    await vi.advanceTimersByTimeAsync(50);
    expect(String(error)).toMatch(/AgentProtocolError: controlLoop: the agent emitted an action while no observation was waiting/);
    expect(PointEnv.live).toBe(0);
  });
});
