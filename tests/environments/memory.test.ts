/**
 * Memory: reset/step/getState/setState cycles must not grow the process. Snapshots are restored through
 * the leak-free path (Rapier's own `World.restoreSnapshot` leaks ~2 KB per call). RSS is read after
 * forced garbage collections, since the JS garbage of 10k states would otherwise dominate it.
 *
 * Rapier is compiled with V8's optimising tier up front (`fastTierUp`, i.e. `--no-liftoff`): with lazy
 * tier-up, V8 compiles optimised WASM code during the first few thousand cycles, which shows up as
 * ~20 MB of RSS that is code, not a leak (measured: flat within ±4 MB from then on).
 *
 * This is the slowest file here: 16,000 cycles in all, ~10 s unloaded (over a minute on a 2-core box
 * shared with other jobs).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { initRapier } from '../../src/physics/rapier.js';
import type { Env, Stateful } from '../../src/env.js';
import { PushBoxEnv } from '../../environments/push-box/index.js';
import { ReachEnv } from '../../environments/reach/index.js';
import { CartPoleEnv } from '../../environments/cart-pole/index.js';
import { ArmEnv } from '../../environments/arm/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settledRss(): Promise<number> {
  for (let k = 0; k < 3; k++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return process.memoryUsage().rss;
}

/** RSS growth (MB) over `cycles` reset → step → getState → step → setState cycles, after 1,000 warm-up cycles. */
async function growth(env: Env & Stateful, cycles: number): Promise<number> {
  const action = new Float32Array(env.actionSpace.flatDim).fill(0.3);
  const cycle = async (i: number) => {
    await env.reset({ seed: i });
    await env.step(action);
    const state = env.getState();
    await env.step(action);
    env.setState(state);
  };
  for (let i = 0; i < 1000; i++) await cycle(i);
  const before = await settledRss();
  for (let i = 0; i < cycles; i++) await cycle(i);
  const after = await settledRss();
  await env.close();
  console.log(`${env.spec.id}: RSS ${(before / 1e6).toFixed(1)} → ${(after / 1e6).toFixed(1)} MB over ${cycles} cycles`);
  return (after - before) / 1e6;
}

beforeAll(async () => {
  await initRapier({ fastTierUp: true });
});

describe('memory', () => {
  it('10,000 PushBox cycles grow the process by < 20 MB (measured 0.6 MB)', async () => {
    expect(await growth(new PushBoxEnv(), 10_000)).toBeLessThan(20);
  });

  // A coarse guard (RSS noise is ±4 MB): catches leaks of ≥ 5 KB per cycle; PushBox's check above is the precise one.
  it('2,000 cycles of Reach, CartPole and Arm grow the process by < 10 MB each', async () => {
    // Episodes that could end on their first step (success) would refuse the second: keep them running.
    for (const env of [new ReachEnv({ terminateOnSuccess: false }), new CartPoleEnv({ swingUp: true }), new ArmEnv({ terminateOnSuccess: false })]) {
      expect(await growth(env, 2000)).toBeLessThan(10);
    }
  });
});
