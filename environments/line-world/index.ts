/**
 * `LineWorld-v0`: a point mass on a line (pure TypeScript), and its card. Importing this module registers the card.
 *
 * @module
 */
export * from './line-world-env.js';
export * from './card.js';
