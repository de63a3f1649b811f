/**
 * A world-model MPC planner as a plain {@link Policy}: encode the observation, plan in latent space
 * (warm-started from the previous plan), return the first action. What `embodied collect --policy mpc`
 * runs to gather on-policy data — the states the planner actually drives the system into, where a model
 * trained only on demonstrations is often wrong and the planner exploits it (DAgger / the MBRL data loop).
 * A thin convenience over {@link controllerPolicy} and {@link mpcController}; for closed-loop control
 * with deadlines and telemetry use `mpcAgent` instead.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../src/errors.js';
import { Planner, type PlannerOptions } from '../src/planning/planner.js';
import type { Policy } from '../src/policy.js';
import type { WorldModel } from '../src/worldmodel/world-model.js';
import { localPlanSource } from './local-plan-source.js';
import { controllerPolicy, mpcController } from './mpc-controller.js';

/** Options of {@link plannerPolicy}. */
export interface PlannerPolicyOptions {
  /** The world model: encodes observations and rolls candidates out. */
  readonly model: WorldModel;
  /** The planner's settings (horizon, bounds, optimiser, objective); its seed is replaced per plan. */
  readonly plannerOptions: PlannerOptions;
  /** Name recorded in dataset provenance. Default `mpc:<algorithm>`. */
  readonly name?: string;
  /** Actions taken from one plan before replanning. Default: `1`. */
  readonly replanEvery?: number;
  /** Seed from which each plan's seed is derived, as in {@link mpcController}. Default: `0`. */
  readonly seed?: number;
}

/**
 * A {@link Policy} that plans with `options.plannerOptions` over `options.model` (from the encoded
 * observation, warm-started by the planner's own previous plan shifted by the steps taken). Plan t of
 * the episode reset with seed e uses optimiser seed `Rng.fromSeed(seed).derive(e).derive(t).nextSeed()`
 * — {@link mpcController}'s derivation; before the controller was shared it was `(e · 7919 + t) mod 2³²`,
 * so on-policy datasets collected earlier are not reproduced bit for bit.
 * @throws {@link InvalidArgumentError} when the planner's action size differs from the model's.
 */
export function plannerPolicy(options: PlannerPolicyOptions): Policy {
  const { model } = options;
  if (options.plannerOptions.actionLow.length !== model.actionDim) {
    throw new InvalidArgumentError(
      `plannerPolicy: expected action bounds of length ${model.actionDim} (the model's actionDim), got ${describeValue(options.plannerOptions.actionLow.length)}`,
    );
  }
  const source = localPlanSource({ planner: new Planner(model, options.plannerOptions), start: 'encode' });
  const controller = mpcController({ source, replanEvery: options.replanEvery ?? 1, seed: options.seed ?? 0 });
  const name = options.name ?? (typeof options.plannerOptions.optimizer === 'function' ? 'mpc' : `mpc:${options.plannerOptions.optimizer.algorithm}`);
  return controllerPolicy(controller, { name });
}
