/**
 * `Arm-v0`: the environment, its scripted baseline (analytic IK), validation spec and card. Importing this module registers the card.
 *
 * @module
 */
export * from './arm-env.js';
export * from './scripted.js';
export * from './validation.js';
export * from './card.js';
