import { afterEach, describe, expect, it } from 'vitest';
import { from, lastValueFrom, firstValueFrom, toArray } from 'rxjs';
import { PlanWorker, PlanWorkerError } from '../../agents/plan-worker.js';
import { mpcAgent } from '../../agents/mpc-agent.js';
import { runEpisode } from '../../agents/run-episode.js';
import { createPlanSource } from './fixtures/point-planner.js';
import { PointEnv } from './fixtures/point-env.js';

const fixture = new URL('./fixtures/point-planner.ts', import.meta.url);
const percept = (x: number, step = 0) => ({ observation: Float32Array.of(x), info: {}, step, seed: 1 });

afterEach(() => expect(PlanWorker.live).toBe(0));

describe('PlanWorker', () => {
  it('plans in a worker exactly as the same source does on this thread', async () => {
    const worker = await PlanWorker.start({ module: fixture, options: { horizon: 4, samples: 32 } });
    try {
      expect([worker.horizon, worker.actionDim, Array.from(worker.actionLow), Array.from(worker.actionHigh)]).toEqual([4, 1, [-1], [1]]);
      const remote = await firstValueFrom(worker.plan({ percept: percept(2.5), warmStart: undefined, shift: undefined, seed: 11 }));
      const local = await firstValueFrom(from(createPlanSource({ horizon: 4, samples: 32 }).plan({ percept: percept(2.5), warmStart: undefined, shift: undefined, seed: 11 })));
      expect(Array.from(remote.actions)).toEqual(Array.from(local.actions));
      expect(remote.bestCost).toBe(local.bestCost);
      expect(remote.workerMs).toBeGreaterThanOrEqual(0);
    } finally {
      await worker.close();
    }
  });

  it('drives an MPC agent toward the goal, acting exactly as the same planner on this thread', async () => {
    await using worker = await PlanWorker.start({ module: fixture, options: { horizon: 5, samples: 128 } });
    const episode = (source: Parameters<typeof mpcAgent>[0]['source']) =>
      lastValueFrom(runEpisode(() => new PointEnv(), mpcAgent({ source, seed: 2 }), { seed: 4, maxSteps: 12 }).pipe(toArray()));
    const remote = await episode(worker);
    const local = await episode(createPlanSource({ horizon: 5, samples: 128 }));
    expect(remote.map((t) => t.action[0])).toEqual(local.map((t) => t.action[0]));
    // Starting at |x| ∈ [2, 4], this small random-shooting planner gets within 0.5 of 0 and stays there.
    expect(Math.abs(remote[0]!.observation[0]!)).toBeGreaterThan(2);
    expect(remote.slice(-5).every((t) => Math.abs(t.nextObservation[0]!) < 0.5)).toBe(true);
  });

  it('carries planner errors back with their message', async () => {
    await using worker = await PlanWorker.start({ module: fixture, options: { failAtStep: 3 } });
    await expect(firstValueFrom(worker.plan({ percept: percept(1, 3), warmStart: undefined, shift: undefined, seed: 0 }))).rejects.toThrow(
      /point planner: asked to fail at step 3/,
    );
    // The worker survives a failed plan.
    await expect(firstValueFrom(worker.plan({ percept: percept(1, 4), warmStart: undefined, shift: undefined, seed: 0 }))).resolves.toMatchObject({ nanCount: 0 });
  });

  it('names the worker and the request in every error (issue 14 item 12)', async () => {
    const label = String.raw`PlanWorker\(createPlanSource of file:\S*/point-planner\.ts, thread \d+\)`;
    await using worker = await PlanWorker.start({ module: fixture, options: { failAtStep: 3, exitAtStep: 5 } });
    await firstValueFrom(worker.plan({ percept: percept(1, 0), warmStart: undefined, shift: undefined, seed: 0 }));
    // A planner error: typed, with the worker, request id, step and episode seed; the worker's error is the cause.
    const failed = await firstValueFrom(worker.plan({ percept: percept(1, 3), warmStart: undefined, shift: undefined, seed: 0 })).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(PlanWorkerError);
    expect((failed as Error).message).toMatch(
      new RegExp(`^${label}: plan request 1 \\(step 3, episode seed 1\\) failed in the worker: RangeError: point planner: asked to fail at step 3$`),
    );
    expect(((failed as Error).cause as Error).name).toBe('RangeError');
    // The worker dies while a request is pending: the error names the request it leaves unanswered.
    const crashed = await firstValueFrom(worker.plan({ percept: percept(1, 5), warmStart: undefined, shift: undefined, seed: 0 })).catch((e: unknown) => e);
    expect(crashed).toBeInstanceOf(PlanWorkerError);
    expect((crashed as Error).message).toMatch(new RegExp(`^${label} \\(pending: plan request 2 \\(step 5, episode seed 1\\)\\): the worker exited unexpectedly with code 3$`));
    // Start failures name the export and module.
    await expect(PlanWorker.start({ module: fixture, exportName: 'nope' })).rejects.toThrow(
      /^PlanWorker\(nope of file:\S*\/point-planner\.ts, thread \d+\): could not build the plan source: TypeError: expected module/,
    );
    const closed = await PlanWorker.start({ module: fixture });
    await closed.close();
    expect(() => closed.plan({ percept: percept(1, 7), warmStart: undefined, shift: undefined, seed: 0 })).toThrow(
      new RegExp(`^${label}: plan\\(\\) called after close\\(\\) \\(step 7\\)$`),
    );
  });

  it('fails to start with a clear error when the module or factory is wrong, and leaves no worker behind', async () => {
    await expect(PlanWorker.start({ module: fixture, options: { failInit: true } })).rejects.toThrow(/could not build the plan source: point planner: failInit was set/);
    await expect(PlanWorker.start({ module: fixture, exportName: 'nope' })).rejects.toThrow(/expected module .*point-planner.ts to export a function `nope\(options\)`/);
    await expect(PlanWorker.start({ module: '' })).rejects.toThrow(/PlanWorker options: `module`/);
  });

  it('refuses requests after close and state it was not given', async () => {
    const worker = await PlanWorker.start({ module: fixture, sendState: true });
    expect(() => worker.plan({ percept: percept(1), warmStart: undefined, shift: undefined, seed: 0 })).toThrow(/`sendState` is on but the percept has no `state`/);
    await worker.close();
    await worker.close();
    expect(() => worker.plan({ percept: percept(1), warmStart: undefined, shift: undefined, seed: 0 })).toThrow(/plan\(\) called after close\(\)/);
  });

  it('drops a cancelled request that is still queued', async () => {
    await using worker = await PlanWorker.start({ module: fixture, options: { busyMs: 60 } });
    const first = firstValueFrom(worker.plan({ percept: percept(1), warmStart: undefined, shift: undefined, seed: 1 }));
    const sub = worker.plan({ percept: percept(2), warmStart: undefined, shift: undefined, seed: 2 }).subscribe(() => {
      throw new Error('the cancelled plan must not be delivered');
    });
    sub.unsubscribe();
    const third = await firstValueFrom(worker.plan({ percept: percept(3), warmStart: undefined, shift: undefined, seed: 3 }));
    expect((await first).iterations).toBeGreaterThan(0);
    // Only two plans ran (≈ 2 × 60 ms); the cancelled one was skipped in the queue.
    expect(third.workerMs).toBeGreaterThanOrEqual(60);
  });
});
