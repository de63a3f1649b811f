/**
 * `PlanPreset`: the planner settings an environment is planned with by default — the optimiser, its
 * budget, the discount, how often to replan, and what the oracle does after a truncation inside the
 * horizon. Each environment's card carries its own (tuned so that the Rapier oracle solves the task);
 * environments without one get {@link DEFAULT_PLAN_PRESET}.
 *
 * @module
 */

/** The trajectory optimisers a plan can name (workflows also accept `random` as short for random shooting). */
export const PLAN_ALGORITHMS = ['mppi', 'cem', 'icem', 'random-shooting'] as const;

/** Planner settings of one environment. */
export interface PlanPreset {
  /** The optimiser that works best here. */
  readonly algorithm: (typeof PLAN_ALGORITHMS)[number];
  /** H. */
  readonly horizon: number;
  /** Candidates per iteration. */
  readonly samples: number;
  /** Optimiser iterations per plan. */
  readonly iterations: number;
  /** MPPI temperature λ, in cost units (the env's reward scale summed over H). */
  readonly temperature: number;
  /** Reward discount γ. */
  readonly discount: number;
  /** Actions executed per plan (the agent's `replanEvery`; read by the CLI and benchmarks). */
  readonly replanEvery: number;
  /**
   * The oracle's rewards after a truncation inside the horizon (see `PhysicsRolloutModel`):
   * `'repeat-reward'` suits negative (cost-like) rewards, where 0 would make leaving the arena look
   * good; `'zero'` suits positive (survival) rewards, where it makes leaving the track a loss.
   */
  readonly afterTruncation: 'repeat-reward' | 'zero';
}

/** The settings of an environment whose card names no preset: MPPI 64 × 10 × 3, λ 0.1. */
export const DEFAULT_PLAN_PRESET: PlanPreset = Object.freeze({
  algorithm: 'mppi',
  horizon: 10,
  samples: 64,
  iterations: 3,
  temperature: 0.1,
  discount: 1,
  replanEvery: 1,
  afterTruncation: 'repeat-reward',
});

/**
 * `base` with every setting `overrides` gives; an `undefined` one keeps the base's. The one place a
 * preset meets explicit settings (a plan spec, command-line flags, a certification run).
 */
export function withOverrides(base: PlanPreset, overrides: Partial<PlanPreset>): PlanPreset {
  const out: Record<string, unknown> = { ...base };
  for (const key of Object.keys(base) as (keyof PlanPreset)[]) if (overrides[key] !== undefined) out[key] = overrides[key];
  return out as unknown as PlanPreset;
}
