import { describe, expect, it } from 'vitest';
import { checkEnv } from '../../src/check.js';
import { make } from '../../src/registry.js';
import { stateHash } from '../../src/physics/snapshot.js';
import type { Frame } from '../../src/physics/scene.js';
import { ArmEnv, armForwardKinematics } from '../../environments/arm/index.js';
import { armInverseKinematics, armPolicy } from '../../environments/arm/scripted.js';
import { runEpisodes, successRate } from '../physics/fixtures/episodes.js';

const angles = (obs: Float32Array) => [0, 1, 2].map((i) => Math.atan2(obs[3 + i]!, obs[i]!));

describe('Arm-v0', () => {
  it('has the documented spaces and timing', () => {
    const env = new ArmEnv();
    expect(env.observationSpace.shape).toEqual([13]);
    expect(env.actionSpace.shape).toEqual([3]);
    expect(env.controlDt).toBeCloseTo(0.05, 12);
    expect(make('Arm-v0').spec.maxEpisodeSteps).toBe(100);
  });

  it('rejects bad options and reset options with clear messages', async () => {
    expect(() => new ArmEnv({ controlMode: 'torque' } as never)).toThrow(/Arm-v0 options: `controlMode`/);
    expect(() => new ArmEnv({ jointLimits: [1, 2, 4] })).toThrow(/`jointLimits.2`: .*\(got 4\)/);
    const env = new ArmEnv();
    await expect(env.reset({ options: { angles: [0, 2.6, 0] } })).rejects.toThrow(/expected `angles\[1\]` within the joint limit ±2.5, got 2.6/);
    await expect(env.reset({ options: { target: [1.5, 0] } })).rejects.toThrow(/expected `target` within the arm's reach \(\|x\|, \|z\| <= 1.2\), got \[1.5,0\]/);
  });

  it('reads the angles it was placed at (from link rotations) and puts the tip where kinematics says', async () => {
    const env = new ArmEnv();
    const q = [0.4, -1.1, 0.7];
    const { observation } = await env.reset({ options: { angles: q, target: [0.3, 0.2] } });
    angles(observation).forEach((a, i) => {
      expect(a).toBeCloseTo(q[i]!, 5);
    });
    const [x, z] = armForwardKinematics([0.5, 0.4, 0.3], q);
    expect(observation[9]).toBeCloseTo(x, 5);
    expect(observation[10]).toBeCloseTo(z, 5);
    expect(Array.from(observation.slice(11))).toEqual(Array.from(new Float32Array([0.3, 0.2])));
    // The physical tip (end of link 3) agrees with the kinematic one.
    const frame = env.render('frame') as Frame;
    const link3 = frame.bodies.find((b) => b.name === 'link3')!;
    const phi = q[0]! + q[1]! + q[2]!;
    expect(link3.position[0] + 0.15 * Math.cos(phi)).toBeCloseTo(x, 4);
    expect(link3.position[2] - 0.15 * Math.sin(phi)).toBeCloseTo(z, 4);
  });

  it('velocity motors track the commanded joint rates', async () => {
    const env = new ArmEnv();
    await env.reset({ options: { angles: [0, 0, 0], target: [0, 1] } });
    let obs: Float32Array = new Float32Array();
    for (let i = 0; i < 10; i++) obs = (await env.step(new Float32Array([0.5, -0.5, 0.25]))).observation;
    // 1, −1, 0.5 rad/s for 0.5 s: rates within 2% at the end, angles within 0.05 rad (start-up lag).
    expect(obs[6]).toBeCloseTo(1, 1);
    expect(obs[7]).toBeCloseTo(-1, 1);
    expect(obs[8]).toBeCloseTo(0.5, 1);
    const a = angles(obs);
    expect(Math.abs(a[0]! - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(a[1]! + 0.5)).toBeLessThan(0.05);
    expect(Math.abs(a[2]! - 0.25)).toBeLessThan(0.05);
  });

  it('position motors settle at the commanded angles and joint limits hold', async () => {
    const env = new ArmEnv({ controlMode: 'position' });
    await env.reset({ options: { angles: [0, 0, 0], target: [0, 1] } });
    let obs: Float32Array = new Float32Array();
    for (let i = 0; i < 30; i++) obs = (await env.step(new Float32Array([0.2, -0.4, 1]))).observation;
    const a = angles(obs);
    expect(a[0]).toBeCloseTo(0.5, 2);
    expect(a[1]).toBeCloseTo(-1.0, 2);
    expect(a[2]).toBeCloseTo(2.5, 1);
    expect(a[2]).toBeLessThanOrEqual(2.5 + 0.01);
  });

  it('succeeds and terminates at the target; sparse reward is 1 there', async () => {
    const env = new ArmEnv({ sparse: true });
    const q = [0.3, 0.3, 0.3];
    const tip = armForwardKinematics([0.5, 0.4, 0.3], q);
    await env.reset({ options: { angles: q, target: [tip[0] + 0.02, tip[1]] } });
    expect(await env.step(new Float32Array(3))).toMatchObject({ reward: 1, terminated: true, truncated: false, info: { success: true } });
  });

  it('restores its state exactly, motor targets included', async () => {
    const env = new ArmEnv();
    await env.reset({ seed: 4 });
    await env.step(new Float32Array([0.3, -0.2, 0.9]));
    const saved = env.getState();
    const run = async () => {
      const obs: number[] = [];
      for (let i = 0; i < 10; i++) obs.push(...(await env.step(new Float32Array([Math.sin(i), 0.5, -0.5]))).observation);
      return { obs, hash: stateHash(env.getState().physics) };
    };
    const a = await run();
    env.setState(saved);
    expect(await run()).toEqual(a);
  });

  it('renders a text view', async () => {
    const env = new ArmEnv();
    await env.reset({ seed: 0 });
    expect(env.render('ansi')).toMatch(/T[\s\S]*angles=.*tip=.*target=/);
  });

  it('passes checkEnv (velocity and position control)', async () => {
    for (const options of [{}, { controlMode: 'position' as const }]) {
      expect((await checkEnv(new ArmEnv(options))).failures).toEqual([]);
    }
  });

  it('inverse kinematics solutions reach the target and respect the limits', () => {
    const target: [number, number] = [0.4, -0.6];
    const sols = armInverseKinematics([0.5, 0.4, 0.3], [2.5, 2.5, 2.5], target);
    expect(sols.length).toBeGreaterThan(10);
    for (const s of sols) {
      const [x, z] = armForwardKinematics([0.5, 0.4, 0.3], s);
      expect(Math.hypot(x - target[0], z - target[1])).toBeLessThan(1e-9);
      for (const a of s) expect(Math.abs(a)).toBeLessThanOrEqual(2.5);
    }
  });

  it('the IK baseline reaches the target in ≥ 96% of 50 seeded episodes in each control mode', async () => {
    for (const controlMode of ['velocity', 'position'] as const) {
      const outcomes = await runEpisodes(
        make('Arm-v0', { controlMode }),
        armPolicy({ env: { controlMode } }),
        Array.from({ length: 50 }, (_, i) => 5000 + i),
        100,
      );
      expect(successRate(outcomes)).toBeGreaterThanOrEqual(0.96); // measured: 50/50 in both modes
    }
  });
});
