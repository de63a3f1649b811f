/**
 * Deprecated home of the validation specs: each now lives in its environment's folder and card, and
 * `validationSpecFor` in `environments/cards.ts`. These aliases go at integration.
 *
 * @module
 */
import '../index.js';
import type { ValidationSpec } from '../../src/validation/spec.js';
import { environmentCards } from '../cards.js';

export { validationSpecFor } from '../cards.js';
export { armValidationSpec } from '../arm/validation.js';
export { cartPoleValidationSpec } from '../cart-pole/validation.js';
export { pushBoxValidationSpec } from '../push-box/validation.js';
export { reachValidationSpec } from '../reach/validation.js';
export { warehouseValidationSpec } from '../warehouse/validation.js';

/**
 * Spec builders by environment id (the built-in cards' `validationSpec`, in registration order).
 * @deprecated Use `validationSpecFor(envId, envOptions)` or `environmentCard(envId)?.validationSpec`.
 */
export const VALIDATION_SPECS: Readonly<Record<string, (envOptions: Record<string, unknown>) => ValidationSpec>> = Object.freeze(
  Object.fromEntries(environmentCards().flatMap((card) => (card.validationSpec ? [[card.id, card.validationSpec]] : []))),
);
