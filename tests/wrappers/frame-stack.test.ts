import { describe, expect, it } from 'vitest';
import { FrameStack } from '../../src/wrappers/frame-stack.js';
import { LineWorld } from '../../environments/line-world/index.js';

describe('FrameStack', () => {
  it('has a [k, ...shape] Box with the inner bounds repeated', () => {
    const inner = new LineWorld();
    const env = new FrameStack(inner, 4);
    expect(env.observationSpace.shape).toEqual([4, 3]);
    expect(Array.from(env.observationSpace.high)).toEqual(Array.from({ length: 4 }, () => Array.from(inner.observationSpace.high)).flat());
  });

  it('pads with the reset observation and keeps the last k, oldest first', async () => {
    const env = new FrameStack(new LineWorld(), 3);
    const raw = new LineWorld();
    const r = await env.reset({ seed: 6 });
    const o0 = Array.from((await raw.reset({ seed: 6 })).observation);
    expect(Array.from(r.observation)).toEqual([...o0, ...o0, ...o0]);
    expect(env.observationSpace.contains(r.observation)).toBe(true);
    const o1 = Array.from((await raw.step(Float32Array.of(1))).observation);
    const s1 = await env.step(Float32Array.of(1));
    expect(Array.from(s1.observation)).toEqual([...o0, ...o0, ...o1]);
    const o2 = Array.from((await raw.step(Float32Array.of(1))).observation);
    const o3 = Array.from((await raw.step(Float32Array.of(1))).observation);
    await env.step(Float32Array.of(1));
    const s3 = await env.step(Float32Array.of(1));
    expect(Array.from(s3.observation)).toEqual([...o1, ...o2, ...o3]);
    // Returned observations are copies: later steps do not change them.
    expect(Array.from(s1.observation)).toEqual([...o0, ...o0, ...o1]);
  });

  it('restores its frames with the env state', async () => {
    const env = new FrameStack(new LineWorld(), 2);
    await env.reset({ seed: 1 });
    await env.step(Float32Array.of(0.5));
    const state = structuredClone(env.getState());
    const a = await env.step(Float32Array.of(-1));
    env.setState(state);
    expect(await env.step(Float32Array.of(-1))).toEqual(a);
    expect(() => env.setState({ inner: state.inner, wrapper: { frames: new Float32Array(1) } })).toThrow(/expected saved frames of 6 float32 values/);
  });

  it('validates k and the observation space', () => {
    expect(() => new FrameStack(new LineWorld(), 0)).toThrow(/`k` to be a positive integer, got 0/);
    expect(() => new FrameStack({ observationSpace: { type: 'Dict' } } as never, 2)).toThrow(/expected a Box observation space, got "Dict"/);
  });
});
