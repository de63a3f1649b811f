/**
 * Planning: the RolloutModel contract, sampling-based optimisers (random shooting, CEM, iCEM, MPPI),
 * the trajectory layer with warm starts, objectives, the planner, the Rapier oracle, and the reference
 * MLP model used by the benchmarks.
 *
 * @module
 */
export * from './rollout-model.js';
export { PlanningError, sequenceProblem, checkProblem } from './optimizer.js';
export type {
  PopulationObjective,
  SequenceProblem,
  OptimizeStart,
  IterationStats,
  OptimizeResult,
  OptimizerAlgorithm,
  SequenceOptimizer,
} from './optimizer.js';
export { standardNormal, fillStandardNormal, sampleClippedGaussian } from './normal-sampler.js';
export { ColoredNoise, synthesisMatrix } from './colored-noise.js';
export { RandomShootingOptimizer, type RandomShootingOptions } from './random-shooting.js';
export { CemOptimizer, type CemOptions } from './cem.js';
export { IcemOptimizer, type IcemOptions } from './icem.js';
export { MppiOptimizer, type MppiOptions } from './mppi.js';
export { createOptimizer, publishedPresets, type OptimizerSpec, type OptimizerChoice, type PublishedPreset } from './create-optimizer.js';
export { TrajectoryOptimizer, type TrajectoryOptimizerOptions, type TrajectoryOptimizeOptions } from './trajectory-optimizer.js';
export {
  rewardObjective,
  goalObjective,
  decodedObjective,
  uncertaintyObjective,
  type PlanningObjective,
  type RolloutBatch,
  type TerminalValueFunction,
  type RewardObjectiveOptions,
  type GoalObjective,
  type GoalObjectiveOptions,
  type DecodeFunction,
  type DecodedObjectiveOptions,
  type UncertaintyObjectiveOptions,
} from './objectives.js';
export { expressionObjective, expressionSymbols, type ExpressionField, type ExpressionObjectiveOptions } from './expression-objective.js';
export { Planner, type PlannerOptions, type PlanResult, type PlanTiming } from './planner.js';
export { PhysicsRolloutModel, type PhysicsRolloutOptions, type PhysicsRolloutStats } from './physics-rollout-model.js';
export {
  buildMlpRolloutGraph,
  randomMlpWeights,
  mlpStepReference,
  mlpFlopsPerStep,
  type MlpActivation,
  type MlpShape,
  type MlpWeights,
} from './mlp-rollout-graph.js';
export { ReferenceMlpModel, type ReferenceMlpOptions } from './reference-mlp.js';
export * from './plan-preset.js';
