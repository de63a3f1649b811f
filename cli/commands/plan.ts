/**
 * `embodied plan`: flags → {@link planEpisodes} (MPC episodes planning with a world-model bundle, or
 * with Rapier itself with `--oracle`), printing the success rate, the return (mean ± 95% CI), plan-time
 * percentiles and fallbacks. Ctrl-C stops after the current step and reports the finished episodes.
 */
import { Option, type Command } from 'commander';
import { formatPlanReport, planEpisodes, type PlanEpisodesOptions } from '../../workflows/plan.js';
import { withLayoutFile } from '../layout-file.js';
import { integerOption, jsonObjectOption, numberOption, withCtrlC } from '../options.js';
import { progressBar, showProgress } from '../progress.js';

/** Adds the `plan` subcommand. */
export function registerPlanCommand(program: Command): void {
  const command = program
    .command('plan')
    .description('run MPC episodes with a world model (--model) or the Rapier oracle (--oracle) and report success, return and plan times')
    .requiredOption('--env <id>', 'registered environment id, e.g. PushBox-v0')
    .option('--model <dir>', 'world-model bundle directory to plan with')
    .option('--oracle', 'plan with Rapier (PhysicsRolloutModel) instead of the model')
    .addOption(
      new Option('--planner <name>', "optimiser; random is random shooting (default: the bundle's certified settings, else the environment preset)").choices([
        'mppi',
        'cem',
        'icem',
        'random',
        'random-shooting',
      ]),
    )
    .option('--episodes <n>', 'episodes to run', integerOption(1), 20)
    .option('--seed <n>', 'base seed: episode k is reset with seed + k', integerOption(0), 0)
    .option('--horizon <n>', "planning horizon (default: the bundle's certified settings, else the environment preset)", integerOption(1))
    .option('--samples <n>', "candidates per iteration (default: the bundle's certified settings, else the environment preset)", integerOption(1))
    .option('--iterations <n>', "optimiser iterations per plan (default: the bundle's certified settings, else the environment preset)", integerOption(1))
    .option('--max-steps <n>', 'step limit per episode (default: the environment time limit; a larger value lifts that limit)', integerOption(1))
    .option('--max-episode-steps <n>', "the environment's time limit (default: the registered one, see embodied envs)", integerOption(1))
    .option('--replan-every <n>', "actions executed per plan (default: the bundle's certified settings, else the environment preset)", integerOption(1))
    .option('--deadline-ms <ms>', 'plan deadline; a late plan falls back to the previous plan', numberOption(0))
    .option('--worker', 'plan in a worker thread')
    .option(
      '--objective <formula>',
      'maximise this formula over named observation entries instead of the reward, e.g. "-(box_position_0 - goal_position_0)^2" (mathjs syntax; o0, o1, … always work)',
    )
    .option('--prior <dir>', 'a policy bundle (embodied bc / rl) the planner draws part of its population from (TD-MPC2 policy prior)')
    .option('--prior-trajectories <n>', 'sequences the policy prior proposes per plan', integerOption(1))
    .option('--env-options <json>', 'environment options as a JSON object', jsonObjectOption)
    .option('--layout-file <path>', 'Warehouse-v0: the layout in this file (ASCII map or MovingAI .map), as the `layout` environment option')
    .option('--json', 'print the report as JSON')
    .option('--no-progress', 'no progress bar');
  command.action(
    async ({
      json,
      progress,
      planner,
      layoutFile,
      envOptions,
      ...o
    }: Omit<PlanEpisodesOptions, 'algorithm'> & { json?: boolean; progress: boolean; planner?: PlanEpisodesOptions['algorithm']; layoutFile?: string }) => {
      await withCtrlC(command, 'stopping after the current step', async (signal) => {
        const options = await withLayoutFile(envOptions, layoutFile);
        const bar = progressBar(showProgress(progress), `plan ${o.env} |{bar}| {value}/{total} episodes | success {success} | ETA {eta_formatted}`);
        const onProgress = (p: { done: number; total: number; successes: number }) =>
          bar.update(p.done, p.total, { success: p.done === 0 ? '-' : `${((100 * p.successes) / p.done).toFixed(0)}%` });
        const report = await planEpisodes({
          ...o,
          ...(options !== undefined && { envOptions: options }),
          ...(planner !== undefined && { algorithm: planner }),
          signal,
          onProgress,
        }).finally(() => bar.stop());
        console.log(json ? JSON.stringify(report, null, 2) : formatPlanReport(report));
      });
    },
  );
}
