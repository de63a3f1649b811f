/**
 * RxJS agents, scripted baselines and episode runners.
 *
 * @module
 */
export * from './types.js';
export * from './errors.js';
export * from './run-episode.js';
export * from './run-episodes.js';
export * from './episode-stats.js';
export * from './policy-agent.js';
export * from './random-agent.js';
export * from './plan-source.js';
export * from './mpc-agent.js';
export * from './mpc-controller.js';
export * from './action-bounds.js';
export * from './control-loop.js';
export * from './plan-worker.js';
export * from './local-plan-source.js';
export * from './onnx-policy.js';
export * from './parallel-env.js';
export * from './multi-agent.js';
export * from './plan-factory.js';
export * from './policy-bundle.js';
