/**
 * Embodied core: environments API, spaces, wrappers, vector envs, registry, checker, physics layer,
 * graph builder and training, world models, planning and validation.
 *
 * @module
 */
export * from './errors.js';
export * from './rng.js';
export * from './spaces.js';
export * from './env.js';
export * from './options.js';
export * from './policy.js';
export * from './policy-wrappers.js';
export * from './stats.js';
export * from './atomic-write.js';
export * from './registry.js';
export * from './wrappers/index.js';
export * from './vector/index.js';
export * from './physics/index.js';
export * from './graph/index.js';
export * from './training/index.js';
export * from './worldmodel/index.js';
export * from './planning/index.js';
export * from './check.js';
export * from './codecs/index.js';
export * from './validation/index.js';
export * from './policies/index.js';
