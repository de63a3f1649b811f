/**
 * `embodied demo` (`npm run demo`): the main job. Loads the shipped world model, runs the MPC agent
 * planning in its latent space on Rapier episodes with the oracle, scripted and random baselines beside
 * it, validates the model against Rapier, prints a short table, and writes `out/demo/report.html`,
 * `out/demo/replay.json` and `out/demo/summary.json`. `--train` first recreates the model from scratch
 * with the same `collect` and `train` steps as `models/README.md`. Ctrl-C stops cleanly.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { demoTask, recipeSteps, stepCommand, trainConfig, type DemoTask } from '../../agents/demo/demo-tasks.js';
import { formatDemoTable } from '../../agents/demo/format.js';
import { runDemo, type DemoEvent, type DemoResult } from '../../agents/demo/run-demo.js';
import { EmbodiedError } from '../../src/errors.js';
import { runCollect } from './collect.js';
import { integerOption, withCtrlC } from '../options.js';
import { runTrain } from './train.js';

/** Options of {@link runDemoCommand} (the parsed command line). */
export interface DemoCommandOptions {
  readonly env?: string;
  readonly model?: string;
  readonly episodes?: number;
  readonly seed?: number;
  readonly quick?: boolean;
  readonly out?: string;
  /** Recreate the model first (collect + train, as in models/README.md) into `<out>/model`. */
  readonly train?: boolean;
  /** Run the oracle-MPC baseline. Default true. */
  readonly oracle?: boolean;
  /** Oracle-MPC episodes (the first of the seeds). */
  readonly oracleEpisodes?: number;
  /** Progress bars: true, false or 'auto' (on a TTY; plain lines otherwise). Default 'auto'. */
  readonly progress?: boolean | 'auto';
  /** Where plain progress lines go. Default: stderr. */
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * Runs `task`'s recipe (collection, training, and any on-policy rounds) with data under `<out>/data` and
 * the final bundle in `<out>/model`; returns the bundle directory.
 */
export async function trainDemoModel(task: DemoTask, out: string, o: DemoCommandOptions): Promise<string> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const progress = o.progress ?? 'auto';
  const model = join(out, 'model');
  const stop = o.signal && { signal: o.signal };
  const steps = recipeSteps(task, join(out, 'data'), model);
  for (const [i, step] of steps.entries()) {
    log(`--train: step ${i + 1}/${steps.length}: ${stepCommand(task, step)}`);
    if (step.kind === 'train') {
      const t = step.train;
      const trained = await runTrain({ data: step.data, out: step.out, steps: t.steps, seed: t.seed, config: trainConfig(t), overwrite: true, progress, ...stop });
      if (trained.stopped || trained.bundle === undefined) throw new EmbodiedError(`stopped by Ctrl-C during training (checkpoint ${trained.checkpoint}); the demo did not run`);
      continue;
    }
    const c = step.collect;
    const collected =
      step.kind === 'collect'
        ? await runCollect({
            env: task.envId,
            envOptions: task.envOptions,
            policy: step.collect.policy,
            episodes: c.episodes,
            noise: c.noise,
            randomProb: c.randomProb,
            randomSteps: c.randomSteps,
            seed: c.seed,
            workers: step.collect.workers,
            out: step.out,
            overwrite: true,
            progress,
            ...stop,
          })
        : await runCollect({
            env: task.envId,
            envOptions: task.envOptions,
            policy: 'mpc',
            model: step.model,
            planner: step.collect.planner,
            horizon: step.collect.horizon,
            samples: step.collect.samples,
            iterations: step.collect.iterations,
            episodes: c.episodes,
            noise: c.noise,
            randomProb: c.randomProb,
            randomSteps: c.randomSteps,
            seed: c.seed,
            out: step.out,
            overwrite: true,
            progress,
            ...stop,
          });
    if (collected.stopped) throw new EmbodiedError('stopped by Ctrl-C during collection; no model was trained');
    log(`--train: ${collected.manifest.counts.transitions} transitions in ${step.out}`);
  }
  return model;
}

/** Runs the demo as the command line describes it (exported for tests): optional retraining, progress, the run itself. */
export async function runDemoCommand(o: DemoCommandOptions): Promise<DemoResult> {
  const task = demoTask(o.env ?? 'Warehouse-v0');
  const out = resolve(o.out ?? 'out/demo');
  const model = o.train ? await trainDemoModel(task, out, o) : o.model;
  const showBars = o.progress === true || ((o.progress ?? 'auto') === 'auto' && process.stderr.isTTY === true);
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const progress = showBars ? barProgress() : lineProgress(log);
  try {
    return await runDemo({
      envId: task.envId,
      ...(model !== undefined && { model }),
      ...(o.episodes !== undefined && { episodes: o.episodes }),
      ...(o.seed !== undefined && { seed: o.seed }),
      quick: o.quick ?? false,
      out,
      oracle: o.oracle ?? true,
      ...(o.oracleEpisodes !== undefined && { oracleEpisodes: o.oracleEpisodes }),
      onEvent: progress.onEvent,
      ...(o.signal && { signal: o.signal }),
    });
  } finally {
    progress.stop();
  }
}

/** Progress as cli-progress bars, one per stage. */
function barProgress(): { onEvent: (e: DemoEvent) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | undefined;
  let stage = '';
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  const start = (total: number, format: string, payload: Record<string, unknown>) => {
    stop();
    bar = new cliProgress.SingleBar({ format, stream: process.stderr, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
    bar.start(total, 0, payload);
  };
  return {
    onEvent(e) {
      if (e.kind === 'stage') {
        stage = e.stage;
        if (e.episodes > 0) start(e.episodes, `${e.stage.padEnd(12)} |{bar}| {value}/{total} episodes | step {step} | success {success}`, { step: 0, success: '-' });
        else start(1, `${e.stage.padEnd(12)} |{bar}| {value}/{total} | {message}`, { message: e.detail });
      } else if (e.kind === 'step' && e.stage === stage) bar?.update({ step: e.step });
      else if (e.kind === 'episode' && e.stage === stage) bar?.update(e.episode + 1, { success: `${e.successes}/${e.episode + 1}` });
      else if (e.kind === 'validation') {
        bar?.setTotal(e.total);
        bar?.update(e.done, { message: e.message });
      }
    },
    stop,
  };
}

/** Progress as plain lines (logs, CI). */
function lineProgress(log: (line: string) => void): { onEvent: (e: DemoEvent) => void; stop: () => void } {
  return {
    onEvent(e) {
      if (e.kind === 'stage') log(`${e.stage}: ${e.detail}${e.episodes > 0 ? ` · ${e.episodes} episode(s)` : ''}`);
      else if (e.kind === 'episode')
        log(
          `  ${e.stage} ${e.episode + 1}/${e.episodes}: seed ${e.result.seed} ${e.result.success ? 'success' : 'no success'} in ${e.result.length} steps, return ${e.result.return.toFixed(2)}`,
        );
      else if (e.kind === 'validation') log(`  validation ${e.done}/${e.total}: ${e.message}`);
    },
    stop: () => undefined,
  };
}

/** Adds the `demo` subcommand. */
export function registerDemoCommand(program: Command): void {
  program
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
    .option('--no-progress', 'no progress bars or lines')
    .action(async (o: DemoCommandOptions & { json?: boolean; progress: boolean }) => {
      const signal = await withCtrlC(
        'demo',
        'stopping after the current step',
        async (signal) => {
          const result = await runDemoCommand({ ...o, progress: o.progress ? 'auto' : false, ...(o.progress ? {} : { log: () => undefined }), signal });
          console.log(o.json ? JSON.stringify(result, null, 2) : formatDemoTable(result));
        },
        new EmbodiedError('stopped by Ctrl-C; out/demo was left as it was'),
      );
      if (signal.aborted) process.exitCode = 130;
    });
}
