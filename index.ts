/**
 * The `embodied` package: the core SDK plus the built-in environments, agents and workflows.
 *
 * @module
 */
export * from './src/index.js';
export * from './environments/index.js';
export * from './agents/index.js';
export * from './workflows/index.js';
