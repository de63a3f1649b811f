/**
 * Warehouse-v0 speed: env steps/s on the tiny, small and medium layouts, without lidar and with 16
 * rays per robot, and the environment's overhead over raw physics on Warehouse-small without lidar:
 * env.step against the same scene driven by plain Rapier calls (per control step one `setLinvel` per
 * robot, then the same substeps of `world.step()`), from the same start state and the same velocity
 * commands, in interleaved runs (ratio unit "x"; target ≤ 1.15).
 *
 * `npm run bench -- --only warehouse` → bench/results/warehouse.json
 */
import { performance } from 'node:perf_hooks';
import { initRapier } from '../src/physics/rapier.js';
import { restoreWorld } from '../src/physics/snapshot.js';
import { Rng } from '../src/rng.js';
import { WarehouseEnv, type WarehouseOptions } from '../environments/warehouse/index.js';
import { interleave, ratios, summarize, writeResults, type BenchResult } from './harness.js';

const EPISODE = 200; // control steps before a reset, so every run sees comparable scenes
const RUN_MS = 150; // target duration of one timed run

await initRapier({ fastTierUp: true });

/** Random actions, cycled; grips are random too (robots pick up and drop packages). */
function actionPool(env: WarehouseEnv, rows: number, seed: number, grip: boolean): Float32Array[] {
  const rng = Rng.fromSeed(seed);
  return Array.from({ length: rows }, () => {
    const a = env.actionSpace.sample(rng);
    if (!grip && env.config.gripMode === 'lift') for (let i = 2; i < a.length; i += 3) a[i] = -1;
    return a;
  });
}

/** A case that steps `env` through the pool `steps` times per run, resetting every EPISODE steps. */
function stepper(env: WarehouseEnv, pool: Float32Array[]): { run: (steps: number) => Promise<void> } {
  let k = 0;
  let t = 0;
  return {
    async run(steps: number) {
      for (let s = 0; s < steps; s++) {
        const r = await env.step(pool[k++ % pool.length]!);
        if (r.terminated || r.truncated || ++t >= EPISODE) {
          t = 0;
          await env.reset();
        }
      }
    },
  };
}

async function calibrate(run: (steps: number) => Promise<void>): Promise<number> {
  await run(2000); // tier-up
  const t0 = performance.now();
  await run(200);
  const perStep = (performance.now() - t0) / 200;
  return Math.max(100, Math.round(RUN_MS / perStep));
}

async function throughput(layout: string, lidarRays: number): Promise<BenchResult> {
  const options: WarehouseOptions = { layout, lidarRays };
  const env = new WarehouseEnv(options);
  await env.reset({ seed: 0 });
  const s = stepper(env, actionPool(env, 1024, 1, true));
  const steps = await calibrate(s.run);
  const samples = await interleave({ env: () => s.run(steps) }, { warmup: 1, runs: 5 });
  await env.close();
  const name = `warehouse.${layout}.${lidarRays > 0 ? `lidar${lidarRays}` : 'nolidar'}`;
  return summarize(
    name,
    'steps/s',
    samples.env!.map((ms) => steps / (ms / 1000)),
    { layout, lidarRays, robots: env.numRobots, packages: env.numPackages, substeps: env.config.substeps, stepsPerRun: steps },
  );
}

async function overhead(layout: string): Promise<BenchResult[]> {
  const env = new WarehouseEnv({ layout });
  await env.reset({ seed: 0 });
  const start = env.getState();
  const pool = actionPool(env, 400, 2, false);
  const steps = pool.length;
  const N = env.numRobots;
  const substeps = env.config.substeps;
  const maxSpeed = env.config.maxSpeed;
  const robotHandles = env.bodyHandles().robots;
  const velocity = { x: 0, y: 0, z: 0 };

  const runEnv = async () => {
    env.setState(start);
    for (let t = 0; t < steps; t++) await env.step(pool[t]!);
  };
  const runRaw = async () => {
    const world = restoreWorld(start.physics);
    const robots = robotHandles.map((h) => world.getRigidBody(h));
    for (let t = 0; t < steps; t++) {
      const a = pool[t]!;
      for (let i = 0; i < N; i++) {
        velocity.x = a[3 * i]! * maxSpeed;
        velocity.z = a[3 * i + 1]! * maxSpeed;
        robots[i]!.setLinvel(velocity, true);
      }
      for (let k = 0; k < substeps; k++) world.step();
    }
    world.free();
  };
  for (let w = 0; w < 5; w++) {
    await runEnv();
    await runRaw();
  }
  const samples = await interleave({ env: runEnv, raw: runRaw }, { warmup: 2, runs: 15 });
  await env.close();
  const params = { layout, lidarRays: 0, robots: N, substeps, controlSteps: steps, raw: 'setLinvel per robot per control step + substeps × world.step()' };
  const rate = (ms: number[]) => ms.map((t) => steps / (t / 1000));
  return [
    summarize(`warehouse.${layout}.overhead.env`, 'steps/s', rate(samples.env!), params),
    summarize(`warehouse.${layout}.overhead.raw`, 'steps/s', rate(samples.raw!), params),
    summarize(`warehouse.${layout}.overhead.env-vs-raw`, 'x', ratios(samples.env!, samples.raw!), { ...params, target: 1.15 }),
    // On a shared machine the fastest runs are the least disturbed: their ratio is a steadier estimate.
    summarize(`warehouse.${layout}.overhead.env-vs-raw.fastest`, 'x', [Math.min(...samples.env!) / Math.min(...samples.raw!)], {
      ...params,
      target: 1.15,
      statistic: 'fastest env run / fastest raw run',
    }),
  ];
}

const results: BenchResult[] = [];
for (const layout of ['tiny', 'small', 'medium']) {
  for (const lidarRays of [0, 16]) {
    const r = await throughput(layout, lidarRays);
    console.log(`${r.name}: ${r.median.toFixed(0)} steps/s`);
    results.push(r);
  }
}
results.push(...(await overhead('small')));
await writeResults('warehouse', results);
