/**
 * Policy learning: policy networks from the graph builder (deterministic and tanh-squashed Gaussian
 * actors, value heads), their losses (PPO clip, clipped value loss, GAE/λ-returns, tanh-Gaussian
 * log-probability), training objectives for the SDK's Trainer (behaviour cloning, PPO), the rollout
 * sampler and policy bundles (`embodied.policy/v1`).
 *
 * @module
 */
export * from './config.js';
export * from './network.js';
export * from './losses.js';
export * from './objectives.js';
export * from './graphs.js';
export * from './sampler.js';
export * from './manifest.js';
export * from './bundle.js';
export * from './errors.js';
export * from './curves.js';
export * from './ppo.js';
export * from './imagination.js';
