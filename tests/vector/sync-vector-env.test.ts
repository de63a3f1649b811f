import { describe, expect, it } from 'vitest';
import { EnvStateError, InvalidActionError, InvalidArgumentError } from '../../src/errors.js';
import { makeVec } from '../../src/registry.js';
import { Box, MultiDiscrete } from '../../src/spaces.js';
import { SyncVectorEnv } from '../../src/vector/sync-vector-env.js';
import { TimeLimit } from '../../src/wrappers/time-limit.js';
import { LineWorld } from '../../environments/line-world/index.js';
import { DiscreteForces } from '../fixtures/vector-envs.js';

const push = (n: number, u = 0.5) => new Float32Array(n).fill(u);
/** Envs with episodes of 2 and 3 steps, so they end at different times. */
const staggered = (options = {}) => new SyncVectorEnv([() => new TimeLimit(new LineWorld(), 2), () => new TimeLimit(new LineWorld(), 3)], options);

describe('SyncVectorEnv', () => {
  it('batches spaces: Box observations [n, 3], Box actions [n, 1]', () => {
    const envs = staggered();
    expect(envs.numEnvs).toBe(2);
    expect(envs.singleObservationSpace.shape).toEqual([3]);
    expect(envs.observationSpace.shape).toEqual([2, 3]);
    expect(envs.actionSpace).toBeInstanceOf(Box);
    expect(envs.actionSpace.shape).toEqual([2, 1]);
    expect(envs.spec.id).toBe('LineWorld-v0');
    expect(envs.autoresetMode).toBe('next-step');
  });

  it('passes one options object to every env, or one per env; a list of the wrong length is a typed error', async () => {
    const envs = staggered();
    const shared = await envs.reset({ seed: 1, options: { position: 0.25 } });
    expect([shared.observations[0], shared.observations[3]]).toEqual([0.25, 0.25]);
    const each = await envs.reset({ seed: 1, options: [{ position: -0.5 }, undefined] });
    expect(each.observations[0]).toBe(-0.5);
    expect(Math.abs(each.observations[3]!)).toBeLessThanOrEqual(0.05);
    await expect(envs.reset({ options: [{ position: 0.1 }] })).rejects.toThrow(InvalidArgumentError);
    await expect(envs.reset({ options: [{ position: 0.1 }] })).rejects.toThrow(/array of 2 \(one per env\), got an array of 1/);
    await envs.close();
  });

  it('seeds env i with seed + i, or with an explicit list', async () => {
    const envs = staggered();
    const { observations, infos } = await envs.reset({ seed: 40 });
    expect(envs.observationSpace.contains(observations)).toBe(true);
    for (let i = 0; i < 2; i++) {
      const single = await new LineWorld().reset({ seed: 40 + i });
      expect(observations.subarray(i * 3, i * 3 + 3)).toEqual(single.observation);
      expect(infos[i]).toEqual(single.info);
    }
    const listed = await envs.reset({ seed: [41, 40] });
    expect(listed.observations.subarray(0, 3)).toEqual(observations.subarray(3, 6));
    await expect(envs.reset({ seed: [1] })).rejects.toThrow(/expected 2 seeds \(one per env\), got 1/);
    await expect(envs.reset({ seed: -3 })).rejects.toThrow(/SyncVectorEnv.reset seed` to be a non-negative safe integer, got -3/);
    await expect(envs.reset({ seed: 'x' as never })).rejects.toThrow(/`seed` to be a number or an array of 2 numbers/);
  });

  it("'next-step': the step after the end resets, ignores its action, reward 0, flags false", async () => {
    const envs = staggered();
    const ref = [new TimeLimit(new LineWorld(), 2), new TimeLimit(new LineWorld(), 3)];
    await envs.reset({ seed: 7 });
    await ref[0]!.reset({ seed: 7 });
    await ref[1]!.reset({ seed: 8 });
    const r1 = await envs.step(push(2));
    const r2 = await envs.step(push(2));
    expect(Array.from(r2.truncated)).toEqual([1, 0]);
    for (const e of ref) for (let i = 0; i < 2; i++) await e.step(push(1));
    const r3 = await envs.step(push(2, -1)); // env 0 resets (action ignored), env 1 truncates
    expect(Array.from(r3.truncated)).toEqual([0, 1]);
    expect(Array.from(r3.terminated)).toEqual([0, 0]);
    expect(r3.rewards[0]).toBe(0);
    const reset0 = await ref[0]!.reset(); // unseeded: the same stream continues
    expect(r3.observations.subarray(0, 3)).toEqual(reset0.observation);
    expect(r3.infos[0]).toEqual(reset0.info);
    const step1 = await ref[1]!.step(push(1, -1));
    expect(r3.observations.subarray(3, 6)).toEqual(step1.observation);
    expect(r3.rewards[1]).toBe(Math.fround(step1.reward));
    expect(r1.infos[0]).toEqual({ success: false, distance: expect.any(Number) });
    const r4 = await envs.step(push(2));
    expect(r4.rewards[1]).toBe(0); // env 1's reset step
    expect(r4.observations.subarray(3, 6)).toEqual((await ref[1]!.reset()).observation);
  });

  it("'same-step': the ending step returns the reset observation and the final one in info", async () => {
    const envs = staggered({ autoresetMode: 'same-step' });
    const ref = new TimeLimit(new LineWorld(), 2);
    await envs.reset({ seed: 3 });
    await ref.reset({ seed: 3 });
    await envs.step(push(2));
    await ref.step(push(1));
    const r2 = await envs.step(push(2));
    const final = await ref.step(push(1));
    expect(Array.from(r2.truncated)).toEqual([1, 0]);
    expect(r2.rewards[0]).toBe(Math.fround(final.reward));
    expect(r2.infos[0]!.finalObservation).toEqual(final.observation);
    expect(r2.infos[0]!.finalInfo).toEqual(final.info);
    const reset = await ref.reset();
    expect(r2.observations.subarray(0, 3)).toEqual(reset.observation);
    expect(r2.infos[0]).toMatchObject(reset.info);
    expect(r2.infos[1]!.finalObservation).toBeUndefined();
    const r3 = await envs.step(push(2)); // env 0 steps normally: no extra reset step in this mode
    expect(r3.rewards[0]).toBe(Math.fround((await ref.step(push(1))).reward));
  });

  it("'disabled': ended envs must be reset with a mask before the next step", async () => {
    const envs = staggered({ autoresetMode: 'disabled' });
    await envs.reset({ seed: 0 });
    await envs.step(push(2));
    const r2 = await envs.step(push(2));
    expect(Array.from(r2.truncated)).toEqual([1, 0]);
    await expect(envs.step(push(2))).rejects.toThrow(EnvStateError);
    await expect(envs.step(push(2))).rejects.toThrow(/env 0's episode ended and autoreset is 'disabled'; reset it first with reset\(\{ mask \}\)/);
    const before = r2.observations.subarray(3, 6).slice();
    const partial = await envs.reset({ mask: [true, false], seed: 100 });
    expect(partial.observations.subarray(0, 3)).toEqual((await new LineWorld().reset({ seed: 100 })).observation);
    expect(partial.observations.subarray(3, 6)).toEqual(before); // env 1 untouched
    expect(partial.infos[1]).toEqual({});
    const r3 = await envs.step(push(2));
    expect(Array.from(r3.truncated)).toEqual([0, 1]);
    await expect(envs.reset({ mask: [true] })).rejects.toThrow(/`mask` to hold 2 booleans/);
  });

  it('validates actions before stepping any env', async () => {
    const envs = staggered();
    await envs.reset({ seed: 0 });
    await expect(envs.step(Float32Array.of(0.5, 2))).rejects.toThrow(InvalidActionError);
    await expect(envs.step(Float32Array.of(0.5, 2))).rejects.toThrow(/SyncVectorEnv.step: invalid action for env 1: expected index 0 in \[-1, 1\], got 2/);
    await expect(envs.step(Float32Array.of(0.5, NaN))).rejects.toThrow(/env 1: expected a number at index 0, got NaN/);
    await expect(envs.step(new Float32Array(3))).rejects.toThrow(/expected 2 × 1 = 2 action values \(numEnvs × actDim\), got 3/);
    await expect(envs.step([0, 0] as never)).rejects.toThrow(/expected a Float32Array of 2 × 1 = 2 actions/);
    // Nothing stepped: both envs still need 2 and 3 steps.
    await envs.step(push(2));
    expect(Array.from((await envs.step(push(2))).truncated)).toEqual([1, 0]);
  });

  it('enforces its lifecycle', async () => {
    const envs = staggered();
    await expect(envs.step(push(2))).rejects.toThrow(/SyncVectorEnv.step: step\(\) called before reset\(\); call reset\(\) first/);
    await expect(envs.reset({ mask: [true, false] })).rejects.toThrow(/the first reset must reset every env/);
    await envs.reset({ seed: 0 });
    const a = envs.step(push(2));
    await expect(envs.step(push(2))).rejects.toThrow(/called while another reset\(\)\/step\(\) is still running/);
    await a;
    await envs.close();
    await envs.close();
    await expect(envs.step(push(2))).rejects.toThrow(/SyncVectorEnv: step\(\) called after close\(\)/);
    await expect(envs.reset()).rejects.toThrow(/reset\(\) called after close\(\)/);
    await expect(envs.envs[0]!.reset()).rejects.toThrow(/after close/); // sub-envs were closed
  });

  it('needs a reset after a sub-env failed mid-step', async () => {
    const bad = new LineWorld();
    const envs = new SyncVectorEnv([new LineWorld(), bad]);
    await envs.reset({ seed: 0 });
    await bad.close(); // env 1 now fails
    await expect(envs.step(push(2))).rejects.toThrow(/env 1: LineWorld-v0: step\(\) called after close\(\)/);
    await expect(envs.step(push(2))).rejects.toThrow(/a previous step\(\) failed .*; call reset\(\) first/);
  });

  it('returns copies by default and views with copy: false', async () => {
    const copying = staggered();
    const a = await copying.reset({ seed: 0 });
    const b = await copying.step(push(2));
    expect(a.observations).not.toBe(b.observations);
    const viewing = staggered({ copy: false });
    const c = await viewing.reset({ seed: 0 });
    const d = await viewing.step(push(2));
    expect(c.observations).toBe(d.observations);
  });

  it('batches Discrete actions as a MultiDiscrete of float32 integers', async () => {
    const envs = new SyncVectorEnv([0, 1, 2].map(() => () => new DiscreteForces(new LineWorld())));
    expect(envs.actionSpace).toBeInstanceOf(MultiDiscrete);
    expect(Array.from((envs.actionSpace as MultiDiscrete).nvec)).toEqual([3, 3, 3]);
    await envs.reset({ seed: 5 });
    const r = await envs.step(Float32Array.of(0, 1, 2));
    expect(Array.from(r.observations.filter((_, k) => k % 3 === 1))).toEqual([-0.1, 0, 0.1].map(Math.fround));
    await expect(envs.step(Float32Array.of(0, 1.5, 2))).rejects.toThrow(/env 1: expected an integer at index 0, got 1.5/);
    await expect(envs.step(Float32Array.of(0, 1, 3))).rejects.toThrow(/env 2: expected an integer in \[0, 2\], got 3/);
  });

  it('rejects mismatched or unbatchable envs', () => {
    expect(() => new SyncVectorEnv([])).toThrow(/expected a non-empty array of environments or factories/);
    expect(() => new SyncVectorEnv([new LineWorld(), new LineWorld({ bound: 3 })])).toThrow(/expected every env to have env 0's spaces; env 1 has/);
    expect(() => new SyncVectorEnv([new LineWorld()], { autoresetMode: 'never' as never })).toThrow(InvalidArgumentError);
    expect(() => new SyncVectorEnv([new LineWorld()], { autoresetMode: 'never' as never })).toThrow(/SyncVectorEnv options: `autoresetMode`/);
  });

  it('makeVec builds sync vector envs with the TimeLimit of the spec', async () => {
    const envs = await makeVec('LineWorld-v0', 3, 'sync', { maxEpisodeSteps: 2, kwargs: { dt: 0.05 } });
    await envs.reset({ seed: 1 });
    await envs.step(push(3));
    expect(Array.from((await envs.step(push(3))).truncated)).toEqual([1, 1, 1]);
    expect(envs.spec.kwargs).toEqual({ dt: 0.05 });
    await envs.close();
  });
});
