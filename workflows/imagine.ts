/**
 * `trainInImagination`: actor-critic in imagination. A policy is trained only inside a world-model bundle
 * (no Rapier step while it trains): every minibatch starts from latents of real observations — the
 * bundle's stored start observations and, when given, a dataset's observations — and imagines `horizon`
 * steps through the frozen model (see `ImaginationObjective`). The policy is exported with the model's
 * encoder as a policy bundle that reads observations, so it runs in Rapier like any other.
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import { InvalidArgumentError } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { exportPolicyBundle } from '../src/policies/bundle.js';
import { parsePolicyConfig, type PolicyConfigInput } from '../src/policies/config.js';
import { CurveRecorder, type LearningCurves, writeLearningCurves } from '../src/policies/curves.js';
import { ImaginationObjective, ImaginationSettingsSchema, worldModelWeights } from '../src/policies/imagination.js';
import type { PolicyManifest } from '../src/policies/manifest.js';
import { Rng, type RngState } from '../src/rng.js';
import { Dataset } from '../src/training/dataset.js';
import { Trainer } from '../src/training/trainer.js';
import { loadBundle } from '../src/worldmodel/bundle.js';
import { WorldModel } from '../src/worldmodel/world-model.js';
import { WorldModelEnv } from '../src/worldmodel/world-model-env.js';
import { make } from '../src/registry.js';
import { readPolicyBundle } from '../src/policies/bundle.js';
import { loadPolicyBundle } from '../agents/policy-bundle.js';
import { meanOf } from './bc.js';
import { registeredSpaces } from './policy-env.js';
import { callbackOption, signalOption } from './schema.js';
import { trainingOutput } from './training-output.js';

/** The network imagination trains unless told otherwise: Gaussian, two ELU layers of 128 on latents, a value head. */
export const IMAGINATION_NETWORK: Partial<PolicyConfigInput> = { kind: 'gaussian', hidden: [128, 128], activation: 'elu', layerNorm: true, value: true, initLogStd: -0.5 };

/** Zod schema of {@link TrainInImaginationOptions}. */
export const TrainInImaginationOptionsSchema = z
  .object({
    /** The world-model bundle to imagine in (trained by Embodied). */
    model: z.string().min(1),
    /** Policy bundle directory to write. */
    out: z.string().min(1),
    /** A dataset of the model's environment whose observations join the start states. Default: the bundle's stored starts only. */
    data: z.string().min(1).optional(),
    /** Optimiser steps. Default 3000. */
    steps: z.number().int().positive().default(3000),
    /** Wall-time budget, seconds: training ends (and the bundle is exported) when it is spent. Default: none. */
    maxSeconds: z.number().positive().optional(),
    /** Adam learning rate. Default 3e-4. */
    lr: z.number().positive().default(3e-4),
    /** Seed of initialisation, start sampling and imagination noise. Default 0. */
    seed: z.number().int().nonnegative().default(0),
    /** Imagination settings (horizon, batch size, γ, λ, entropy). */
    imagination: ImaginationSettingsSchema.partial().default({}),
    /** Network settings over {@link IMAGINATION_NETWORK}. */
    network: z.custom<Partial<PolicyConfigInput>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected an object' }).default({}),
    /** Continue from `checkpoint` when it exists (bit for bit: weights, Adam state, the sampling stream). Default false. */
    resume: z.boolean().default(false),
    /** Checkpoint file. Default `<out>.ckpt`. */
    checkpoint: z.string().min(1).optional(),
    /** Save a checkpoint every this many steps (0: only at the end or on stop). Default 500. */
    checkpointEvery: z.number().int().nonnegative().default(500),
    /** Replace an existing policy bundle at `out`. Default false. */
    overwrite: z.boolean().default(false),
    /** Stops after the current chunk of steps; a checkpoint is saved and no bundle exported. */
    signal: signalOption(),
    /** Called after every chunk of steps. */
    onProgress: callbackOption<(p: { step: number; total: number; imaginedReturn: number }) => void>(),
  })
  .strict();

/** Options of {@link trainInImagination}. */
export type TrainInImaginationOptions = z.input<typeof TrainInImaginationOptionsSchema>;

/** What {@link trainInImagination} returns. */
export interface TrainInImaginationResult {
  /** Optimiser steps taken (fewer than `steps` when the time budget ran out). */
  readonly steps: number;
  /** True when `signal` stopped training (no bundle is written). */
  readonly stopped: boolean;
  /** The checkpoint file. */
  readonly checkpoint: string;
  readonly bundle?: string;
  readonly manifest?: PolicyManifest;
  /** Mean metrics over the last 50 steps (`imagined_return`: the mean λ-return per step). */
  readonly finalLosses: Readonly<Record<string, number>>;
  readonly curves: LearningCurves;
  /** Start states the minibatches were drawn from. */
  readonly starts: number;
}

/** Trains a policy in the world model `model` and exports it (with the model's encoder) to `out`. */
export async function trainInImagination(options: TrainInImaginationOptions): Promise<TrainInImaginationResult> {
  const o = parseOptions(TrainInImaginationOptionsSchema, options, 'trainInImagination options');
  const { out, ckpt } = await trainingOutput(o, 'policy', 'trainInImagination');
  const bundle = await loadBundle(o.model);
  const weights = worldModelWeights(bundle);
  const envId = bundle.manifest.envId;
  const spaces = await registeredSpaces(envId, bundle.manifest.envOptions ?? {});
  const starts = await startLatents(bundle, o.data, envId);
  const config = parsePolicyConfig({ ...IMAGINATION_NETWORK, ...o.network, obsDim: weights.config.latentDim, actionDim: weights.config.actionDim });
  const objective = new ImaginationObjective(config, weights, o.imagination);
  const { batchSize: B } = objective.settings;
  const L = weights.config.latentDim;
  const trainer = await Trainer.create(objective, { seed: o.seed, lr: o.lr, stepsPerRun: 1, intraOpNumThreads: 1, adam: { gradClipNorm: 100 }, divergenceFactor: 1e12 });
  const n = starts.length / L;
  try {
    const state = { rng: Rng.fromSeed(o.seed).derive(1), curves: new CurveRecorder(`imagination in ${bundle.manifest.name} (${envId})`) };
    if (
      o.resume &&
      (await stat(ckpt).then(
        () => true,
        () => false,
      ))
    ) {
      const extra = (await trainer.loadCheckpoint(ckpt)) as { model?: string; starts?: number; rng: RngState; curves: LearningCurves };
      if (extra.model !== bundle.manifest.name || extra.starts !== n)
        throw new InvalidArgumentError(`trainInImagination: ${ckpt} was trained in another model or from other start states`);
      state.rng = Rng.fromState(extra.rng);
      state.curves = CurveRecorder.from(extra.curves);
    }
    const save = () =>
      trainer.saveCheckpoint(ckpt, { kind: 'policy-imagination', model: bundle.manifest.name, starts: n, rng: state.rng.getState(), curves: state.curves.curves() });
    const fill = (b: Readonly<Record<string, Float32Array>>) => {
      for (let r = 0; r < B; r++) {
        const k = state.rng.integer(0, n - 1);
        b.z0!.set(starts.subarray(k * L, (k + 1) * L), r * L);
      }
      state.rng.fillNormal(b.noise!);
    };
    const recent = await imagineLoop(trainer, o, fill, state.curves, save);
    const curves = state.curves;
    const finalLosses = meanOf(recent);
    if (o.signal?.aborted) return { steps: trainer.step, stopped: true, checkpoint: ckpt, finalLosses, curves: curves.curves(), starts: n };
    const manifest = await exportPolicyBundle(out, {
      config,
      stats: { mean: weights.stats.obsMean, std: weights.stats.obsStd },
      params: trainer.paramValues(),
      encoder: weights,
      name: `${envId}-imagination`,
      envId,
      envOptions: bundle.manifest.envOptions ?? {},
      observationSpace: spaces.observationSpace,
      actionSpace: spaces.actionSpace,
      actionLow: spaces.actionLow,
      actionHigh: spaces.actionHigh,
      algorithm: 'imagination',
      provenance: { seed: o.seed, envSteps: 0, trainingSteps: trainer.step, finalLosses, settings: { ...objective.settings, lr: o.lr, model: bundle.manifest.name, starts: n } },
    });
    await writeLearningCurves(curves.curves(), out);
    return { steps: trainer.step, stopped: false, checkpoint: ckpt, bundle: out, manifest, finalLosses, curves: curves.curves(), starts: n };
  } finally {
    await trainer.close();
  }
}

/** Trains until `steps`, the time budget or the signal; saves checkpoints; returns the last 50 steps' metrics. */
async function imagineLoop(
  trainer: Trainer,
  o: z.output<typeof TrainInImaginationOptionsSchema>,
  fill: (b: Readonly<Record<string, Float32Array>>) => void,
  curves: CurveRecorder,
  save: () => Promise<void>,
): Promise<Record<string, number>[]> {
  const recent: Record<string, number>[] = [];
  const t0 = performance.now();
  const outOfTime = () => o.maxSeconds !== undefined && (performance.now() - t0) / 1000 >= o.maxSeconds;
  let lastSave = trainer.step;
  while (trainer.step < o.steps && !o.signal?.aborted && !outOfTime()) {
    const logs = await trainer.train(Math.min(10, o.steps - trainer.step), fill);
    for (const l of logs) {
      recent.push({ loss: l.loss, ...l.metrics });
      if (recent.length > 50) recent.shift();
    }
    const last = logs.at(-1)!;
    for (const [k, v] of Object.entries(last.metrics))
      curves.add(k === 'imagined_return' ? 'imagined λ-return per step' : 'losses', k, last.step, v, { x: 'optimiser step', y: k });
    o.onProgress?.({ step: trainer.step, total: o.steps, imaginedReturn: last.metrics.imagined_return ?? Number.NaN });
    if (o.checkpointEvery > 0 && trainer.step - lastSave >= o.checkpointEvery) {
      await save();
      lastSave = trainer.step;
    }
  }
  await save();
  return recent;
}

/** Latents of real observations: the bundle's stored starts, plus every observation of `data` when given. */
async function startLatents(bundle: Awaited<ReturnType<typeof loadBundle>>, data: string | undefined, envId: string): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  if (bundle.initialObservations) parts.push(bundle.initialObservations);
  if (data !== undefined) {
    const d = await Dataset.load(data);
    if (d.manifest?.envId !== envId) throw new InvalidArgumentError(`trainInImagination: dataset ${data} is of ${d.manifest?.envId}, the model of ${envId}`);
    parts.push(d.observations);
  }
  if (parts.length === 0) throw new InvalidArgumentError(`trainInImagination: ${bundle.dir} stores no start observations; pass \`data\` (a dataset of ${envId})`);
  const obs = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    obs.set(p, at);
    at += p.length;
  }
  const wm = await WorldModel.load(bundle);
  try {
    return await wm.encode(obs);
  } finally {
    await wm.close();
  }
}

/** What {@link evaluateInImagination} measured. */
export interface ImaginedEvaluation {
  /** Share of imagined worlds the model ended (its terminal head) within `maxSteps`: the imagined success for tasks that terminate on success. */
  readonly imaginedSuccess: number;
  /** Mean imagined return per world. */
  readonly imaginedReturn: number;
  readonly worlds: number;
}

/**
 * Plays a policy bundle inside a world model (`WorldModelEnv`, one imagined world per seed, each prompted
 * with the real first observation of that seed's episode) — the imagined side of the imagined/real gap.
 */
export async function evaluateInImagination(options: { policy: string; model: string; seeds: readonly number[]; maxSteps?: number }): Promise<ImaginedEvaluation> {
  const { policy } = await loadPolicyBundle(options.policy);
  const env0 = await WorldModelEnv.load(options.model, { batch: options.seeds.length, ...(options.maxSteps !== undefined && { maxEpisodeSteps: options.maxSteps }) });
  try {
    const m = (await readPolicyBundle(options.policy)).manifest;
    const prompts = new Float32Array(options.seeds.length * m.obsDim);
    for (const [i, seed] of options.seeds.entries()) {
      const real = make<Float32Array, Float32Array>(m.envId, m.envOptions);
      prompts.set((await real.reset({ seed })).observation, i * m.obsDim);
      await real.close();
    }
    let { observation } = await env0.reset({ seed: 0, options: { prompt: prompts } });
    const B = options.seeds.length;
    const returns = new Float64Array(B);
    const ended = new Uint8Array(B);
    for (let t = 0; t < (options.maxSteps ?? 200); t++) {
      const step = await env0.step(await policy.actBatch(observation));
      const info = step.info as { rewards: Float32Array; terminated: Uint8Array };
      for (let b = 0; b < B; b++) {
        if (!ended[b]) returns[b] += info.rewards[b]!;
        if (info.terminated[b]) ended[b] = 1;
      }
      observation = step.observation;
      if (step.terminated || step.truncated) break;
    }
    return { imaginedSuccess: ended.reduce((s, e) => s + e, 0) / B, imaginedReturn: returns.reduce((s, r) => s + r, 0) / B, worlds: B };
  } finally {
    await policy.close();
    await env0.close();
  }
}
