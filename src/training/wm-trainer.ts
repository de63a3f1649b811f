/**
 * Trains a world model from any {@link BatchSource}: samples seeded minibatch windows, runs the
 * training graph of {@link WorldModelObjective}, logs losses, checkpoints atomically (with the sampler's
 * RNG state, so a resumed run continues bit for bit), and exports the bundle.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import { InvalidArgumentError } from '../errors.js';
import { parseOptions, z } from '../options.js';
import { Rng, type RngState } from '../rng.js';
import type { Manifest } from '../worldmodel/manifest.js';
import type { BatchSource, NormalizationStats } from './batch.js';
import { readCheckpoint } from './checkpoint.js';
import { CheckpointError } from './errors.js';
import { exportBundle, statsFromJson, statsToJson, type ExportBundleOptions } from './export-bundle.js';
import type { StepLog } from './trainer.js';
import { Trainer } from './trainer.js';
import { learningRateAt, parseWorldModelConfig, type WorldModelConfig, type WorldModelConfigInput } from './wm-config.js';
import { WorldModelGraphs } from './wm-graphs.js';
import { fitLinearSkip } from './linear-skip.js';
import { WorldModelObjective, packBatch } from './wm-objective.js';

/** Zod schema of {@link WorldModelTrainerOptions}. */
export const WorldModelTrainerOptionsSchema = z
  .object({
    /** Seed of the initial weights and of minibatch sampling. */
    seed: z.number().int().nonnegative(),
    /** onnxruntime intra-op threads. Default 2 (1 beside a busy simulator, or in tests). */
    intraOpNumThreads: z.number().int().positive().max(64, 'at most 64 threads').default(2),
    /** Optimiser steps per `session.run`. Default 4. */
    stepsPerRun: z.number().int().positive().max(64).default(4),
    /** Normalisation statistics. Default: `source.stats()` (or the checkpoint's when resuming). */
    stats: z.custom<NormalizationStats>((v) => typeof v === 'object' && v !== null && 'obsMean' in v, 'expected NormalizationStats').optional(),
    /** Checkpoint file written by `train` and `saveCheckpoint`. */
    checkpointPath: z.string().min(1).optional(),
    /** Continue from `checkpointPath` when it exists. Default false. */
    resume: z.boolean().default(false),
    /**
     * Warm start: begin from the weights and normalisation statistics of this world-model checkpoint (of
     * the same configuration), with a fresh optimiser, step count and sampler — e.g. the previous round of
     * a data loop, now on more data. Ignored when `resume` finds `checkpointPath`.
     */
    initFrom: z.string().min(1).optional(),
  })
  .strict();

/** Options of {@link WorldModelTrainer.create}. */
export type WorldModelTrainerOptions = z.input<typeof WorldModelTrainerOptionsSchema>;

/** Options of {@link WorldModelTrainer.train}. */
export interface TrainOptions {
  /** Optimiser steps to take now. */
  readonly steps: number;
  /** Write a checkpoint every this many steps (needs `checkpointPath`). Default 0: only at the end. */
  readonly checkpointEvery?: number;
  /** Write a checkpoint when this call's steps are done (with `checkpointPath`). Default true; a caller that schedules its own checkpoints passes false. */
  readonly checkpointAtEnd?: boolean;
  /** Called after every step. */
  readonly onLog?: (log: StepLog) => void;
  /** Stops between runs; a checkpoint is written when a path is set. */
  readonly signal?: AbortSignal;
}

/** What {@link WorldModelTrainer.train} returns. */
export interface TrainSummary {
  /** Steps taken by this call. */
  readonly stepsTaken: number;
  /** Total steps of the model. */
  readonly totalSteps: number;
  /** Mean of each loss over the last (up to) 20 steps. */
  readonly finalLosses: Readonly<Record<string, number>>;
  readonly stopped: 'completed' | 'aborted';
}

interface CheckpointExtra {
  kind: 'world-model';
  seed: number;
  rng: RngState;
  config: WorldModelConfig;
  stats: { obsMean: number[]; obsStd: number[]; rewardMean: number; rewardStd: number; deltaRms?: number[]; changeRate?: number[] };
  recent: Record<string, number>[];
}

const RECENT = 20;

/** A world model in training. Call {@link close} when done. */
export class WorldModelTrainer {
  private recent: Record<string, number>[] = [];

  private constructor(
    /** Where minibatches come from. */
    readonly source: BatchSource,
    /** The complete configuration. */
    readonly config: WorldModelConfig,
    /** The normalisation statistics baked into the graphs. */
    readonly stats: NormalizationStats,
    /** The seed. */
    readonly seed: number,
    private readonly trainer: Trainer,
    private rng: Rng,
    private readonly checkpointPath: string | undefined,
  ) {}

  /**
   * Builds the model and its training graph; with `resume`, restores `checkpointPath` if it exists.
   * @throws {@link InvalidArgumentError} on bad options or a source that does not fit the config
   * @throws {@link CheckpointError} when the checkpoint was trained with another configuration
   */
  static async create(source: BatchSource, config: WorldModelConfigInput, options: WorldModelTrainerOptions): Promise<WorldModelTrainer> {
    const opts = parseOptions(WorldModelTrainerOptionsSchema, options, 'WorldModelTrainer options');
    const cfg = parseWorldModelConfig(config);
    if (source.obsDim !== cfg.obsDim || source.actionDim !== cfg.actionDim) {
      throw new InvalidArgumentError(`Batch source has obsDim ${source.obsDim} and actionDim ${source.actionDim}, the config expects ${cfg.obsDim} and ${cfg.actionDim}`);
    }
    let extra: CheckpointExtra | undefined;
    if (opts.resume && opts.checkpointPath && (await exists(opts.checkpointPath))) {
      extra = (await readCheckpoint(opts.checkpointPath)).extra as unknown as CheckpointExtra;
      checkSameConfig(extra, cfg, opts.checkpointPath);
      if (extra.seed !== opts.seed) throw new CheckpointError(`${opts.checkpointPath}: trained with seed ${extra.seed}, resumed with seed ${opts.seed}`);
    }
    const init = !extra && opts.initFrom !== undefined ? await readCheckpoint(opts.initFrom) : undefined;
    const initExtra = init?.extra as unknown as CheckpointExtra | undefined;
    if (init) checkSameConfig(initExtra!, cfg, opts.initFrom!, 'warm start');
    const saved = extra ?? initExtra;
    // The change scales only matter in observation space, the change rates only to the 'mixed' loss; other
    // models' statistics (and so their checkpoints and bundles) stay as they always were.
    const { deltaRms, changeRate, ...base } = saved ? statsFromJson(saved.stats) : (opts.stats ?? source.stats());
    const rates = cfg.consistencyUnits === 'mixed' && changeRate ? { changeRate } : {};
    const stats: NormalizationStats = cfg.space === 'observation' && deltaRms ? { ...base, deltaRms, ...rates } : base;
    const objective = new WorldModelObjective(cfg, stats);
    const trainer = await Trainer.create(objective, {
      seed: opts.seed,
      stepsPerRun: opts.stepsPerRun,
      intraOpNumThreads: opts.intraOpNumThreads,
      lr: (step: number) => learningRateAt(cfg, step),
      adam: { beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.eps, weightDecay: cfg.weightDecay, gradClipNorm: cfg.gradClipNorm },
    });
    const wm = new WorldModelTrainer(source, cfg, stats, opts.seed, trainer, Rng.fromSeed(opts.seed).derive(1), opts.checkpointPath);
    if (extra && opts.checkpointPath) {
      await trainer.loadCheckpoint(opts.checkpointPath);
      wm.rng = Rng.fromState(extra.rng);
      wm.recent = extra.recent;
    } else if (init) {
      // The weights only: fresh Adam moments and step 0 (the schedule and bias correction start over).
      trainer.restore({ ...init, step: 0, params: init.params.map((p) => ({ ...p, m: new Float32Array(p.value.length), v: new Float32Array(p.value.length) })) }, opts.initFrom);
    } else if (cfg.linearSkip) {
      // A fresh model's linear skip starts at the data's least-squares fit (its own stream: the sampler's is untouched).
      const skip = fitLinearSkip(source, stats, objective.network.deltaScale(), Rng.fromSeed(opts.seed).derive(2), cfg.worldFrame);
      const state = trainer.state();
      trainer.restore({ ...state, params: state.params.map((p) => (p.name.endsWith('.skip.w') ? { ...p, value: skip } : p)) }, 'linear skip fit');
    }
    return wm;
  }

  /** Optimiser steps taken. */
  get step(): number {
    return this.trainer.step;
  }

  /** Mean of each loss over the last (up to) 20 steps. */
  get finalLosses(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.recent) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v / this.recent.length;
    return out;
  }

  /**
   * Takes `steps` optimiser steps.
   * @throws {@link NonFiniteLossError} on a NaN/Inf loss; the last checkpoint written is left untouched
   */
  async train(options: TrainOptions): Promise<TrainSummary> {
    const { steps, checkpointEvery = 0, checkpointAtEnd = true, onLog, signal } = options;
    if (!Number.isInteger(steps) || steps < 0) throw new InvalidArgumentError(`Expected a non-negative integer number of steps, got ${steps}`);
    if (checkpointEvery > 0 && !this.checkpointPath) throw new InvalidArgumentError('checkpointEvery needs the checkpointPath option');
    const { batchSize, horizon } = this.config;
    const fill = (buffers: Readonly<Record<string, Float32Array>>) =>
      packBatch(this.source.sample(batchSize, horizon, this.rng), this.config, buffers as Record<string, Float32Array>);
    const log = (l: StepLog) => {
      this.recent.push({ loss: l.loss, ...l.metrics });
      if (this.recent.length > RECENT) this.recent.shift();
      onLog?.(l);
    };
    const start = this.step;
    const chunk = checkpointEvery > 0 ? checkpointEvery : steps;
    let stopped: TrainSummary['stopped'] = 'completed';
    while (this.step - start < steps) {
      if (signal?.aborted) {
        stopped = 'aborted';
        break;
      }
      // Runs end on checkpoint boundaries so a checkpoint always sits between runs.
      const n = Math.min(chunk - ((this.step - start) % chunk), steps - (this.step - start));
      await this.trainer.train(n, fill, { onLog: log, ...(signal ? { signal } : {}) });
      if (signal?.aborted && this.step - start < steps) {
        stopped = 'aborted';
        break;
      }
      if (this.checkpointPath && (checkpointEvery > 0 || (checkpointAtEnd && this.step - start === steps))) await this.saveCheckpoint();
    }
    if (stopped === 'aborted' && this.checkpointPath) await this.saveCheckpoint();
    return { stepsTaken: this.step - start, totalSteps: this.step, finalLosses: this.finalLosses, stopped };
  }

  /** Writes a checkpoint (to `path`, default the `checkpointPath` option) atomically. */
  async saveCheckpoint(path = this.checkpointPath): Promise<void> {
    if (!path) throw new InvalidArgumentError('saveCheckpoint needs a path (or the checkpointPath option)');
    const extra: CheckpointExtra = {
      kind: 'world-model',
      seed: this.seed,
      rng: this.rng.getState(),
      config: this.config,
      stats: statsToJson(this.stats) as CheckpointExtra['stats'],
      recent: this.recent,
    };
    await this.trainer.saveCheckpoint(path, extra as unknown as Record<string, unknown>);
  }

  /** Current weights by name. */
  paramValues(): Map<string, Float32Array> {
    return this.trainer.paramValues();
  }

  /** The inference graphs with the current weights (encoder, dynamics, decoder, rollout). */
  graphs(): WorldModelGraphs {
    return new WorldModelGraphs(this.config, this.stats, this.paramValues());
  }

  /** Exports the bundle with the current weights and full provenance. */
  async exportBundle(dir: string, options: Omit<ExportBundleOptions, 'config' | 'stats' | 'params' | 'seed' | 'trainingSteps'>): Promise<Manifest> {
    return exportBundle(dir, {
      finalLosses: this.finalLosses,
      ...options,
      config: this.config,
      stats: this.stats,
      params: this.paramValues(),
      seed: this.seed,
      trainingSteps: this.step,
    });
  }

  /** Releases the onnxruntime sessions. Idempotent. */
  async close(): Promise<void> {
    await this.trainer.close();
  }

  /** Releases the onnxruntime sessions (same as {@link WorldModelTrainer.close}), for `await using` declarations. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Settings added after checkpoints were first written, and the value those checkpoints were trained with. */
const LEGACY_DEFAULTS: Partial<Record<keyof WorldModelConfig, unknown>> = {
  space: 'latent',
  headInput: 'latent-action',
  headsOnData: false,
  consistencyUnits: 'state',
  linearSkip: false,
  worldFrame: [],
};

/** Keys a warm start may change: they shape the optimisation, not the weights. */
const OPTIMISER_KEYS: ReadonlySet<keyof WorldModelConfig> = new Set([
  'batchSize',
  'lr',
  'lrSchedule',
  'lrDecaySteps',
  'lrMinRatio',
  'warmupSteps',
  'weightDecay',
  'beta1',
  'beta2',
  'eps',
  'gradClipNorm',
  'horizon',
  'rho',
  'consistencyCoef',
  'rewardCoef',
  'terminalCoef',
  'decoderCoef',
  'headsOnData',
  'consistencyUnits',
]);

/**
 * The configuration of a warm start from a checkpoint trained with `saved`: its network (sizes, space,
 * heads), `fresh`'s optimisation settings (learning rate and schedule, batch, horizon, loss weights).
 */
export function warmStartConfig(saved: WorldModelConfig, fresh: WorldModelConfigInput): WorldModelConfigInput {
  const out: Record<string, unknown> = { ...fresh };
  for (const [key, value] of Object.entries(saved)) if (!OPTIMISER_KEYS.has(key as keyof WorldModelConfig)) out[key] = value;
  return out as WorldModelConfigInput;
}

/** Throws unless the checkpoint was trained with `config` (a warm start: the same network; a resume: everything). */
function checkSameConfig(extra: CheckpointExtra, config: WorldModelConfig, path: string, use: 'resume' | 'warm start' = 'resume'): void {
  if (extra.kind !== 'world-model') throw new CheckpointError(`${path}: not a world-model checkpoint`);
  for (const key of Object.keys(config) as (keyof WorldModelConfig)[]) {
    if (use === 'warm start' && OPTIMISER_KEYS.has(key)) continue;
    // Checkpoints written before a setting existed were trained with its default.
    const before = extra.config[key] ?? LEGACY_DEFAULTS[key];
    if (JSON.stringify(before) !== JSON.stringify(config[key])) {
      throw new CheckpointError(
        `${path}: trained with ${key} = ${JSON.stringify(before)}, the config now says ${JSON.stringify(config[key])} (a ${use} needs the same ${use === 'resume' ? 'configuration' : 'network'})`,
      );
    }
  }
}
