/**
 * `embodied bc`: flags → {@link trainBehaviorCloning} (a policy imitating a dataset's actions, exported
 * as a policy bundle), then optionally {@link evaluatePolicy} over held-out seeds in the environment.
 * Ctrl-C saves a checkpoint and exits; `--resume` continues from it.
 */
import type { Command } from 'commander';
import { trainBehaviorCloning } from '../../workflows/bc.js';
import { evaluatePolicy } from '../../workflows/evaluate-policy.js';
import { integerOption, jsonObjectOption, numberOption, withCtrlC } from '../options.js';
import { progressBar, showProgress } from '../progress.js';

/** Adds the `bc` subcommand. */
export function registerBcCommand(program: Command): void {
  const command = program
    .command('bc')
    .description('behaviour cloning: train a policy on a dataset and export a policy bundle (Ctrl-C saves a checkpoint; --resume continues)')
    .requiredOption('--data <dir...>', 'dataset directory (from embodied collect); several are trained on as one')
    .requiredOption('--out <dir>', 'policy bundle directory to write')
    .option('--env <id>', "the policy's environment (a dataset of another one is refused); default: the data's")
    .option('--steps <n>', 'total optimiser steps', integerOption(1), 4000)
    .option('--batch-size <n>', 'minibatch size', integerOption(1), 256)
    .option('--lr <x>', 'peak learning rate (cosine decay)', numberOption(0), 1e-3)
    .option('--seed <n>', 'seed of initialisation and sampling', integerOption(0), 0)
    .option('--network <json>', 'policy network settings (PolicyConfig), e.g. {"kind":"gaussian","hidden":[128,128]}', jsonObjectOption)
    .option('--eval <n>', 'then play n episodes (seeds 100, 101, …) in the environment and print the success rate', integerOption(0), 0)
    .option('--resume', 'continue from the checkpoint (<out>.ckpt) if it exists')
    .option('--checkpoint <file>', 'checkpoint path (default <out>.ckpt)')
    .option('--checkpoint-every <n>', 'save a checkpoint every n steps', integerOption(0), 1000)
    .option('--threads <n>', 'onnxruntime intra-op threads', integerOption(1), 1)
    .option('--overwrite', 'replace an existing policy bundle')
    .option('--no-progress', 'no progress bar');
  command.action(async (o: Record<string, unknown>) => {
    await withCtrlC(command, 'saving a checkpoint after the current steps', async (signal) => {
      const bar = progressBar(showProgress(o.progress as boolean), 'bc |{bar}| {value}/{total} steps | loss {loss} | {rate} steps/s | ETA {eta_formatted}', { etaBuffer: 50 });
      const r = await trainBehaviorCloning({
        data: o.data as string[],
        out: o.out as string,
        ...(o.env !== undefined && { env: o.env as string }),
        steps: o.steps as number,
        batchSize: o.batchSize as number,
        lr: o.lr as number,
        seed: o.seed as number,
        ...(o.network !== undefined && { network: o.network as Record<string, unknown> }),
        resume: (o.resume as boolean | undefined) ?? false,
        ...(o.checkpoint !== undefined && { checkpoint: o.checkpoint as string }),
        checkpointEvery: o.checkpointEvery as number,
        threads: o.threads as number,
        overwrite: (o.overwrite as boolean | undefined) ?? false,
        signal,
        onProgress: (p) => bar.update(p.step, p.total, { loss: Number.isNaN(p.loss) ? '-' : p.loss.toPrecision(4), rate: p.stepsPerSecond.toFixed(0) }),
      }).finally(() => bar.stop());
      if (r.stopped) {
        console.log(`stopped at step ${r.steps}; checkpoint ${r.checkpoint} (continue with --resume)`);
        return;
      }
      const losses = Object.entries(r.finalLosses)
        .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
        .join(', ');
      console.log(`trained ${r.steps} steps (${losses}); policy bundle ${r.bundle} (curves.html inside); checkpoint ${r.checkpoint}`);
      const n = o.eval as number;
      if (n > 0) {
        const e = await evaluatePolicy({ policy: r.bundle!, seeds: Array.from({ length: n }, (_v, i) => 100 + i) });
        console.log(`${e.envId}: success ${(e.summary.successRate * 100).toFixed(0)}% over ${n} episodes (seeds 100–${99 + n}), mean return ${e.summary.return.mean.toFixed(2)}`);
      }
    });
  });
}
