/**
 * `embodied train`: flags → {@link trainWorldModel} (a world model trained on one or several datasets,
 * exported as a bundle). Progress shows loss, steps/s and ETA; Ctrl-C saves a checkpoint and exits;
 * `--resume` continues from the checkpoint bit for bit.
 */
import { Option, type Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, describeValue } from '../../src/errors.js';
import type { WorldModelConfigInput } from '../../src/training/wm-config.js';
import { trainWorldModel } from '../../workflows/train.js';
import { integerOption, numberOption, withCtrlC } from '../options.js';
import { progressBar, showProgress } from '../progress.js';

/** `--config`: a JSON object written inline (it starts with `{`) or the path of a file holding one. */
async function readConfigFile(arg: string): Promise<Partial<WorldModelConfigInput>> {
  const inline = arg.trimStart().startsWith('{');
  const where = inline ? 'the inline --config JSON' : `--config ${arg}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(inline ? arg : await readFile(arg, 'utf8'));
  } catch (e) {
    if (e instanceof SyntaxError) throw new InvalidArgumentError(`${where} is not valid JSON (${e.message})`, { cause: e });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EACCES')
      throw new InvalidArgumentError(`${where}: expected an inline JSON object ({…}) or a readable JSON file; ${arg} cannot be read (${code})`, { cause: e });
    throw e;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError(`${where} must hold a JSON object, got ${describeValue(parsed)}`);
  return parsed as Partial<WorldModelConfigInput>;
}

/** The model settings of the flags: `--config` first, the single-setting flags over it. */
async function configOf(o: Record<string, unknown>): Promise<Partial<WorldModelConfigInput>> {
  const h = o.hidden as number | undefined;
  return {
    ...(o.config !== undefined ? await readConfigFile(o.config as string) : {}),
    ...(o.latentDim !== undefined && { latentDim: o.latentDim as number, simNormGroup: (o.latentDim as number) % 8 === 0 ? 8 : 0 }),
    ...(h !== undefined && { encoderHidden: [h], dynamicsHidden: [h, h], rewardHidden: [h], terminalHidden: [h], decoderHidden: [h] }),
    ...(o.batchSize !== undefined && { batchSize: o.batchSize as number }),
    ...(o.horizon !== undefined && { horizon: o.horizon as number }),
    ...(o.ensemble !== undefined && { ensembleSize: o.ensemble as number }),
    ...(o.lr !== undefined && { lr: o.lr as number }),
    ...(o.lrSchedule !== undefined && { lrSchedule: o.lrSchedule as 'constant' | 'cosine' }),
  };
}

/** Adds the `train` subcommand. */
export function registerTrainCommand(program: Command): void {
  const command = program
    .command('train')
    .description('train a world model on a dataset and export a bundle (Ctrl-C saves a checkpoint; --resume continues)')
    .requiredOption('--data <dir...>', 'dataset directory (from embodied collect); several are trained on as one')
    .requiredOption('--out <dir>', 'bundle directory to write')
    .requiredOption('--steps <n>', 'total optimiser steps', integerOption(1))
    .option('--resume', 'continue from the checkpoint (<out>.ckpt) if it exists')
    .option('--seed <n>', 'seed of initialisation and sampling', integerOption(0), 0)
    .option('--config <json|file>', 'world-model settings (see WorldModelConfig) as an inline JSON object or a JSON file; the flags below override it')
    .option('--latent-dim <n>', 'latent size', integerOption(1))
    .option('--hidden <n>', 'width of every hidden layer', integerOption(1))
    .option('--batch-size <n>', 'windows per minibatch', integerOption(1))
    .option('--horizon <n>', 'training horizon H', integerOption(1))
    .option('--ensemble <n>', 'dynamics ensemble members', integerOption(1))
    .option('--lr <x>', 'peak learning rate', numberOption(0))
    .addOption(new Option('--lr-schedule <kind>', 'learning-rate schedule (cosine decays to lrMinRatio × lr over the run)').choices(['constant', 'cosine']))
    .option('--checkpoint <file>', 'checkpoint path (default <out>.ckpt)')
    .option('--checkpoint-every <n>', 'save a checkpoint every n steps', integerOption(0), 1000)
    .option('--threads <n>', 'onnxruntime intra-op threads', integerOption(1), 1)
    .option('--overwrite', 'replace an existing bundle')
    .option('--no-progress', 'no progress bar');
  command.action(async (o: Record<string, unknown>) => {
    await withCtrlC(command, 'saving a checkpoint after the current steps', async (signal) => {
      const bar = progressBar(showProgress(o.progress as boolean), 'train |{bar}| {value}/{total} steps | loss {loss} | {rate} steps/s | ETA {eta_formatted}', { etaBuffer: 50 });
      const r = await trainWorldModel({
        data: o.data as string[],
        out: o.out as string,
        steps: o.steps as number,
        resume: (o.resume as boolean | undefined) ?? false,
        seed: o.seed as number,
        config: await configOf(o),
        ...(o.checkpoint !== undefined && { checkpoint: o.checkpoint as string }),
        checkpointEvery: o.checkpointEvery as number,
        threads: o.threads as number,
        overwrite: (o.overwrite as boolean | undefined) ?? false,
        signal,
        onProgress: (p) =>
          bar.update(p.step, p.total, { loss: Number.isNaN(p.loss) ? '-' : p.loss.toPrecision(4), rate: Number.isNaN(p.loss) ? '-' : p.stepsPerSecond.toFixed(0) }),
      }).finally(() => bar.stop());
      const losses = Object.entries(r.finalLosses)
        .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
        .join(', ');
      if (r.stopped) {
        console.log(`stopped at step ${r.steps}; checkpoint ${r.checkpoint} (continue with --resume)`);
      } else console.log(`trained ${r.steps} steps (${losses}); bundle ${r.bundle}; checkpoint ${r.checkpoint}`);
    });
  });
}
