import { describe, expect, it } from 'vitest';
import { checkEnv } from '../../src/check.js';
import { make } from '../../src/registry.js';
import { stateHash } from '../../src/physics/snapshot.js';
import type { Frame } from '../../src/physics/scene.js';
import { ReachEnv } from '../../environments/reach/index.js';
import { reachPolicy } from '../../environments/reach/scripted.js';
import { runEpisodes, successRate } from '../physics/fixtures/episodes.js';

const act = (x: number, z: number) => new Float32Array([x, z]);

describe('Reach-v0', () => {
  it('has the documented spaces and timing', () => {
    const env = new ReachEnv();
    expect(env.observationSpace.shape).toEqual([6]);
    expect(env.actionSpace.shape).toEqual([2]);
    expect(env.controlDt).toBeCloseTo(0.05, 12);
    expect(make('Reach-v0').spec.maxEpisodeSteps).toBe(100);
  });

  it('rejects bad options and reset options with clear messages', async () => {
    expect(() => new ReachEnv({ maxForce: -2 })).toThrow(/Reach-v0 options: `maxForce`: .*\(got -2\)/);
    const env = new ReachEnv();
    await expect(env.reset({ options: { goal: [2, 0] } })).rejects.toThrow(/expected `goal` inside the arena \|x\|, \|z\| <= 1, got \[2,0\]/);
    await expect(env.reset({ options: { start: [0, Number.NaN] } })).rejects.toThrow(/Reach-v0 reset options: `start.1`/);
  });

  it('places start, velocity and goal exactly; samples goals ≥ 0.2 m from the start', async () => {
    const env = new ReachEnv();
    const { observation } = await env.reset({ options: { start: [0.1, -0.2], velocity: [0.3, 0], goal: [-0.5, 0.4] } });
    expect(Array.from(observation)).toEqual(Array.from(new Float32Array([0.1, -0.2, 0.3, 0, -0.5, 0.4])));
    for (let seed = 0; seed < 20; seed++) {
      const o = (await env.reset({ seed })).observation;
      expect(Math.hypot(o[4]! - o[0]!, o[5]! - o[1]!)).toBeGreaterThanOrEqual(0.2);
      expect(Math.max(...Array.from(o.slice(0, 2)).map(Math.abs))).toBeLessThanOrEqual(0.8);
    }
  });

  it('obeys m a = F − m c v over one control step (force held, 5 substeps)', async () => {
    const env = new ReachEnv();
    await env.reset({ options: { start: [0, 0], goal: [0.5, 0.5] } });
    const r = await env.step(act(1, -0.5));
    // Exact discrete model of Rapier's damping per 0.01 s substep: v ← (v + a dt) / (1 + c dt).
    let v = 0;
    let w = 0;
    for (let i = 0; i < 5; i++) {
      v = (v + 2 * 0.01) / (1 + 0.5 * 0.01);
      w = (w - 1 * 0.01) / (1 + 0.5 * 0.01);
    }
    expect(r.observation[2]).toBeCloseTo(v, 4);
    expect(r.observation[3]).toBeCloseTo(w, 4);
    expect(r.reward).toBeCloseTo(-Math.hypot(r.observation[0]! - 0.5, r.observation[1]! - 0.5), 6);
  });

  it('succeeds, terminates and pays the sparse reward at the goal; truncates outside the arena', async () => {
    const env = new ReachEnv({ sparse: true });
    await env.reset({ options: { start: [0, 0], goal: [0.03, 0] } });
    expect(await env.step(act(0, 0))).toMatchObject({ reward: 1, terminated: true, info: { success: true } });
    await env.reset({ options: { start: [0.97, 0], velocity: [2, 0], goal: [0, 0] } });
    expect(await env.step(act(1, 0))).toMatchObject({ reward: 0, truncated: true, terminated: false, info: { success: false } });
  });

  it('restores its state exactly', async () => {
    const env = new ReachEnv();
    await env.reset({ seed: 9 });
    await env.step(act(0.2, 0.2));
    const saved = env.getState();
    const run = async () => {
      const obs: number[] = [];
      for (let i = 0; i < 10; i++) obs.push(...(await env.step(act(Math.sin(i), Math.cos(i)))).observation);
      return { obs, hash: stateHash(env.getState().physics) };
    };
    const a = await run();
    env.setState(saved);
    expect(await run()).toEqual(a);
  });

  it('renders a text view and a frame', async () => {
    const env = new ReachEnv();
    await env.reset({ seed: 0 });
    expect(env.render('ansi')).toMatch(/G[\s\S]*ball=/);
    expect((env.render('frame') as Frame).markers?.[0]?.name).toBe('goal');
  });

  it('passes checkEnv', async () => {
    expect((await checkEnv(new ReachEnv())).failures).toEqual([]);
  });

  it('the PD baseline reaches the goal in ≥ 98% of 50 seeded episodes', async () => {
    const outcomes = await runEpisodes(
      make('Reach-v0'),
      reachPolicy(),
      Array.from({ length: 50 }, (_, i) => 4000 + i),
      100,
    );
    expect(successRate(outcomes)).toBeGreaterThanOrEqual(0.98); // measured: 50/50
  });
});
