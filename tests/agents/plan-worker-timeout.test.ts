// Issue 14 item 13: a PlanWorker whose planner never answers must not hang its caller, and close()
// after the worker died must not wait the whole close timeout. Starts 3 plan workers.
import { afterEach, describe, expect, it } from 'vitest';
import { firstValueFrom } from 'rxjs';
import { PlanTimeoutError, PlanWorker, PlanWorkerError } from '../../agents/plan-worker.js';

const fixture = new URL('./fixtures/point-planner.ts', import.meta.url);
const request = (step: number) => ({ percept: { observation: Float32Array.of(1), info: {}, step, seed: 1 }, warmStart: undefined, shift: undefined, seed: step });

afterEach(() => expect(PlanWorker.live).toBe(0));

/** Milliseconds `run` takes. */
async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

describe('PlanWorker timeouts (issue 14 item 13)', () => {
  it.each([
    ['a promise that never settles', { hangAtStep: 2 }],
    ['a synchronous loop', { busyMs: 600_000, hangAtStep: -1 }],
  ])('a plan stuck on %s rejects with PlanTimeoutError after planTimeoutMs; the worker is terminated', async (_what, options) => {
    const worker = await PlanWorker.start({ module: fixture, options, planTimeoutMs: 300 });
    try {
      let error: unknown;
      const ms = await timed(async () => {
        error = await firstValueFrom(worker.plan(request(2))).catch((e: unknown) => e);
      });
      expect(ms).toBeLessThan(2000);
      expect(error).toBeInstanceOf(PlanTimeoutError);
      expect((error as PlanTimeoutError).timeoutMs).toBe(300);
      expect((error as Error).message).toMatch(
        /^PlanWorker\(createPlanSource of file:.*point-planner\.ts, thread \d+\): the plan request 0 \(step 2\) was not answered within 300 ms \(planTimeoutMs\); the worker was terminated/,
      );
      expect(() => worker.plan(request(3))).toThrow(PlanTimeoutError);
    } finally {
      expect(await timed(() => worker.close())).toBeLessThan(1000);
    }
  });

  it('close() after the worker died returns at once, not after closeTimeoutMs', async () => {
    const worker = await PlanWorker.start({ module: fixture, options: { exitAtStep: 1 }, closeTimeoutMs: 5000 });
    try {
      await expect(firstValueFrom(worker.plan(request(1)))).rejects.toThrow(PlanWorkerError);
      expect(() => worker.plan(request(1))).toThrow(/exited unexpectedly with code 3/);
    } finally {
      expect(await timed(() => worker.close())).toBeLessThan(1000);
    }
  });

  it('refuses a timeout that is not a positive integer', async () => {
    await expect(PlanWorker.start({ module: fixture, planTimeoutMs: -1 })).rejects.toThrow(/planTimeoutMs/);
  });
});
