/**
 * Warehouse fleets (issue 16):
 *
 * - **Big map speed**: control steps per second with 8, 32 and 100 robots on a 161 × 63 warehouse map
 *   (the map `generateWarehouseMap()` writes, with the structure of MovingAI's warehouse-10-20-10-2-1),
 *   driven by the prioritised fleet policy, on this one thread: the environment alone (physics + task +
 *   observations) and environment + policy, and their ratio to real time at 10 Hz (unit "x", > 1 is
 *   faster than real time). When the real benchmark file is at `bench/maps/warehouse-10-20-10-2-1.map`
 *   (not shipped, never downloaded), it is loaded and measured too.
 * - **Batched fleet MPC**: one `FleetPlanner` plan for every robot (iCEM 64 × 10 × 3 per robot, all robots'
 *   candidates in one batched call per iteration) against the same robots planned one by one (one call per
 *   robot per iteration), on a seeded random MLP of a shared per-robot model's size (52 → 128 → 128 → 52, one
 *   onnxruntime thread), 8 and 32 robots, interleaved runs; the batched plan time gives each robot's replanning
 *   rate.
 * - **Baselines**: greedy vs prioritised fleets on the medium layout with 8 and 16 robots (seeds
 *   0–4, 1000-step limit): deliveries, robot–robot and robot–shelf collisions per episode, steps to
 *   deliver everything; and on the big map with 32 robots (600 steps, seed 0).
 *
 * `npm run bench -- --only fleet` → bench/results/fleet.json
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { WarehouseEnv, WarehouseGreedyPolicy, WarehousePrioritizedPolicy, generateWarehouseMap, type WarehouseOptions } from '../environments/warehouse/index.js';
import { initRapier } from '../src/physics/rapier.js';
import { FleetPlanner, ReferenceMlpModel } from '../src/planning/index.js';
import type { Policy } from '../src/policy.js';
import { interleave, ratios, summarize, writeResults, type BenchResult } from './harness.js';

await initRapier({ fastTierUp: true });

const REAL_MAP = join(dirname(fileURLToPath(import.meta.url)), 'maps', 'warehouse-10-20-10-2-1.map');
const CONTROL_HZ = 10;
const WARMUP_STEPS = 60;
const RUNS = 5;
const STEPS_PER_RUN = 40;

/** Steps/s of env.step alone and of policy + env.step, per run, on one fleet episode. */
async function speed(map: string, label: string, robots: number): Promise<BenchResult[]> {
  const env = new WarehouseEnv({ layout: map, robots });
  const policy = new WarehousePrioritizedPolicy(env);
  policy.reset(0);
  let { observation } = await env.reset({ seed: 0 });
  const envRates: number[] = [];
  const fleetRates: number[] = [];
  for (let run = -1; run < RUNS; run++) {
    let envMs = 0;
    let allMs = 0;
    const steps = run < 0 ? WARMUP_STEPS : STEPS_PER_RUN;
    for (let t = 0; t < steps; t++) {
      const t0 = performance.now();
      const action = policy.act(observation);
      const t1 = performance.now();
      observation = (await env.step(action)).observation;
      const t2 = performance.now();
      envMs += t2 - t1;
      allMs += t2 - t0;
    }
    if (run < 0) continue;
    envRates.push(steps / (envMs / 1000));
    fleetRates.push(steps / (allMs / 1000));
  }
  const params = {
    map: label,
    rows: env.layout.rows,
    cols: env.layout.cols,
    robots,
    packages: env.numPackages,
    policy: 'prioritized',
    stepsPerRun: STEPS_PER_RUN,
    controlHz: CONTROL_HZ,
  };
  const latency = policy.planLatency();
  await env.close();
  const rt = (xs: number[]) => xs.map((x) => x / CONTROL_HZ);
  return [
    summarize(`fleet.${label}.${robots}.env`, 'steps/s', envRates, params),
    summarize(`fleet.${label}.${robots}.env+policy`, 'steps/s', fleetRates, params),
    summarize(`fleet.${label}.${robots}.env+policy.real-time`, 'x', rt(fleetRates), { ...params, statistic: 'steps/s ÷ 10 Hz; > 1 is faster than real time' }),
    summarize(`fleet.${label}.${robots}.plan-per-robot`, 'ms', latency.meanMs, {
      ...params,
      statistic: "each robot's mean space-time A* time (one sample per robot; max over all plans in params)",
      maxMs: Math.max(...latency.maxMs),
    }),
  ];
}

/** Per-episode deliveries, collisions and steps of a scripted fleet. */
async function baseline(options: WarehouseOptions, label: string, kind: 'greedy' | 'prioritized', seeds: number[], maxSteps: number): Promise<BenchResult[]> {
  const env = new WarehouseEnv(options);
  const policy: Policy<Float32Array, Float32Array> = kind === 'greedy' ? new WarehouseGreedyPolicy(env) : new WarehousePrioritizedPolicy(env);
  const rows = { deliveries: [] as number[], robotRobot: [] as number[], robotShelf: [] as number[], steps: [] as number[], perRobotHour: [] as number[] };
  for (const seed of seeds) {
    policy.reset?.(seed);
    let { observation, info } = await env.reset({ seed });
    let steps = 0;
    while (steps < maxSteps) {
      const r = await env.step(await policy.act(observation));
      observation = r.observation;
      info = r.info;
      steps++;
      if (r.terminated) break;
    }
    rows.deliveries.push(Number(info.deliveries));
    rows.robotRobot.push(Number(info.robotRobotCollisions));
    rows.robotShelf.push(Number(info.robotShelfCollisions));
    rows.steps.push(steps);
    rows.perRobotHour.push(Number(info.deliveriesPerRobotHour));
  }
  const params = { ...options, layout: label, robots: env.numRobots, packages: env.numPackages, policy: kind, seeds, maxSteps };
  await env.close();
  const name = `fleet.baseline.${label}.${env.numRobots}.${kind}`;
  console.log(
    `${name}: deliveries ${rows.deliveries.join(' ')}, robot-robot ${rows.robotRobot.join(' ')}, robot-shelf ${rows.robotShelf.join(' ')}, steps ${rows.steps.join(' ')}`,
  );
  return [
    summarize(`${name}.deliveries`, 'count', rows.deliveries, params),
    summarize(`${name}.robot-robot-collisions`, 'count', rows.robotRobot, params),
    summarize(`${name}.robot-shelf-collisions`, 'count', rows.robotShelf, params),
    summarize(`${name}.steps`, 'count', rows.steps, { ...params, statistic: 'control steps until every package was delivered (or the limit)' }),
    summarize(`${name}.deliveries-per-robot-hour`, 'deliveries/robot-h', rows.perRobotHour, { ...params, statistic: 'deliveries per robot-hour of simulated time' }),
  ];
}

/** ms per fleet plan, batched vs robot by robot, on the same model and starts. */
async function batching(robots: number): Promise<BenchResult[]> {
  const model = await ReferenceMlpModel.create({ stateDim: 52, actionDim: 3, hidden: 128, seed: 1, intraOpNumThreads: 1 });
  const spec = { algorithm: 'icem', samples: 64, iterations: 3 } as const;
  const common = { horizon: 10, low: [-1, -1, -1], high: [1, 1, 1], optimizer: spec };
  const starts = Float32Array.from({ length: robots * 52 }, (_, i) => Math.sin(i));
  const fleet = new FleetPlanner(model, { ...common, robots });
  const alone = Array.from({ length: robots }, (_, r) => new FleetPlanner(model, { ...common, robots: 1, seed: r }));
  const samples = await interleave(
    {
      batched: () => fleet.plan(starts),
      perRobot: async () => {
        for (let r = 0; r < robots; r++) await alone[r]!.plan(starts.subarray(r * 52, (r + 1) * 52));
      },
    },
    { warmup: 2, runs: 9 },
  );
  await model.close();
  const params = { robots, model: 'ReferenceMlpModel 52→128→128→52, A 3', optimizer: 'icem 64 × 10 × 3 per robot', threads: 1 };
  return [
    summarize(`fleet.mpc.${robots}.batched`, 'ms', samples.batched!, { ...params, modelCalls: 3 }),
    summarize(`fleet.mpc.${robots}.per-robot`, 'ms', samples.perRobot!, { ...params, modelCalls: 3 * robots }),
    summarize(`fleet.mpc.${robots}.per-robot-vs-batched`, 'x', ratios(samples.perRobot!, samples.batched!), params),
    summarize(
      `fleet.mpc.${robots}.replan-rate`,
      'Hz',
      samples.batched!.map((ms) => 1000 / ms),
      { ...params, statistic: 'every robot gets a new plan per batched fleet plan' },
    ),
  ];
}

const results: BenchResult[] = [];
for (const robots of [8, 32]) {
  const r = await batching(robots);
  console.log(r.map((x) => `${x.name}: ${x.median.toFixed(2)} ${x.unit}`).join('\n'));
  results.push(...r);
}
const generated = generateWarehouseMap();
const maps: [string, string][] = [['generated-161x63', generated]];
if (existsSync(REAL_MAP)) maps.push(['warehouse-10-20-10-2-1', readFileSync(REAL_MAP, 'utf8')]);
else console.log(`(no ${REAL_MAP}: measuring the generated map only)`);
for (const [label, map] of maps) {
  for (const robots of [8, 32, 100]) {
    const r = await speed(map, label, robots);
    console.log(r.map((x) => `${x.name}: ${x.median.toFixed(1)} ${x.unit}`).join('\n'));
    results.push(...r);
  }
}
const seeds = [0, 1, 2, 3, 4];
for (const robots of [8, 16]) {
  for (const kind of ['greedy', 'prioritized'] as const) results.push(...(await baseline({ layout: 'medium', robots }, 'medium', kind, seeds, 1000)));
}
for (const kind of ['greedy', 'prioritized'] as const) results.push(...(await baseline({ layout: generated, robots: 32 }, 'generated-161x63', kind, [0], 600)));
await writeResults('fleet', results);
