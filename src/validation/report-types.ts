/**
 * The typed, versioned result of `validate` (`embodied.validation/v1`). Plain data: it serialises to
 * JSON with {@link serializeReport} (non-finite numbers become `null`) and is what `report.html` plots.
 *
 * @module
 */
import type { DriftCurve } from './drift.js';
import type { Interval } from '../stats.js';

/** The format tag of version 1 reports. */
export const VALIDATION_REPORT_FORMAT = 'embodied.validation/v1';

/**
 * `scored`: measured. `not-applicable`: the check has no meaning for this environment (e.g. gravity
 * when nothing can fall). `not-available`: it would apply, but this environment or model cannot
 * support it (not `Stateful`, no decoder, no spec, no contenders).
 */
export type Availability = 'scored' | 'not-applicable' | 'not-available';

/** Identifiers of the physical plausibility checks. */
export type CheckId = 'gravity' | 'support' | 'non-penetration' | 'permanence' | 'energy' | 'momentum';

/** One scenario instance's outcome in a check. */
export interface CheckInstance {
  readonly label: string;
  /** 0..1, or null when the instance was skipped (see `note`). */
  readonly score: number | null;
  /** Measured quantities (named by the check). */
  readonly values: Readonly<Record<string, number | null>>;
  readonly note?: string;
}

/** One plausibility check. */
export interface CheckResult {
  readonly id: CheckId;
  readonly name: string;
  readonly status: Availability;
  /** 0..1 (1 = physically plausible as reality), null unless scored. */
  readonly score: number | null;
  /** The scenario, in words. */
  readonly scenario: string;
  /** How the score is computed. */
  readonly formula: string;
  /** Why it is not scored. */
  readonly reason?: string;
  /** Aggregate measurements. */
  readonly details: Readonly<Record<string, number | string | null>>;
  readonly instances: readonly CheckInstance[];
}

/** The drift section. */
export interface DriftSection {
  readonly status: Availability;
  readonly reason?: string;
  /** Mean overall normalised error above which the prediction is no longer "valid" (for `validHorizon`). */
  readonly threshold: number;
  readonly curves: readonly DriftCurve[];
}

/** One counterfactual intervention pair's outcome. */
export interface InterventionResult {
  readonly name: string;
  /** Start states branched. */
  readonly starts: number;
  /** Starts where the real outcomes differed (the others are skipped). */
  readonly scored: number;
  /** Mean fraction of clearly-changed outcome entries whose change has the real sign. */
  readonly signAgreement: number | null;
  /** Median of ‖Δ_model‖ / ‖Δ_real‖ (1 is ideal). */
  readonly magnitudeRatio: number | null;
  /** Mean of signAgreement × min(r, 1/r). */
  readonly score: number | null;
}

/** The causal section: counterfactual branching and controllability. */
export interface CausalSection {
  readonly counterfactual: {
    readonly status: Availability;
    readonly reason?: string;
    readonly score: number | null;
    readonly formula: string;
    readonly interventions: readonly InterventionResult[];
  };
  readonly controllability: {
    readonly status: Availability;
    readonly reason?: string;
    /** clip(1 − Σ_h e_true / Σ_h e_random, 0, 1): 0 for a model that ignores actions. */
    readonly score: number | null;
    readonly formula: string;
    /** Per step: mean squared normalised error with the true and with random actions, and Δ-PSNR (dB). */
    readonly perStep: readonly { readonly h: number; readonly errorTrue: number; readonly errorRandom: number; readonly deltaPsnr: number }[];
  };
}

/** One closed-loop contender's results over the seeds. */
export interface ContenderResult {
  readonly name: string;
  /** `learned-mpc`, `oracle-mpc`, `scripted`, `random`, … */
  readonly kind: string;
  readonly episodes: number;
  /** Success rate with a Wilson 95% interval. */
  readonly successRate: Interval;
  /** Episode return with a t 95% interval. */
  readonly return: Interval;
  /** Episode length with a t 95% interval. */
  readonly length: Interval;
  /** Wall time of all its episodes, ms. */
  readonly wallMs: number;
}

/** The closed-loop section. */
export interface ClosedLoopSection {
  readonly status: Availability;
  readonly reason?: string;
  readonly seeds: readonly number[];
  readonly contenders: readonly ContenderResult[];
}

/** A dream-vs-real overlay: the same rows drawn from reality and from the model. */
export interface Overlay {
  readonly name: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** The action source of the rows. */
  readonly source: string;
  /** Points `[x, y]` from the start (step 0) to the last scored step. */
  readonly traces: readonly { readonly row: number; readonly kind: 'real' | 'model'; readonly points: readonly (readonly [number, number])[] }[];
  /** The map under a top view: obstacles above the ground and the spec's regions, as rectangles in the plot's axes. */
  readonly map?: readonly OverlayMapRect[];
}

/** One rectangle of an overlay's map. */
export interface OverlayMapRect {
  readonly name: string;
  /** `obstacle`, or a region's kind (e.g. `drop zone`). */
  readonly kind: string;
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/** The result of `validate`. */
export interface ValidationReport {
  readonly format: typeof VALIDATION_REPORT_FORMAT;
  /** ISO-8601. */
  readonly createdAt: string;
  /** Wall time of `validate`, ms. */
  readonly durationMs: number;
  readonly env: { readonly id: string; readonly obsDim: number; readonly actionDim: number; readonly stateful: boolean };
  readonly model: {
    readonly name: string;
    readonly kind: string;
    readonly obsDim: number;
    readonly actionDim: number;
    readonly latentDim?: number;
    readonly predictsObservations: boolean;
  };
  /** The settings used (defaults filled in). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Per-dimension σ used to normalise errors, and where it came from. */
  readonly scale: { readonly std: readonly number[]; readonly source: 'data' | 'rollouts'; readonly floor: number };
  readonly drift: DriftSection;
  readonly plausibility: { readonly pps: number | null; readonly formula: string; readonly checks: readonly CheckResult[] };
  readonly causal: CausalSection;
  readonly closedLoop: ClosedLoopSection;
  readonly overlays: readonly Overlay[];
  /** Things the reader should know (skips, approximations). */
  readonly notes: readonly string[];
}

/** JSON text of a report; NaN and ±Infinity become `null`, typed arrays become arrays. */
export function serializeReport(report: ValidationReport, indent = 2): string {
  return JSON.stringify(
    report,
    (_key, value: unknown) => {
      if (typeof value === 'number' && !Number.isFinite(value)) return null;
      if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>, (v) => (Number.isFinite(v) ? v : null));
      return value;
    },
    indent,
  );
}
