/**
 * `trainWorldModel`: trains a world model on one or several datasets with the SDK's
 * `WorldModelTrainer` (ONNX training graphs in onnxruntime-node) and exports a bundle. An abort saves a
 * checkpoint and returns; `resume` continues from the checkpoint bit for bit (same sampler stream).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { InvalidArgumentError } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { Rng } from '../src/rng.js';
import { readWorldModelCheckpoint } from '../src/training/checkpoint.js';
import { Dataset, datasetActionBounds } from '../src/training/dataset.js';
import type { StepLog } from '../src/training/trainer.js';
import type { WorldModelConfigInput } from '../src/training/wm-config.js';
import { WorldModelTrainer, warmStartConfig } from '../src/training/wm-trainer.js';
import type { Manifest } from '../src/worldmodel/manifest.js';
import { callbackOption, signalOption } from './schema.js';
import { pathExists, trainingOutput } from './training-output.js';

/** Progress of {@link trainWorldModel}: reported when training starts and after every chunk of steps. */
export interface TrainProgress {
  /** Steps taken in total (a resumed run starts at the checkpoint's step). */
  readonly step: number;
  /** Steps to reach. */
  readonly total: number;
  /** The last step's loss (NaN before the first step). */
  readonly loss: number;
  /** Steps per second in this run so far. */
  readonly stepsPerSecond: number;
}

/** Zod schema of {@link TrainWorldModelOptions}. */
export const TrainWorldModelOptionsSchema = z
  .object({
    /**
     * Dataset directory, or several trained on as one (e.g. scripted demonstrations, then on-policy
     * planner episodes); they must come from the same environment.
     */
    data: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).readonly()]),
    /** Bundle directory to write. */
    out: z.string().min(1),
    /** Total optimiser steps (including those of a resumed checkpoint). */
    steps: z.number().int().positive(),
    /** Continue from the checkpoint (`checkpoint`) when it exists. Default false. */
    resume: z.boolean().default(false),
    /** Seed of parameter initialisation and batch sampling. Default 0. */
    seed: z.number().int().nonnegative().default(0),
    /** Model/optimiser settings over the defaults (obsDim/actionDim come from the data). */
    config: z.custom<Partial<WorldModelConfigInput>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected an object' }).default({}),
    /**
     * Warm start: a world-model checkpoint (`.ckpt`) whose weights and normalisation statistics this run
     * starts from, with a fresh optimiser (its network settings win over `config`'s). Ignored when
     * `resume` finds the checkpoint.
     */
    initFrom: z.string().min(1).optional(),
    /** Checkpoint file. Default `<out>.ckpt`. */
    checkpoint: z.string().min(1).optional(),
    /** Save a checkpoint every this many steps (0: only at the end or on stop). Default 1000. */
    checkpointEvery: z.number().int().nonnegative().default(1000),
    /** onnxruntime intra-op threads. Default 1. */
    threads: z.number().int().positive().max(64, 'at most 64 threads').default(1),
    /** Optimiser steps per `session.run`. Default 4. */
    stepsPerRun: z.number().int().positive().default(4),
    /** Start observations stored in the bundle (first observation of up to this many episodes). Default 256. */
    initialObservations: z.number().int().positive().default(256),
    /** Replace an existing bundle. Default false. */
    overwrite: z.boolean().default(false),
    /** Stops training after the current chunk of steps; a checkpoint is saved and no bundle exported. */
    signal: signalOption(),
    /** Called with every step's log. */
    onLog: callbackOption<(log: StepLog) => void>(),
    /** Called when training starts and after every chunk of steps. */
    onProgress: callbackOption<(progress: TrainProgress) => void>(),
  })
  .strict();

/** Options of {@link trainWorldModel}. */
export type TrainWorldModelOptions = z.input<typeof TrainWorldModelOptionsSchema>;

/** What {@link trainWorldModel} returns. */
export interface TrainWorldModelResult {
  /** Steps taken in total. */
  readonly steps: number;
  /** True when `signal` stopped training before `steps`. */
  readonly stopped: boolean;
  /** The checkpoint file. */
  readonly checkpoint: string;
  /** The bundle written (absent when stopped). */
  readonly bundle?: string;
  /** The bundle's manifest (absent when stopped). */
  readonly manifest?: Manifest;
  /** Mean loss components over the last 20 steps. */
  readonly finalLosses: Readonly<Record<string, number>>;
}

/** Optimiser steps per call into the trainer: an abort is honoured (and a checkpoint written) between calls. */
const CHUNK = 200;

/** The hash recorded for training on several datasets: SHA-256 of their content hashes joined by commas, in order. */
export function combinedHash(hashes: readonly string[]): string {
  return createHash('sha256').update(hashes.join(',')).digest('hex');
}

/**
 * Trains a world model on `data` and exports the bundle to `out` with the first observations of (up to
 * `initialObservations`) episodes for prompt-less resets (what `embodied train` runs).
 * @throws {@link InvalidArgumentError} for bad options, an existing `out`, or a checkpoint of other data.
 */
export async function trainWorldModel(options: TrainWorldModelOptions): Promise<TrainWorldModelResult> {
  const o = parseOptions(TrainWorldModelOptionsSchema, options, 'trainWorldModel options');
  // Before any training: an hour's run must not end in a refusal (exportBundle checks again).
  const { out, ckpt } = await trainingOutput(o, 'bundle', 'trainWorldModel');
  const dirs = typeof o.data === 'string' ? [o.data] : o.data;
  const parts = await Promise.all(dirs.map((d) => Dataset.load(d)));
  const data = Dataset.concat(parts);
  const resuming = o.resume && (await pathExists(ckpt));
  const warm = !resuming && o.initFrom !== undefined ? resolve(o.initFrom) : undefined;
  const { config, seed } = resuming
    ? await resumedRun(ckpt, data, dirs, o.initFrom === undefined ? undefined : resolve(o.initFrom))
    : { config: warm ? warmStartConfig((await readWorldModelCheckpoint(warm)).config, freshConfig(o, data)) : freshConfig(o, data), seed: o.seed };
  const wm = await WorldModelTrainer.create(data, config, {
    seed,
    intraOpNumThreads: o.threads,
    stepsPerRun: o.stepsPerRun,
    checkpointPath: ckpt,
    resume: resuming,
    ...(warm && { initFrom: warm }),
  });
  try {
    await trainInChunks(wm, o);
    const finalLosses = wm.finalLosses;
    if (wm.step < o.steps) return { steps: wm.step, stopped: true, checkpoint: ckpt, finalLosses };
    const m = parts[0]!.manifest;
    const bounds = datasetActionBounds(data, m);
    const hashes = parts.map((p) => p.manifest?.contentHash);
    const manifest = await wm.exportBundle(out, {
      name: `${m?.envId ?? 'dataset'}-world-model`,
      envId: m?.envId ?? 'Unknown-v0',
      // Dataset.concat refused datasets of other environment options, so dataset 0's are every dataset's.
      ...(m?.envOptions !== undefined && { envOptions: m.envOptions }),
      actionLow: bounds.low,
      actionHigh: bounds.high,
      rollout: wm.config.ensembleSize > 1 ? 'mean' : 'member0',
      overwrite: o.overwrite,
      ...(hashes.every((h) => h !== undefined) &&
        (hashes.length === 1 ? { datasetHash: hashes[0] } : { datasetHash: combinedHash(hashes as string[]), datasetHashes: hashes as string[] })),
      ...(m?.rapierPackage !== undefined && { rapierPackage: m.rapierPackage }),
      ...(m?.rapierVersion !== undefined && { rapierVersion: m.rapierVersion }),
      initialObservations: pickInitialObservations(data, o.initialObservations, Rng.fromSeed(seed).derive(2)),
    });
    return { steps: wm.step, stopped: false, checkpoint: ckpt, bundle: out, manifest, finalLosses };
  } finally {
    await wm.close();
  }
}

/**
 * A resumed run keeps the checkpoint's configuration and seed, whatever the new options say. Its
 * statistics must be the data's — or, for a run warm-started from `initFrom`, that checkpoint's.
 */
async function resumedRun(ckpt: string, data: Dataset, dirs: readonly string[], initFrom: string | undefined): Promise<{ config: WorldModelConfigInput; seed: number }> {
  const extra = await readWorldModelCheckpoint(ckpt);
  const s = initFrom === undefined ? data.stats() : (await readWorldModelCheckpoint(initFrom)).stats;
  const same =
    extra.stats.obsMean.every((v, i) => v === s.obsMean[i]) &&
    extra.stats.obsStd.every((v, i) => v === s.obsStd[i]) &&
    extra.stats.rewardMean === s.rewardMean &&
    extra.stats.rewardStd === s.rewardStd;
  if (!same) throw new InvalidArgumentError(`trainWorldModel: ${ckpt} was trained on other data (its normalisation statistics differ from those of ${dirs.join(' + ')})`);
  return { config: extra.config, seed: extra.seed };
}

/**
 * A cosine schedule's decay length when the config leaves it open: the steps after warm-up, so the rate
 * reaches its floor at the last of `steps` (`{}` for another schedule or a decay length already set).
 */
export function cosineDecay(c: Partial<Pick<WorldModelConfigInput, 'lrSchedule' | 'lrDecaySteps' | 'warmupSteps'>>, steps: number): { lrDecaySteps?: number } {
  return c.lrSchedule === 'cosine' && c.lrDecaySteps === undefined ? { lrDecaySteps: Math.max(1, steps - (c.warmupSteps ?? 0)) } : {};
}

function freshConfig(o: z.output<typeof TrainWorldModelOptionsSchema>, data: Dataset): WorldModelConfigInput {
  const c = o.config;
  return { terminal: data.terminated.some((t) => t === 1), ...cosineDecay(c, o.steps), ...c, obsDim: data.obsDim, actionDim: data.actionDim };
}

async function trainInChunks(wm: WorldModelTrainer, o: z.output<typeof TrainWorldModelOptionsSchema>): Promise<void> {
  const t0 = performance.now();
  const s0 = wm.step;
  let lastSave = wm.step;
  let lastLoss = NaN;
  o.onProgress?.({ step: wm.step, total: o.steps, loss: NaN, stepsPerSecond: 0 });
  while (wm.step < o.steps && !o.signal?.aborted) {
    await wm.train({
      steps: Math.min(CHUNK, o.steps - wm.step),
      // Checkpoints follow `checkpointEvery` (below), not this loop's chunks.
      checkpointAtEnd: false,
      onLog: (log) => {
        lastLoss = log.loss;
        o.onLog?.(log);
      },
    });
    const stepsPerSecond = (wm.step - s0) / Math.max(1e-3, (performance.now() - t0) / 1000);
    o.onProgress?.({ step: wm.step, total: o.steps, loss: lastLoss, stepsPerSecond });
    if (o.checkpointEvery > 0 && wm.step - lastSave >= o.checkpointEvery) {
      await wm.saveCheckpoint();
      lastSave = wm.step;
    }
  }
  await wm.saveCheckpoint();
}

/** The first observation of up to `count` episodes (chosen with `rng`, kept in episode order), `N × obsDim`. */
function pickInitialObservations(data: Dataset, count: number, rng: Rng): Float32Array {
  const all = data.initialObservations();
  const order = Array.from({ length: data.numEpisodes }, (_, i) => i);
  rng.shuffle(order);
  const picked = order.slice(0, Math.max(1, Math.min(count, order.length))).sort((a, b) => a - b);
  const O = data.obsDim;
  const init = new Float32Array(picked.length * O);
  picked.forEach((k, i) => {
    init.set(all.subarray(k * O, (k + 1) * O), i * O);
  });
  return init;
}
