/**
 * Physics sanity checks with numbers: free fall, the linearised cart-pole, commanded velocities, and
 * resting contact. Each tolerance is stated next to its check, with the error measured when it was
 * written.
 */
import { describe, expect, it } from 'vitest';
import { PushBoxEnv } from '../../environments/push-box/index.js';
import { CartPoleEnv } from '../../environments/cart-pole/index.js';
import { ArmEnv } from '../../environments/arm/index.js';
import { linearisedCartPole } from '../../environments/cart-pole/scripted.js';

const still = new Float32Array(2);

describe('physics sanity', () => {
  it('a free-falling box covers ½gt² within 1% over 0.5 s (measured error 0.5%)', async () => {
    const env = new PushBoxEnv();
    // Held 2 m above the table, away from the pusher: nothing touches it for 0.5 s.
    const { observation } = await env.reset({ options: { boxPosition: [0, 2, 0], pusherPosition: [0.4, 0.4], goal: [-0.3, -0.3] } });
    let obs = observation;
    for (let i = 0; i < 10; i++) obs = (await env.step(still)).observation; // 10 × 0.05 s
    const t = 0.5;
    const drop = 2 - obs[1]!;
    expect(Math.abs(drop - 0.5 * 9.81 * t * t) / (0.5 * 9.81 * t * t)).toBeLessThan(0.01);
    expect(Math.abs(-obs[4]! - 9.81 * t) / (9.81 * t)).toBeLessThan(0.01);
    expect(Math.abs(obs[0]!)).toBeLessThan(1e-6); // no sideways drift
  });

  it('the cart-pole at small angles follows the linearised model within 1% of each state’s peak over 0.5 s (measured ≤ 0.6%)', async () => {
    // Model from the env's own parameters (cart 1 kg, pole 0.1 kg, 1 m box pole 0.04 m thick):
    // M ẍ + m l θ̈ = F, m l ẍ + (I + m l²) θ̈ = m g l θ; integrated with RK4 at 0.2 ms.
    const { A, B } = linearisedCartPole();
    const env = new CartPoleEnv({ failAngle: 3 });
    for (const [theta0, action] of [
      [0.02, 0],
      [0, 0.05],
      [0.01, -0.03],
      [-0.03, 0.02],
    ] as const) {
      await env.reset({ options: { state: [0, 0, theta0, 0] } });
      const F = action * 10;
      const deriv = (s: number[]) => A.map((row, i) => row.reduce((a, v, j) => a + v * s[j]!, 0) + B[i]![0]! * F);
      let s = [0, 0, theta0, 0];
      const err = [0, 0, 0, 0];
      const peak = [0, 0, 0, 0];
      for (let k = 0; k < 25; k++) {
        const o = (await env.step(new Float32Array([action]))).observation;
        for (let j = 0; j < 100; j++) {
          const h = 0.0002;
          const k1 = deriv(s);
          const k2 = deriv(s.map((v, i) => v + (h / 2) * k1[i]!));
          const k3 = deriv(s.map((v, i) => v + (h / 2) * k2[i]!));
          const k4 = deriv(s.map((v, i) => v + h * k3[i]!));
          s = s.map((v, i) => v + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
        }
        const measured = [o[0]!, o[1]!, Math.atan2(o[3]!, o[2]!), o[4]!];
        measured.forEach((v, i) => {
          err[i] = Math.max(err[i]!, Math.abs(v - s[i]!));
          peak[i] = Math.max(peak[i]!, Math.abs(s[i]!));
        });
      }
      expect(peak[2]).toBeLessThan(0.17); // still the small-angle regime
      err.forEach((e, i) => {
        expect(e / peak[i]!).toBeLessThan(0.01);
      });
    }
  });

  it('the pusher commanded at v m/s covers v·t (to float32 precision, 1e-5 m)', async () => {
    const env = new PushBoxEnv();
    await env.reset({ options: { boxPosition: [0.3, 0.05, 0.3], pusherPosition: [-0.4, -0.2], goal: [0, 0] } });
    let obs: Float32Array = new Float32Array();
    for (let i = 0; i < 20; i++) obs = (await env.step(new Float32Array([0.6, 0.2]))).observation; // (0.3, 0.1) m/s for 1 s
    expect(Math.abs(obs[9]! - (-0.4 + 0.3))).toBeLessThan(1e-5);
    expect(Math.abs(obs[10]! - (-0.2 + 0.1))).toBeLessThan(1e-5);
  });

  it('an arm joint commanded at ω rad/s turns ω·t within 3% over 1 s (velocity motors; measured 2.0%: start-up lag)', async () => {
    const env = new ArmEnv();
    await env.reset({ options: { angles: [-0.5, 0, 0], target: [0, 1] } });
    let obs: Float32Array = new Float32Array();
    for (let i = 0; i < 20; i++) obs = (await env.step(new Float32Array([0.5, 0, 0]))).observation; // 1 rad/s
    const turned = Math.atan2(obs[3]!, obs[0]!) + 0.5;
    expect(Math.abs(turned - 1) / 1).toBeLessThan(0.03);
  });

  it('boxes do not sink into the table: after 10 s at rest the box is within 1 mm of resting height (measured 0.07 mm)', async () => {
    const env = new PushBoxEnv();
    for (const y of [0.05, 0.3]) {
      // Placed on the table, and dropped from 0.25 m above it (the landing may shift it a few mm).
      await env.reset({ options: { boxPosition: [0.1, y, -0.1], boxYaw: 0.2, pusherPosition: [0.4, 0.4], goal: [-0.3, -0.3] } });
      let obs: Float32Array = new Float32Array();
      let settled: number[] = [];
      for (let i = 0; i < 200; i++) {
        obs = (await env.step(still)).observation; // 200 × 0.05 s = 10 s
        if (i === 39) settled = Array.from(obs.slice(0, 3));
      }
      expect(Math.abs(obs[1]! - 0.05)).toBeLessThan(1e-3);
      expect(Math.hypot(obs[3]!, obs[4]!, obs[5]!)).toBeLessThan(1e-4);
      // From 2 s to 10 s it does not creep.
      expect(Math.hypot(obs[0]! - settled[0]!, obs[1]! - settled[1]!, obs[2]! - settled[2]!)).toBeLessThan(1e-5);
      if (y === 0.05) expect(Math.hypot(obs[0]! - 0.1, obs[2]! + 0.1)).toBeLessThan(1e-4);
    }
  });
});
