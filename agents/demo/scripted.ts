/**
 * The demo's scripted baselines now come from the environments' cards.
 *
 * @module
 */

/**
 * A fresh scripted baseline for `envId` built with `envOptions`, or `undefined` when its card has none.
 * @deprecated Import `scriptedPolicyFor` from `environments/cards.ts`; this alias goes at integration.
 */
export { scriptedPolicyFor } from '../../environments/cards.js';
