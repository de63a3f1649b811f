/**
 * `embodied fleet`: flags → {@link runFleet} (warehouse fleets: the prioritised planner, the greedy
 * robots, or fleet MPC on a learned model, on a built-in layout, an ASCII map or a MovingAI `.map`), printing deliveries,
 * throughput per robot-hour, collisions by kind, idle time, plan latency per robot and steps/s. Ctrl-C
 * stops after the current step and reports the finished episodes.
 */
import { Option, type Command } from 'commander';
import { formatFleetReport, runFleet, type RunFleetOptions } from '../../workflows/fleet.js';
import { withLayoutFile } from '../layout-file.js';
import { integerOption, jsonObjectOption, numberOption, withCtrlC } from '../options.js';

/** Adds the `fleet` subcommand. */
export function registerFleetCommand(program: Command): void {
  const command = program
    .command('fleet')
    .description(
      'run a Warehouse-v0 fleet (prioritised planning, greedy, or fleet MPC on a learned model) and report deliveries, throughput, collisions, idle time and plan latency',
    )
    .addOption(new Option('--policy <name>', 'fleet policy (mpc: fleet MPC on --model)').choices(['prioritized', 'greedy', 'mpc']).default('prioritized'))
    .option('--model <dir>', 'with --policy mpc: bundle of a shared per-robot model trained on ego-centric fleet data')
    .option('--plan-worker', 'with --policy mpc: plan in a worker thread (it loads the model there)')
    .option('--deadline-ms <ms>', "with --policy mpc: each robot's plan deadline per control step; a late robot executes its previous plan", numberOption(0))
    .option('--wait-ms <ms>', 'with --plan-worker: the longest a control step waits for the plan; then every robot executes its previous plan', numberOption(0))
    .option('--no-shelf-brake', 'with --policy mpc: execute the plans as they are (no limit on speed toward shelves)')
    .option('--layout <name>', 'built-in layout (tiny, small, medium)')
    .option('--layout-file <path>', 'the layout in this file (ASCII map or MovingAI .map)')
    .option('--robots <n>', "robots (default: the map's R cells; 8 on a MovingAI map)", integerOption(1))
    .option('--packages <n>', "packages (default: the map's P cells; one per robot on a MovingAI map)", integerOption(1))
    .addOption(new Option('--drop-zones <where>', 'drop zones of a MovingAI map').choices(['auto', 'marked', 'north', 'south', 'west', 'east']))
    .option('--episodes <n>', 'episodes to run', integerOption(1), 1)
    .option('--seed <n>', 'base seed: episode k is reset with seed + k', integerOption(0), 0)
    .option('--max-steps <n>', "control steps per episode (default: the layout's time limit)", integerOption(1))
    .option('--env-options <json>', 'more Warehouse-v0 options as a JSON object', jsonObjectOption)
    .option('--json', 'print the report as JSON');
  type Flags = Omit<RunFleetOptions, 'envOptions'> & {
    layout?: string;
    layoutFile?: string;
    robots?: number;
    packages?: number;
    dropZones?: string;
    envOptions?: Record<string, unknown>;
    json?: boolean;
  };
  command.action(async ({ layout, layoutFile, robots, packages, dropZones, envOptions, json, ...o }: Flags) => {
    await withCtrlC(command, 'stopping after the current step', async (signal) => {
      const fleet = {
        ...envOptions,
        ...(layout !== undefined && { layout }),
        ...(robots !== undefined && { robots }),
        ...(packages !== undefined && { packages }),
        ...(dropZones !== undefined && { dropZones }),
      };
      const options = (await withLayoutFile(fleet, layoutFile)) ?? {};
      const report = await runFleet({ ...o, envOptions: options, signal });
      console.log(json ? JSON.stringify(report, null, 2) : formatFleetReport(report));
    });
  });
}
