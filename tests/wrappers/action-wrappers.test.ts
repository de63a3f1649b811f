import { describe, expect, it } from 'vitest';
import { InvalidActionError } from '../../src/errors.js';
import { Box } from '../../src/spaces.js';
import { ClipAction } from '../../src/wrappers/clip-action.js';
import { RescaleAction } from '../../src/wrappers/rescale-action.js';
import { Wrapper } from '../../src/wrappers/wrapper.js';
import { LineWorld } from '../../environments/line-world/index.js';

/** Records the actions that reach the inner env. */
class Spy extends Wrapper {
  readonly actions: number[][] = [];
  override step(action: Float32Array) {
    this.actions.push(Array.from(action));
    return super.step(action);
  }
}

/** LineWorld with a wider, asymmetric action box, to test rescaling onto it. */
class WideAction extends LineWorld {
  constructor() {
    super();
    Object.assign(this, { actionSpace: new Box([0, -4], [2, 4]) });
  }
  protected override onStep(action: Float32Array) {
    return super.onStep(Float32Array.of(Math.max(-1, Math.min(1, action[0]! - 1))));
  }
}

describe('ClipAction', () => {
  it('clips into the inner bounds and exposes an unbounded Box of the same shape', async () => {
    const spy = new Spy(new LineWorld());
    const env = new ClipAction(spy);
    expect(env.actionSpace.shape).toEqual([1]);
    expect(env.actionSpace.isBounded()).toBe(false);
    await env.reset({ seed: 0 });
    await env.step(Float32Array.of(7));
    await env.step(Float32Array.of(-Infinity));
    await env.step(Float32Array.of(0.25));
    expect(spy.actions).toEqual([[1], [-1], [0.25]]);
  });

  it('still rejects NaN and wrong shapes, naming the wrapper', async () => {
    const env = new ClipAction(new LineWorld());
    await env.reset({ seed: 0 });
    await expect(env.step(Float32Array.of(NaN))).rejects.toThrow(InvalidActionError);
    await expect(env.step(Float32Array.of(NaN))).rejects.toThrow(/LineWorld-v0.step \(ClipAction\): invalid action: expected a number at index 0, got NaN/);
    await expect(env.step(Float32Array.of(0, 0))).rejects.toThrow(/expected 1 values/);
    const action = Float32Array.of(5);
    await env.step(action);
    expect(action[0]).toBe(5); // the caller's array is not clipped in place
  });
});

describe('RescaleAction', () => {
  it('maps [min, max] affinely onto the inner box, per dimension', async () => {
    const spy = new Spy(new WideAction());
    const env = new RescaleAction(spy, -1, 1);
    expect(Array.from(env.actionSpace.low)).toEqual([-1, -1]);
    await env.reset({ seed: 0 });
    await env.step(Float32Array.of(-1, -1));
    await env.step(Float32Array.of(1, 1));
    await env.step(Float32Array.of(0, 0.5));
    expect(spy.actions).toEqual([
      [0, -4],
      [2, 4],
      [1, 2],
    ]);
  });

  it('accepts per-dimension targets and rejects actions outside them', async () => {
    const spy = new Spy(new LineWorld());
    const env = new RescaleAction(spy, [0], [10]);
    await env.reset({ seed: 0 });
    await env.step(Float32Array.of(2.5));
    expect(spy.actions[0]![0]).toBeCloseTo(-0.5, 6);
    await expect(env.step(Float32Array.of(11))).rejects.toThrow(/\(RescaleAction\): invalid action: expected index 0 in \[0, 10\], got 11/);
  });

  it('validates its bounds and the inner space', () => {
    expect(() => new RescaleAction(new LineWorld(), 1, 1)).toThrow(/finite minAction < maxAction at index 0, got 1 and 1/);
    expect(() => new RescaleAction(new LineWorld(), -Infinity, 1)).toThrow(/finite minAction < maxAction/);
    const unbounded = new LineWorld();
    Object.assign(unbounded, { actionSpace: new Box(-Infinity, Infinity, [1]) });
    expect(() => new RescaleAction(unbounded, -1, 1)).toThrow(/expected a bounded inner action space/);
  });
});
