/**
 * A first learned fleet (issue 16), measured end to end: fleet data → one shared per-robot model →
 * batched fleet MPC, against the scripted fleets on the same episodes.
 *
 * 1. `collectFleetDataset`: the prioritised fleet with noise 0.3 on medium (4 and 8 robots), small, and the
 *    repository's aisles map (6 robots), 3 episodes × 300 steps each: ego-centric per-robot transitions.
 * 2. `trainWorldModel`: an observation-space model (`LEARN_MODEL`), 3,000 steps, one thread.
 * 3. Fleet MPC: every control step, all robots' ego observations are encoded in one call and planned by a
 *    `FleetPlanner` (iCEM 64 × 10 × 3 per robot, one batched model call per iteration); 300 steps, seed 100,
 *    on medium with 8 robots (a layout in the data) and on a generated 40 × 20 map (never seen).
 *    The greedy and prioritised fleets run the same episodes, and so does the Rapier-oracle fleet: one joint
 *    iCEM plan (64 × 10 × 3) of all robots' actions on Rapier itself, replanning every 2 steps.
 *
 * Everything is written under a fresh temporary directory, removed at the end.
 * `npm run bench -- --only fleet-learned` → bench/results/fleet-learned.json; with `FLEET_SHAPING=path`
 * (the dense reward on routes around shelves in the data and the episodes, and the route in the ego
 * observation) → fleet-learned-path.json;
 * `FLEET_ORACLE=0` leaves the oracle fleet out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { WarehouseEnv, WarehouseGreedyPolicy, WarehousePrioritizedPolicy, egoObservations, generateWarehouseMap, type WarehouseOptions } from '../environments/warehouse/index.js';
import { initRapier } from '../src/physics/rapier.js';
import { FleetPlanner } from '../src/planning/index.js';
import type { Policy } from '../src/policy.js';
import { LEARN_MODEL } from '../src/training/recipe.js';
import { WorldModel } from '../src/worldmodel/world-model.js';
import { collectFleetDataset } from '../workflows/fleet-data.js';
import { planEpisodes } from '../workflows/plan.js';
import { trainWorldModel } from '../workflows/train.js';
import { summarize, writeResults, type BenchResult } from './harness.js';

await initRapier({ fastTierUp: true });
const MAP = join(dirname(fileURLToPath(import.meta.url)), '../environments/warehouse/maps/aisles-24x12.map');
const STEPS = 300;
/** The dense reward's distances in the fleet data and the episodes (`FLEET_SHAPING=path`: routes around shelves). */
const SHAPING = (process.env.FLEET_SHAPING ?? 'straight') as 'straight' | 'path';
/** `FLEET_ORACLE=0` leaves out the Rapier-oracle fleet (2 × ~2.5 minutes). */
const WITH_ORACLE = process.env.FLEET_ORACLE !== '0';
/** With route shaping the ego observation carries the route too (length, next-cell direction): the model can then predict the shaped reward. */
const EGO = { route: SHAPING === 'path' };
const SEED = 100;
const work = mkdtempSync(join(tmpdir(), 'embodied-fleet-learned-'));

/** Runs one episode of `act` and returns its last info and the per-step decision times (ms). */
async function episode(env: WarehouseEnv, act: (obs: Float32Array) => Promise<Float32Array>): Promise<{ info: Record<string, unknown>; ms: number[] }> {
  let { observation, info } = await env.reset({ seed: SEED });
  const ms: number[] = [];
  for (let t = 0; t < STEPS; t++) {
    const t0 = performance.now();
    const action = await act(observation);
    ms.push(performance.now() - t0);
    const r = await env.step(action);
    observation = r.observation;
    info = r.info;
    if (r.terminated) break;
  }
  return { info, ms };
}

/**
 * The Rapier-oracle fleet on the bench's episode: one joint plan of all robots' actions per decision (iCEM
 * 64 × 10 × 3 over the N × 3 joint action, replanning every 2 steps) on the environment's own reward.
 */
async function oracleRows(label: string, options: WarehouseOptions, params: Record<string, unknown>): Promise<BenchResult[]> {
  const oracle = await planEpisodes({
    env: 'Warehouse-v0',
    envOptions: options as Record<string, unknown>,
    oracle: true,
    episodes: 1,
    seed: SEED,
    maxSteps: STEPS,
    maxEpisodeSteps: STEPS,
    algorithm: 'icem',
    horizon: 10,
    samples: 64,
    iterations: 3,
    replanEvery: 2,
  });
  const m = oracle.infoMetrics;
  const count = (name: string, v: number | undefined) => summarize(`fleet-learned.${label}.oracle-mpc.${name}`, 'count', [Number(v)], params);
  return [
    count('deliveries', m.deliveries?.mean),
    count('robot-robot-collisions', m.robotRobotCollisions?.mean),
    count('robot-shelf-collisions', m.robotShelfCollisions?.mean),
    summarize(`fleet-learned.${label}.oracle-mpc.plan`, 'ms', [oracle.planMs.p50], { ...params, statistic: 'p50 of one joint Rapier plan for all robots (every 2nd step)' }),
  ];
}

const results: BenchResult[] = [];
try {
  const t0 = performance.now();
  const data = join(work, 'data');
  const manifest = await collectFleetDataset({
    out: data,
    fleets: [{ layout: 'medium', robots: 4 }, { layout: 'medium', robots: 8 }, { layout: 'small' }, { layoutFile: MAP, robots: 6 }].map((f) => ({ ...f, shaping: SHAPING })),
    episodes: 3,
    maxSteps: 300,
    noise: 0.3,
    ego: EGO,
  });
  const bundle = join(work, 'model');
  await trainWorldModel({ data, out: bundle, steps: 3000, config: LEARN_MODEL, threads: 1 });
  const buildS = (performance.now() - t0) / 1000;
  const model = await WorldModel.load(bundle);
  const unseen = generateWarehouseMap({ width: 40, height: 20, barColumns: 3, barRows: 5, barLength: 8, aisle: 2 });
  for (const [label, options] of [
    ['medium-8', { layout: 'medium', robots: 8, shaping: SHAPING }],
    ['unseen-40x20-8', { layout: unseen, robots: 8, dropZones: 'west', shaping: SHAPING }],
  ] as [string, WarehouseOptions][]) {
    const env = new WarehouseEnv(options);
    const N = env.numRobots;
    const planner = new FleetPlanner(model, { robots: N, horizon: 10, low: [-1, -1, -1], high: [1, 1, 1], optimizer: { algorithm: 'icem', samples: 64, iterations: 3 } });
    const learned = await episode(env, async (obs) => {
      const plan = await planner.plan(await model.encode(egoObservations(obs, env, EGO)));
      const action = new Float32Array(N * 3);
      for (let i = 0; i < N; i++) action.set(plan.actions.subarray(i * 30, i * 30 + 3), i * 3);
      return action;
    });
    const params = {
      map: label,
      robots: N,
      packages: env.numPackages,
      steps: STEPS,
      seed: SEED,
      transitions: manifest.counts.transitions,
      trainSteps: 3000,
      buildSeconds: Math.round(buildS),
      shaping: SHAPING,
    };
    const row = (who: string, info: Record<string, unknown>) => [
      summarize(`fleet-learned.${label}.${who}.deliveries`, 'count', [Number(info.deliveries)], params),
      summarize(`fleet-learned.${label}.${who}.robot-robot-collisions`, 'count', [Number(info.robotRobotCollisions)], params),
      summarize(`fleet-learned.${label}.${who}.robot-shelf-collisions`, 'count', [Number(info.robotShelfCollisions)], params),
    ];
    results.push(...row('learned-mpc', learned.info));
    results.push(
      summarize(`fleet-learned.${label}.learned-mpc.plan`, 'ms', learned.ms, { ...params, statistic: 'encode + one batched fleet plan for all robots, per control step' }),
    );
    results.push(
      summarize(
        `fleet-learned.${label}.learned-mpc.replan-rate`,
        'Hz',
        learned.ms.map((ms) => 1000 / ms),
        { ...params, statistic: 'every robot replans every control step' },
      ),
    );
    if (WITH_ORACLE) results.push(...(await oracleRows(label, options, params)));
    for (const [who, policy] of [
      ['greedy', new WarehouseGreedyPolicy(env)],
      ['prioritized', new WarehousePrioritizedPolicy(env)],
    ] as [string, Policy<Float32Array, Float32Array>][]) {
      policy.reset?.(SEED);
      results.push(...row(who, (await episode(env, async (obs) => policy.act(obs))).info));
    }
    await env.close();
  }
  await model.close();
  // The straight-line run is `fleet-learned`; the route-shaped one its own file beside it.
  await writeResults(SHAPING === 'path' ? 'fleet-learned-path' : 'fleet-learned', results);
} finally {
  rmSync(work, { recursive: true, force: true });
}
