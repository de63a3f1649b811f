/**
 * Validation of world models against Rapier: open-loop drift, physical plausibility, causal
 * consistency, closed-loop control, and the report (JSON + self-contained HTML).
 *
 * @module
 */
export * from './spec.js';
export * from './model.js';
export * from './oracle-model.js';
export * from './world-model-adapter.js';
export * from './broken-models.js';
export { type StartPoint, type RealRow, type RealBatch, runRealRows, sampleStarts, goToStart } from './real-rollouts.js';
export { type RowErrors, type DriftCurve, normalisedErrors, driftCurve, latentGaps, observationScale } from './drift.js';
export { type PenetrationProbe, bodyPosition, bodyPositions, obstacleDepth, bodyDepth, penetrationAt, sweptPenetration } from './geometry.js';
export {
  type ScenarioRun,
  type PenetrationCounts,
  PLAUSIBILITY_FORMULAS,
  gravityCheck,
  supportCheck,
  penetrationCheck,
  penetrationCounts,
  permanenceCheck,
  energyCheck,
  momentumCheck,
  physicalPlausibilityScore,
} from './plausibility.js';
export { PPS_FORMULA } from './plausibility-stage.js';
export { type CounterfactualOptions, COUNTERFACTUAL_FORMULA, CONTROLLABILITY_FORMULA, counterfactualConsistency, controllability } from './causal.js';
export * from './closed-loop.js';
export * from './report-types.js';
export type { ActionSource, DataScale, ValidateProgress, ValidateOptions } from './options.js';
export { ValidateOptionsSchema } from './options.js';
export { validate } from './validate.js';
export { type ReportChart, reportCharts } from './report-charts.js';
export { type ReportHtmlOptions, type ViewerLink, type WrittenReport, renderReportHtml, writeValidationReport } from './report-html.js';
