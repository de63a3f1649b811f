/**
 * A world-model MPC planner as a plain {@link Policy}: encode the observation, plan in latent space
 * (warm-started from the previous plan), return the first action. What `embodied collect --policy mpc`
 * runs to gather on-policy data — the states the planner actually drives the system into, where a model
 * trained only on demonstrations is often wrong and the planner exploits it (DAgger / the MBRL data loop).
 * For closed-loop control with deadlines and telemetry use {@link mpcAgent} instead.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../src/errors.js';
import { Planner, type PlannerOptions } from '../src/planning/planner.js';
import type { Policy } from '../src/policy.js';
import type { WorldModel } from '../src/worldmodel/world-model.js';

/** Options of {@link plannerPolicy}. */
export interface PlannerPolicyOptions {
  /** The world model: encodes observations and rolls candidates out. */
  readonly model: WorldModel;
  /** The planner's settings (horizon, bounds, optimiser, objective); its seed is replaced per plan. */
  readonly planner: PlannerOptions;
  /** Name recorded in dataset provenance. Default `mpc:<algorithm>`. */
  readonly name?: string;
}

/**
 * A {@link Policy} that plans every step with `options.planner` over `options.model`. Plan t of the
 * episode reset with seed s uses optimiser seed `(s · 7919 + t) mod 2³²`, so an episode's actions
 * depend only on the model, the settings and the episode seed.
 * @throws {@link InvalidArgumentError} when the planner's action size differs from the model's.
 */
export function plannerPolicy(options: PlannerPolicyOptions): Policy {
  const { model } = options;
  if (options.planner.actionLow.length !== model.actionDim) {
    throw new InvalidArgumentError(
      `plannerPolicy: expected action bounds of length ${model.actionDim} (the model's actionDim), got ${describeValue(options.planner.actionLow.length)}`,
    );
  }
  const planner = new Planner(model, options.planner);
  let episodeSeed = 0;
  let t = 0;
  return {
    name: options.name ?? (typeof options.planner.optimizer === 'function' ? 'mpc' : `mpc:${options.planner.optimizer.algorithm}`),
    reset(seed: number) {
      episodeSeed = seed;
      t = 0;
      planner.reset();
    },
    async act(observation: Float32Array) {
      const z = await model.encode(observation);
      const seed = (Math.imul(episodeSeed, 7919) + t) >>> 0;
      const plan = await planner.plan(z, { warmStart: t > 0, shift: 1, seed });
      t++;
      return Float32Array.from(plan.action);
    },
  };
}
