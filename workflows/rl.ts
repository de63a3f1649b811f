/**
 * `trainPpo`: reinforcement learning with PPO in a registered (Rapier) environment. Rollouts run in
 * worker threads (`WorkerVectorEnv`, one Rapier world per environment), updates run as ONNX training
 * graphs; the policy is exported as a policy bundle (`embodied.policy/v1`) with its learning curves.
 * Training stops at the step or time budget, or once the training episodes' success rate reaches the
 * target. An abort (Ctrl-C) saves a checkpoint and returns; `resume` continues from it (the environments
 * restart from fresh seeded resets).
 *
 * @module
 */
import { InvalidArgumentError } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { exportPolicyBundle } from '../src/policies/bundle.js';
import { parsePolicyConfig, type PolicyConfig, type PolicyConfigInput } from '../src/policies/config.js';
import { CurveRecorder, type LearningCurves, writeLearningCurves } from '../src/policies/curves.js';
import type { PolicyManifest } from '../src/policies/manifest.js';
import { PpoLearner, PpoOptionsSchema, type PpoIteration, type PpoState } from '../src/policies/ppo.js';
import { makeVec } from '../src/registry.js';
import { RAPIER_PACKAGE } from '../src/physics/rapier.js';
import { registeredSpaces } from './policy-env.js';
import { callbackOption, signalOption } from './schema.js';
import { pathExists, trainingOutput } from './training-output.js';

/** The network PPO trains unless told otherwise: Gaussian, two tanh layers of 64, a value head. */
export const PPO_NETWORK: Partial<PolicyConfigInput> = { kind: 'gaussian', hidden: [64, 64], activation: 'tanh', value: true, initLogStd: -0.5 };

/** Zod schema of {@link TrainPpoOptions}. */
export const TrainPpoOptionsSchema = z
  .object({
    /** Registered environment id, e.g. `Reach-v0`. */
    env: z.string().min(1),
    /** Environment options. Default `{}`. */
    envOptions: z.record(z.string(), z.unknown()).default({}),
    /** Policy bundle directory to write. */
    out: z.string().min(1),
    /** Environments stepped in parallel. Default 16. */
    numEnvs: z.number().int().positive().default(16),
    /** `'worker'`: environments in worker threads (default); `'sync'`: on this thread. */
    vector: z.enum(['worker', 'sync']).default('worker'),
    /** Worker threads in `'worker'` mode. Default: `makeVec`'s (one per core, at most numEnvs). */
    workers: z.number().int().positive().optional(),
    /** Environment-step budget (all environments). Default 1,000,000. */
    totalSteps: z.number().int().positive().default(1_000_000),
    /** Wall-time budget, seconds. Default: none. */
    maxSeconds: z.number().positive().optional(),
    /** Stop once this share of the last `targetWindow` training episodes succeeded. Default: never. */
    targetSuccess: z.number().gt(0).max(1).optional(),
    /** Episodes the success target is measured over. Default 50. */
    targetWindow: z.number().int().positive().default(50),
    /** PPO settings (seed, rollout length, epochs, minibatch size, γ, λ, clip ranges, coefficients, learning rate). */
    ppo: PpoOptionsSchema.partial().default({}),
    /** Network settings over {@link PPO_NETWORK}. */
    network: z.custom<Partial<PolicyConfigInput>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected an object' }).default({}),
    /** Continue from `checkpoint` when it exists. Default false. */
    resume: z.boolean().default(false),
    /** Checkpoint file. Default `<out>.ckpt`. */
    checkpoint: z.string().min(1).optional(),
    /** Save a checkpoint every this many iterations. Default 10. */
    checkpointEvery: z.number().int().positive().default(10),
    /** Replace an existing policy bundle at `out`. Default false. */
    overwrite: z.boolean().default(false),
    /** Stops after the current iteration; a checkpoint is saved and no bundle exported. */
    signal: signalOption(),
    /** Called after every iteration. */
    onIteration: callbackOption<(it: PpoIteration, summary: PpoSummary) => void>(),
  })
  .strict();

/** Options of {@link trainPpo}. */
export type TrainPpoOptions = z.input<typeof TrainPpoOptionsSchema>;

/** Running totals of a PPO run. */
export interface PpoSummary {
  readonly iterations: number;
  readonly envSteps: number;
  /** Wall time of this run (a resumed run counts from its start), seconds. */
  readonly seconds: number;
  /** Environment steps per second of the whole loop (rollouts and updates). */
  readonly stepsPerSecond: number;
  /** Success rate of the last `targetWindow` training episodes (NaN before any). */
  readonly recentSuccess: number;
  /** Mean return of those episodes. */
  readonly recentReturn: number;
  /** Shares of the wall time: stepping environments (Rapier, in workers), policy inference, updates. */
  readonly share: { readonly env: number; readonly inference: number; readonly update: number };
}

/** What {@link trainPpo} returns. */
export interface TrainPpoResult extends PpoSummary {
  /** True when `signal` stopped training. */
  readonly stopped: boolean;
  /** Why training ended: `target`, `steps`, `time` or `stopped`. */
  readonly reason: 'target' | 'steps' | 'time' | 'stopped';
  readonly checkpoint: string;
  readonly bundle?: string;
  readonly manifest?: PolicyManifest;
  readonly curves: LearningCurves;
}

/**
 * Trains a policy with PPO in `env` and writes the bundle `out` (with `curves.json`, `curves.html`);
 * what `embodied rl --algo ppo` runs.
 * @throws `InvalidArgumentError` for bad options or an existing `out`; `PolicyDataError` for an environment without Box spaces
 */
export async function trainPpo(options: TrainPpoOptions): Promise<TrainPpoResult> {
  const o = parseOptions(TrainPpoOptionsSchema, options, 'trainPpo options');
  const { out, ckpt } = await trainingOutput(o, 'policy', 'trainPpo');
  const spaces = await registeredSpaces(o.env, o.envOptions);
  const config = parsePolicyConfig({ ...PPO_NETWORK, ...o.network, obsDim: spaces.obsDim, actionDim: spaces.actionDim });
  const envs = await makeVec(o.env, o.numEnvs, o.vector, {
    autoresetMode: 'same-step',
    kwargs: o.envOptions,
    ...(o.vector === 'worker' && o.workers !== undefined && { numWorkers: o.workers }),
  });
  let learner: PpoLearner | undefined;
  try {
    learner = await PpoLearner.create(envs, config, o.ppo, spaces.actionLow, spaces.actionHigh);
    let curves = new CurveRecorder(`ppo on ${o.env}`);
    if (o.resume && (await pathExists(ckpt))) {
      const extra = (await learner.trainer.loadCheckpoint(ckpt)) as { kind?: string; ppo: PpoState; curves: LearningCurves; config: PolicyConfig };
      if (extra.kind !== 'policy-ppo' || JSON.stringify(extra.config) !== JSON.stringify(config))
        throw new InvalidArgumentError(`trainPpo: ${ckpt} is not a checkpoint of this PPO run (another network or algorithm)`);
      learner.restore(extra.ppo);
      curves = CurveRecorder.from(extra.curves);
    }
    const save = () => learner!.trainer.saveCheckpoint(ckpt, { kind: 'policy-ppo', config, ppo: learner!.state(), curves: curves.curves() });
    const { summary, reason } = await trainLoop(learner, o, curves, save);
    Object.assign(curves.summary, { 'env steps': summary.envSteps, 'steps/s': Math.round(summary.stepsPerSecond), 'training success': summary.recentSuccess, stop: reason });
    await save();
    const result = { ...summary, checkpoint: ckpt, curves: curves.curves() };
    if (reason === 'stopped') return { ...result, stopped: true, reason };
    const manifest = await exportPolicyBundle(out, {
      config,
      stats: learner.observationStats(),
      params: learner.trainer.paramValues(),
      name: `${o.env}-ppo`,
      envId: o.env,
      envOptions: o.envOptions,
      observationSpace: spaces.observationSpace,
      actionSpace: spaces.actionSpace,
      actionLow: spaces.actionLow,
      actionHigh: spaces.actionHigh,
      algorithm: 'ppo',
      provenance: {
        seed: learner.options.seed,
        envSteps: summary.envSteps,
        trainingSteps: learner.trainer.step,
        rapierPackage: RAPIER_PACKAGE,
        settings: { ...learner.options, numEnvs: o.numEnvs, iterations: summary.iterations, stop: reason },
      },
    });
    await writeLearningCurves(curves.curves(), out);
    return { ...result, stopped: false, reason, bundle: out, manifest, curves: curves.curves() };
  } finally {
    await learner?.close();
    await envs.close();
  }
}

async function trainLoop(
  learner: PpoLearner,
  o: z.output<typeof TrainPpoOptionsSchema>,
  curves: CurveRecorder,
  save: () => Promise<void>,
): Promise<{ summary: PpoSummary; reason: TrainPpoResult['reason'] }> {
  const t0 = performance.now();
  const s0 = learner.envSteps;
  const time = { env: 0, inference: 0, update: 0 };
  const recent: { success: boolean; return: number }[] = [];
  let summary: PpoSummary = {
    iterations: learner.iteration,
    envSteps: learner.envSteps,
    seconds: 0,
    stepsPerSecond: 0,
    recentSuccess: NaN,
    recentReturn: NaN,
    share: { env: 0, inference: 0, update: 0 },
  };
  for (;;) {
    if (o.signal?.aborted) return { summary, reason: 'stopped' };
    if (learner.envSteps >= o.totalSteps) return { summary, reason: 'steps' };
    if (o.maxSeconds !== undefined && summary.seconds >= o.maxSeconds) return { summary, reason: 'time' };
    const it = await learner.iterate();
    for (const k of ['env', 'inference', 'update'] as const) time[k] += it.ms[k];
    for (const e of it.episodes) {
      recent.push(e);
      if (recent.length > o.targetWindow) recent.shift();
    }
    const seconds = (performance.now() - t0) / 1000;
    const wall = seconds * 1000;
    summary = {
      iterations: it.iteration,
      envSteps: it.envSteps,
      seconds,
      stepsPerSecond: (it.envSteps - s0) / Math.max(1e-3, seconds),
      recentSuccess: recent.length ? recent.filter((e) => e.success).length / recent.length : NaN,
      recentReturn: recent.length ? recent.reduce((s, e) => s + e.return, 0) / recent.length : NaN,
      share: { env: time.env / wall, inference: time.inference / wall, update: time.update / wall },
    };
    record(curves, it);
    o.onIteration?.(it, summary);
    if (it.iteration % o.checkpointEvery === 0) await save();
    if (o.targetSuccess !== undefined && recent.length >= o.targetWindow && summary.recentSuccess >= o.targetSuccess) return { summary, reason: 'target' };
  }
}

function record(curves: CurveRecorder, it: PpoIteration): void {
  const x = { x: 'environment steps', y: '' };
  if (it.episodes.length > 0) {
    const n = it.episodes.length;
    curves.add('episode return', 'training (stochastic)', it.envSteps, it.episodes.reduce((s, e) => s + e.return, 0) / n, { ...x, y: 'return' });
    curves.add('success rate', 'training (stochastic)', it.envSteps, it.episodes.filter((e) => e.success).length / n, { ...x, y: 'success' });
    curves.add('episode length', 'training (stochastic)', it.envSteps, it.episodes.reduce((s, e) => s + e.length, 0) / n, { ...x, y: 'steps' });
  }
  for (const [k, v] of Object.entries(it.losses))
    curves.add(k === 'approx_kl' || k === 'clip_frac' ? 'update statistics' : 'losses', k, it.iteration, v, {
      x: 'iteration',
      y: k === 'approx_kl' || k === 'clip_frac' ? '' : 'loss',
    });
}
