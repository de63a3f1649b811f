import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { environmentCard, environmentCards } from '../../environments/cards.js';
import { make } from '../../src/registry.js';
import { Rng } from '../../src/rng.js';

const draws = (id: string, n: number) => Array.from({ length: n }, (_v, i) => environmentCard(id)!.explorationStart!(Rng.fromSeed(1000 + i), {}));
const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), -Infinity);

describe('exploration starts (EnvironmentCard.explorationStart)', () => {
  it('every card that has one draws reset options its environment accepts, the same for the same seed', { timeout: 120_000 }, async () => {
    const withStarts = environmentCards().filter((c) => c.explorationStart !== undefined);
    expect(withStarts.map((c) => c.id)).toEqual(expect.arrayContaining(['PushBox-v0', 'Reach-v0', 'CartPole-v0', 'Warehouse-v0']));
    for (const card of withStarts) {
      const env = make(card.id);
      for (const [i, options] of draws(card.id, 60).entries()) {
        const { observation } = await env.reset({ seed: i, options });
        expect(Array.from(observation as Float32Array).every(Number.isFinite), `${card.id} start ${i}`).toBe(true);
        // A few steps from there stay finite too.
        const step = await env.step(env.actionSpace.sample(Rng.fromSeed(i)));
        expect(Array.from(step.observation as Float32Array).every(Number.isFinite)).toBe(true);
      }
      await env.close();
      expect(card.explorationStart!(Rng.fromSeed(5), {})).toEqual(card.explorationStart!(Rng.fromSeed(5), {}));
    }
  });

  it('scatters the robots and packages of larger warehouse layouts without overlaps', { timeout: 120_000 }, async () => {
    for (const layout of ['small', 'medium']) {
      const env = make('Warehouse-v0', { layout });
      for (let i = 0; i < 15; i++) {
        const options = environmentCard('Warehouse-v0')!.explorationStart!(Rng.fromSeed(i), { layout });
        expect((options.robots as unknown[]).length).toBeGreaterThan(0);
        const { observation } = await env.reset({ seed: i, options });
        expect(Array.from(observation as Float32Array).every(Number.isFinite)).toBe(true);
      }
      await env.close();
    }
  });

  it("reach beyond the validation scenarios' ranges (the data must cover more than what is tested)", () => {
    const pb = draws('PushBox-v0', 400);
    const heights = pb.map((o) => (o.boxPosition as number[])[1]!);
    const speeds = pb.map((o) => Math.hypot(...(o.boxVelocity as number[])));
    // The gravity scenario drops the box from 0.6 m; the energy scenario slides it at 0.8–1.5 m/s.
    expect(max(heights)).toBeGreaterThan(0.7);
    expect(max(speeds)).toBeGreaterThan(1.6);
    expect(heights.filter((h) => h === 0.05).length).toBeGreaterThan(200); // most starts rest on the table
    const reach = draws('Reach-v0', 200).map((o) => Math.hypot(...(o.velocity as number[])));
    expect(max(reach)).toBeGreaterThan(1); // validation coasts at ≤ 0.8 m/s
    expect(reach.filter((s) => s === 0).length).toBeGreaterThan(20); // and rests
    const cp = draws('CartPole-v0', 200).map((o) => o.state as number[]);
    expect(max(cp.map((s) => Math.abs(s[3]!)))).toBeGreaterThan(1); // validation turns at ≤ 0.1 rad/s
    expect(max(cp.map((s) => Math.abs(s[2]!)))).toBeGreaterThan(0.15); // and tilts ≤ failAngle / 3
  });
});
