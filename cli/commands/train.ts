/**
 * `embodied train`: trains a world model on a dataset directory with the SDK's `WorldModelTrainer`
 * (ONNX training graphs in onnxruntime-node) and exports a bundle. Progress shows loss, steps/s and ETA; Ctrl-C saves
 * a checkpoint and exits; `--resume` continues from the checkpoint bit for bit (same sampler stream).
 */
import cliProgress from 'cli-progress';
import { Option, type Command } from 'commander';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../src/atomic-write.js';
import { InvalidArgumentError, describeValue } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';
import { spaceFromJSON, Box, Discrete, MultiDiscrete } from '../../src/spaces.js';
import { readCheckpoint } from '../../src/training/checkpoint.js';
import { Dataset } from '../../src/training/dataset.js';
import { encodeNpy } from '../../src/codecs/npy.js';
import type { StepLog } from '../../src/training/trainer.js';
import type { WorldModelConfigInput } from '../../src/training/wm-config.js';
import { WorldModelTrainer } from '../../src/training/wm-trainer.js';
import { ManifestSchema, type Manifest } from '../../src/worldmodel/manifest.js';
import { integerOption, numberOption, withCtrlC } from '../options.js';

/** Options of {@link runTrain} (the parsed command line). */
export interface TrainCommandOptions {
  /**
   * Dataset directory, or several trained on as one (e.g. scripted demonstrations, then on-policy
   * planner episodes from `embodied collect --policy mpc`); they must come from the same environment.
   */
  readonly data: string | readonly string[];
  /** Bundle directory to write. */
  readonly out: string;
  /** Total optimiser steps (including those of a resumed checkpoint). */
  readonly steps: number;
  /** Continue from the checkpoint (`checkpoint`) when it exists. Default false. */
  readonly resume?: boolean;
  /** Seed of parameter initialisation and batch sampling. Default 0. */
  readonly seed?: number;
  /** Model/optimiser settings over the defaults (obsDim/actionDim come from the data). */
  readonly config?: Partial<WorldModelConfigInput>;
  /** Checkpoint file. Default `<out>.ckpt`. */
  readonly checkpoint?: string;
  /** Save a checkpoint every this many steps (0 = only at the end or on stop). Default 1000. */
  readonly checkpointEvery?: number;
  /** onnxruntime intra-op threads. Default 1. */
  readonly threads?: number;
  /** Optimiser steps per `session.run`. Default 4. */
  readonly stepsPerRun?: number;
  /** Start observations stored in the bundle (first observation of up to this many episodes). Default 256. */
  readonly initialObservations?: number;
  /** Replace an existing bundle. Default false. */
  readonly overwrite?: boolean;
  /** Progress bar: true, false or 'auto' (on a TTY). Default 'auto'. */
  readonly progress?: boolean | 'auto';
  /** Stops training after the current run of steps; a checkpoint is saved and no bundle exported. */
  readonly signal?: AbortSignal;
  /** Called with every step's log. */
  readonly onLog?: (log: StepLog) => void;
}

/** What {@link runTrain} returns. */
export interface TrainResult {
  /** Steps taken in total. */
  readonly steps: number;
  /** True when `signal` stopped training before `steps`. */
  readonly stopped: boolean;
  readonly checkpoint: string;
  /** The bundle written (absent when stopped). */
  readonly bundle?: string;
  readonly manifest?: Manifest;
  /** Mean loss components over the last 20 steps. */
  readonly finalLosses: Readonly<Record<string, number>>;
}

/** Optimiser steps per call into the trainer: Ctrl-C is honoured (and a checkpoint written) between calls. */
const CHUNK = 200;

/** The hash recorded for training on several datasets: SHA-256 of their content hashes joined by commas, in order. */
export function combinedHash(hashes: readonly string[]): string {
  return createHash('sha256').update(hashes.join(',')).digest('hex');
}

function actionBounds(data: Dataset, manifest: Dataset['manifest']): { low: number[]; high: number[] } {
  const json = manifest?.actionSpace;
  const space = json !== undefined ? spaceFromJSON(json) : undefined;
  if (space instanceof Box && space.isBounded()) return { low: Array.from(space.low), high: Array.from(space.high) };
  if (space instanceof Discrete) return { low: [space.start], high: [space.start + space.n - 1] };
  if (space instanceof MultiDiscrete) return { low: Array.from(space.start), high: Array.from(space.start, (s, i) => s + space.nvec[i]! - 1) };
  // Unbounded or unknown: the range seen in the data.
  const A = data.actionDim;
  const low = new Array<number>(A).fill(Infinity);
  const high = new Array<number>(A).fill(-Infinity);
  for (let t = 0; t < data.size; t++) {
    for (let j = 0; j < A; j++) {
      const v = data.actions[t * A + j]!;
      if (v < low[j]!) low[j] = v;
      if (v > high[j]!) high[j] = v;
    }
  }
  return { low, high };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw e;
    },
  );
}

/** What a world-model checkpoint records about its run (see `WorldModelTrainer`). */
interface CheckpointExtra {
  readonly kind?: string;
  readonly seed: number;
  readonly config: WorldModelConfigInput;
  readonly stats: { obsMean: number[]; obsStd: number[]; rewardMean: number; rewardStd: number };
}

/**
 * Trains a world model on `data` with `WorldModelTrainer` and exports the bundle to `out`, adding the
 * first observations of (up to 256) episodes for prompt-less resets. Exported for tests and scripts.
 * @throws {@link InvalidArgumentError} for bad options, an existing `out`, or a checkpoint of other data.
 */
export async function runTrain(opts: TrainCommandOptions): Promise<TrainResult> {
  if (!Number.isSafeInteger(opts.steps) || opts.steps <= 0)
    throw new InvalidArgumentError(`embodied train: expected --steps to be a positive integer, got ${describeValue(opts.steps)}`);
  const out = resolve(opts.out);
  const ckpt = resolve(opts.checkpoint ?? `${out}.ckpt`);
  if (!opts.overwrite && (await exists(out))) throw new InvalidArgumentError(`embodied train: ${out} already exists; pass --overwrite to replace it`);
  const dirs = typeof opts.data === 'string' ? [opts.data] : opts.data;
  const parts = await Promise.all(dirs.map((d) => Dataset.load(d)));
  const data = Dataset.concat(parts);
  const source = parts[0]!.manifest;
  let seed = opts.seed ?? 0;
  let config: WorldModelConfigInput;
  const resuming = (opts.resume ?? false) && (await exists(ckpt));
  if (resuming) {
    // A resumed run keeps the checkpoint's configuration and seed, whatever the new flags say.
    const extra = (await readCheckpoint(ckpt)).extra as unknown as CheckpointExtra;
    if (extra.kind !== 'world-model') throw new InvalidArgumentError(`embodied train: ${ckpt} is not a world-model checkpoint`);
    const s = data.stats();
    const same =
      extra.stats.obsMean.every((v, i) => v === s.obsMean[i]) &&
      extra.stats.obsStd.every((v, i) => v === s.obsStd[i]) &&
      extra.stats.rewardMean === s.rewardMean &&
      extra.stats.rewardStd === s.rewardStd;
    if (!same) throw new InvalidArgumentError(`embodied train: ${ckpt} was trained on other data (its normalisation statistics differ from those of ${dirs.join(' + ')})`);
    config = extra.config;
    seed = extra.seed;
  } else {
    const c = opts.config ?? {};
    const decay = c.lrSchedule === 'cosine' && c.lrDecaySteps === undefined ? { lrDecaySteps: Math.max(1, opts.steps - (c.warmupSteps ?? 0)) } : {};
    config = { terminal: data.terminated.some((t) => t === 1), ...decay, ...c, obsDim: data.obsDim, actionDim: data.actionDim };
  }
  const wm = await WorldModelTrainer.create(data, config, {
    seed,
    intraOpNumThreads: opts.threads ?? 1,
    stepsPerRun: opts.stepsPerRun ?? 4,
    checkpointPath: ckpt,
    resume: resuming,
  });
  const bar = (opts.progress === 'auto' || opts.progress === undefined ? process.stderr.isTTY === true : opts.progress)
    ? new cliProgress.SingleBar(
        { format: 'train |{bar}| {value}/{total} steps | loss {loss} | {rate} steps/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  try {
    const every = opts.checkpointEvery ?? 1000;
    bar?.start(opts.steps, wm.step, { loss: '-', rate: '-' });
    const t0 = performance.now();
    const s0 = wm.step;
    let lastSave = wm.step;
    let lastLoss = NaN;
    while (wm.step < opts.steps && !opts.signal?.aborted) {
      await wm.train({
        steps: Math.min(CHUNK, opts.steps - wm.step),
        onLog: (log) => {
          lastLoss = log.loss;
          opts.onLog?.(log);
        },
      });
      const rate = (wm.step - s0) / Math.max(1e-3, (performance.now() - t0) / 1000);
      bar?.update(wm.step, { loss: lastLoss.toPrecision(4), rate: rate.toFixed(0) });
      if (every > 0 && wm.step - lastSave >= every) {
        await wm.saveCheckpoint();
        lastSave = wm.step;
      }
    }
    await wm.saveCheckpoint();
    const finalLosses = wm.finalLosses;
    if (wm.step < opts.steps) return { steps: wm.step, stopped: true, checkpoint: ckpt, finalLosses };
    const bounds = actionBounds(data, source);
    const m = source;
    const hashes = parts.map((p) => p.manifest?.contentHash);
    await wm.exportBundle(out, {
      name: `${m?.envId ?? 'dataset'}-world-model`,
      envId: m?.envId ?? 'Unknown-v0',
      actionLow: bounds.low,
      actionHigh: bounds.high,
      rollout: wm.config.ensembleSize > 1 ? 'mean' : 'member0',
      overwrite: opts.overwrite ?? false,
      ...(hashes.every((h) => h !== undefined) &&
        (hashes.length === 1 ? { datasetHash: hashes[0] } : { datasetHash: combinedHash(hashes as string[]), datasetHashes: hashes as string[] })),
      ...(m?.rapierPackage !== undefined && { rapierPackage: m.rapierPackage }),
      ...(m?.rapierVersion !== undefined && { rapierVersion: m.rapierVersion }),
    });
    const manifest = await addInitialObservations(out, data, opts.initialObservations ?? 256, Rng.fromSeed(seed).derive(2));
    return { steps: wm.step, stopped: false, checkpoint: ckpt, bundle: out, manifest, finalLosses };
  } finally {
    bar?.stop();
    await wm.close();
  }
}

/**
 * Stores the first observation of up to `count` episodes (chosen with `rng`) as
 * `initial_observations.npy` and names it in the manifest; each file is replaced atomically, the
 * manifest last, so the bundle is valid at every moment.
 */
async function addInitialObservations(dir: string, data: Dataset, count: number, rng: Rng): Promise<Manifest> {
  const all = data.initialObservations();
  const order = Array.from({ length: data.numEpisodes }, (_, i) => i);
  rng.shuffle(order);
  const picked = order.slice(0, Math.max(1, Math.min(count, order.length))).sort((a, b) => a - b);
  const O = data.obsDim;
  const init = new Float32Array(picked.length * O);
  picked.forEach((k, i) => {
    init.set(all.subarray(k * O, (k + 1) * O), i * O);
  });
  await writeFileAtomic(join(dir, 'initial_observations.npy'), encodeNpy(init, [picked.length, O]));
  const manifest = ManifestSchema.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
  const updated: Manifest = {
    ...manifest,
    rolloutMode: manifest.provenance.config?.rolloutMode === 'mean' ? 'mean' : 'member0',
    files: { ...manifest.files, initialObservations: 'initial_observations.npy' },
  };
  await writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(updated, null, 2)}\n`);
  return updated;
}

/** `--config`: a JSON object written inline (it starts with `{`) or the path of a file holding one. */
async function readConfigFile(arg: string): Promise<Partial<WorldModelConfigInput>> {
  const inline = arg.trimStart().startsWith('{');
  const where = inline ? 'the inline --config JSON' : `--config ${arg}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(inline ? arg : await readFile(arg, 'utf8'));
  } catch (e) {
    if (e instanceof SyntaxError) throw new InvalidArgumentError(`embodied train: ${where} is not valid JSON (${e.message})`, { cause: e });
    throw e;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InvalidArgumentError(`embodied train: ${where} must hold a JSON object, got ${describeValue(parsed)}`);
  return parsed as Partial<WorldModelConfigInput>;
}

/** Adds the `train` subcommand. */
export function registerTrainCommand(program: Command): void {
  program
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
    .option('--no-progress', 'no progress bar')
    .action(async (o: Record<string, unknown>) => {
      await withCtrlC('train', 'saving a checkpoint after the current steps', async (signal) => {
        const h = o.hidden as number | undefined;
        const config: Partial<WorldModelConfigInput> = {
          ...(o.config !== undefined ? await readConfigFile(o.config as string) : {}),
          ...(o.latentDim !== undefined && { latentDim: o.latentDim as number, simNormGroup: (o.latentDim as number) % 8 === 0 ? 8 : 0 }),
          ...(h !== undefined && { encoderHidden: [h], dynamicsHidden: [h, h], rewardHidden: [h], terminalHidden: [h], decoderHidden: [h] }),
          ...(o.batchSize !== undefined && { batchSize: o.batchSize as number }),
          ...(o.horizon !== undefined && { horizon: o.horizon as number }),
          ...(o.ensemble !== undefined && { ensembleSize: o.ensemble as number }),
          ...(o.lr !== undefined && { lr: o.lr as number }),
          ...(o.lrSchedule !== undefined && { lrSchedule: o.lrSchedule as 'constant' | 'cosine' }),
        };
        const r = await runTrain({
          data: o.data as string[],
          out: o.out as string,
          steps: o.steps as number,
          resume: (o.resume as boolean | undefined) ?? false,
          seed: o.seed as number,
          config,
          ...(o.checkpoint !== undefined && { checkpoint: o.checkpoint as string }),
          checkpointEvery: o.checkpointEvery as number,
          threads: o.threads as number,
          overwrite: (o.overwrite as boolean | undefined) ?? false,
          progress: o.progress ? 'auto' : false,
          signal,
        });
        const losses = Object.entries(r.finalLosses)
          .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
          .join(', ');
        if (r.stopped) {
          console.log(`stopped at step ${r.steps}; checkpoint ${r.checkpoint} (continue with --resume)`);
          process.exitCode = 130;
        } else {
          console.log(`trained ${r.steps} steps (${losses}); bundle ${r.bundle}; checkpoint ${r.checkpoint}`);
        }
      });
    });
}
