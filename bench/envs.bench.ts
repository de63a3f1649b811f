/**
 * Environment throughput: steps/s of Reach, PushBox, CartPole and Arm (random actions, episodes reset
 * by the TimeLimit), reset cost, the overhead ratio env.step / raw `world.step` on the same scene with
 * the same substeps and the same actions, and WorkerVectorEnv scaling from 1 to 2 workers.
 *
 * The raw loop applies the same control input the env applies (a velocity, force or motor target) and
 * calls `world.step()` `substeps` times; the env does that plus action validation, the observation,
 * reward and info, and the async call. Runs are interleaved, each from the same restored state, and
 * timed in process CPU time (`process.cpuUsage`), which other jobs on a shared machine do not inflate
 * the way they inflate wall time; the wall-time ratio is kept in `params`.
 *
 * `npm run bench -- --only envs` → bench/results/envs.json
 */
import { performance } from 'node:perf_hooks';
import { cpuUsage } from 'node:process';
import type { RevoluteImpulseJoint, World } from '@dimforge/rapier3d-deterministic-compat';
import { initRapier } from '../src/physics/rapier.js';
import { restoreWorld } from '../src/physics/snapshot.js';
import type { PhysicsEnvState } from '../src/physics/physics-env.js';
import { make, makeVec } from '../src/registry.js';
import { Rng } from '../src/rng.js';
import type { Env, Stateful } from '../src/env.js';
import type { Policy } from '../src/policy.js';
import { ArmEnv, CartPoleEnv, PushBoxEnv, ReachEnv, armPolicy, cartPolePolicy, pushBoxPolicy, reachPolicy } from '../environments/index.js';
import { median, ratios, summarize, writeResults, type BenchResult } from './harness.js';

await initRapier({ fastTierUp: true });
const results: BenchResult[] = [];
const RUNS = 7;

/** Process CPU time (user + system), ms. */
function cpuMs(): number {
  const u = cpuUsage();
  return (u.user + u.system) / 1000;
}

type Stepper = Env & Stateful<PhysicsEnvState>;

/** How the raw loop drives each scene: the env's own control input, nothing else. */
interface Case {
  readonly id: string;
  /** An env that never ends on its own (so a fixed action list can be replayed). */
  readonly env: () => Stepper;
  readonly policy: Policy;
  readonly substeps: number;
  /**
   * Returns the raw control for `world`: applies action `a` the way the env does (bodies are looked up
   * once; `getAll()` lists them in build order).
   */
  readonly control: (world: World) => (a: Float32Array) => void;
}

const v = { x: 0, y: 0, z: 0 };
const cases: Case[] = [
  {
    id: 'Reach-v0',
    env: () => new ReachEnv({ terminateOnSuccess: false }),
    policy: reachPolicy(),
    substeps: 5,
    control: (world) => {
      const ball = world.bodies.getAll()[1]!;
      return (a) => {
        ball.resetForces(false);
        v.x = a[0]! * 2;
        v.y = 0;
        v.z = a[1]! * 2;
        ball.addForce(v, true);
      };
    },
  },
  {
    id: 'PushBox-v0',
    env: () => new PushBoxEnv({ terminateOnSuccess: false }),
    policy: pushBoxPolicy(),
    substeps: 5,
    control: (world) => {
      const pusher = world.bodies.getAll()[2]!;
      return (a) => {
        v.x = a[0]! * 0.5;
        v.y = 0;
        v.z = a[1]! * 0.5;
        pusher.setLinvel(v, true);
      };
    },
  },
  {
    id: 'CartPole-v0',
    env: () => new CartPoleEnv({ swingUp: true }),
    policy: cartPolePolicy({ env: { swingUp: true } }),
    substeps: 2,
    control: (world) => {
      const cart = world.bodies.getAll()[1]!;
      return (a) => {
        cart.resetForces(false);
        v.x = a[0]! * 10;
        v.y = 0;
        v.z = 0;
        cart.addForce(v, true);
      };
    },
  },
  {
    id: 'Arm-v0',
    env: () => new ArmEnv({ terminateOnSuccess: false }),
    policy: armPolicy(),
    substeps: 5,
    control: (world) => {
      const joints = world.impulseJoints.getAll() as RevoluteImpulseJoint[];
      return (a) => {
        for (let i = 0; i < 3; i++) joints[i]!.configureMotorVelocity(a[i]! * 2, 1000);
      };
    },
  },
];

/** Records the scripted policy's actions over one episode (contact-rich for PushBox). */
async function recordActions(env: Stepper, policy: Policy, steps: number, seed: number): Promise<Float32Array[]> {
  let { observation } = await env.reset({ seed });
  const actions: Float32Array[] = [];
  for (let t = 0; t < steps; t++) {
    const a = (await policy.act(observation)) as Float32Array;
    actions.push(a);
    const r = await env.step(a);
    observation = r.observation;
    if (r.terminated || r.truncated) break;
  }
  return actions;
}

for (const c of cases) {
  // --- steps/s through make() (TimeLimit included), random actions, resets included --------------
  const env = make(c.id);
  const rng = Rng.fromSeed(1);
  const space = env.actionSpace;
  const pool = Array.from({ length: 512 }, () => space.sample(rng) as Float32Array);
  let k = 0;
  let seed = 0;
  await env.reset({ seed: seed++ });
  const run = async (steps: number) => {
    for (let i = 0; i < steps; i++) {
      const r = await env.step(pool[k++ & 511]!);
      if (r.terminated || r.truncated) await env.reset({ seed: seed++ });
    }
  };
  await run(4000); // warm-up
  const STEPS = 2000;
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await run(STEPS);
    rates.push(STEPS / ((performance.now() - t0) / 1000));
  }
  results.push(summarize(`envs.${c.id}.steps`, 'steps/s', rates, { steps: STEPS, actions: 'random', withResets: true, timeLimit: true }));

  const resetMs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) await env.reset({ seed: seed++ });
    resetMs.push((performance.now() - t0) / 200);
  }
  results.push(summarize(`envs.${c.id}.reset`, 'ms', resetMs, { resets: 200 }));
  await env.close();

  // --- overhead: env.step vs raw world.step, same state, same actions, interleaved ---------------
  const bare = c.env();
  const actions = await recordActions(bare, c.policy, 200, 7);
  await bare.reset({ seed: 7 });
  const start = bare.getState();
  const envCpu: number[] = [];
  const rawCpu: number[] = [];
  const envWall: number[] = [];
  const rawWall: number[] = [];
  const ROUNDS = 3 * RUNS;
  for (let r = 0; r < ROUNDS + 2; r++) {
    bare.setState(start);
    let w0 = performance.now();
    let c0 = cpuMs();
    for (const a of actions) await bare.step(a);
    const cEnv = cpuMs() - c0;
    const wEnv = performance.now() - w0;
    const world = restoreWorld(start.physics);
    const control = c.control(world);
    w0 = performance.now();
    c0 = cpuMs();
    for (const a of actions) {
      control(a);
      for (let s = 0; s < c.substeps; s++) world.step();
    }
    const cRaw = cpuMs() - c0;
    const wRaw = performance.now() - w0;
    world.free();
    if (r >= 2) {
      // The first two rounds warm up both loops.
      envCpu.push(cEnv);
      rawCpu.push(cRaw);
      envWall.push(wEnv);
      rawWall.push(wRaw);
    }
  }
  const n = actions.length;
  results.push(
    summarize(`envs.${c.id}.overhead`, 'x', ratios(envCpu, rawCpu), {
      steps: n,
      substeps: c.substeps,
      actions: 'scripted policy (recorded)',
      timer: 'process CPU time',
      envStepsPerCpuSec: Math.round(n / (median(envCpu) / 1000)),
      rawStepsPerCpuSec: Math.round(n / (median(rawCpu) / 1000)),
      wallRatioMedian: Math.round(median(ratios(envWall, rawWall)) * 1000) / 1000,
    }),
  );
  await bare.close();
}

// --- WorkerVectorEnv scaling: 8 PushBox envs on 1 vs 2 workers (plus SyncVectorEnv) --------------
{
  const N = 8;
  const STEPS = 300;
  const vecRate = async (mode: 'sync' | 'worker', numWorkers?: number) => {
    const vec = await makeVec('PushBox-v0', N, mode, numWorkers === undefined ? {} : { numWorkers });
    const rng = Rng.fromSeed(3);
    const batch = () => {
      const a = new Float32Array(N * 2);
      rng.fillUniform(a, -1, 1);
      return a;
    };
    await vec.reset({ seed: 0 });
    for (let i = 0; i < 500; i++) await vec.step(batch()); // warm-up (each worker tiers up on its own)
    const rates: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (let i = 0; i < STEPS; i++) await vec.step(batch());
      rates.push((N * STEPS) / ((performance.now() - t0) / 1000));
    }
    await vec.close();
    return rates;
  };
  const sync = await vecRate('sync');
  const one = await vecRate('worker', 1);
  const two = await vecRate('worker', 2);
  results.push(summarize('envs.PushBox-v0.vector.sync', 'steps/s', sync, { numEnvs: N, steps: STEPS }));
  results.push(summarize('envs.PushBox-v0.vector.worker-1', 'steps/s', one, { numEnvs: N, numWorkers: 1, steps: STEPS }));
  results.push(summarize('envs.PushBox-v0.vector.worker-2', 'steps/s', two, { numEnvs: N, numWorkers: 2, steps: STEPS }));
  results.push(
    summarize('envs.PushBox-v0.vector.scaling-2-vs-1', 'x', ratios(two, one), {
      numEnvs: N,
      note: 'runs of 2 and 1 workers paired in order (not interleaved: each needs its own workers)',
    }),
  );
}

await writeResults('envs', results);
