/**
 * Issue 14 item 10: `plan --oracle` without `--worker` steps real environments on this thread; the oracle
 * must let the event loop run during a plan, so an abort (Ctrl-C) and plan deadlines act mid-plan.
 * Each plan here takes ≈ 0.5–1 s of LineWorld steps (10 000 candidates × 50 steps × 2 iterations).
 */
import { describe, expect, it } from 'vitest';
import { planEpisodes } from '../../workflows/plan.js';
import { PhysicsRolloutModel } from '../../src/planning/physics-rollout-model.js';
import { make } from '../../src/registry.js';
import '../../environments/index.js';

const heavy = { env: 'LineWorld-v0', oracle: true, episodes: 1, seed: 1, samples: 10_000, horizon: 50, iterations: 2, maxSteps: 3 } as const;

describe('the oracle on the main thread (issue 14 item 10)', () => {
  it('stops promptly on abort, in the middle of a plan', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, 150);
    const report = await planEpisodes({ ...heavy, signal: controller.signal });
    const late = performance.now() - abortedAt;
    expect(abortedAt).toBeGreaterThan(0);
    expect(report.stopped).toBe(true);
    expect(late).toBeLessThan(300);
  });

  it('honours --deadline-ms: a plan past its deadline is answered by a fallback', async () => {
    const report = await planEpisodes({ ...heavy, maxSteps: 2, deadlineMs: 50 });
    expect(report.fallbacks.deadline).toBeGreaterThan(0);
  });

  it('a rollout lets timers run and stops when the model is closed meanwhile', async () => {
    const oracle = await PhysicsRolloutModel.create({ factory: () => make('LineWorld-v0'), yieldEveryMs: 5 });
    const env = make('LineWorld-v0');
    const { observation } = await env.reset({ seed: 3 });
    oracle.setStart((env as unknown as { getState(): unknown }).getState(), observation as Float32Array);
    const batch = 20_000;
    const states = new Float32Array(batch * oracle.stateDim);
    for (let b = 0; b < batch; b++) states.set(observation as Float32Array, b * oracle.stateDim);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const rollout = oracle.rollout(states, new Float32Array(batch * 50 * oracle.actionDim), 50);
    await new Promise((r) => setTimeout(r, 30));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
    await oracle.close();
    await expect(rollout).rejects.toThrow(/closed while a rollout was running/);
    await env.close();
  });
});
