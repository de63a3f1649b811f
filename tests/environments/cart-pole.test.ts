import { describe, expect, it } from 'vitest';
import { checkEnv } from '../../src/check.js';
import { make } from '../../src/registry.js';
import { stateHash } from '../../src/physics/snapshot.js';
import type { Frame } from '../../src/physics/scene.js';
import { CartPoleEnv } from '../../environments/cart-pole/index.js';
import { cartPolePolicy, dlqr, linearisedCartPole } from '../../environments/cart-pole/scripted.js';
import { runEpisodes, successRate } from '../physics/fixtures/episodes.js';

const force = (f: number) => new Float32Array([f]);
const theta = (obs: Float32Array) => Math.atan2(obs[3]!, obs[2]!);

describe('CartPole-v0', () => {
  it('has the documented spaces and timing', () => {
    const env = new CartPoleEnv();
    expect(env.observationSpace.shape).toEqual([5]);
    expect(env.actionSpace.shape).toEqual([1]);
    expect(env.controlDt).toBeCloseTo(0.02, 12);
    expect(env.metadata.renderFps).toBeCloseTo(50, 9);
    expect(make('CartPole-v0').spec.maxEpisodeSteps).toBe(500);
  });

  it('rejects bad options with messages naming the option', () => {
    expect(() => new CartPoleEnv({ poleMass: 0 })).toThrow(/CartPole-v0 options: `poleMass`: .*\(got 0\)/);
    expect(() => new CartPoleEnv({ substeps: 1.5 })).toThrow(/`substeps`: .*int.*\(got 1.5\)/i);
  });

  it('places the state exactly from `state` and samples ±0.05 otherwise', async () => {
    const env = new CartPoleEnv();
    const { observation } = await env.reset({ options: { state: [0.5, -0.2, 0.1, 0.3] } });
    expect(observation[0]).toBeCloseTo(0.5, 6);
    expect(observation[1]).toBeCloseTo(-0.2, 6);
    expect(theta(observation)).toBeCloseTo(0.1, 6);
    expect(observation[4]).toBeCloseTo(0.3, 6);
    for (let seed = 0; seed < 5; seed++) {
      const o = (await env.reset({ seed })).observation;
      for (const v of [o[0]!, o[1]!, theta(o), o[4]!]) expect(Math.abs(v)).toBeLessThanOrEqual(0.05 + 1e-6);
    }
    const swing = new CartPoleEnv({ swingUp: true });
    const o = (await swing.reset({ seed: 1 })).observation;
    expect(Math.abs(Math.abs(theta(o)) - Math.PI)).toBeLessThan(0.051);
    await expect(env.reset({ options: { state: [0, 0, 0] } })).rejects.toThrow(/CartPole-v0 reset options: `state`/);
  });

  it('positive force accelerates the cart toward +x and tips the pole toward −x (θ decreases)', async () => {
    const env = new CartPoleEnv();
    await env.reset({ options: { state: [0, 0, 0, 0] } });
    const r = await env.step(force(1));
    expect(r.observation[1]).toBeGreaterThan(0.1);
    expect(r.observation[4]).toBeLessThan(-0.1);
    expect(r.info.success).toBe(true);
    // Dense reward: (1 + cos θ)/2 − 0.1 (x / 2.4)².
    expect(r.reward).toBeCloseTo((1 + r.observation[2]!) / 2 - 0.1 * (r.observation[0]! / 2.4) ** 2, 6);
  });

  it('terminates when the pole falls past 12° in balance mode, never in swing-up mode', async () => {
    const env = new CartPoleEnv();
    await env.reset({ options: { state: [0, 0, 0.2, 0.5] } });
    const r = await env.step(force(0));
    expect(r).toMatchObject({ terminated: true, truncated: false, info: { success: false } });
    const swing = new CartPoleEnv({ swingUp: true, sparse: true });
    await swing.reset({ options: { state: [0, 0, 0.2, 0.5] } });
    const s = await swing.step(force(0));
    expect(s).toMatchObject({ terminated: false, reward: 0, info: { success: false } });
  });

  it('truncates when the cart leaves the track', async () => {
    const env = new CartPoleEnv({ swingUp: true });
    await env.reset({ options: { state: [2.35, 3, Math.PI, 0] } });
    const r = await env.step(force(1));
    expect(r).toMatchObject({ truncated: true, terminated: false });
  });

  it('restores its state exactly', async () => {
    const env = new CartPoleEnv({ swingUp: true });
    await env.reset({ seed: 5 });
    for (let i = 0; i < 10; i++) await env.step(force(0.7));
    const saved = env.getState();
    const run = async () => {
      const obs: number[] = [];
      for (let i = 0; i < 25; i++) obs.push(...(await env.step(force(Math.sin(i)))).observation);
      return { obs, hash: stateHash(env.getState().physics) };
    };
    const a = await run();
    env.setState(saved);
    expect(await run()).toEqual(a);
  });

  it('renders a text view and a frame', async () => {
    const env = new CartPoleEnv();
    await env.reset({ seed: 0 });
    expect(env.render('ansi')).toMatch(/C[\s\S]*x=.*theta=/);
    const frame = env.render('frame') as Frame;
    expect(frame.bodies.map((b) => b.name)).toEqual(['rail', 'cart', 'pole']);
    expect(() => env.render('rgb')).toThrow(/expected mode 'frame' or 'ansi', got "rgb"/);
  });

  it('passes checkEnv (balance and swing-up)', async () => {
    for (const options of [{}, { swingUp: true }]) {
      const report = await checkEnv(new CartPoleEnv(options));
      expect(report.failures).toEqual([]);
    }
  });

  it('the LQR gain stabilises the discretised linear model', () => {
    const { A, B } = linearisedCartPole();
    // Closed loop x' = (I + A dt) x − B dt K x must shrink a perturbation (crude Euler check over 10 s).
    const K = dlqr(
      A.map((r, i) => r.map((v, j) => (i === j ? 1 : 0) + v * 0.02)),
      B.map((r) => r.map((v) => v * 0.02)),
      [
        [1, 0, 0, 0],
        [0, 0.1, 0, 0],
        [0, 0, 10, 0],
        [0, 0, 0, 0.1],
      ],
      0.01,
    );
    let s = [0.1, 0, 0.1, 0];
    for (let t = 0; t < 500; t++) {
      const u = -K.reduce((acc, k, i) => acc + k * s[i]!, 0);
      s = s.map((v, i) => v + 0.02 * (A[i]!.reduce((acc, a, j) => acc + a * s[j]!, 0) + B[i]![0]! * u));
    }
    expect(Math.max(...s.map(Math.abs))).toBeLessThan(1e-3);
  });

  // 50 × 500 steps each: the slowest baseline test here (~2–4 s).
  it('the LQR baseline balances for the full 500 steps in ≥ 98% of 50 seeded episodes', async () => {
    const env = make('CartPole-v0');
    const outcomes = await runEpisodes(
      env,
      cartPolePolicy(),
      Array.from({ length: 50 }, (_, i) => 2000 + i),
      500,
      (flags) => flags.length === 500 && flags.every(Boolean),
    );
    expect(successRate(outcomes)).toBeGreaterThanOrEqual(0.98); // measured: 50/50
  });

  it('the energy swing-up + LQR catch holds the pole upright for the last 100 steps in ≥ 90% of 50 episodes', async () => {
    const env = make('CartPole-v0', { swingUp: true });
    const outcomes = await runEpisodes(
      env,
      cartPolePolicy({ env: { swingUp: true } }),
      Array.from({ length: 50 }, (_, i) => 3000 + i),
      500,
      (flags) => flags.length === 500 && flags.slice(-100).every(Boolean),
    );
    expect(successRate(outcomes)).toBeGreaterThanOrEqual(0.9); // measured: 50/50
  });
});
