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
  return trainWorldModel({
    data: step.data,
    out: step.out,
    steps: t.steps,
    seed: t.seed,
    config: trainConfig(t),
    overwrite: true,
    ...(options.resume && { resume: true }),
    ...(options.onTrainProgress && { onProgress: options.onTrainProgress }),
    ...(options.signal && { signal: options.signal }),
  });
}
