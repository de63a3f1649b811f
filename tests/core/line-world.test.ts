import { describe, expect, it } from 'vitest';
import { checkEnv } from '../../src/check.js';
import { Rng } from '../../src/rng.js';
import { LineWorld, lineWorldDynamics } from '../../environments/line-world/index.js';

describe('LineWorld-v0', () => {
  it('passes every conformance check', async () => {
    const report = await checkEnv(new LineWorld());
    expect(report.failures).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.checks.filter((c) => c.skipped)).toEqual([]);
  });

  it('samples goals from the seed, |goal| in [0.25, 1], start near 0', async () => {
    const env = new LineWorld();
    const goals = new Set<number>();
    for (let seed = 0; seed < 50; seed++) {
      const { observation, info } = await env.reset({ seed });
      expect(Math.abs(observation[2]!)).toBeGreaterThanOrEqual(0.25 - 1e-7);
      expect(Math.abs(observation[2]!)).toBeLessThanOrEqual(1);
      expect(Math.abs(observation[0]!)).toBeLessThanOrEqual(0.05);
      expect(observation[1]).toBe(0);
      expect(info).toEqual({ success: false, distance: expect.any(Number) });
      goals.add(observation[2]!);
    }
    expect(goals.size).toBe(50);
    const signs = [...goals].map(Math.sign);
    expect(signs.filter((s) => s > 0).length).toBeGreaterThan(10);
    expect(signs.filter((s) => s < 0).length).toBeGreaterThan(10);
  });

  it('integrates the documented dynamics and reward', async () => {
    const env = new LineWorld();
    await env.reset({ seed: 0, options: { goal: 1, position: 0 } });
    const r1 = await env.step(Float32Array.of(1));
    // v = 0 + (1·1 − 0.1·0)·0.1 = 0.1; x = 0 + 0.1·0.1 = 0.01
    expect(r1.observation[1]).toBe(Math.fround(0.1));
    expect(r1.observation[0]).toBe(Math.fround(0.1 * 0.1));
    expect(r1.reward).toBeCloseTo(-0.99, 12);
    const r2 = await env.step(Float32Array.of(-1));
    const v2 = 0.1 + (-1 - 0.1 * 0.1) * 0.1;
    expect(r2.observation[1]).toBe(Math.fround(v2));
    expect(r2.observation[0]).toBe(Math.fround(0.01 + v2 * 0.1));
  });

  it('stops at the walls and caps the speed', () => {
    const p = new LineWorld().params;
    expect(lineWorldDynamics(p, 1.99, 1, 1)).toEqual({ x: 2, v: 0 });
    expect(lineWorldDynamics(p, 0, 2, 1).v).toBe(2);
    expect(lineWorldDynamics(p, 0, -2, -1).v).toBe(-2);
  });

  it('a proportional controller reaches the goal and terminates with success', async () => {
    const env = new LineWorld();
    let { observation: o } = await env.reset({ seed: 3 });
    let steps = 0;
    for (;;) {
      const u = Math.max(-1, Math.min(1, 3 * (o[2]! - o[0]!) - 2 * o[1]!));
      const r = await env.step(Float32Array.of(u));
      steps++;
      o = r.observation;
      if (r.terminated) {
        expect(r.info.success).toBe(true);
        expect(Math.abs(r.reward)).toBeLessThanOrEqual(0.05);
        break;
      }
      expect(steps).toBeLessThan(100);
    }
  });

  it('restores a saved state bit for bit, including the random stream', async () => {
    const env = new LineWorld();
    await env.reset({ seed: 11 });
    await env.step(Float32Array.of(0.3));
    const state = structuredClone(env.getState());
    const rng = Rng.fromSeed(1);
    const actions = Array.from({ length: 20 }, () => env.actionSpace.sample(rng));
    const run = async () => {
      const out: number[] = [];
      for (const a of actions) {
        const r = await env.step(a);
        out.push(...r.observation, r.reward);
        if (r.terminated) break;
      }
      out.push(...(await env.reset()).observation); // the stream continues identically
      return out;
    };
    const first = await run();
    env.setState(state);
    expect(await run()).toEqual(first);
    expect(() => env.setState({ x: NaN } as never)).toThrow(/LineWorld-v0.setState: expected \{ x, v, goal, lifecycle \} with finite numbers/);
  });

  it('renders a one-line text picture', async () => {
    const env = new LineWorld();
    await env.reset({ seed: 0, options: { goal: 1, position: -1 } });
    const text = env.render('ansi');
    expect(text).toMatch(/^\|·+o·+G·+\| x=-1\.000 v=0\.000 goal=1\.000$/);
    expect(() => env.render('rgb')).toThrow(/expected mode 'ansi', got "rgb"/);
    expect(env.metadata).toEqual({ renderModes: ['ansi'], renderFps: 10 });
  });

  it('validates its options', () => {
    expect(() => new LineWorld({ dt: 0 })).toThrow(/LineWorld-v0 options: `dt`/);
    expect(() => new LineWorld({ minGoalDistance: 2 })).toThrow(/`minGoalDistance`: expected minGoalDistance < goalRange/);
    expect(() => new LineWorld({ mass: 2 } as never)).toThrow(/mass/);
  });
});
