/**
 * `PushBox-v0`: the environment, its scripted baseline, validation spec and card. Importing this module registers the card.
 *
 * @module
 */
export * from './push-box-env.js';
export * from './scripted.js';
export * from './validation.js';
export * from './card.js';
