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
export * from './atomic-write.js';
export * from './registry.js';
export * from './wrappers/wrapper.js';
export * from './wrappers/time-limit.js';
export * from './physics/rapier.js';
export * from './physics/snapshot.js';
export * from './physics/scene.js';
export * from './physics/physics-env.js';
export * from './planning/rollout-model.js';
export * from './worldmodel/manifest.js';
