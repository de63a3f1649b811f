/**
 * The built-in environments, one folder each (environment, scripted baseline, validation spec, card),
 * and the card registry. Importing this module registers every built-in card, in this order.
 *
 * @module
 */
export * from './card.js';
export * from './cards.js';
export * from './demo-task.js';
export * from './line-world/index.js';
export * from './reach/index.js';
export * from './push-box/index.js';
export * from './cart-pole/index.js';
export * from './arm/index.js';
export * from './warehouse/index.js';
