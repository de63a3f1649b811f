/**
 * `CartPole-v0`: the environment, its scripted baseline (LQR, energy swing-up), validation spec and card. Importing this module registers the card.
 *
 * @module
 */
export * from './cart-pole-env.js';
export * from './scripted.js';
export * from './validation.js';
export * from './card.js';
