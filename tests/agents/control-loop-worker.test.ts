/**
 * The real-time acceptance check: while a plan computes, the control loop's event loop stays
 * responsive when the planner runs in a PlanWorker, and stalls when the same planner runs on the
 * main thread. Real time (not fake timers), so the bounds are generous: the worker case must stay far
 * below the stall that the main-thread case cannot avoid (its planner busy-waits 150 ms per plan).
 * The precise lag numbers are measured in bench/agents.bench.ts. About 4 s (worker start-up).
 */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { controlLoop } from '../../agents/control-loop.js';
import { mpcAgent, type MpcTelemetry } from '../../agents/mpc-agent.js';
import { PlanWorker } from '../../agents/plan-worker.js';
import { createPlanSource } from './fixtures/point-planner.js';
import { PointEnv } from './fixtures/point-env.js';

const BUSY_MS = 150;

describe('controlLoop with planning in a worker', () => {
  it('keeps the event loop responsive while plans compute in the worker; a main-thread planner stalls it', async () => {
    await using worker = await PlanWorker.start({ module: new URL('./fixtures/point-planner.ts', import.meta.url), options: { busyMs: BUSY_MS } });
    const events: MpcTelemetry[] = [];
    const inWorker = mpcAgent({ source: worker, deadlineMs: 10 });
    inWorker.telemetry$.subscribe((e) => events.push(e));
    const workerSteps = await lastValueFrom(controlLoop(() => new PointEnv(), inWorker, { dt: 20, seed: 1, maxSteps: 25 }).pipe(toArray()));
    const w = workerSteps.at(-1)!.stats;

    const onMain = mpcAgent({ source: createPlanSource({ busyMs: BUSY_MS }), deadlineMs: 10 });
    const mainSteps = await lastValueFrom(controlLoop(() => new PointEnv(), onMain, { dt: 20, seed: 1, maxSteps: 8 }).pipe(toArray()));
    const m = mainSteps.at(-1)!.stats;

    // Plans took ≥ 150 ms, so the agent answered from fallbacks at its 10 ms deadline and adopted late plans.
    expect(events.some((e) => e.kind === 'fallback' && e.reason === 'deadline')).toBe(true);
    const plans = events.filter((e) => e.kind === 'plan');
    expect(plans.length).toBeGreaterThanOrEqual(2);
    expect(plans.every((e) => e.kind === 'plan' && e.ms >= BUSY_MS && e.fallbackUsed)).toBe(true);
    // The stall of the main-thread planner is certain (a busy-wait cannot yield); the worker case is far below it.
    expect(m.lag.max).toBeGreaterThan(BUSY_MS * 0.9);
    expect(w.lag.p99).toBeLessThan(50);
    expect(w.lag.p99).toBeLessThan(m.lag.max / 3);
  });
});
