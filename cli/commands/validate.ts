/**
 * `embodied validate`: flags → {@link validateModel} (a world-model bundle, or the Rapier oracle itself
 * with `--oracle`, validated against Rapier), writing `report.json` and `report.html`. Ctrl-C stops
 * between units of work; nothing half-written is left.
 */
import { Option, type Command } from 'commander';
import { EmbodiedError, InvalidArgumentError } from '../../src/errors.js';
import { validateOnQueue } from '../../workflows/distributed/validate.js';
import { formatValidationSummary, validateModel, type ValidateModelOptions } from '../../workflows/validate.js';
import { withLayoutFile } from '../layout-file.js';
import { integerOption, jsonObjectOption, withCtrlC } from '../options.js';
import { progressBar, showProgress } from '../progress.js';
import { PLAN_ALGORITHMS } from '../../src/planning/plan-preset.js';

/** Adds the `validate` subcommand. */
export function registerValidateCommand(program: Command): void {
  const command = program
    .command('validate')
    .description('validate a world model against Rapier (drift, plausibility, causality, closed loop) and write report.json + report.html')
    .requiredOption('--env <id>', 'registered environment id, e.g. PushBox-v0')
    .option('--model <dir>', 'world-model bundle directory')
    .option('--oracle', 'validate the Rapier oracle itself (the perfect model)')
    .requiredOption('--out <dir>', 'output directory for report.json and report.html')
    .option('--quick', 'smaller sizes (about 4× less work)')
    .option('--seed <n>', 'seed of everything random', integerOption(0), 0)
    .option('--data <dir>', 'dataset whose observation σ normalises errors (e.g. the training data)')
    .option('--env-options <json>', 'environment options as a JSON object', jsonObjectOption)
    .option('--layout-file <path>', 'Warehouse-v0: the layout in this file (ASCII map or MovingAI .map), as the `layout` environment option')
    .option('--no-closed-loop', 'skip the closed-loop comparison')
    .option('--episodes <n>', 'closed-loop episodes per contender (default 10, quick 5)', integerOption(1))
    .option('--max-steps <n>', 'closed-loop step limit per episode', integerOption(1), 100)
    .option('--max-episode-steps <n>', "the environment's time limit (default: the registered one, see embodied envs)", integerOption(1))
    .option('--replan-every <n>', "actions per MPC plan, both MPCs (default: the bundle's certified settings; the oracle replans every 2)", integerOption(1))
    .option('--horizon <n>', "MPC horizon, both MPCs (default: the bundle's certified settings; the environment preset for the oracle)", integerOption(1))
    .option('--samples <n>', 'MPC candidates per iteration, both MPCs (default: as --horizon)', integerOption(1))
    .option('--iterations <n>', 'MPC optimiser iterations per plan, both MPCs (default: as --horizon)', integerOption(1))
    .addOption(new Option('--planner <name>', 'MPC optimiser, both MPCs (default: as --horizon)').choices(PLAN_ALGORITHMS))
    .option('--json', 'print the report JSON instead of the summary')
    .option('--no-progress', 'no progress bar')
    .option('--queue <url>', 'validate on an embodied worker through this Redis (redis://host:port); the report is written here')
    .option('--shared <dir>', '--queue: the folder every worker mounts (--model and --data must be inside it)')
    .option('--queue-name <name>', '--queue: BullMQ queue name', 'embodied')
    .option('--redis-options <json>', '--queue: ioredis options over those of the URL (password, tls)', jsonObjectOption);
  type QueueFlags = { queue?: string; shared?: string; queueName: string; redisOptions?: Record<string, unknown> };
  type Flags = Omit<ValidateModelOptions, 'algorithm'> & QueueFlags & { json?: boolean; progress: boolean; layoutFile?: string; planner?: ValidateModelOptions['algorithm'] };
  command.action(async ({ json, progress, layoutFile, envOptions, queue, shared, queueName, redisOptions, planner, ...flags }: Flags) => {
    const o = { ...flags, ...(planner !== undefined && { algorithm: planner }) };
    const stopped = new EmbodiedError('stopped by Ctrl-C; no report was written');
    await withCtrlC(
      command,
      'stopping after the current unit of work',
      async (signal) => {
        const options = await withLayoutFile(envOptions, layoutFile);
        if (queue !== undefined || shared !== undefined) {
          if (queue === undefined || shared === undefined) throw new InvalidArgumentError('`queue` and `shared` go together: give both to validate on a worker');
          const env = { ...(options !== undefined && { envOptions: options }), ...(redisOptions !== undefined && { redis: redisOptions }) };
          const r = await validateOnQueue({ ...o, ...env, queue, shared, queueName, signal });
          console.log(json ? JSON.stringify(r.report) : formatValidationSummary(r.report, r.written));
          return;
        }
        const bar = progressBar(showProgress(progress), `validate ${o.env} |{bar}| {value}/{total} | {stage}`);
        const onProgress = (p: { done: number; total: number; message: string }) => bar.update(p.done, p.total, { stage: p.message });
        const { report, written } = await validateModel({ ...o, ...(options !== undefined && { envOptions: options }), signal, onProgress }).finally(() => bar.stop());
        console.log(json ? JSON.stringify(report) : formatValidationSummary(report, written));
      },
      stopped,
    );
  });
}
