import { describe, expect, it } from 'vitest';
import { EnvStateError, InvalidActionError, InvalidArgumentError } from '../../src/errors.js';
import { isStateful, parseResetOptions } from '../../src/env.js';
import { make } from '../../src/registry.js';
import { LineWorld } from '../../environments/line-world/index.js';

describe('BaseEnv lifecycle and action validation (through LineWorld)', () => {
  it('refuses to step before reset', async () => {
    const env = new LineWorld();
    await expect(env.step(Float32Array.of(0))).rejects.toThrow(EnvStateError);
    await expect(env.step(Float32Array.of(0))).rejects.toThrow(/LineWorld-v0: step\(\) called before reset\(\); call reset\(\) first/);
  });

  it('refuses to step after the episode ended until the next reset', async () => {
    const env = new LineWorld();
    await env.reset({ seed: 0, options: { goal: 0.3, position: 0.29 } });
    const end = await env.step(Float32Array.of(0));
    expect(end.terminated).toBe(true);
    expect(end.info.success).toBe(true);
    await expect(env.step(Float32Array.of(0))).rejects.toThrow(/step\(\) called after the episode ended \(terminated or truncated\); call reset\(\) first/);
    await env.reset();
    await expect(env.step(Float32Array.of(0))).resolves.toMatchObject({ terminated: false });
  });

  it('TimeLimit from make() truncates and then refuses to step', async () => {
    const env = make('LineWorld-v0', {}, { maxEpisodeSteps: 3 });
    await env.reset({ seed: 1 });
    const flags = [];
    for (let i = 0; i < 3; i++) flags.push((await env.step(Float32Array.of(0))).truncated);
    expect(flags).toEqual([false, false, true]);
    await expect(env.step(Float32Array.of(0))).rejects.toThrow(/after the episode ended/);
  });

  it('refuses every call after close, and close is idempotent', async () => {
    const env = new LineWorld();
    await env.reset({ seed: 0 });
    await env.close();
    await env.close();
    await expect(env.step(Float32Array.of(0))).rejects.toThrow(/LineWorld-v0: step\(\) called after close\(\)/);
    await expect(env.reset()).rejects.toThrow(/reset\(\) called after close\(\)/);
    expect(() => env.getState()).toThrow(/getState\(\) called after close\(\)/);
  });

  it.each([
    ['wrong shape', Float32Array.of(0, 0), /invalid action: expected 1 values \(shape \[1\]\), got 2/],
    ['wrong type', [0.5], /expected a Float32Array of 1 values/],
    ['NaN', Float32Array.of(NaN), /expected a number at index 0, got NaN/],
    ['Infinity', Float32Array.of(Infinity), /expected index 0 in \[-1, 1\], got Infinity/],
    ['out of bounds', Float32Array.of(1.5), /expected index 0 in \[-1, 1\], got 1.5/],
  ])('rejects a %s action with an InvalidActionError', async (_name, action, message) => {
    const env = new LineWorld();
    await env.reset({ seed: 0 });
    const attempt = env.step(action as Float32Array);
    await expect(attempt).rejects.toThrow(InvalidActionError);
    await expect(env.step(action as Float32Array)).rejects.toThrow(message);
    // A rejected action does not end or advance the episode.
    await expect(env.step(Float32Array.of(0))).resolves.toBeDefined();
  });

  it('validates reset arguments', async () => {
    const env = new LineWorld();
    await expect(env.reset({ seed: -1 })).rejects.toThrow(/LineWorld-v0.reset seed` to be a non-negative safe integer, got -1/);
    await expect(env.reset(42 as never)).rejects.toThrow(/expected an options object \{ seed\?, options\? \}, got 42/);
    await expect(env.reset({ options: [] as never })).rejects.toThrow(/expected `options` to be an object/);
    await expect(env.reset({ options: { goal: 5 } })).rejects.toThrow(/options.goal in \[-1, 1\], got 5/);
    await expect(env.reset({ options: { colour: 'red' } })).rejects.toThrow(InvalidArgumentError);
    expect(parseResetOptions(undefined, 'X-v0')).toEqual({ seed: undefined, options: {} });
  });

  it('an unseeded first reset draws an entropy seed, later unseeded resets continue the stream', async () => {
    const a = new LineWorld();
    const b = new LineWorld();
    const oa = (await a.reset()).observation;
    const ob = (await b.reset()).observation;
    expect(Array.from(oa)).not.toEqual(Array.from(ob)); // independent entropy seeds
    const c = new LineWorld();
    await c.reset({ seed: 9 });
    const next = (await c.reset()).observation;
    const d = new LineWorld();
    await d.reset({ seed: 9 });
    expect((await d.reset()).observation).toEqual(next);
  });

  it('isStateful answers for envs and wrapper stacks', () => {
    expect(isStateful(new LineWorld())).toBe(true);
    expect(isStateful(make('LineWorld-v0'))).toBe(true);
  });
});
