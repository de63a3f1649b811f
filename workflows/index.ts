/**
 * Workflows: the research loop as library calls — collect a dataset, train a world model, validate it
 * against Rapier, run MPC episodes, run the demo. Each takes one schema-validated options object (with
 * an `AbortSignal` and progress callbacks) and returns a result object; the `embodied` command only
 * parses flags into these options and prints the results.
 *
 * @module
 */
export * from './collect.js';
export * from './train.js';
export * from './train-in-worker.js';
export * from './validate.js';
export * from './plan.js';
export * from './certify.js';
export * from './info.js';
export * from './demo/run-demo.js';
export * from './demo/train-model.js';
export * from './demo/play.js';
export * from './demo/replay.js';
export * from './demo/format.js';
export * from './demo/demo-tasks.js';
export * from './learn.js';
export * from './describe-env.js';
export * from './shipped-models.js';
export * from './distributed/index.js';
export * from './fleet.js';
export * from './fleet-data.js';
export * from './view.js';
export * from './policy-env.js';
export * from './bc.js';
export * from './evaluate-policy.js';
export * from './rl.js';
export * from './imagine.js';
