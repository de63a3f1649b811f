/**
 * `EnvironmentCard`: everything the SDK knows about one environment, in one place — how to make it,
 * its scripted baseline, its planner preset, its validation spec and its demo task. Each built-in
 * environment keeps its card in its own folder (`environments/<name>/card.ts`) and registers it when
 * `environments/index.ts` is imported; a custom environment registers its own with `registerCard`
 * (see docs/environment-api.md, "Adding an environment").
 *
 * @module
 */
import type { z } from 'zod';
import type { EnvRegistration } from '../src/registry.js';
import type { Policy } from '../src/policy.js';
import type { Rng } from '../src/rng.js';
import type { PlanPreset } from '../src/planning/plan-preset.js';
import type { ValidationSpec } from '../src/validation/spec.js';
import type { DemoSettings } from './demo-task.js';
import type { CollectRecipe, OnPolicyRecipe, TrainRecipe } from '../src/training/recipe.js';

/** Constructor options of an environment, as `make(id, options)` takes them. */
export type EnvOptions = Record<string, unknown>;

/**
 * One environment's card. Only `id` is required: every lookup falls back where a field is missing
 * (the default plan preset, no scripted policy, no validation spec, no demo).
 *
 * @example
 * ```ts
 * registerCard({
 *   id: 'Toy-v0',
 *   registration: { entryPoint: (o) => new ToyEnv(o), module: import.meta.url, maxEpisodeSteps: 50 },
 *   planPreset: { ...DEFAULT_PLAN_PRESET, horizon: 8 },
 *   scripted: (envOptions) => toyPolicy(envOptions),
 *   validationSpec: (envOptions) => toyValidationSpec(envOptions),
 * });
 * ```
 */
export interface EnvironmentCard {
  /** The registry id, e.g. `'PushBox-v0'`. */
  readonly id: string;
  /**
   * How to make the environment: `registerCard` registers it under `id` (set `module: import.meta.url`
   * so worker threads can import the module and make it too). Omit it when the environment is
   * registered elsewhere; `registerCard` then requires that it is.
   */
  readonly registration?: Omit<EnvRegistration, 'id'>;
  /** The zod schema of the environment's constructor options (what `embodied envs <id>` lists). */
  readonly optionsSchema?: z.ZodObject;
  /** The planner settings tuned so that the Rapier oracle solves the task. Default: `DEFAULT_PLAN_PRESET`. */
  readonly planPreset?: PlanPreset;
  /** A fresh scripted baseline for an environment built with `envOptions` (collection, validation, the demo). */
  readonly scripted?: (envOptions: EnvOptions) => Policy<Float32Array, Float32Array>;
  /** The validation spec (bodies, invariants, scenarios) of an environment built with `envOptions`. */
  readonly validationSpec?: (envOptions: EnvOptions) => ValidationSpec;
  /** The demo task: shipped bundle, planner settings, episodes and the bundle's recipe. */
  readonly demo?: DemoSettings;
  /** Settings of `embodied learn` for this environment (each part over learn's defaults). Default: the demo recipe's, else learn's defaults. */
  readonly learn?: LearnSettings;
  /**
   * A random physical start for data collection: reset options (for an environment built with
   * `envOptions`) drawn from `rng` over wide ranges — bodies in the air, sliding, spinning, in contact —
   * so a world model sees the physics its validation scenarios probe. The ranges should be wider than the
   * validation's (which must not be the training distribution). Used by `collect --random-starts` and `learn`.
   */
  readonly explorationStart?: (rng: Rng, envOptions: EnvOptions) => Record<string, unknown>;
}

/**
 * Per-environment settings of `embodied learn`; every part is optional and overrides what learn would
 * otherwise take (the demo task's recipe when the card has one, else defaults scaled by the budget).
 * Seeds are not settings: learn derives them from its own seed.
 */
export interface LearnSettings {
  /** Round 0's collection (scripted or random behaviour with noise and random excursions). */
  readonly collect?: Partial<Omit<CollectRecipe, 'seed'>>;
  /** Training of every round; `steps` is the most a round trains (fewer when the budget is short). */
  readonly train?: Partial<Omit<TrainRecipe, 'seed'>>;
  /** Each later round's on-policy collection (MPC with the latest model). */
  readonly onPolicy?: Partial<Omit<OnPolicyRecipe, 'seed'>>;
  /** Rounds at most, round 0 included. */
  readonly rounds?: number;
  /** Each round after the first starts from the previous round's weights (else from scratch). */
  readonly warmStart?: boolean;
  /** The planner the model is validated (certified) with, and the closed-loop episodes. */
  readonly validation?: Partial<LearnValidationSettings>;
  /** Targets that stop learn early once a round's validation meets all of them. */
  readonly targets?: Partial<LearnTargets>;
}

/** The planner and episodes of learn's per-round validation (`validateModel`, quick). */
export interface LearnValidationSettings {
  /** MPC optimiser (default: the card's demo task's learned planner's, else the environment's plan preset's). */
  readonly algorithm?: PlanPreset['algorithm'];
  /** Planning horizon. */
  readonly horizon: number;
  /** Candidates per iteration. */
  readonly samples: number;
  /** Optimiser iterations per plan. */
  readonly iterations: number;
  /** Actions executed per plan. */
  readonly replanEvery: number;
  /** Closed-loop episodes per contender. */
  readonly episodes: number;
  /** Step limit of a closed-loop episode. */
  readonly maxSteps: number;
}

/** The validation scores a round must reach to count as meeting its targets (all must hold). */
export interface LearnTargets {
  /** Learned-MPC closed-loop success rate, 0…1: the bar a round's quick validation and confirmation must reach. */
  readonly successRate: number;
  /**
   * Confirmation success, 0…1, at which learn stops early (the other targets met too); default
   * `successRate`. Above the bar, a run whose model is only just at the bar keeps improving while its
   * budget and rounds last, and publishes its best round.
   */
  readonly stopSuccessRate?: number;
  /**
   * Confirmation episodes the stop rate is measured over, ≥ the 20 every confirmation runs (default 20). A
   * round that reaches the stop rate on the first 20 runs more, up to this many, before the run stops early —
   * only when it is not the last planned round (the run ends after that one anyway). 20 episodes cannot tell a
   * 75 % model from a 95 % one (at 75 %, 19 or more of 20 happens 2 % of the time).
   */
  readonly stopEpisodes?: number;
  /** Physical plausibility score, 0…1. */
  readonly pps: number;
  /** Steps before open-loop drift crosses the validation threshold (met too when it never crosses within the measured horizon). */
  readonly validHorizon: number;
}
