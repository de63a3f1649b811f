/**
 * `trainDemoModel`: makes a demo task's model from scratch with `learn` (what `embodied demo --train`
 * runs before the demo): the same command that makes the shipped bundles (models/README.md).
 *
 * @module
 */
import { join } from 'node:path';
import type { DemoTask } from './demo-tasks.js';
import { EmbodiedError } from '../../src/errors.js';
import { learn, type LearnEvent } from '../learn.js';

/** The budget `demo --train` gives `learn` (issue 12's: a model that passes physics in 10 minutes on 2 cores). */
export const DEMO_LEARN_BUDGET = '10m';

/** What {@link trainDemoModel} reports while it runs (also part of the demo's events): learn's events. */
export type DemoTrainEvent = { readonly kind: 'learn'; readonly event: LearnEvent };

/** Options of {@link trainDemoModel}. */
export interface TrainDemoModelOptions {
  /** Progress. */
  readonly onEvent?: (event: DemoTrainEvent) => void;
  /** Stops the running round; the promise rejects and the demo does not run. */
  readonly signal?: AbortSignal;
  /** Wall-clock budget of `learn`. Default {@link DEMO_LEARN_BUDGET}. */
  readonly budget?: string | number;
  /** Seed of `learn`. Default 0. */
  readonly seed?: number;
}

/**
 * Runs `learn` for `task`'s environment into `<out>/learn` (replacing a learn run there) and returns
 * the published bundle (`<out>/learn/model`).
 * @throws {@link EmbodiedError} when stopped by the signal or when no round finished.
 */
export async function trainDemoModel(task: DemoTask, out: string, options: TrainDemoModelOptions = {}): Promise<string> {
  const r = await learn({
    env: task.envId,
    budget: options.budget ?? DEMO_LEARN_BUDGET,
    out: join(out, 'learn'),
    seed: options.seed ?? 0,
    overwrite: true,
    ...(options.signal && { signal: options.signal }),
    onEvent: (event) => options.onEvent?.({ kind: 'learn', event }),
  });
  if (r.stopReason === 'aborted') throw new EmbodiedError('stopped during --train (learn); the demo did not run');
  if (!r.model) throw new EmbodiedError(`--train: learn finished no round (${r.stopReason}); the demo did not run`);
  return r.model;
}
