/**
 * `trainBehaviorCloning`: a policy learns to imitate the actions of any Embodied dataset (scripted or
 * planned episodes) with the SDK's Trainer (ONNX training graphs, Adam), and is exported as a policy
 * bundle (`embodied.policy/v1`) with its learning curves. An abort saves a checkpoint and returns;
 * `resume` continues from it bit for bit (same minibatch stream).
 *
 * @module
 */
import { InvalidArgumentError } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { exportPolicyBundle } from '../src/policies/bundle.js';
import { type PolicyConfig, type PolicyConfigInput, parsePolicyConfig } from '../src/policies/config.js';
import { CurveRecorder, type LearningCurves, writeLearningCurves } from '../src/policies/curves.js';
import { PolicyDataError } from '../src/policies/errors.js';
import type { PolicyManifest } from '../src/policies/manifest.js';
import { toUnitActions, type ObservationStats } from '../src/policies/network.js';
import { BC_ACTION_LIMIT, BehaviorCloningObjective } from '../src/policies/objectives.js';
import { Rng, type RngState } from '../src/rng.js';
import { Dataset, type DatasetManifest } from '../src/training/dataset.js';
import { Trainer } from '../src/training/trainer.js';
import { registeredSpaces, type PolicyEnvSpaces } from './policy-env.js';
import { callbackOption, signalOption } from './schema.js';
import { pathExists, trainingOutput } from './training-output.js';

/** Progress of {@link trainBehaviorCloning}: after every chunk of steps. */
export interface BcProgress {
  readonly step: number;
  readonly total: number;
  /** The last step's loss (NaN before the first). */
  readonly loss: number;
  readonly stepsPerSecond: number;
}

/** The network behaviour cloning trains unless told otherwise: deterministic, two ReLU layers of 256. */
export const BC_NETWORK: Partial<PolicyConfigInput> = { kind: 'deterministic', hidden: [256, 256], activation: 'relu' };

/** Zod schema of {@link TrainBehaviorCloningOptions}. */
export const TrainBehaviorCloningOptionsSchema = z
  .object({
    /** Dataset directory, or several (of one environment). */
    data: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).readonly()]),
    /** Policy bundle directory to write. */
    out: z.string().min(1),
    /** The environment the policy is for; a dataset of another environment is refused. Default: the datasets'. */
    env: z.string().min(1).optional(),
    /** Total optimiser steps (including those of a resumed checkpoint). Default 4000. */
    steps: z.number().int().positive().default(4000),
    /** Minibatch size. Default 256. */
    batchSize: z.number().int().positive().default(256),
    /** Peak learning rate (cosine decay to a tenth over the run). Default 1e-3. */
    lr: z.number().positive().default(1e-3),
    /** Seed of initialisation and minibatch sampling. Default 0. */
    seed: z.number().int().nonnegative().default(0),
    /** Network settings over {@link BC_NETWORK} (sizes come from the data). */
    network: z.custom<Partial<PolicyConfigInput>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected an object' }).default({}),
    /** Continue from `checkpoint` when it exists. Default false. */
    resume: z.boolean().default(false),
    /** Checkpoint file. Default `<out>.ckpt`. */
    checkpoint: z.string().min(1).optional(),
    /** Save a checkpoint every this many steps (0: only at the end or on stop). Default 1000. */
    checkpointEvery: z.number().int().nonnegative().default(1000),
    /** onnxruntime intra-op threads. Default 1. */
    threads: z.number().int().positive().max(64).default(1),
    /** Replace an existing policy bundle at `out`. Default false. */
    overwrite: z.boolean().default(false),
    /** Stops after the current chunk of steps; a checkpoint is saved and no bundle exported. */
    signal: signalOption(),
    /** Called after every chunk of steps. */
    onProgress: callbackOption<(p: BcProgress) => void>(),
  })
  .strict();

/** Options of {@link trainBehaviorCloning}. */
export type TrainBehaviorCloningOptions = z.input<typeof TrainBehaviorCloningOptionsSchema>;

/** What {@link trainBehaviorCloning} returns. */
export interface TrainBehaviorCloningResult {
  readonly steps: number;
  /** True when `signal` stopped training before `steps`. */
  readonly stopped: boolean;
  readonly checkpoint: string;
  /** The bundle written (absent when stopped). */
  readonly bundle?: string;
  readonly manifest?: PolicyManifest;
  /** Mean loss components over the last 50 steps. */
  readonly finalLosses: Readonly<Record<string, number>>;
  readonly curves: LearningCurves;
}

interface BcState {
  readonly config: PolicyConfig;
  readonly stats: ObservationStats;
  readonly seed: number;
  readonly rng: Rng;
  readonly curves: CurveRecorder;
}

const CHUNK = 100;

/**
 * Trains a policy on `data` by behaviour cloning and writes the bundle `out` (with `curves.json` and
 * `curves.html`); what `embodied bc` runs.
 * @throws {@link PolicyDataError} for data of another environment or of other spaces than the environment's;
 * `DatasetError` for unreadable or non-finite data; `InvalidArgumentError` for bad options or an existing `out`
 */
export async function trainBehaviorCloning(options: TrainBehaviorCloningOptions): Promise<TrainBehaviorCloningResult> {
  const o = parseOptions(TrainBehaviorCloningOptionsSchema, options, 'trainBehaviorCloning options');
  const { out, ckpt } = await trainingOutput(o, 'policy', 'trainBehaviorCloning');
  const dirs = typeof o.data === 'string' ? [o.data] : [...o.data];
  const { data, manifest: dm, spaces, hashes, envOptions } = await loadDemonstrations(dirs, o.env);
  const actions = toUnitActions(data.actions, spaces.actionLow, spaces.actionHigh, 1);
  const fresh = freshState(o, data, spaces.envId);
  const objective = new BehaviorCloningObjective(fresh.config, o.batchSize);
  const lr = (step: number) => o.lr * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, o.steps)) / o.steps)));
  const trainer = await Trainer.create(objective, { seed: fresh.seed, lr, intraOpNumThreads: o.threads, stepsPerRun: 4, adam: { gradClipNorm: 10 } });
  try {
    const state = o.resume && (await pathExists(ckpt)) ? resumeState(await trainer.loadCheckpoint(ckpt), hashes, ckpt) : fresh;
    const unit = state.config.kind === 'gaussian' ? toUnitActions(data.actions, spaces.actionLow, spaces.actionHigh, BC_ACTION_LIMIT) : actions;
    const recent = await trainLoop(trainer, state, data, unit, o, ckpt, hashes);
    const finalLosses = meanOf(recent);
    const curves = state.curves.curves();
    if (trainer.step < o.steps) return { steps: trainer.step, stopped: true, checkpoint: ckpt, finalLosses, curves };
    const manifest = await exportPolicyBundle(out, {
      config: state.config,
      stats: state.stats,
      params: trainer.paramValues(),
      name: `${spaces.envId}-bc`,
      envId: spaces.envId,
      envOptions,
      observationSpace: spaces.observationSpace,
      actionSpace: spaces.actionSpace,
      actionLow: spaces.actionLow,
      actionHigh: spaces.actionHigh,
      algorithm: 'bc',
      provenance: {
        seed: state.seed,
        datasetHashes: hashes,
        trainingSteps: trainer.step,
        finalLosses,
        ...(dm.rapierPackage !== undefined && { rapierPackage: dm.rapierPackage }),
        ...(dm.rapierVersion !== undefined && { rapierVersion: dm.rapierVersion }),
        settings: { steps: o.steps, batchSize: o.batchSize, lr: o.lr, lrSchedule: 'cosine to 0.1', transitions: data.size, episodes: data.numEpisodes },
      },
    });
    await writeLearningCurves(curves, out);
    return { steps: trainer.step, stopped: false, checkpoint: ckpt, bundle: out, manifest, finalLosses, curves };
  } finally {
    await trainer.close();
  }
}

/**
 * Loads the datasets and checks them against the environment: one environment (`env` when given), and
 * observation and action sizes equal to the environment's spaces.
 * @throws {@link PolicyDataError} naming the dataset and the mismatch
 */
export async function loadDemonstrations(
  dirs: readonly string[],
  env: string | undefined,
): Promise<{ data: Dataset; manifest: DatasetManifest; spaces: PolicyEnvSpaces; hashes: string[]; envOptions: Record<string, unknown> }> {
  const parts = await Promise.all(dirs.map((d) => Dataset.load(d)));
  const envId = env ?? parts[0]!.manifest!.envId;
  parts.forEach((p, i) => {
    if (p.manifest!.envId !== envId)
      throw new PolicyDataError(`Dataset ${dirs[i]} was collected in ${p.manifest!.envId}, not in ${envId}; behaviour cloning needs data of the policy's environment`);
  });
  const data = Dataset.concat(parts);
  const envOptions = { ...parts[0]!.manifest!.envOptions };
  const spaces = await registeredSpaces(envId, envOptions);
  if (data.obsDim !== spaces.obsDim || data.actionDim !== spaces.actionDim) {
    throw new PolicyDataError(
      `Dataset ${dirs.join(' + ')} has observations of ${data.obsDim} and actions of ${data.actionDim} values, but ${envId}'s spaces have ${spaces.obsDim} and ${spaces.actionDim}`,
    );
  }
  return { data, manifest: parts[0]!.manifest!, spaces, hashes: parts.map((p) => p.manifest!.contentHash), envOptions };
}

function freshState(o: z.output<typeof TrainBehaviorCloningOptionsSchema>, data: Dataset, envId: string): BcState {
  const config = parsePolicyConfig({ ...BC_NETWORK, ...o.network, obsDim: data.obsDim, actionDim: data.actionDim });
  const s = data.stats();
  return { config, stats: { mean: s.obsMean, std: s.obsStd }, seed: o.seed, rng: Rng.fromSeed(o.seed).derive(1), curves: new CurveRecorder(`bc on ${envId}`) };
}

function resumeState(extra: Readonly<Record<string, unknown>>, hashes: readonly string[], ckpt: string): BcState {
  const e = extra as { config: PolicyConfig; mean: number[]; std: number[]; seed: number; rng: RngState; hashes: string[]; curves: LearningCurves };
  if (e.hashes?.join(',') !== hashes.join(',')) throw new InvalidArgumentError(`trainBehaviorCloning: ${ckpt} was trained on other data (dataset hashes differ)`);
  return {
    config: parsePolicyConfig(e.config),
    stats: { mean: Float32Array.from(e.mean), std: Float32Array.from(e.std) },
    seed: e.seed,
    rng: Rng.fromState(e.rng),
    curves: CurveRecorder.from(e.curves),
  };
}

async function trainLoop(
  trainer: Trainer,
  state: BcState,
  data: Dataset,
  actions: Float32Array,
  o: z.output<typeof TrainBehaviorCloningOptionsSchema>,
  ckpt: string,
  hashes: readonly string[],
): Promise<Record<string, number>[]> {
  const { obsDim: O, actionDim: A } = data;
  const save = () =>
    trainer.saveCheckpoint(ckpt, {
      kind: 'policy-bc',
      config: state.config,
      mean: Array.from(state.stats.mean),
      std: Array.from(state.stats.std),
      seed: state.seed,
      rng: state.rng.getState(),
      hashes,
      curves: state.curves.curves(),
    });
  const fill = (b: Readonly<Record<string, Float32Array>>) => {
    for (let r = 0; r < o.batchSize; r++) {
      const t = state.rng.integer(0, data.size - 1);
      b.obs!.set(data.observations.subarray(t * O, (t + 1) * O), r * O);
      b.actions!.set(actions.subarray(t * A, (t + 1) * A), r * A);
    }
    b.obs_mean!.set(state.stats.mean);
    b.obs_std!.set(state.stats.std);
  };
  const recent: Record<string, number>[] = [];
  const t0 = performance.now();
  const s0 = trainer.step;
  let lastSave = trainer.step;
  while (trainer.step < o.steps && !o.signal?.aborted) {
    const logs = await trainer.train(Math.min(CHUNK, o.steps - trainer.step), fill);
    for (const l of logs) {
      recent.push({ loss: l.loss, ...l.metrics });
      if (recent.length > 50) recent.shift();
    }
    const last = logs.at(-1)!;
    for (const [k, v] of Object.entries({ loss: last.loss, ...last.metrics })) state.curves.add('loss', k, last.step, v, { x: 'optimiser step', y: 'loss' });
    o.onProgress?.({ step: trainer.step, total: o.steps, loss: last.loss, stepsPerSecond: (trainer.step - s0) / Math.max(1e-3, (performance.now() - t0) / 1000) });
    if (o.checkpointEvery > 0 && trainer.step - lastSave >= o.checkpointEvery) {
      await save();
      lastSave = trainer.step;
    }
  }
  await save();
  return recent;
}

/** The mean of each key over `rows`. */
export function meanOf(rows: readonly Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(rows[0] ?? {})) out[k] = rows.reduce((s, r) => s + r[k]!, 0) / rows.length;
  return out;
}
