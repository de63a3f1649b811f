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
export { RandomShootingOptimizer, RandomShootingOptionsSchema, type RandomShootingOptions } from './random-shooting.js';
export { CemOptimizer, CemOptionsSchema, type CemOptions } from './cem.js';
export { IcemOptimizer, IcemOptionsSchema, type IcemOptions } from './icem.js';
export { MppiOptimizer, MppiOptionsSchema, type MppiOptions } from './mppi.js';
export { createOptimizer, publishedPresets, type OptimizerSpec, type OptimizerChoice, type PublishedPreset } from './create-optimizer.js';
export { TrajectoryOptimizer, TrajectoryOptimizeOptionsSchema, type TrajectoryOptimizerOptions, type TrajectoryOptimizeOptions } from './trajectory-optimizer.js';
export {
  rewardObjective,
  goalObjective,
  decodedObjective,
  uncertaintyObjective,
  RewardObjectiveOptionsSchema,
  GoalObjectiveOptionsSchema,
  DecodedObjectiveOptionsSchema,
  UncertaintyObjectiveOptionsSchema,
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
export { FleetPlanner, fleetRobotSeed, type FleetPlanInit, type FleetPlannerOptions, type FleetPlanResult, type FleetRolloutModel, type ProximityCost } from './fleet-planner.js';
export { PhysicsRolloutModel, PhysicsRolloutOptionsSchema, type PhysicsRolloutOptions, type PhysicsRolloutStats } from './physics-rollout-model.js';
export {
  buildMlpRolloutGraph,
  randomMlpWeights,
  mlpStepReference,
  mlpFlopsPerStep,
  type MlpActivation,
  type MlpShape,
  type MlpWeights,
} from './mlp-rollout-graph.js';
export { ReferenceMlpModel, ReferenceMlpOptionsSchema, type ReferenceMlpOptions } from './reference-mlp.js';
export * from './plan-preset.js';
export * from './policy-prior.js';
