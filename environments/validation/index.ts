/**
 * Validation specs of the built-in environments: what `validate` needs to know about each one
 * (bodies, obstacles, invariants, energy, plausibility scenarios built through reset options).
 *
 * @module
 */
import { InvalidArgumentError } from '../../src/errors.js';
import type { ValidationSpec } from '../../src/validation/spec.js';
import { armValidationSpec } from './arm.js';
import { cartPoleValidationSpec } from './cart-pole.js';
import { pushBoxValidationSpec } from './push-box.js';
import { reachValidationSpec } from './reach.js';
import { warehouseValidationSpec } from './warehouse.js';

export { armValidationSpec, cartPoleValidationSpec, pushBoxValidationSpec, reachValidationSpec, warehouseValidationSpec };

/** Spec builders by environment id; each takes the environment's constructor options. */
export const VALIDATION_SPECS: Readonly<Record<string, (envOptions: Record<string, unknown>) => ValidationSpec>> = Object.freeze({
  'PushBox-v0': (o) => pushBoxValidationSpec(o),
  'Reach-v0': (o) => reachValidationSpec(o),
  'CartPole-v0': (o) => cartPoleValidationSpec(o),
  'Arm-v0': (o) => armValidationSpec(o),
  'Warehouse-v0': (o) => warehouseValidationSpec(o),
});

/**
 * The validation spec of `envId` built with `envOptions`.
 * @throws {@link InvalidArgumentError} for an environment without a spec, listing those that have one.
 */
export function validationSpecFor(envId: string, envOptions: Record<string, unknown> = {}): ValidationSpec {
  const build = VALIDATION_SPECS[envId];
  if (!build) throw new InvalidArgumentError(`no validation spec for ${envId}; specs exist for ${Object.keys(VALIDATION_SPECS).join(', ')}`);
  return build(envOptions);
}
