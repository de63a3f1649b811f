// Issue 14 item 13: a sub-environment whose step never returns must not hang WorkerVectorEnv forever.
// Starts 3 worker threads (tsx start-up ≈ 0.3–1 s each); every stuck call is cut after 400 ms.
import { describe, expect, it } from 'vitest';
import { EnvStateError, InvalidArgumentError, WorkerCrashError, WorkerTimeoutError } from '../../src/errors.js';
import { makeVec } from '../../src/registry.js';
import '../../environments/line-world/index.js';
import '../fixtures/vector-envs.js';

describe('WorkerVectorEnv callTimeoutMs', () => {
  it.each([
    ['promise', 2, /worker 1 \(envs 2–3\) did not finish step\(\) within 400 ms \(callTimeoutMs\) and was terminated while stepping env 2 \(last reset seed 1002\)/],
    ['loop', 1, /worker 0 \(envs 0–3\) did not finish step\(\) within 400 ms \(callTimeoutMs\) and was terminated while stepping env 2 \(last reset seed 1002\)/],
  ] as const)('rejects a step stuck on %s with a WorkerTimeoutError naming worker, env and seed; close() is prompt', async (how, numWorkers, message) => {
    const envs = await makeVec('Stuck-v0', 4, 'worker', { numWorkers, callTimeoutMs: 400, kwargs: { hangSeed: 1002, hangAtStep: 2, how } });
    try {
      await envs.reset({ seed: 1000 });
      await envs.step(new Float32Array(4));
      const started = performance.now();
      const stuck = envs.step(new Float32Array(4));
      const err = (await stuck.catch((e: unknown) => e)) as WorkerTimeoutError;
      expect(performance.now() - started).toBeLessThan(2000);
      expect(err).toBeInstanceOf(WorkerTimeoutError);
      expect(err).toBeInstanceOf(WorkerCrashError);
      expect(err.message).toMatch(/^WorkerVectorEnv\(Stuck-v0\): /);
      expect(err.message).toMatch(message);
      expect([err.envIndex, err.seed, err.timeoutMs]).toEqual([2, 1002, 400]);
      await expect(envs.step(new Float32Array(4))).rejects.toThrow(EnvStateError);
      await expect(envs.reset()).rejects.toThrow(/after a worker crashed \(env 2, seed 1002: did not finish step\(\) within 400 ms/);
    } finally {
      const closing = performance.now();
      await envs.close();
      expect(performance.now() - closing).toBeLessThan(1500);
    }
  });

  it('refuses a timeout that is not a positive integer', async () => {
    await expect(makeVec('Stuck-v0', 1, 'worker', { callTimeoutMs: 0 })).rejects.toThrow(InvalidArgumentError);
    await expect(makeVec('Stuck-v0', 1, 'worker', { callTimeoutMs: 0 })).rejects.toThrow(/callTimeoutMs/);
  });
});
