/**
 * The learned fleet (issue 16), measured end to end: fleet data → one shared per-robot model → fleet MPC,
 * against the Rapier-oracle fleet (the same controller on exact dynamics) and the scripted fleets on the
 * same episodes.
 *
 * 1. `collectFleetDataset`: the prioritised fleet with velocity noise (each robot's std per episode drawn
 *    from [0, 1]) on medium (4 and 8 robots), small, and the repository's aisles map (6 robots), 3 episodes ×
 *    300 steps each: ego-centric per-robot transitions.
 * 2. `trainWorldModel`: an observation-space model (`LEARN_MODEL` with the linear skip), 10,000 steps, one
 *    thread.
 * 3. `WarehouseFleetMpcPolicy`: the prioritised task layer (reservations; each robot's reference over the
 *    horizon) and a `FleetPlanner` (iCEM 64 × 10 × 5 per robot, the policy's default; every robot replanning every control step,
 *    all robots' candidates in one model call per iteration) tracking it on the learned model. The
 *    Rapier-oracle fleet is the same policy on `WarehouseFleetOracle` (candidate k of every robot rolled
 *    out together in a restored copy of the world). 300 steps, seeds 100, 101, 102 (`FLEET_SEEDS`), 8 robots:
 *    on medium (a layout in the data), on medium with 16 robots (a fleet size not in the data), and on a
 *    generated 40 × 20 map (never seen). The greedy and prioritised fleets run the same episodes. The oracle
 *    fleet runs every seed on medium with 8 robots (the acceptance's comparison) and the first seed on the
 *    unseen map (about 4 minutes an episode).
 * 4. The same learned fleet MPC with its motion layer in a worker thread (`FleetMotionWorker`, the model loaded
 *    there) and per-robot deadlines: `deadlineMs` 90 (a robot's optimiser stops before its next iteration
 *    would end past 90 ms from the start of the control step; a robot whose plan is late executes its previous
 *    plan) and `waitMs` 100 (past it every robot executes its previous plan and the plan is cancelled): every
 *    control step is answered within about 100 ms, i.e. every robot at ≥ 10 Hz, on every map; the rows
 *    `learned-mpc-worker` give its deliveries, collisions, the time each control step took and the robot plans
 *    that missed their deadline.
 *
 * Everything is written under a fresh temporary directory, removed at the end.
 * `npm run bench -- --only fleet-learned` → bench/results/fleet-learned.json: per map and fleet, the
 * deliveries and collisions of every episode (one sample per seed) and the plan times; `FLEET_ORACLE=0`
 * leaves the oracle fleet out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  FleetMotionWorker,
  WarehouseEnv,
  WarehouseFleetMpcPolicy,
  fleetMotionOptions,
  WarehouseFleetOracle,
  WarehouseGreedyPolicy,
  WarehousePrioritizedPolicy,
  generateWarehouseMap,
  type WarehouseOptions,
} from '../environments/warehouse/index.js';
import { initRapier } from '../src/physics/rapier.js';
import type { Policy } from '../src/policy.js';
import { LEARN_MODEL } from '../src/training/recipe.js';
import { WorldModel } from '../src/worldmodel/world-model.js';
import { collectFleetDataset } from '../workflows/fleet-data.js';
import { trainWorldModel } from '../workflows/train.js';
import { summarize, writeResults, type BenchResult } from './harness.js';

await initRapier({ fastTierUp: true });
const MAP = join(dirname(fileURLToPath(import.meta.url)), '../environments/warehouse/maps/aisles-24x12.map');
const STEPS = 300;
const TRAIN_STEPS = 10_000;
/** `FLEET_ORACLE=0` leaves out the Rapier-oracle fleet. */
const WITH_ORACLE = process.env.FLEET_ORACLE !== '0';
const SEEDS = (process.env.FLEET_SEEDS ?? '100,101,102').split(',').map(Number);
const work = mkdtempSync(join(tmpdir(), 'embodied-fleet-learned-'));
/** The worker variant's deadlines (ms from the start of a control step). */
const DEADLINE_MS = 90;
const WAIT_MS = 100;
const policies: WarehouseFleetMpcPolicy[] = [];

/** Runs one episode of `act` and returns its last info and the per-step decision times (ms). */
async function episode(
  env: WarehouseEnv,
  policy: Policy<Float32Array, Float32Array>,
  seed: number,
  before?: (obs: Float32Array) => void,
): Promise<{ info: Record<string, unknown>; ms: number[] }> {
  policy.reset?.(seed);
  let { observation, info } = await env.reset({ seed });
  const ms: number[] = [];
  for (let t = 0; t < STEPS; t++) {
    before?.(observation);
    const t0 = performance.now();
    const action = await policy.act(observation);
    ms.push(performance.now() - t0);
    const r = await env.step(action);
    observation = r.observation;
    info = r.info;
    if (r.terminated) break;
  }
  return { info, ms };
}

const results: BenchResult[] = [];
try {
  const load = loadavg()[0];
  const t0 = performance.now();
  const data = join(work, 'data');
  const manifest = await collectFleetDataset({
    out: data,
    fleets: [{ layout: 'medium', robots: 4 }, { layout: 'medium', robots: 8 }, { layout: 'small' }, { layoutFile: MAP, robots: 6 }],
    episodes: 3,
    maxSteps: 300,
    noise: 1,
    noiseMin: 0,
  });
  const bundle = join(work, 'model');
  await trainWorldModel({ data, out: bundle, steps: TRAIN_STEPS, config: { ...LEARN_MODEL, linearSkip: true }, threads: 1 });
  const buildS = (performance.now() - t0) / 1000;
  const model = await WorldModel.load(bundle);
  const unseen = generateWarehouseMap({ width: 40, height: 20, barColumns: 3, barRows: 5, barLength: 8, aisle: 2 });
  for (const [label, options] of [
    ['medium-8', { layout: 'medium', robots: 8 }],
    ['medium-16', { layout: 'medium', robots: 16 }],
    ['unseen-40x20-8', { layout: unseen, robots: 8, dropZones: 'west' }],
  ] as [string, WarehouseOptions][]) {
    const env = new WarehouseEnv(options);
    const params = {
      map: label,
      robots: env.numRobots,
      packages: env.numPackages,
      steps: STEPS,
      seeds: SEEDS.join(','),
      transitions: manifest.counts.transitions,
      trainSteps: TRAIN_STEPS,
      buildSeconds: Math.round(buildS),
      loadAtStart: Math.round(load * 100) / 100,
    };
    /** Runs `make()`'s policy on every seed (or the first `seeds`) and adds its rows: counts per episode, plan times over all steps. */
    const fleet = async (who: string, make: () => Policy<Float32Array, Float32Array>, seeds = SEEDS, before?: (obs: Float32Array) => void, plan?: string) => {
      const runs: { info: Record<string, unknown>; ms: number[] }[] = [];
      for (const seed of seeds) runs.push(await episode(env, make(), seed, before));
      const p = { ...params, seeds: seeds.join(',') };
      const count = (name: string, key: string) => {
        const perSeed = runs.map((r) => Number(r.info[key]));
        return summarize(`fleet-learned.${label}.${who}.${name}`, 'count', perSeed, { ...p, statistic: 'one sample per seed', perSeed, total: perSeed.reduce((a, b) => a + b, 0) });
      };
      results.push(count('deliveries', 'deliveries'), count('robot-robot-collisions', 'robotRobotCollisions'), count('robot-shelf-collisions', 'robotShelfCollisions'));
      const ms = runs.flatMap((r) => r.ms);
      if (plan !== undefined) results.push(summarize(`fleet-learned.${label}.${who}.plan`, 'ms', ms, { ...p, statistic: plan }));
      return ms;
    };
    const learnedMs = await fleet(
      'learned-mpc',
      () => new WarehouseFleetMpcPolicy(env, model),
      SEEDS,
      undefined,
      'task layer + encode + one batched fleet plan for all robots, per control step',
    );
    results.push(
      summarize(
        `fleet-learned.${label}.learned-mpc.replan-rate`,
        'Hz',
        learnedMs.map((ms) => 1000 / ms),
        { ...params, statistic: 'every robot replans every control step' },
      ),
    );
    const worker = await FleetMotionWorker.start({
      setup: { layout: env.layout, config: env.config, robots: env.numRobots },
      motion: fleetMotionOptions(),
      model: { bundle },
    });
    const misses: number[] = [];
    const workerMs = await fleet(
      'learned-mpc-worker',
      () => {
        const policy = new WarehouseFleetMpcPolicy(env, worker, { deadlineMs: DEADLINE_MS, waitMs: WAIT_MS });
        // One policy per episode: its deadline misses are read after the last.
        policies.push(policy);
        return policy;
      },
      SEEDS,
      undefined,
      `the whole control step (task layer, the plan in the worker, or the wait): deadlineMs ${DEADLINE_MS}, waitMs ${WAIT_MS}`,
    );
    for (const policy of policies.splice(0)) misses.push(policy.deadlineMisses.reduce((a, b) => a + b, 0));
    results.push(
      summarize(
        `fleet-learned.${label}.learned-mpc-worker.replan-rate`,
        'Hz',
        workerMs.map((ms) => 1000 / ms),
        { ...params, statistic: 'control steps answered per second (every robot, every step)' },
      ),
      summarize(`fleet-learned.${label}.learned-mpc-worker.deadline-misses`, 'count', misses, {
        ...params,
        statistic: 'robot plans that executed the previous plan, one sample per seed',
        perSeed: misses,
        total: misses.reduce((a, b) => a + b, 0),
      }),
    );
    await worker.close();
    if (WITH_ORACLE && env.numRobots <= 8) {
      const oracle = await WarehouseFleetOracle.create(options);
      const seeds = label === 'medium-8' ? SEEDS : SEEDS.slice(0, 1);
      await fleet(
        'oracle-mpc',
        () => new WarehouseFleetMpcPolicy(env, oracle),
        seeds,
        (obs) => oracle.setStart(env.getState(), obs),
        'the same fleet MPC on Rapier (WarehouseFleetOracle), per control step',
      );
      await oracle.close();
    }
    await fleet('greedy', () => new WarehouseGreedyPolicy(env));
    await fleet('prioritized', () => new WarehousePrioritizedPolicy(env));
    await env.close();
  }
  await model.close();
  await writeResults('fleet-learned', results);
} finally {
  rmSync(work, { recursive: true, force: true });
}
