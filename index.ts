/**
 * The `embodied` package: the core SDK plus the built-in environments and agents.
 *
 * @module
 */
export * from './src/index.js';
export * from './environments/index.js';
export * from './agents/index.js';
