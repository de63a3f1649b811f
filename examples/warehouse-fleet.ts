/**
 * A warehouse fleet: one RxJS agent per robot, composed with `multiAgent`, on the multi-robot
 * `Warehouse-v0` (PettingZoo-style per-robot dict API).
 *
 * `WarehouseParallelEnv` speaks records keyed by robot id (`{ robot_0: obs, robot_1: obs }`);
 * `ParallelEnvAdapter` presents it as one `Env` over records so `runEpisode` runs it unchanged;
 * `multiAgent` gives each robot's agent only its own observation and merges their answers into one
 * action record per step. Each robot here runs the scripted greedy controller (drive to the package,
 * lift, carry to a drop zone, release) on its own observation — decentralised: nobody sees the others'
 * plans, so robots may bump into each other. With `--deadline-ms`, a robot that does not answer in time
 * is covered by its fallback (hold its last command) and the others are never held up; `--slow-ms`
 * makes robot_0 answer that late (an RxJS `delay`, standing in for a slow planner) to show it.
 *
 *   npx tsx examples/warehouse-fleet.ts                           # 'small': 2 robots, 4 packages
 *   npx tsx examples/warehouse-fleet.ts --layout medium --seed 3  # 4 robots, 8 packages, 3 drop zones
 *   npx tsx examples/warehouse-fleet.ts --max-steps 100 --every 25 --deadline-ms 10 --slow-ms 30
 *
 * In your own project, import from 'embodied' instead of '../index.js'.
 */
import { parseArgs } from 'node:util';
import { delay, lastValueFrom, tap } from 'rxjs';
import { multiAgent, ParallelEnvAdapter, policyAgent, runEpisode, WarehouseGreedyPolicy, WarehouseParallelEnv, type Agent, type Info, type TeamInfo } from '../index.js';

const { values: args } = parseArgs({
  options: {
    layout: { type: 'string', default: 'small' },
    seed: { type: 'string', default: '1' },
    'max-steps': { type: 'string' },
    every: { type: 'string', default: '50' },
    'deadline-ms': { type: 'string' },
    'slow-ms': { type: 'string' },
  },
});

const fleet = new WarehouseParallelEnv({ layout: args.layout });
const robots = fleet.possibleAgents;
const packages = fleet.env.layout.packages.length;
const maxSteps = args['max-steps'] !== undefined ? Number(args['max-steps']) : fleet.maxEpisodeSteps;
console.log(
  `Warehouse-v0 '${args.layout}': ${robots.length} robots (${robots.join(', ')}), ${packages} packages, ${fleet.env.layout.dropZones.length} drop zones; up to ${maxSteps} steps of 0.1 s`,
);

/**
 * Robot `index`'s agent: the greedy controller on this robot's observation only. The controller is
 * written for the centralised view (every robot's block side by side) and computes each robot from its
 * own block, so the robot hands it its own block in every slot and keeps its own row of the answer.
 */
function greedyRobot(index: number): Agent<Float32Array, Float32Array> {
  const greedy = new WarehouseGreedyPolicy(fleet.env);
  const full = new Float32Array(robots.length * fleet.env.robotObservationSpace.flatDim);
  return policyAgent((observation: Float32Array) => {
    for (let slot = 0; slot < robots.length; slot++) full.set(observation, slot * observation.length);
    return greedy.act(full).slice(index * 3, index * 3 + 3);
  });
}

/** An agent whose every answer comes `ms` late: agents are operators, so latency is one RxJS operator away. */
const late =
  (agent: Agent<Float32Array, Float32Array>, ms: number): Agent<Float32Array, Float32Array> =>
  (percepts) =>
    agent(percepts).pipe(delay(ms));

const stop = Float32Array.of(0, 0, 0); // vx, vz, grip: a late robot's action before it has ever answered
const slowMs = args['slow-ms'] !== undefined ? Number(args['slow-ms']) : 0;
const team = multiAgent(Object.fromEntries(robots.map((id, i) => [id, i === 0 && slowMs > 0 ? late(greedyRobot(i), slowMs) : greedyRobot(i)])), {
  ...(args['deadline-ms'] !== undefined && { deadlineMs: Number(args['deadline-ms']), initialActions: Object.fromEntries(robots.map((id) => [id, stop])) }),
});
let fallbacks = 0;
let stale = 0;
team.telemetry$.subscribe((e) => (e.kind === 'fallback' ? fallbacks++ : stale++));

const env = new ParallelEnvAdapter(fleet, 'Warehouse-v0');
const every = Number(args.every);
const t0 = performance.now();
let teamReturn = 0;
const last = await lastValueFrom(
  runEpisode(env, team, { seed: Number(args.seed), maxSteps }).pipe(
    tap((t) => {
      teamReturn += t.reward;
      const info = t.info as TeamInfo;
      if ((t.step + 1) % every === 0)
        console.log(
          `step ${String(t.step + 1).padStart(4)}: ${info.perAgent.robot_0!.teamDeliveries}/${packages} delivered, carrying ${robots.map((id) => (Number(info.perAgent[id]!.carrying) >= 0 ? `${id} #${info.perAgent[id]!.carrying}` : `${id} –`)).join(', ')}`,
        );
    }),
  ),
);
const wallS = (performance.now() - t0) / 1000;
const info = last.info as TeamInfo;
const per = (id: string): Info => info.perAgent[id]!;
for (const id of robots) {
  const r = per(id);
  console.log(`${id}: ${r.deliveries} deliveries, ${r.robotRobotCollisions} robot-robot and ${r.robotShelfCollisions} robot-shelf collisions, idle ${r.idleSteps} steps`);
}
const teamDeliveries = Number(per(robots[0]!).teamDeliveries);
const simTime = (last.step + 1) * 0.1;
console.log(
  `team: ${teamDeliveries}/${packages} packages delivered in ${last.step + 1} steps (${simTime.toFixed(1)} s simulated, ${wallS.toFixed(1)} s wall), ${info.success ? 'all delivered' : last.truncated ? 'time limit' : 'not finished'}`,
);
console.log(
  `throughput ${Number(per(robots[0]!).throughput).toFixed(0)} deliveries per simulated hour, team return ${teamReturn.toFixed(2)}, ${fallbacks} deadline fallbacks (${stale} late answers dropped)`,
);
await env.close();
