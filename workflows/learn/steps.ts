/**
 * Running one recipe step — a collection (scripted, random or on-policy MPC) or a training — with the
 * collect and train workflows. Shared by the demo's recipe (`trainDemoModel`) and `learn`, so both
 * make data and bundles the same way.
 *
 * @module
 */
import type { CollectProgress } from '../../src/training/collect.js';
import { collectDataset, type CollectDatasetResult } from '../collect.js';
import { trainConfig, type RecipeStep } from '../demo/demo-tasks.js';
import { trainWorldModel, type TrainProgress, type TrainWorldModelResult } from '../train.js';
import { trainWorldModelInWorker } from '../train-in-worker.js';

/** Progress and stopping of {@link runCollectStep} and {@link runTrainStep}. */
export interface RecipeStepRunOptions {
  /** A collection step's progress. */
  readonly onCollectProgress?: (progress: CollectProgress) => void;
  /** A training step's progress. */
  readonly onTrainProgress?: (progress: TrainProgress) => void;
  /** Stops the step (a collection keeps its finished episodes; a training saves a checkpoint). */
  readonly signal?: AbortSignal;
  /** A training step continues from its checkpoint (`<out>.ckpt`) when there is one. Default false. */
  readonly resume?: boolean;
  /** A training step runs in a worker thread (the main thread stays free, e.g. to collect). Default false. */
  readonly worker?: boolean;
}

/** The environment a recipe collects in. */
export interface RecipeEnv {
  /** Registered environment id. */
  readonly envId: string;
  /** Environment options. */
  readonly envOptions: Record<string, unknown>;
}

/** Runs a `collect` or `collect-mpc` step into `step.out` (replacing a dataset there). */
export async function runCollectStep(
  env: RecipeEnv,
  step: Extract<RecipeStep, { kind: 'collect' | 'collect-mpc' }>,
  options: RecipeStepRunOptions = {},
): Promise<CollectDatasetResult> {
  const c = step.collect;
  const common = {
    env: env.envId,
    envOptions: env.envOptions,
    episodes: c.episodes,
    noise: c.noise,
    randomProb: c.randomProb,
    randomSteps: c.randomSteps,
    ...(c.randomStarts !== undefined && { randomStarts: c.randomStarts }),
    ...('passiveSteps' in c && c.passiveSteps !== undefined && { passiveSteps: c.passiveSteps }),
    ...('contactProb' in c && c.contactProb !== undefined && { contactProb: c.contactProb }),
    ...('contactSteps' in c && c.contactSteps !== undefined && { contactSteps: c.contactSteps }),
    seed: c.seed,
    out: step.out,
    overwrite: true,
    ...(options.onCollectProgress && { onProgress: options.onCollectProgress }),
    ...(options.signal && { signal: options.signal }),
  };
  return step.kind === 'collect'
    ? collectDataset({ ...common, policy: step.collect.policy, workers: step.collect.workers })
    : collectDataset({
        ...common,
        policy: 'mpc',
        model: step.model,
        algorithm: step.collect.algorithm,
        horizon: step.collect.horizon,
        samples: step.collect.samples,
        iterations: step.collect.iterations,
      });
}

/** Runs a `train` step: the recipe's settings on `step.data`, the bundle to `step.out` (replacing a bundle there). */
export async function runTrainStep(step: Extract<RecipeStep, { kind: 'train' }>, options: RecipeStepRunOptions = {}): Promise<TrainWorldModelResult> {
  const t = step.train;
  return (options.worker ? trainWorldModelInWorker : trainWorldModel)({
    data: step.data,
    out: step.out,
    steps: t.steps,
    seed: t.seed,
    config: trainConfig(t),
    overwrite: true,
    ...(step.initFrom !== undefined && { initFrom: step.initFrom }),
    ...(options.resume && { resume: true }),
    ...(options.onTrainProgress && { onProgress: options.onTrainProgress }),
    ...(options.signal && { signal: options.signal }),
  });
}
