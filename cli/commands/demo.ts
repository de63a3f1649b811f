/**
 * `embodied demo` (`npm run demo`): flags → {@link runDemo} (the main job: MPC in the shipped world
 * model's latent space on Rapier episodes, baselines, validation, report and replay in `out/demo/`),
 * with progress as bars on a TTY and plain lines otherwise. Ctrl-C stops cleanly.
 */
import type { Command } from 'commander';
import { EmbodiedError } from '../../src/errors.js';
import { formatDemoTable } from '../../workflows/demo/format.js';
import { runDemo, type DemoEvent, type DemoOptions } from '../../workflows/demo/run-demo.js';
import { formatDuration, type LearnEvent } from '../../workflows/learn.js';
import { integerOption, withCtrlC } from '../options.js';
import { formatLearnRound } from './learn.js';
import { progressBar, showProgress, type ProgressBar } from '../progress.js';

/** A line for a `--train` (learn) event worth a line: round starts, phases, finished rounds. */
function learnLine(e: LearnEvent): string | undefined {
  if (e.kind === 'round-start') return `--train: learn round ${e.round} of at most ${e.rounds} (${formatDuration(e.remainingMs)} of the budget left)`;
  if (e.kind === 'phase') return `--train:   ${e.phase}: ${e.detail}`;
  if (e.kind === 'round-done') return `--train: ${formatLearnRound(e.record)}`;
  if (e.kind === 'stopped') return `--train: learn stopped (${e.reason})`;
  return undefined;
}

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
    else if (e.kind === 'learn') {
      const l = e.event;
      if (l.kind === 'collect-progress') {
        bar ??= start('--train collect |{bar}| {value}/{total}');
        bar.update(l.progress.unit === 'steps' ? l.progress.transitions : l.progress.episodes, l.progress.total);
      } else if (l.kind === 'train-progress') {
        bar ??= start('--train train |{bar}| {value}/{total} steps | ETA {eta_formatted}');
        bar.update(l.progress.step, l.progress.total);
      } else if (l.kind !== 'validate-progress') {
        bar?.stop();
        bar = undefined;
        const line = learnLine(l);
        if (line) log(line);
      }
    }
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
    else if (e.kind === 'learn') {
      const line = learnLine(e.event);
      if (line) log(line);
    }
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
    .option('--train', 'make the model from scratch first with `embodied learn` (10-minute budget, as models/README.md) into <out>/learn/model')
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
