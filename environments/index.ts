/**
 * The built-in Rapier environments. Importing this module registers them all.
 *
 * @module
 */
export {};
export * from './line-world.js';
