/**
 * Fleet MPC's motion layer (issue 16): the same plans in a worker thread as on this thread, per-robot
 * deadlines (a late robot executes its previous plan), `waitMs` (give up on a plan in the worker and cancel
 * it), errors from the worker with their class, and option checks. The model is an analytic servo
 * (tests/fixtures/servo-fleet-model.ts), so only the planning is under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FleetMotionWorker,
  FleetMotionWorkerError,
  WarehouseEnv,
  WarehouseFleetMpcPolicy,
  fleetMotionOptions,
  type WarehouseFleetMpcOptions,
} from '../../environments/warehouse/index.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { initRapier } from '../../src/physics/rapier.js';
import type { Policy } from '../../src/policy.js';
import { createFleetModel, type ServoFleetModelOptions } from '../fixtures/servo-fleet-model.js';

const FIXTURE = new URL('../fixtures/servo-fleet-model.ts', import.meta.url).href;
const OPTIMIZER = { algorithm: 'icem', samples: 16, iterations: 3 } as const;
const envs: WarehouseEnv[] = [];

beforeAll(async () => {
  await initRapier();
});
afterAll(async () => {
  for (const env of envs) await env.close();
});

function smallEnv(): WarehouseEnv {
  const env = new WarehouseEnv({ layout: 'small' });
  envs.push(env);
  return env;
}

/** The worker for `env` with the policy options' motion options and the servo model with `model` options. */
function startWorker(env: WarehouseEnv, options: WarehouseFleetMpcOptions, model: ServoFleetModelOptions = {}): Promise<FleetMotionWorker> {
  return FleetMotionWorker.start({
    setup: { layout: env.layout, config: env.config, robots: env.numRobots },
    motion: fleetMotionOptions(options),
    model: { module: FIXTURE, options: model },
  });
}

/** `steps` actions of `policy` on `env` from reset `seed`. */
async function run(env: WarehouseEnv, policy: Policy<Float32Array, Float32Array>, steps: number, seed = 3): Promise<Float32Array[]> {
  policy.reset?.(seed);
  let { observation } = await env.reset({ seed });
  const actions: Float32Array[] = [];
  for (let t = 0; t < steps; t++) {
    const action = await policy.act(observation);
    actions.push(action);
    observation = (await env.step(action)).observation;
  }
  return actions;
}

describe('FleetMotionWorker', () => {
  it('plans the same bits in a worker thread as on this thread, over an episode and after a reset', async () => {
    const env = smallEnv();
    for (const tasks of ['prioritized', 'greedy'] as const) {
      const options = { tasks, optimizer: OPTIMIZER, seed: 5 };
      const local = new WarehouseFleetMpcPolicy(env, createFleetModel(), options);
      const here = [...(await run(env, local, 12)), ...(await run(env, local, 4, 4))];
      await using worker = await startWorker(env, options);
      expect(worker.horizon).toBe(10);
      const remote = new WarehouseFleetMpcPolicy(env, worker, { tasks, seed: 5 });
      const there = [...(await run(env, remote, 12)), ...(await run(env, remote, 4, 4))];
      expect(there.map((a) => Array.from(a))).toEqual(here.map((a) => Array.from(a)));
      expect(remote.deadlineMisses).toEqual([0, 0]);
      // Every plan is seeded from (seed, episode seed, step): the worker's planner, used before, plans the same again.
      const again = new WarehouseFleetMpcPolicy(env, worker, { tasks, seed: 5 });
      expect((await run(env, again, 12)).map((a) => Array.from(a))).toEqual(here.slice(0, 12).map((a) => Array.from(a)));
    }
  });

  it('gives up on a plan after waitMs: every robot executes its previous plan, the plan is cancelled, planning goes on', async () => {
    const env = smallEnv();
    // Every model call takes 40 ms: a plan (3 iterations and the predicted paths) takes over 160 ms.
    await using worker = await startWorker(env, { tasks: 'greedy', optimizer: OPTIMIZER }, { busyMs: 40 });
    const policy = new WarehouseFleetMpcPolicy(env, worker, { tasks: 'greedy', waitMs: 60 });
    const actions = await run(env, policy, 3);
    // No plan ever arrived in time and the greedy layer has no feed-forward: every robot stands still.
    for (const a of actions) expect([a[0], a[1], a[3], a[4]]).toEqual([0, 0, 0, 0]);
    expect(policy.deadlineMisses).toEqual([3, 3]);
    // The same worker answers a patient policy: the cancelled plans stopped and were drained.
    const patient = new WarehouseFleetMpcPolicy(env, worker, { tasks: 'greedy' });
    const moved = await run(env, patient, 1);
    expect(Math.hypot(moved[0]![0]!, moved[0]![1]!)).toBeGreaterThan(0);
    await worker.close();
    await expect(policy.act((await env.reset({ seed: 3 })).observation)).rejects.toThrow(FleetMotionWorkerError);
  });

  it('carries the model’s errors back with their class, and names what failed to start', async () => {
    const env = smallEnv();
    await using worker = await startWorker(env, { optimizer: OPTIMIZER }, { failAfterCalls: 2 });
    const policy = new WarehouseFleetMpcPolicy(env, worker);
    const error = await run(env, policy, 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/servo fleet model: failing at call 3 as asked/);
    const setup = { layout: env.layout, config: env.config, robots: env.numRobots };
    const motion = fleetMotionOptions({});
    await expect(FleetMotionWorker.start({ setup, motion, model: { module: FIXTURE, exportName: 'missing' } })).rejects.toThrow(
      /could not start the motion planner: expected module .* to export a function `missing\(options\)`/,
    );
    await expect(FleetMotionWorker.start({ setup, motion, model: { bundle: '/nonexistent/bundle' } })).rejects.toThrow(FleetMotionWorkerError);
  });
});

describe('WarehouseFleetMpcPolicy deadlines', () => {
  it('a robot whose plan comes after its deadline executes the rest of its previous plan; the others replan', async () => {
    const env = smallEnv();
    const other = smallEnv();
    // The first plan (3 iterations and the predicted paths: 4 calls) is fast, every later call takes 200 ms.
    const late = new WarehouseFleetMpcPolicy(env, createFleetModel({ busyMs: 200, busyFromCall: 5 }), {
      tasks: 'greedy',
      optimizer: OPTIMIZER,
      seed: 2,
      deadlineMs: [150, 60_000],
    });
    // The same first plan, executed for three steps by every robot.
    const once = new WarehouseFleetMpcPolicy(other, createFleetModel(), { tasks: 'greedy', optimizer: OPTIMIZER, seed: 2, replanEvery: 3 });
    const a = await run(env, late, 3);
    const b = await run(other, once, 3);
    const robot = (actions: Float32Array[], r: number) => actions.map((x) => [x[r * 3]!, x[r * 3 + 1]!]);
    expect(robot(a, 0)).toEqual(robot(b, 0));
    expect(robot(a, 1)).not.toEqual(robot(b, 1));
    expect(late.deadlineMisses).toEqual([2, 0]);
  });

  it('refuses bad deadlines, a bad waitMs, and planner options beside a motion source', async () => {
    const env = smallEnv();
    const model = createFleetModel();
    expect(() => new WarehouseFleetMpcPolicy(env, model, { deadlineMs: [10] })).toThrow(/expected deadlineMs > 0, or 2 of them \(one per robot\), got \[10\]/);
    expect(() => new WarehouseFleetMpcPolicy(env, model, { deadlineMs: -1 })).toThrow(/deadlineMs/);
    expect(() => new WarehouseFleetMpcPolicy(env, model, { waitMs: 0 })).toThrow(/expected waitMs > 0, got 0/);
    await using worker = await startWorker(env, {});
    expect(() => new WarehouseFleetMpcPolicy(env, worker, { optimizer: OPTIMIZER, weights: { track: 1 } })).toThrow(/set optimizer, weights on the source \(fleetMotionOptions\)/);
    expect(() => new WarehouseFleetMpcPolicy(env, worker, { horizon: 5 })).toThrow(/expected horizon 10 \(the motion source's\), got 5/);
    expect(() => new WarehouseFleetMpcPolicy(env, worker, { ego: { robots: 2 } })).toThrow(/ego-centric states of \d+ values/);
  });
});
