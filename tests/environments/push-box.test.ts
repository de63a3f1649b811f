import { describe, expect, it } from 'vitest';
import { checkEnv } from '../../src/check.js';
import { make } from '../../src/registry.js';
import { stateHash } from '../../src/physics/snapshot.js';
import type { Frame } from '../../src/physics/scene.js';
import { PushBoxEnv, cubeYawError } from '../../environments/push-box/index.js';
import { pushBoxPolicy } from '../../environments/push-box/scripted.js';
import { runEpisodes, successRate } from '../physics/fixtures/episodes.js';

const act = (x: number, z: number) => new Float32Array([x, z]);

describe('PushBox-v0', () => {
  it('has the documented spaces and timing', () => {
    const env = new PushBoxEnv();
    expect(env.observationSpace.shape).toEqual([13]);
    expect(env.actionSpace.shape).toEqual([2]);
    expect(Array.from(env.actionSpace.low)).toEqual([-1, -1]);
    expect(env.controlDt).toBeCloseTo(0.05, 12);
    expect(new PushBoxEnv({ orientation: true }).observationSpace.shape).toEqual([15]);
    expect(make('PushBox-v0').spec.maxEpisodeSteps).toBe(200);
  });

  it('rejects bad options with messages naming the option', () => {
    expect(() => new PushBoxEnv({ boxMass: -1 })).toThrow(/PushBox-v0 options: `boxMass`: .*\(got -1\)/);
    expect(() => new PushBoxEnv({ boxmass: 1 } as never)).toThrow(/PushBox-v0 options: .*boxmass/);
    expect(() => new PushBoxEnv({ tableHalfSize: 0.1 })).toThrow(/expected `tableHalfSize` > 4 × boxHalfSize \(0.2\), got 0.1/);
  });

  it('places everything exactly from reset options and rejects bad ones', async () => {
    const env = new PushBoxEnv();
    const { observation, info } = await env.reset({ seed: 1, options: { boxPosition: [0.1, 0.05, -0.2], boxYaw: 0.3, pusherPosition: [-0.3, 0.2], goal: [0.25, 0.15] } });
    expect(Array.from(observation.slice(0, 3))).toEqual(Array.from(new Float32Array([0.1, 0.05, -0.2])));
    expect(Math.atan2(observation[7]!, observation[6]!)).toBeCloseTo(0.3, 5);
    expect(Array.from(observation.slice(9, 13))).toEqual(Array.from(new Float32Array([-0.3, 0.2, 0.25, 0.15])));
    expect(info.success).toBe(false);
    await expect(env.reset({ options: { pusherPosition: [0.6, 0] } })).rejects.toThrow(/expected `pusherPosition` over the table \(\|x\|, \|z\| <= 0.47\), got \[0.6,0\]/);
    await expect(env.reset({ options: { box: [0, 0, 0] } })).rejects.toThrow(/PushBox-v0 reset options: .*box/);
    await expect(env.reset({ options: { goal: [0, 'x'] } })).rejects.toThrow(/`goal.1`/);
  });

  it('a box held above the table falls onto it and comes to rest; a resting box stays put', async () => {
    const env = new PushBoxEnv();
    await env.reset({ seed: 2, options: { boxPosition: [0, 0.5, 0], pusherPosition: [0.4, 0.4], goal: [0.3, -0.3] } });
    let obs = (await env.step(act(0, 0))).observation;
    expect(obs[4]).toBeLessThan(-0.4); // falling: vy ≈ −g·0.05 s
    for (let i = 0; i < 30; i++) obs = (await env.step(act(0, 0))).observation;
    expect(obs[1]).toBeCloseTo(0.05, 3);
    expect(Math.abs(obs[4]!)).toBeLessThan(1e-3);
    const rest = Array.from(obs.slice(0, 3));
    for (let i = 0; i < 20; i++) obs = (await env.step(act(0, 0))).observation;
    expect(Math.hypot(obs[0]! - rest[0]!, obs[1]! - rest[1]!, obs[2]! - rest[2]!)).toBeLessThan(1e-4);
  });

  it('pushing from behind moves the box toward the goal and the dense reward rises', async () => {
    const env = new PushBoxEnv();
    const first = await env.reset({ options: { boxPosition: [-0.1, 0.05, 0], boxYaw: 0, pusherPosition: [-0.2, 0], goal: [0.3, 0] } });
    let last = { observation: first.observation, reward: -Infinity };
    const rewards: number[] = [];
    for (let i = 0; i < 12; i++) {
      last = await env.step(act(0.5, 0));
      rewards.push(last.reward);
    }
    // The pusher covers 0.25 m/s × 0.6 s = 0.15 m; the first 0.02 m close the gap to the box's face, so the
    // box (friction stops it as soon as the pusher does) ends ≈ 0.13 m further along +x.
    expect(last.observation[0]).toBeGreaterThan(-0.1 + 0.12);
    expect(last.observation[0]).toBeLessThan(-0.1 + 0.145);
    expect(Math.abs(last.observation[2]!)).toBeLessThan(0.02);
    expect(rewards[rewards.length - 1]).toBeGreaterThan(rewards[0]!);
    // Dense reward: −‖box − goal‖ − 0.1‖pusher − box‖ (planar).
    const o = last.observation;
    const expected = -Math.hypot(o[0]! - 0.3, o[2]!) - 0.1 * Math.hypot(o[9]! - o[0]!, o[10]! - o[2]!);
    expect(last.reward).toBeCloseTo(expected, 6);
  });

  it('keeps the pusher on the table', async () => {
    const env = new PushBoxEnv();
    await env.reset({ options: { boxPosition: [-0.3, 0.05, -0.3], pusherPosition: [0.3, 0.3], goal: [0, 0] } });
    let obs: Float32Array = new Float32Array();
    for (let i = 0; i < 20; i++) obs = (await env.step(act(1, 1))).observation;
    expect(obs[9]).toBeCloseTo(0.47, 5);
    expect(obs[10]).toBeCloseTo(0.47, 5);
  });

  it('terminates on success (unless told not to) and reports success on every step', async () => {
    const env = new PushBoxEnv();
    const r0 = await env.reset({ options: { boxPosition: [0, 0.05, 0], pusherPosition: [0.3, 0.3], goal: [0.02, 0] } });
    expect(r0.info.success).toBe(true);
    const r1 = await env.step(act(0, 0));
    expect(r1).toMatchObject({ terminated: true, truncated: false, info: { success: true } });
    const sparse = new PushBoxEnv({ sparse: true, terminateOnSuccess: false });
    await sparse.reset({ options: { boxPosition: [0, 0.05, 0], pusherPosition: [0.3, 0.3], goal: [0.02, 0] } });
    expect(await sparse.step(act(0, 0))).toMatchObject({ reward: 1, terminated: false, info: { success: true } });
    await sparse.reset({ options: { boxPosition: [0, 0.05, 0], pusherPosition: [0.3, 0.3], goal: [0.2, 0] } });
    expect(await sparse.step(act(0, 0))).toMatchObject({ reward: 0, terminated: false, info: { success: false } });
  });

  it('requires the heading too with `orientation` (modulo 90°)', async () => {
    expect(cubeYawError(Math.PI / 2 + 0.1, 0)).toBeCloseTo(0.1, 12);
    expect(cubeYawError(-0.1, Math.PI)).toBeCloseTo(-0.1, 12);
    const env = new PushBoxEnv({ orientation: true });
    const aligned = await env.reset({ options: { boxPosition: [0, 0.05, 0], boxYaw: Math.PI / 2, pusherPosition: [0.3, 0.3], goal: [0, 0], goalYaw: 0 } });
    expect(aligned.info.success).toBe(true);
    expect(aligned.observation[13]).toBe(1);
    const turned = await env.reset({ options: { boxPosition: [0, 0.05, 0], boxYaw: 0.5, pusherPosition: [0.3, 0.3], goal: [0, 0], goalYaw: 0 } });
    expect(turned.info.success).toBe(false);
  });

  it('truncates when the box leaves the table', async () => {
    const env = new PushBoxEnv();
    await env.reset({ options: { boxPosition: [0.38, 0.05, 0], boxYaw: 0, pusherPosition: [0.26, 0], goal: [0, 0] } });
    let r;
    let steps = 0;
    do {
      r = await env.step(act(1, 0));
      steps++;
    } while (!r.truncated && steps < 40);
    expect(r).toMatchObject({ truncated: true, terminated: false });
    expect(r.observation[0]! > 0.5 || r.observation[1]! < 0).toBe(true);
  });

  it('restores its state exactly (snapshot + goal + rng)', async () => {
    const env = new PushBoxEnv();
    await env.reset({ seed: 7 });
    for (let i = 0; i < 5; i++) await env.step(act(0.3, -0.2));
    const saved = env.getState();
    const run = async () => {
      const obs: number[] = [];
      for (let i = 0; i < 15; i++) obs.push(...(await env.step(act(Math.sin(i), Math.cos(i)))).observation);
      return { obs, hash: stateHash(env.getState().physics) };
    };
    const a = await run();
    env.setState(saved);
    const b = await run();
    expect(b.obs).toEqual(a.obs);
    expect(b.hash).toBe(a.hash);
    const other = new PushBoxEnv({ orientation: true });
    await other.reset({ seed: 1 });
    const before = stateHash(other.getState().physics);
    expect(() => other.setState(saved as never)).toThrow(/PushBox-v0.setState: expected a state saved by an environment with options .*"orientation":true/);
    // A refused state changes nothing: the env keeps its world and still steps.
    expect(stateHash(other.getState().physics)).toBe(before);
    expect((await other.step(act(0.1, 0))).observation).toHaveLength(15);
  });

  it('renders a text view and a frame with the goal marker', async () => {
    const env = new PushBoxEnv();
    await env.reset({ seed: 3 });
    const text = env.render('ansi') as string;
    expect(text).toMatch(/B/);
    expect(text).toMatch(/G/);
    expect(text).toMatch(/box=\(.*\) pusher=/);
    const frame = env.render('frame') as Frame;
    expect(frame.bodies.map((b) => b.name)).toEqual(['table', 'box', 'pusher']);
    expect(frame.markers?.[0]?.name).toBe('goal');
  });

  it('passes checkEnv (default and with orientation)', async () => {
    for (const options of [{}, { orientation: true }]) {
      const report = await checkEnv(new PushBoxEnv(options));
      expect(report.failures).toEqual([]);
    }
  });

  it('the scripted go-behind-and-push baseline succeeds in ≥ 90% of 50 seeded episodes', async () => {
    const env = make('PushBox-v0');
    const outcomes = await runEpisodes(
      env,
      pushBoxPolicy(),
      Array.from({ length: 50 }, (_, i) => 1000 + i),
      200,
    );
    // Measured: 50/50 with these seeds (and 100/100 on seeds 0–99).
    expect(successRate(outcomes)).toBeGreaterThanOrEqual(0.9);
    await env.close();
  });
});
