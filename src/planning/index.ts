/** Planning: the RolloutModel contract, optimisers, objectives, the physics oracle. @module */
export * from './rollout-model.js';
