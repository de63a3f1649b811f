/**
 * Errors of policy learning and policy bundles.
 *
 * @module
 */
import { EmbodiedError } from '../errors.js';

/** A policy bundle is missing, malformed, modified, or does not fit the environment it is used with. */
export class PolicyBundleError extends EmbodiedError {}

/** Training data does not fit the policy being trained (another environment, other spaces). */
export class PolicyDataError extends EmbodiedError {}
