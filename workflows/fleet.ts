/**
 * Warehouse fleets as a library call (what `embodied fleet` runs): episodes of `Warehouse-v0` on any
 * layout or map, driven by the greedy or the prioritised fleet policy, or by fleet MPC on a learned shared
 * per-robot model (`policy: 'mpc'`, `model`: its bundle), with the fleet metrics — deliveries, throughput (per simulated hour and per robot-hour), collisions by kind,
 * idle time, plan latency per robot — and the simulation speed.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { DEFAULT_MAX_EPISODE_STEPS, isBuiltinLayoutName } from '../environments/warehouse/layouts.js';
import { WarehouseEnv, type WarehouseOptions } from '../environments/warehouse/index.js';
import { WarehouseGreedyPolicy } from '../environments/warehouse/scripted.js';
import { WarehousePrioritizedPolicy } from '../environments/warehouse/fleet/prioritized.js';
import { WarehouseFleetMpcPolicy, fleetMotionOptions } from '../environments/warehouse/fleet/mpc-policy.js';
import { FleetMotionWorker } from '../environments/warehouse/fleet/motion-worker.js';
import type { Policy } from '../src/policy.js';
import { WorldModel } from '../src/worldmodel/world-model.js';
import { parseOptions, z } from '../src/options.js';
import { callbackOption, signalOption } from './schema.js';

/** Options of {@link runFleet}; every field but `envOptions` has a default. */
export const RunFleetOptionsSchema = z
  .object({
    /** `Warehouse-v0` options: `layout` or `layoutFile`, `robots`, `packages`, `dropZones`, … Default `{}` (tiny). */
    envOptions: z.record(z.string(), z.unknown()).default({}),
    /**
     * `'prioritized'` (reservation table, no robot–robot collisions), `'greedy'`, or `'mpc'`: fleet MPC
     * (`WarehouseFleetMpcPolicy`, the prioritised plan as its task layer) on the model at `model`. Default
     * `'prioritized'`.
     */
    policy: z.enum(['prioritized', 'greedy', 'mpc']).default('prioritized'),
    /** With `policy: 'mpc'`: the bundle of a shared per-robot observation-space model trained on ego-centric fleet data (`collectFleetDataset`). */
    model: z.string().min(1).optional(),
    /** With `policy: 'mpc'`: plan in a worker thread (`FleetMotionWorker`, which loads the model there), so this thread can give up on a late plan (`waitMs`). Default false. */
    planWorker: z.boolean().default(false),
    /** With `policy: 'mpc'`: every robot's plan deadline, ms from the start of its control step; a robot whose plan is late executes its previous plan. Default: none. */
    deadlineMs: z.number().positive().optional(),
    /** With `policy: 'mpc'` and `planWorker`: the longest a control step waits for the plan, ms; then every robot executes its previous plan. Default: no limit. */
    waitMs: z.number().positive().optional(),
    /** With `policy: 'mpc'`: execute the plans through the shelf brake (see `shelfBrake`); false executes them as they are. Default true. */
    shelfBrake: z.boolean().default(true),
    /** Episodes; episode k is reset with `seed + k`. Default 1. */
    episodes: z.number().int().min(1).default(1),
    /** Base seed. Default 0. */
    seed: z.number().int().min(0).default(0),
    /** Control steps per episode. Default: the layout's time limit (tiny 200, small 500, medium 1000, others 500). */
    maxSteps: z.number().int().min(1).optional(),
    /** Stops after the current step; the finished episodes are reported. */
    signal: signalOption(),
    /** Called after every episode. */
    onEpisode: callbackOption<(episode: FleetEpisode) => void>(),
  })
  .strict()
  .refine((o) => (o.policy === 'mpc') === (o.model !== undefined), { message: "expected `model` (a bundle directory) with policy 'mpc', and only then", path: ['model'] })
  .refine((o) => o.policy === 'mpc' || (!o.planWorker && o.deadlineMs === undefined && o.waitMs === undefined), {
    message: "expected `planWorker`, `deadlineMs` and `waitMs` only with `policy: 'mpc'`",
    path: ['policy'],
  })
  .refine((o) => o.policy === 'mpc' || o.shelfBrake, { message: "expected the shelf brake turned off only with `policy: 'mpc'`", path: ['shelfBrake'] })
  .refine((o) => o.waitMs === undefined || o.planWorker, { message: 'expected `waitMs` only with `planWorker` (a plan on this thread cannot be given up on)', path: ['waitMs'] });

/** Options accepted by {@link runFleet}. */
export type RunFleetOptions = z.input<typeof RunFleetOptionsSchema>;

/** One fleet episode's metrics (from the last step's `info`, the policy and the clock). */
export interface FleetEpisode {
  readonly seed: number;
  readonly steps: number;
  /** Every package delivered. */
  readonly success: boolean;
  readonly deliveries: number;
  /** Deliveries per simulated hour. */
  readonly throughput: number;
  /** Deliveries per robot-hour of simulated time. */
  readonly deliveriesPerRobotHour: number;
  readonly robotRobotCollisions: number;
  readonly robotShelfCollisions: number;
  /** Robot-seconds spent slower than 0.05 m/s. */
  readonly idleTime: number;
  /** Simulated seconds. */
  readonly simTime: number;
  /** Control steps per wall-clock second (environment + policy, this thread). */
  readonly stepsPerSecond: number;
  /**
   * Mean and longest plan per robot, ms (prioritised policy; with fleet MPC, the batched plan of the whole
   * fleet, which every robot waits for; empty for the greedy one, which does not plan ahead).
   */
  readonly planLatency: { readonly meanMs: readonly number[]; readonly maxMs: readonly number[] };
  /** Fleet MPC: per robot, plans in which it executed its previous plan (late for `deadlineMs`, or none within `waitMs`); empty otherwise. */
  readonly deadlineMisses: readonly number[];
}

/** What {@link runFleet} returns. */
export interface FleetReport {
  readonly policy: 'prioritized' | 'greedy' | 'mpc';
  readonly layout: { readonly name: string; readonly rows: number; readonly cols: number };
  readonly robots: number;
  readonly packages: number;
  readonly maxSteps: number;
  readonly episodes: readonly FleetEpisode[];
  /** Whether the signal stopped the run early. */
  readonly stopped: boolean;
}

/**
 * Runs fleet episodes (scripted, or fleet MPC on a learned model).
 * @throws {@link InvalidArgumentError} for bad options (naming the field) or a bad layout (naming line and column).
 */
export async function runFleet(options: RunFleetOptions): Promise<FleetReport> {
  const o = parseOptions(RunFleetOptionsSchema, options, 'runFleet options');
  const env = new WarehouseEnv(o.envOptions as WarehouseOptions);
  const name = env.layout.name;
  const maxSteps = o.maxSteps ?? DEFAULT_MAX_EPISODE_STEPS[isBuiltinLayoutName(name) ? name : 'custom'];
  const mpcOptions = {
    shelfBrake: o.shelfBrake,
    ...(o.deadlineMs !== undefined && { deadlineMs: o.deadlineMs }),
    ...(o.waitMs !== undefined && { waitMs: o.waitMs }),
  };
  let model: WorldModel | FleetMotionWorker | undefined;
  let mpc: WarehouseFleetMpcPolicy | undefined;
  try {
    if (o.model !== undefined && o.planWorker) {
      const setup = { layout: env.layout, config: env.config, robots: env.numRobots };
      model = await FleetMotionWorker.start({ setup, motion: fleetMotionOptions(mpcOptions), model: { bundle: o.model } });
    } else if (o.model !== undefined) model = await WorldModel.load(o.model);
    mpc = model && new WarehouseFleetMpcPolicy(env, model, mpcOptions);
  } catch (error) {
    await model?.close();
    await env.close();
    throw error;
  }
  const prioritized = o.policy === 'prioritized' ? new WarehousePrioritizedPolicy(env) : undefined;
  const policy: Policy<Float32Array, Float32Array> = prioritized ?? mpc ?? new WarehouseGreedyPolicy(env);
  const episodes: FleetEpisode[] = [];
  try {
    for (let k = 0; k < o.episodes && !o.signal?.aborted; k++) {
      const seed = o.seed + k;
      policy.reset?.(seed);
      let { observation, info } = await env.reset({ seed });
      const t0 = performance.now();
      let steps = 0;
      const fleetPlans: number[] = [];
      while (steps < maxSteps && !o.signal?.aborted) {
        const r = await env.step(await policy.act(observation));
        if (mpc) fleetPlans.push(mpc.lastPlanMs);
        observation = r.observation;
        info = r.info;
        steps++;
        if (r.terminated) break;
      }
      const wall = (performance.now() - t0) / 1000;
      const latency =
        prioritized?.planLatency() ??
        (mpc && { meanMs: new Array<number>(env.numRobots).fill(mean(fleetPlans)), maxMs: new Array<number>(env.numRobots).fill(Math.max(0, ...fleetPlans)) });
      const episode: FleetEpisode = {
        seed,
        steps,
        success: info.success === true,
        deliveries: Number(info.deliveries),
        throughput: Number(info.throughput),
        deliveriesPerRobotHour: Number(info.deliveriesPerRobotHour),
        robotRobotCollisions: Number(info.robotRobotCollisions),
        robotShelfCollisions: Number(info.robotShelfCollisions),
        idleTime: Number(info.idleTime),
        simTime: Number(info.simTime),
        stepsPerSecond: wall > 0 ? steps / wall : 0,
        planLatency: { meanMs: latency?.meanMs ?? [], maxMs: latency?.maxMs ?? [] },
        deadlineMisses: mpc?.deadlineMisses ?? [],
      };
      episodes.push(episode);
      o.onEpisode?.(episode);
    }
  } finally {
    await env.close();
    await model?.close();
  }
  return {
    policy: o.policy,
    layout: { name, rows: env.layout.rows, cols: env.layout.cols },
    robots: env.numRobots,
    packages: env.numPackages,
    maxSteps,
    episodes,
    stopped: o.signal?.aborted === true,
  };
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The report as `embodied fleet` prints it: one line per episode, then the means. */
export function formatFleetReport(r: FleetReport): string {
  const lines = [
    `Warehouse-v0 '${r.layout.name}' (${r.layout.cols}×${r.layout.rows}) · ${r.robots} robots, ${r.packages} packages · ${r.policy} fleet · up to ${r.maxSteps} steps${r.stopped ? ' · stopped early' : ''}`,
    'seed  steps  delivered  per h  per robot-h  robot-robot  robot-shelf  idle s  steps/s  plan ms/robot (mean, max)',
  ];
  for (const e of r.episodes) {
    const plan = e.planLatency.meanMs.length > 0 ? `${mean(e.planLatency.meanMs).toFixed(2)}, ${Math.max(...e.planLatency.maxMs).toFixed(2)}` : '–';
    lines.push(
      [
        String(e.seed).padEnd(4),
        String(e.steps).padStart(5),
        `${e.deliveries}/${r.packages}`.padStart(9),
        e.throughput.toFixed(0).padStart(5),
        e.deliveriesPerRobotHour.toFixed(1).padStart(11),
        String(e.robotRobotCollisions).padStart(11),
        String(e.robotShelfCollisions).padStart(11),
        e.idleTime.toFixed(1).padStart(6),
        e.stepsPerSecond.toFixed(0).padStart(7),
        plan,
      ].join('  '),
    );
  }
  const m = (f: (e: FleetEpisode) => number) => mean(r.episodes.map(f));
  const late = r.episodes.reduce((n, e) => n + e.deadlineMisses.reduce((a, b) => a + b, 0), 0);
  if (r.policy === 'mpc') lines.push(`robot plans late (previous plan executed instead): ${late} in all episodes`);
  lines.push(
    `mean: ${m((e) => e.deliveries).toFixed(1)} deliveries, ${m((e) => e.deliveriesPerRobotHour).toFixed(1)} per robot-hour, ${m((e) => e.robotRobotCollisions).toFixed(1)} robot-robot and ${m((e) => e.robotShelfCollisions).toFixed(1)} robot-shelf collisions, ${m((e) => e.stepsPerSecond).toFixed(0)} steps/s (${(m((e) => e.stepsPerSecond) / 10).toFixed(1)}× real time at 10 Hz)`,
  );
  return lines.join('\n');
}
