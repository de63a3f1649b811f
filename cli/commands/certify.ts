/**
 * `embodied certify`: flags → {@link certifyModel}: plays MPC episodes with a world-model bundle and the
 * given planner settings, then records the settings and the measured success in the bundle's
 * `manifest.json` (`planner`), which `plan`, `validate` and the demo then use by default. Ctrl-C stops
 * after the current step and writes nothing.
 */
import { Option, type Command } from 'commander';
import { certifyModel, formatCertifyResult, type CertifyModelOptions } from '../../workflows/certify.js';
import { formatPlanReport } from '../../workflows/plan.js';
import { integerOption, jsonObjectOption, numberOption, withCtrlC } from '../options.js';
import { progressBar, showProgress } from '../progress.js';
import { PLAN_ALGORITHMS } from '../../src/planning/plan-preset.js';

/** Adds the `certify` subcommand. */
export function registerCertifyCommand(program: Command): void {
  const command = program
    .command('certify')
    .description("play MPC episodes with a world model and record the planner settings and their success in the bundle's manifest (the defaults of plan, validate and demo)")
    .requiredOption('--model <dir>', 'world-model bundle directory (its manifest.json is rewritten; the ONNX files are not touched)')
    .option('--env <id>', "registered environment id (default: the bundle's)")
    .addOption(new Option('--planner <name>', "optimiser (default: the bundle's certified settings, else the environment preset)").choices(PLAN_ALGORITHMS))
    .option('--horizon <n>', 'planning horizon (default: as --planner)', integerOption(1))
    .option('--samples <n>', 'candidates per iteration (default: as --planner)', integerOption(1))
    .option('--iterations <n>', 'optimiser iterations per plan (default: as --planner)', integerOption(1))
    .option('--temperature <λ>', 'MPPI temperature (default: as --planner)', numberOption(0))
    .option('--discount <γ>', 'reward discount in (0, 1] (default: as --planner)', numberOption(0))
    .option('--replan-every <n>', 'actions executed per plan (default: as --planner)', integerOption(1))
    .option('--episodes <n>', 'episodes to play', integerOption(1), 20)
    .option('--seed <n>', 'first seed: episode k is reset with seed + k', integerOption(0), 0)
    .option('--max-steps <n>', 'step limit per episode (default: the environment time limit)', integerOption(1))
    .option('--env-options <json>', 'environment options as a JSON object', jsonObjectOption)
    .option('--json', 'print the result as JSON')
    .option('--no-progress', 'no progress bar');
  command.action(
    async ({ json, progress, planner, ...o }: Omit<CertifyModelOptions, 'algorithm'> & { json?: boolean; progress: boolean; planner?: CertifyModelOptions['algorithm'] }) => {
      await withCtrlC(command, 'stopping after the current step; the manifest is not changed', async (signal) => {
        const bar = progressBar(showProgress(progress), `certify ${o.model} |{bar}| {value}/{total} episodes | success {success} | ETA {eta_formatted}`);
        const onProgress = (p: { done: number; total: number; successes: number }) =>
          bar.update(p.done, p.total, { success: p.done === 0 ? '-' : `${((100 * p.successes) / p.done).toFixed(0)}%` });
        const result = await certifyModel({ ...o, ...(planner !== undefined && { algorithm: planner }), signal, onProgress }).finally(() => bar.stop());
        console.log(json ? JSON.stringify(result, null, 2) : `${formatPlanReport(result.report)}\n${formatCertifyResult(result)}`);
      });
    },
  );
}
