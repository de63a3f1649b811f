/**
 * The built-in Rapier environments. Importing this module registers them all.
 *
 * @module
 */

export * from './line-world.js';
export * from './reach.js';
export * from './push-box.js';
export * from './cart-pole.js';
export * from './arm.js';
export * from './warehouse/index.js';
export * from './validation/index.js';
