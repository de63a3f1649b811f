import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';
import { Box } from '../../src/spaces.js';
import { NormalizeObservation } from '../../src/wrappers/normalize-observation.js';
import { RunningMeanStd } from '../../src/wrappers/running-mean-std.js';
import { LineWorld } from '../../environments/line-world/index.js';

describe('RunningMeanStd', () => {
  it('matches the direct mean and population variance, whatever the batching', () => {
    const rng = Rng.fromSeed(3);
    const data = rng.fillNormal(new Float64Array(3 * 400), 2, 3);
    const whole = new RunningMeanStd(3, 1e-12);
    whole.update(data, 400);
    const pieces = new RunningMeanStd(3, 1e-12);
    for (let i = 0; i < 400; i += 25) pieces.update(data.subarray(i * 3, (i + 25) * 3), 25);
    const single = new RunningMeanStd(3, 1e-12);
    for (let i = 0; i < 400; i++) single.update(data.subarray(i * 3, i * 3 + 3), 1);
    for (let j = 0; j < 3; j++) {
      let mean = 0;
      for (let i = 0; i < 400; i++) mean += data[i * 3 + j]! / 400;
      let variance = 0;
      for (let i = 0; i < 400; i++) variance += (data[i * 3 + j]! - mean) ** 2 / 400;
      for (const s of [whole, pieces, single]) {
        expect(s.mean[j]).toBeCloseTo(mean, 9);
        expect(s.var[j]).toBeCloseTo(variance, 8);
      }
    }
    expect(single.count).toBeCloseTo(400, 9);
  });

  it("starts at Gymnasium's prior and validates input", () => {
    const s = new RunningMeanStd(2);
    expect(Array.from(s.var)).toEqual([1, 1]);
    expect(s.count).toBe(1e-4);
    expect(() => s.update([1, 2, 3], 1)).toThrow(/expected 1 × 2 = 2 values, got 3/);
    expect(() => new RunningMeanStd(0)).toThrow(/`dim` to be a positive integer, got 0/);
    expect(() => s.load({ mean: [0], var: [1], count: 1 })).toThrow(/mean and var of length 2, got 1 and 1/);
    expect(() => s.load('{nope')).toThrow(/expected JSON text/);
    expect(() => s.load({ mean: [0, 0], var: [-1, 1], count: 1 })).toThrow(InvalidArgumentError);
  });
});

describe('NormalizeObservation', () => {
  it('normalises with the statistics of every observation seen, including resets', async () => {
    const env = new NormalizeObservation(new LineWorld());
    const raw = new LineWorld();
    const seen: number[] = [];
    const first = await env.reset({ seed: 5 });
    seen.push(...(await raw.reset({ seed: 5 })).observation);
    // One sample: mean moves almost onto it, so the normalised value is ~0.
    for (const v of first.observation) expect(Math.abs(v)).toBeLessThan(0.02);
    let last = first.observation;
    for (let i = 0; i < 20; i++) {
      last = (await env.step(Float32Array.of(0.8))).observation;
      seen.push(...(await raw.step(Float32Array.of(0.8))).observation);
    }
    const stats = new RunningMeanStd(3);
    for (let i = 0; i < 21; i++) stats.update(seen.slice(i * 3, i * 3 + 3), 1);
    expect(Array.from(env.stats.mean)).toEqual(Array.from(stats.mean));
    const x = seen[seen.length - 3]!;
    expect(last[0]).toBe(Math.fround((x - stats.mean[0]!) / Math.sqrt(stats.var[0]! + 1e-8)));
  });

  it('has an unbounded Box observation space of the same shape', () => {
    const env = new NormalizeObservation(new LineWorld());
    expect(env.observationSpace).toBeInstanceOf(Box);
    expect(env.observationSpace.shape).toEqual([3]);
    expect(env.observationSpace.isBounded()).toBe(false);
    expect(() => new NormalizeObservation({ observationSpace: { type: 'Discrete' } } as never)).toThrow(/expected a Box observation space, got "Discrete"/);
  });

  it('freezes, saves and loads statistics as JSON', async () => {
    const env = new NormalizeObservation(new LineWorld());
    await env.reset({ seed: 1 });
    for (let i = 0; i < 10; i++) await env.step(Float32Array.of(1));
    env.freeze();
    const saved = JSON.stringify(env.saveStats());
    const countBefore = env.stats.count;
    await env.step(Float32Array.of(1));
    expect(env.stats.count).toBe(countBefore);
    env.unfreeze();
    await env.step(Float32Array.of(1));
    expect(env.stats.count).toBe(countBefore + 1);

    const evalEnv = new NormalizeObservation(new LineWorld(), { frozen: true });
    evalEnv.loadStats(saved);
    expect(evalEnv.saveStats()).toEqual(JSON.parse(saved));
    const a = await evalEnv.reset({ seed: 9 });
    const b = await evalEnv.reset({ seed: 9 });
    expect(a.observation).toEqual(b.observation);
    expect(() => evalEnv.loadStats({ ...JSON.parse(saved), epsilon: 0.1 })).toThrow(/saved with epsilon 0.1, this wrapper uses 1e-8/);
    expect(() => evalEnv.loadStats('nope')).toThrow(/expected JSON text/);
    expect(() => new NormalizeObservation(new LineWorld(), { epsilon: 0 })).toThrow(/NormalizeObservation options: `epsilon`/);
  });

  it('restores its statistics with the env state', async () => {
    const env = new NormalizeObservation(new LineWorld());
    await env.reset({ seed: 2 });
    const state = structuredClone(env.getState());
    const run = async () => [(await env.step(Float32Array.of(1))).observation, (await env.step(Float32Array.of(1))).observation];
    const first = await run();
    env.setState(state);
    expect(await run()).toEqual(first);
  });
});
