import { describe, expect, it } from 'vitest';
import { EnvStateError } from '../../src/errors.js';
import { make } from '../../src/registry.js';
import { ObservationWrapper, RewardWrapper } from '../../src/wrappers/bases.js';
import { TimeLimit } from '../../src/wrappers/time-limit.js';
import { Wrapper, findWrapper, unwrap } from '../../src/wrappers/wrapper.js';
import { RecordEpisodeStatistics } from '../../src/wrappers/record-episode-statistics.js';
import { LineWorld } from '../../environments/line-world/index.js';
import { NotStateful } from '../fixtures/broken-envs.js';

class Doubled extends RewardWrapper {
  protected reward(r: number): number {
    return 2 * r;
  }
}

class Negated extends ObservationWrapper {
  protected observation(o: Float32Array): Float32Array {
    return o.map((v) => -v);
  }
}

describe('Wrapper', () => {
  it('forwards spaces, spec and metadata, and finds the innermost env', () => {
    const inner = new LineWorld();
    const env = new RecordEpisodeStatistics(new TimeLimit(inner, 5));
    expect(env.observationSpace).toBe(inner.observationSpace);
    expect(env.actionSpace).toBe(inner.actionSpace);
    expect(env.spec).toBe(inner.spec);
    expect(env.metadata).toBe(inner.metadata);
    expect(env.unwrapped).toBe(inner);
    expect(unwrap(env)).toBe(inner);
    expect(unwrap(inner)).toBe(inner);
    expect(findWrapper(env, TimeLimit)?.maxEpisodeSteps).toBe(5);
    expect(findWrapper(inner, TimeLimit)).toBeUndefined();
  });

  it('renders and closes through the stack', async () => {
    const env = new Wrapper(new LineWorld());
    await env.reset({ seed: 0 });
    expect(env.render('ansi')).toMatch(/^\|/);
    await env.close();
    await env.close();
    await expect(env.step(Float32Array.of(0))).rejects.toThrow(/after close\(\)/);
  });

  it('RewardWrapper and ObservationWrapper change only their part', async () => {
    const plain = new LineWorld();
    const env = new Negated(new Doubled(new LineWorld()));
    const a = await plain.reset({ seed: 4 });
    const b = await env.reset({ seed: 4 });
    expect(Array.from(b.observation)).toEqual(Array.from(a.observation, (v) => -v));
    const sa = await plain.step(Float32Array.of(0.5));
    const sb = await env.step(Float32Array.of(0.5));
    expect(sb.reward).toBe(2 * sa.reward);
    expect(Array.from(sb.observation)).toEqual(Array.from(sa.observation, (v) => -v));
    expect(sb.info).toEqual(sa.info);
  });

  it('saves and restores the whole stack, and refuses when the env is not Stateful', async () => {
    const env = new TimeLimit(new LineWorld(), 4);
    await env.reset({ seed: 2 });
    await env.step(Float32Array.of(1));
    const state = structuredClone(env.getState());
    expect(state.wrapper).toEqual({ elapsedSteps: 1, ended: false });
    const run = async () => {
      const out = [];
      for (let i = 0; i < 3; i++) out.push(await env.step(Float32Array.of(-0.5)));
      return out;
    };
    const first = await run();
    expect(first[2]!.truncated).toBe(true);
    env.setState(state);
    expect(await run()).toEqual(first);
    const stateless = new TimeLimit(new NotStateful(), 3);
    expect(stateless.isStateful()).toBe(false);
    expect(() => stateless.getState()).toThrow(EnvStateError);
    expect(() => stateless.getState()).toThrow(/getState\(\) called on a stack whose environment is not Stateful/);
  });
});

describe('TimeLimit', () => {
  it('truncates at the limit even on a terminating step, never terminates by itself', async () => {
    const env = new TimeLimit(new LineWorld(), 1);
    await env.reset({ seed: 0, options: { goal: 0.3, position: 0.29 } });
    const r = await env.step(Float32Array.of(0));
    expect(r.terminated).toBe(true);
    expect(r.truncated).toBe(true);
    await env.reset({ seed: 0, options: { goal: 1, position: 0 } });
    const r2 = await env.step(Float32Array.of(0));
    expect([r2.terminated, r2.truncated]).toEqual([false, true]);
    expect(env.elapsedSteps).toBe(1);
  });

  it('validates maxEpisodeSteps and explains why it cannot step', async () => {
    expect(() => new TimeLimit(new LineWorld(), 0)).toThrow(/`maxEpisodeSteps` to be a positive integer, got 0/);
    const env = new TimeLimit(new LineWorld(), 2);
    await expect(env.step(Float32Array.of(0))).rejects.toThrow(/step\(\) called before reset\(\)/);
  });

  it('make() uses the registered limit', async () => {
    const env = make('LineWorld-v0', {}, { maxEpisodeSteps: 2 });
    await env.reset({ seed: 1 });
    await env.step(Float32Array.of(0));
    expect((await env.step(Float32Array.of(0))).truncated).toBe(true);
  });
});
