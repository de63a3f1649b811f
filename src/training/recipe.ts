/**
 * Recipes: the exact `embodied collect` and `embodied train` arguments that recreate a world-model
 * bundle — a first collection, the training settings, and any on-policy rounds. An environment's card
 * states the recipe of its shipped bundle; the demo turns it into commands.
 *
 * @module
 */
import type { PlanPreset } from '../planning/plan-preset.js';
import type { WorldModelConfigInput } from './wm-config.js';

/** `embodied collect` arguments (besides `--env` and `--out`). */
export interface CollectRecipe {
  /** The behaviour policy: the environment's scripted baseline or uniform random actions. */
  readonly policy: 'scripted' | 'random';
  /** Episodes collected. */
  readonly episodes: number;
  /** Gaussian action noise (std, action units). */
  readonly noise: number;
  /** Probability per step of starting a random excursion. */
  readonly randomProb: number;
  /** Longest random excursion, steps. */
  readonly randomSteps: number;
  /** Share of episodes started from a random physical state (`--random-starts`). Default 0. */
  readonly randomStarts?: number;
  /** Longest passive phase (idle action) at the start of an episode (`--passive-steps`). Default 0. */
  readonly passiveSteps?: number;
  /** Probability per step of a contact excursion (`--contact-prob`). Default 0. */
  readonly contactProb?: number;
  /** Longest contact excursion, steps (`--contact-steps`). Default 30. */
  readonly contactSteps?: number;
  /** First episode's seed. */
  readonly seed: number;
  /** Collection worker threads. */
  readonly workers: number;
}

/**
 * An on-policy round: `embodied collect --policy mpc` with the model trained on all data so far (the
 * planner drives the system where it actually goes, so the next model learns what its predecessor got
 * wrong there — the DAgger / MBRL data loop), then `embodied train` on all data again.
 */
export interface OnPolicyRecipe {
  /** Episodes collected with the planner. */
  readonly episodes: number;
  /** The planner's optimiser. */
  readonly algorithm: PlanPreset['algorithm'];
  /** Planning horizon H. */
  readonly horizon: number;
  /** Candidates per iteration. */
  readonly samples: number;
  /** Optimiser iterations per plan. */
  readonly iterations: number;
  /** Gaussian action noise (std, action units). */
  readonly noise: number;
  /** Probability per step of starting a random excursion. */
  readonly randomProb: number;
  /** Longest random excursion, steps. */
  readonly randomSteps: number;
  /** Share of episodes started from a random physical state (`--random-starts`). Default 0. */
  readonly randomStarts?: number;
  /** First episode's seed. */
  readonly seed: number;
}

/** `embodied train` arguments (besides `--data` and `--out`). */
export interface TrainRecipe {
  /** Gradient steps. */
  readonly steps: number;
  /** Training seed (initial weights, minibatches). */
  readonly seed: number;
  /** Latent width. */
  readonly latentDim: number;
  /** Width of every hidden layer (`--hidden`); omit when `config` gives the widths. */
  readonly hidden?: number;
  /** Further world-model settings, passed as inline `--config` JSON (the flags override it, so it must not repeat them). */
  readonly config?: Partial<WorldModelConfigInput>;
  /** Minibatch size. */
  readonly batchSize: number;
  /** Training rollout horizon. */
  readonly horizon: number;
  /** Dynamics ensemble members (the planner rolls out their mean). */
  readonly ensemble: number;
  /** Peak learning rate. */
  readonly lr: number;
  /** Learning-rate schedule. */
  readonly lrSchedule: 'constant' | 'cosine';
}

/** How a bundle was made: the first collection, the training settings, and any on-policy rounds. */
export interface Recipe {
  /** The first collection. */
  readonly collect: CollectRecipe;
  /** The training settings (every round trains with them). */
  readonly train: TrainRecipe;
  /** On-policy rounds, in order. */
  readonly onPolicy?: readonly OnPolicyRecipe[];
}

/**
 * The world model learn trains by default (docs/learn.md has the measurements behind each choice; environment cards build their `learn` models from it): in
 * observation space (exact constants, stable rest, 5–20× less drift than a learned latent of the same
 * size); reward and terminal heads that read the predicted next state too, two layers wide (half the
 * reward error near the goal of one 64-wide layer), trained on the data's own states. Cards whose bodies
 * are driven by commands linear in the action add `linearSkip: true` (PushBox, Reach: PushBox's pusher
 * was predicted 38 % short after 5000 steps without it); it is not the default because on CartPole the
 * same data and steps gave 0/10 balanced episodes with it against 10/10 without (docs/learn.md).
 */
export const LEARN_MODEL = {
  space: 'observation',
  dynamicsHidden: [128, 128],
  rewardHidden: [128, 128],
  terminalHidden: [64],
  headInput: 'transition',
  headsOnData: true,
  activation: 'silu',
} as const satisfies Partial<WorldModelConfigInput>;
