/**
 * `trainDemoModel`: recreates a demo task's bundle from scratch with the same collection, training and
 * on-policy rounds as models/README.md (what `embodied demo --train` runs before the demo).
 *
 * @module
 */
import { join } from 'node:path';
import { recipeSteps, stepCommand, type DemoTask } from './demo-tasks.js';
import { EmbodiedError } from '../../src/errors.js';
import type { CollectProgress } from '../../src/training/collect.js';
import { runCollectStep, runTrainStep } from '../learn/steps.js';
import type { TrainProgress } from '../train.js';

/** What {@link trainDemoModel} reports while it runs (also part of the demo's events). */
export type DemoTrainEvent =
  /** A recipe step starts; `command` is the same step as an `embodied` shell command. */
  | { readonly kind: 'recipe-step'; readonly step: number; readonly steps: number; readonly command: string }
  /** A collection step's progress. */
  | { readonly kind: 'collect-progress'; readonly progress: CollectProgress }
  /** A collection step finished with `transitions` in the dataset at `out`. */
  | { readonly kind: 'collected'; readonly transitions: number; readonly out: string }
  /** A training step's progress. */
  | { readonly kind: 'train-progress'; readonly progress: TrainProgress };

/** Options of {@link trainDemoModel}. */
export interface TrainDemoModelOptions {
  /** Progress. */
  readonly onEvent?: (event: DemoTrainEvent) => void;
  /** Stops the running step; the promise rejects and the demo does not run. */
  readonly signal?: AbortSignal;
}

/**
 * Runs `task`'s recipe (collection, training, and any on-policy rounds) with data under `<out>/data` and
 * the final bundle in `<out>/model`; returns the bundle directory.
 * @throws {@link EmbodiedError} when stopped by the signal.
 */
export async function trainDemoModel(task: DemoTask, out: string, options: TrainDemoModelOptions = {}): Promise<string> {
  const { onEvent } = options;
  const model = join(out, 'model');
  const stop = options.signal && { signal: options.signal };
  const steps = recipeSteps(task, join(out, 'data'), model);
  for (const [i, step] of steps.entries()) {
    onEvent?.({ kind: 'recipe-step', step: i + 1, steps: steps.length, command: stepCommand(task, step) });
    if (step.kind === 'train') {
      const trained = await runTrainStep(step, { onTrainProgress: (progress) => onEvent?.({ kind: 'train-progress', progress }), ...stop });
      if (trained.stopped || trained.bundle === undefined) throw new EmbodiedError(`stopped during training (checkpoint ${trained.checkpoint}); the demo did not run`);
      continue;
    }
    const collected = await runCollectStep(task, step, { onCollectProgress: (progress) => onEvent?.({ kind: 'collect-progress', progress }), ...stop });
    if (collected.stopped) throw new EmbodiedError('stopped during collection; no model was trained');
    onEvent?.({ kind: 'collected', transitions: collected.manifest.counts.transitions, out: step.out });
  }
  return model;
}
