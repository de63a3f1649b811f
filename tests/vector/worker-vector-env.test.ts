// Starts 10 worker threads in all. From TypeScript sources each worker loads tsx (esbuild) before it
// can import anything: ~0.3 s on an idle core, over 1 s on a loaded 2-core machine. So this file takes
// several seconds, nearly all of it worker start-up; tests share workers where they can.
import { afterEach, describe, expect, it } from 'vitest';
import { EnvStateError, InvalidArgumentError, UnknownEnvError, WorkerCrashError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';
import { makeVec, registration } from '../../src/registry.js';
import type { VectorEnv } from '../../src/vector/types.js';
import { WorkerVectorEnv } from '../../src/vector/worker-vector-env.js';
import '../../environments/line-world/index.js';
import '../fixtures/vector-envs.js';

const open: VectorEnv[] = [];
async function vec(...args: Parameters<typeof makeVec>): Promise<VectorEnv> {
  const envs = await makeVec(...args);
  open.push(envs);
  return envs;
}
afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
});

/** Runs `steps` seeded random steps and returns every array and info, for bitwise comparison. */
async function trace(envs: VectorEnv, steps: number, seed: number) {
  const rng = Rng.fromSeed(seed);
  const out: unknown[] = [await envs.reset({ seed })];
  for (let t = 0; t < steps; t++) {
    const actions = new Float32Array(envs.numEnvs * envs.singleActionSpace.flatDim);
    for (let i = 0; i < envs.numEnvs; i++) envs.singleActionSpace.flatten(envs.singleActionSpace.sample(rng) as never, actions, i * envs.singleActionSpace.flatDim);
    out.push(await envs.step(actions));
  }
  return out;
}

describe('WorkerVectorEnv', () => {
  it.each(['next-step', 'same-step'] as const)("gives SyncVectorEnv's bits exactly ('%s', episodes ending at different times)", async (autoresetMode) => {
    const options = { autoresetMode, maxEpisodeSteps: 12 };
    const sync = await vec('LineWorld-v0', 5, 'sync', options);
    const numWorkers = autoresetMode === 'next-step' ? 2 : 1;
    const worker = await vec('LineWorld-v0', 5, 'worker', { ...options, numWorkers });
    expect((worker as WorkerVectorEnv).numWorkers).toBe(numWorkers);
    expect(worker.observationSpace.equals(sync.observationSpace)).toBe(true);
    expect(worker.actionSpace.equals(sync.actionSpace)).toBe(true);
    const a = await trace(sync, 40, 77);
    const b = await trace(worker, 40, 77);
    expect(b).toEqual(a);
    // The run did cover episode ends (terminations and truncations) in several envs.
    const ends = a.slice(1).flatMap((r) => Array.from((r as { truncated: Uint8Array }).truncated));
    expect(ends.filter((x) => x === 1).length).toBeGreaterThan(5);
  });

  it("supports 'disabled' autoreset with masked resets, Discrete actions and uneven slices", async () => {
    const worker = await vec('DiscreteLine-v0', 5, 'worker', { autoresetMode: 'disabled', maxEpisodeSteps: 2, numWorkers: 2 });
    const sync = await vec('DiscreteLine-v0', 5, 'sync', { autoresetMode: 'disabled', maxEpisodeSteps: 2 });
    for (const envs of [sync, worker]) await envs.reset({ seed: 1 });
    const actions = Float32Array.of(0, 1, 2, 2, 0);
    for (let t = 0; t < 2; t++) expect(await worker.step(actions)).toEqual(await sync.step(actions));
    await expect(worker.step(actions)).rejects.toThrow(/WorkerVectorEnv\(DiscreteLine-v0\).step: env 0's episode ended and autoreset is 'disabled'/);
    const mask = [true, false, true, true, true];
    const r = await worker.reset({ mask, seed: 20 });
    expect(r).toEqual(await sync.reset({ mask, seed: 20 }));
    await expect(worker.step(actions)).rejects.toThrow(/env 1's episode ended/);
    await worker.reset({ mask: [0, 1, 0, 0, 0] });
    await sync.reset({ mask: [0, 1, 0, 0, 0] });
    expect(await worker.step(actions)).toEqual(await sync.step(actions));
  });

  it('forwards typed errors from workers, stays usable after a reset, returns shared views with copy: false', async () => {
    const envs = await vec('LineWorld-v0', 2, 'worker', { numWorkers: 1, copy: false });
    await expect(envs.reset({ seed: 0, options: { goal: 9 } })).rejects.toThrow(InvalidArgumentError);
    await expect(envs.reset({ seed: 0, options: { goal: 9 } })).rejects.toThrow(
      /WorkerVectorEnv\(LineWorld-v0\): env 0: LineWorld-v0.reset: expected options.goal in \[-1, 1\], got 9/,
    );
    await expect(envs.step(Float32Array.of(0, 0))).rejects.toThrow(/a previous reset\(\) failed/);
    await envs.reset({ seed: 0 });
    await expect(envs.step(Float32Array.of(0, 3))).rejects.toThrow(/invalid action for env 1: expected index 0 in \[-1, 1\], got 3/);
    const a = await envs.step(Float32Array.of(0, 0));
    const b = await envs.step(Float32Array.of(0, 0));
    expect(a.rewards).toHaveLength(2);
    expect(a.observations).toBe(b.observations);
    expect(b.observations.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('reports build errors from the workers, with close matches', async () => {
    const module = registration('LineWorld-v0').module!;
    const unknown = WorkerVectorEnv.create({ envId: 'LineWorld-v9', numEnvs: 1, modules: [module] });
    await expect(unknown).rejects.toThrow(UnknownEnvError);
    await expect(unknown).rejects.toThrow(/worker 0 could not build LineWorld-v9: Unknown environment id "LineWorld-v9". Did you mean: LineWorld-v0\?/);
    await expect(WorkerVectorEnv.create({ envId: 'LineWorld-v0', numEnvs: 0 })).rejects.toThrow(/WorkerVectorEnv options: `numEnvs`/);
  });

  it.each([
    ['wasm-trap', 2, /worker 1 \(envs 2–3\) crashed with RuntimeError: unreachable while stepping env 3 \(last reset seed 1003\)/],
    ['exit', 1, /worker 0 \(envs 0–3\) exited with code 7 while stepping env 3 \(last reset seed 1003\)/],
  ] as const)('reports a worker that dies (%s) with the env index and seed, then closes cleanly', async (how, numWorkers, message) => {
    const envs = await vec('Crashing-v0', 4, 'worker', { numWorkers, kwargs: { crashSeed: 1003, crashAtStep: 2, how } });
    await envs.reset({ seed: 1000 });
    await envs.step(new Float32Array(4));
    const crash = envs.step(new Float32Array(4));
    await expect(crash).rejects.toThrow(WorkerCrashError);
    const err = (await crash.catch((e: unknown) => e)) as WorkerCrashError;
    expect(err.message).toMatch(message);
    expect(err.envIndex).toBe(3);
    expect(err.seed).toBe(1003);
    await expect(envs.step(new Float32Array(4))).rejects.toThrow(EnvStateError);
    await expect(envs.step(new Float32Array(4))).rejects.toThrow(/step\(\) called after a worker crashed \(env 3, seed 1003: .*\); close\(\) this vector env and build a new one/);
    await expect(envs.reset()).rejects.toThrow(/after a worker crashed/);
    await envs.close();
    await envs.close();
    await expect(envs.step(new Float32Array(4))).rejects.toThrow(/step\(\) called after close\(\)/);
  });
});
