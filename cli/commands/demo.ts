/**
 * `embodied demo` (`npm run demo`): flags → {@link runDemo} (the main job: MPC in the shipped world
 * model's latent space on Rapier episodes, baselines, validation, report and replay in `out/demo/`),
 * with progress as bars on a TTY and plain lines otherwise. Ctrl-C stops cleanly.
 */
import type { Command } from 'commander';
import { EmbodiedError } from '../../src/errors.js';
import { formatDemoTable } from '../../workflows/demo/format.js';
import { runDemo, type DemoEvent, type DemoOptions } from '../../workflows/demo/run-demo.js';
import { integerOption, withCtrlC } from '../options.js';
import { progressBar, showProgress, type ProgressBar } from '../progress.js';

/** Progress as cli-progress bars, one per stage (and per recipe step with `--train`). */
function barProgress(log: (line: string) => void): { onEvent: (e: DemoEvent) => void; stop: () => void } {
  let bar: ProgressBar | undefined;
  let stage = '';
  const start = (format: string) => {
    bar?.stop();
    bar = progressBar(true, format, { clearOnComplete: false });
    return bar;
  };
  const onEvent = (e: DemoEvent) => {
    if (e.kind === 'stage') {
      stage = e.stage;
      if (e.episodes > 0) start(`${e.stage.padEnd(12)} |{bar}| {value}/{total} episodes | step {step} | success {success}`).update(0, e.episodes, { step: 0, success: '-' });
      else start(`${e.stage.padEnd(12)} |{bar}| {value}/{total} | {message}`).update(0, 1, { message: e.detail });
    } else if (e.kind === 'step' && e.stage === stage) bar?.payload({ step: e.step });
    else if (e.kind === 'episode' && e.stage === stage) bar?.update(e.episode + 1, e.episodes, { success: `${e.successes}/${e.episode + 1}` });
    else if (e.kind === 'validation') bar?.update(e.done, e.total, { message: e.message });
    else if (e.kind === 'recipe-step') {
      bar?.stop();
      log(`--train: step ${e.step}/${e.steps}: ${e.command}`);
      bar = undefined;
    } else if (e.kind === 'collect-progress') {
      bar ??= start('collect |{bar}| {value}/{total}');
      bar.update(e.progress.unit === 'steps' ? e.progress.transitions : e.progress.episodes, e.progress.total);
    } else if (e.kind === 'train-progress') {
      bar ??= start('train |{bar}| {value}/{total} steps | ETA {eta_formatted}');
      bar.update(e.progress.step, e.progress.total);
    } else if (e.kind === 'collected') log(`--train: ${e.transitions} transitions in ${e.out}`);
  };
  return { onEvent, stop: () => bar?.stop() };
}

/** Progress as plain lines (logs, CI). */
function lineProgress(log: (line: string) => void): (e: DemoEvent) => void {
  return (e) => {
    if (e.kind === 'stage') log(`${e.stage}: ${e.detail}${e.episodes > 0 ? ` · ${e.episodes} episode(s)` : ''}`);
    else if (e.kind === 'episode')
      log(
        `  ${e.stage} ${e.episode + 1}/${e.episodes}: seed ${e.result.seed} ${e.result.success ? 'success' : 'no success'} in ${e.result.length} steps, return ${e.result.return.toFixed(2)}`,
      );
    else if (e.kind === 'validation') log(`  validation ${e.done}/${e.total}: ${e.message}`);
    else if (e.kind === 'recipe-step') log(`--train: step ${e.step}/${e.steps}: ${e.command}`);
    else if (e.kind === 'collected') log(`--train: ${e.transitions} transitions in ${e.out}`);
  };
}

/** Adds the `demo` subcommand. */
export function registerDemoCommand(program: Command): void {
  const command = program
    .command('demo')
    .description("the main job: MPC in the shipped world model's latent space on Rapier episodes, baselines, validation report and replay (out/demo/)")
    .option('--env <id>', 'Warehouse-v0 (models/warehouse-tiny) or PushBox-v0 (models/pushbox)', 'Warehouse-v0')
    .option('--model <dir>', 'world-model bundle to use instead of the shipped one')
    .option('--episodes <n>', 'episodes per agent (default 10; quick 2)', integerOption(1))
    .option('--seed <n>', 'episode k is reset with seed + k; planners and validation are seeded from it', integerOption(0), 0)
    .option('--quick', 'CI mode: few short episodes and small budgets, every stage still runs')
    .option('--train', 'recreate the model from scratch first (collect + train as in models/README.md) into <out>/model')
    .option('--out <dir>', 'output directory', 'out/demo')
    .option('--no-oracle', 'skip the oracle-MPC baseline (MPC with Rapier rollouts)')
    .option('--oracle-episodes <n>', 'oracle-MPC episodes, the first of the seeds (default: all; quick 1)', integerOption(0))
    .option('--json', 'print the summary JSON instead of the table')
    .option('--no-progress', 'no progress bars or lines');
  command.action(async ({ env, json, progress, ...o }: Omit<DemoOptions, 'envId'> & { env: string; json?: boolean; progress: boolean }) => {
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const bars = showProgress(progress) ? barProgress(log) : undefined;
    const onEvent = bars?.onEvent ?? (progress ? lineProgress(log) : undefined);
    const stopped = new EmbodiedError('stopped by Ctrl-C; out/demo was left as it was');
    await withCtrlC(
      command,
      'stopping after the current step',
      async (signal) => {
        const result = await runDemo({ ...o, envId: env, signal, ...(onEvent && { onEvent }) }).finally(() => bars?.stop());
        console.log(json ? JSON.stringify(result, null, 2) : formatDemoTable(result));
      },
      stopped,
    );
  });
}
