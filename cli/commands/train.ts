/**
 * `embodied train`: trains a world model on a dataset directory with the SDK's trainer (ONNX training
 * graphs in onnxruntime-node) and exports a bundle. Progress shows loss, steps/s and ETA; Ctrl-C saves
 * a checkpoint and exits; `--resume` continues from the checkpoint bit for bit (same sampler stream).
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../src/atomic-write.js';
import { InvalidArgumentError, describeValue } from '../../src/errors.js';
import { Rng, type RngState } from '../../src/rng.js';
import { spaceFromJSON, Box, Discrete, MultiDiscrete } from '../../src/spaces.js';
import type { NormalizationStats } from '../../src/training/batch.js';
import { readCheckpoint } from '../../src/training/checkpoint.js';
import { Dataset } from '../../src/training/dataset.js';
import { exportBundle } from '../../src/training/export-bundle.js';
import { encodeNpy } from '../../src/training/npy.js';
import { Trainer, type StepLog } from '../../src/training/trainer.js';
import { parseWorldModelConfig, type WorldModelConfig, type WorldModelConfigInput } from '../../src/training/wm-config.js';
import { WorldModelObjective, packBatch } from '../../src/training/wm-objective.js';
import { ManifestSchema, type Manifest } from '../../src/worldmodel/manifest.js';
import { integerOption, numberOption, reportErrors } from './collect.js';

/** Options of {@link runTrain} (the parsed command line). */
export interface TrainCommandOptions {
  /** Dataset directory. */
  readonly data: string;
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
  /** Mean loss components over the last 100 steps. */
  readonly finalLosses: Record<string, number>;
}

interface TrainExtra {
  readonly format: 'embodied.train/v1';
  readonly config: WorldModelConfig;
  readonly stats: { obsMean: number[]; obsStd: number[]; rewardMean: number; rewardStd: number };
  readonly datasetHash: string | null;
  readonly seed: number;
  readonly rng: RngState;
}

/** Learning rate of 1-based `step`: linear warm-up, then constant or cosine decay to 10% at `total`. */
export function learningRate(config: WorldModelConfig, total: number): (step: number) => number {
  return (step) => {
    if (config.warmupSteps > 0 && step <= config.warmupSteps) return (config.lr * step) / config.warmupSteps;
    if (config.lrSchedule === 'constant') return config.lr;
    const span = Math.max(1, total - config.warmupSteps);
    const p = Math.min(1, (step - config.warmupSteps) / span);
    return config.lr * (0.1 + 0.45 * (1 + Math.cos(Math.PI * p)));
  };
}

function actionBounds(data: Dataset): { low: number[]; high: number[] } {
  const json = data.manifest?.actionSpace;
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

/**
 * Trains a world model on `data` and exports the bundle to `out` (exported for tests and scripts).
 * @throws {@link InvalidArgumentError} for bad options, a checkpoint of another dataset, or an existing `out`.
 */
export async function runTrain(opts: TrainCommandOptions): Promise<TrainResult> {
  if (!Number.isSafeInteger(opts.steps) || opts.steps <= 0) throw new InvalidArgumentError(`embodied train: expected --steps to be a positive integer, got ${describeValue(opts.steps)}`);
  const out = resolve(opts.out);
  const ckpt = resolve(opts.checkpoint ?? `${out}.ckpt`);
  if (!opts.overwrite && (await exists(out))) throw new InvalidArgumentError(`embodied train: ${out} already exists; pass --overwrite to replace it`);
  const data = await Dataset.load(opts.data);
  const datasetHash = data.manifest?.contentHash ?? null;
  const seed = opts.seed ?? 0;

  let config: WorldModelConfig;
  let stats: NormalizationStats;
  let rng: Rng;
  let resumed: Awaited<ReturnType<typeof readCheckpoint>> | undefined;
  if (opts.resume && (await exists(ckpt))) {
    resumed = await readCheckpoint(ckpt);
    const extra = resumed.extra as unknown as TrainExtra;
    if (extra.format !== 'embodied.train/v1') throw new InvalidArgumentError(`embodied train: ${ckpt} was not written by embodied train (extra.format ${describeValue(extra.format)})`);
    if (extra.datasetHash !== datasetHash) throw new InvalidArgumentError(`embodied train: ${ckpt} was trained on dataset ${extra.datasetHash}, but ${opts.data} has content hash ${datasetHash}`);
    config = parseWorldModelConfig(extra.config);
    stats = { obsMean: Float32Array.from(extra.stats.obsMean), obsStd: Float32Array.from(extra.stats.obsStd), rewardMean: extra.stats.rewardMean, rewardStd: extra.stats.rewardStd };
    rng = Rng.fromState(extra.rng);
  } else {
    const hasTerminal = data.terminated.some((t) => t === 1);
    config = parseWorldModelConfig({ terminal: hasTerminal, ...opts.config, obsDim: data.obsDim, actionDim: data.actionDim });
    stats = data.stats();
    rng = Rng.fromSeed(seed).derive(1);
  }
  const objective = new WorldModelObjective(config, stats);
  const trainer = await Trainer.create(objective, {
    seed,
    adam: { beta1: config.beta1, beta2: config.beta2, eps: config.eps, weightDecay: config.weightDecay, gradClipNorm: config.gradClipNorm },
    lr: learningRate(config, opts.steps),
    intraOpNumThreads: opts.threads ?? 1,
    stepsPerRun: opts.stepsPerRun ?? 4,
  });
  const recent: Record<string, number>[] = [];
  const bar = (opts.progress === 'auto' || opts.progress === undefined ? process.stderr.isTTY === true : opts.progress)
    ? new cliProgress.SingleBar({ format: 'train |{bar}| {value}/{total} steps | loss {loss} | {rate} steps/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, etaBuffer: 50 }, cliProgress.Presets.shades_classic)
    : undefined;
  const save = () =>
    trainer.saveCheckpoint(ckpt, {
      format: 'embodied.train/v1',
      config,
      stats: { obsMean: Array.from(stats.obsMean), obsStd: Array.from(stats.obsStd), rewardMean: stats.rewardMean, rewardStd: stats.rewardStd },
      datasetHash,
      seed,
      rng: rng.getState(),
    } satisfies TrainExtra as unknown as Record<string, unknown>);
  try {
    if (resumed) trainer.restore(resumed, ckpt);
    const fill = (buffers: Readonly<Record<string, Float32Array>>) => packBatch(data.sample(config.batchSize, config.horizon, rng), config, buffers as Record<string, Float32Array>);
    const every = opts.checkpointEvery ?? 1000;
    const chunk = 20 * (opts.stepsPerRun ?? 4);
    bar?.start(opts.steps, trainer.step, { loss: '-', rate: '-' });
    const t0 = performance.now();
    const s0 = trainer.step;
    let lastSave = trainer.step;
    while (trainer.step < opts.steps && !opts.signal?.aborted) {
      await trainer.train(Math.min(chunk, opts.steps - trainer.step), fill, (log) => {
        recent.push({ loss: log.loss, ...log.metrics });
        if (recent.length > 100) recent.shift();
        opts.onLog?.(log);
      });
      const rate = (trainer.step - s0) / Math.max(1e-3, (performance.now() - t0) / 1000);
      bar?.update(trainer.step, { loss: recent.at(-1)!.loss!.toPrecision(4), rate: rate.toFixed(0) });
      if (every > 0 && trainer.step - lastSave >= every) {
        await save();
        lastSave = trainer.step;
      }
    }
    await save();
    const finalLosses = meanLosses(recent);
    const stopped = trainer.step < opts.steps;
    if (stopped) return { steps: trainer.step, stopped, checkpoint: ckpt, finalLosses };
    const bounds = actionBounds(data);
    const m = data.manifest;
    await exportBundle(out, {
      config,
      stats,
      params: trainer.paramValues(),
      name: `${m?.envId ?? 'dataset'}-world-model`,
      envId: m?.envId ?? 'Unknown-v0',
      actionLow: bounds.low,
      actionHigh: bounds.high,
      rollout: config.ensembleSize > 1 ? 'mean' : 'member0',
      overwrite: opts.overwrite ?? false,
      seed,
      ...(datasetHash !== null && { datasetHash }),
      trainingSteps: trainer.step,
      finalLosses,
      ...(m?.rapierPackage !== undefined && { rapierPackage: m.rapierPackage }),
      ...(m?.rapierVersion !== undefined && { rapierVersion: m.rapierVersion }),
    });
    const manifest = await addInitialObservations(out, data, opts.initialObservations ?? 256, Rng.fromSeed(seed).derive(2));
    return { steps: trainer.step, stopped: false, checkpoint: ckpt, bundle: out, manifest, finalLosses };
  } finally {
    bar?.stop();
    await trainer.close();
  }
}

function meanLosses(recent: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of recent) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v / recent.length;
  return out;
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
  picked.forEach((k, i) => init.set(all.subarray(k * O, (k + 1) * O), i * O));
  await writeFileAtomic(join(dir, 'initial_observations.npy'), encodeNpy(init, [picked.length, O]));
  const manifest = ManifestSchema.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
  const updated: Manifest = { ...manifest, rolloutMode: manifest.provenance.config?.['rolloutMode'] === 'mean' ? 'mean' : 'member0', files: { ...manifest.files, initialObservations: 'initial_observations.npy' } };
  await writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(updated, null, 2)}\n`);
  return updated;
}

async function readConfigFile(path: string): Promise<Partial<WorldModelConfigInput>> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError(`embodied train: --config ${path} must hold a JSON object, got ${describeValue(parsed)}`);
  return parsed as Partial<WorldModelConfigInput>;
}

/** Adds the `train` subcommand. */
export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a world model on a dataset and export a bundle (Ctrl-C saves a checkpoint; --resume continues)')
    .requiredOption('--data <dir>', 'dataset directory (from embodied collect)')
    .requiredOption('--out <dir>', 'bundle directory to write')
    .requiredOption('--steps <n>', 'total optimiser steps', integerOption(1))
    .option('--resume', 'continue from the checkpoint (<out>.ckpt) if it exists')
    .option('--seed <n>', 'seed of initialisation and sampling', integerOption(0), 0)
    .option('--config <file>', 'JSON file of world-model settings (see WorldModelConfig)')
    .option('--latent-dim <n>', 'latent size', integerOption(1))
    .option('--hidden <n>', 'width of every hidden layer', integerOption(1))
    .option('--batch-size <n>', 'windows per minibatch', integerOption(1))
    .option('--horizon <n>', 'training horizon H', integerOption(1))
    .option('--ensemble <n>', 'dynamics ensemble members', integerOption(1))
    .option('--lr <x>', 'peak learning rate', numberOption(0))
    .option('--checkpoint <file>', 'checkpoint path (default <out>.ckpt)')
    .option('--checkpoint-every <n>', 'save a checkpoint every n steps', integerOption(0), 1000)
    .option('--threads <n>', 'onnxruntime intra-op threads', integerOption(1), 1)
    .option('--overwrite', 'replace an existing bundle')
    .option('--no-progress', 'no progress bar')
    .action(async (o: Record<string, unknown>) => {
      const controller = new AbortController();
      const onSigint = () => {
        if (controller.signal.aborted) process.exit(130);
        process.stderr.write('\nsaving a checkpoint after the current steps (Ctrl-C again to quit at once)…\n');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      await reportErrors('train', async () => {
        const h = o.hidden as number | undefined;
        const config: Partial<WorldModelConfigInput> = {
          ...(o.config !== undefined ? await readConfigFile(o.config as string) : {}),
          ...(o.latentDim !== undefined && { latentDim: o.latentDim as number, simNormGroup: (o.latentDim as number) % 8 === 0 ? 8 : 0 }),
          ...(h !== undefined && { encoderHidden: [h], dynamicsHidden: [h, h], rewardHidden: [h], terminalHidden: [h], decoderHidden: [h] }),
          ...(o.batchSize !== undefined && { batchSize: o.batchSize as number }),
          ...(o.horizon !== undefined && { horizon: o.horizon as number }),
          ...(o.ensemble !== undefined && { ensembleSize: o.ensemble as number }),
          ...(o.lr !== undefined && { lr: o.lr as number }),
        };
        const r = await runTrain({
          data: o.data as string,
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
          signal: controller.signal,
        });
        const losses = Object.entries(r.finalLosses).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(', ');
        if (r.stopped) {
          console.log(`stopped at step ${r.steps}; checkpoint ${r.checkpoint} (continue with --resume)`);
          process.exitCode = 130;
        } else {
          console.log(`trained ${r.steps} steps (${losses}); bundle ${r.bundle}; checkpoint ${r.checkpoint}`);
        }
      }).finally(() => process.off('SIGINT', onSigint));
    });
}
