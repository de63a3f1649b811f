/**
 * Open-loop drift: how far imagination moves away from reality as the horizon grows.
 *
 * For row b and step h (scored only while the real episode runs), the error of observation field f
 * is the RMS over its entries of the error in units of the data standard deviation:
 * `e_f(b,h) = sqrt(mean_{d∈f} ((ô_d − o_d) / σ_d)²)`. The overall error is the mean over fields (each
 * field weighs the same whatever its size). Curves report the mean over rows at each h with a seeded
 * bootstrap 95% band. In latent space the gap is `‖encode(o_h) − ẑ_h‖₂` (DINO-WM's
 * `div_visual_emb`), also relative to the mean norm of encoded real observations.
 *
 * @module
 */
import type { Interval } from '../stats.js';
import { bootstrapInterval } from '../stats.js';
import type { ObservationField } from './spec.js';

/** Errors of one batch, per row and step. */
export interface RowErrors {
  readonly count: number;
  readonly horizon: number;
  /** `F × B × H` field errors (NaN where the step is not scored). */
  readonly fields: Float64Array;
  /** `B × H` overall errors (mean of field errors; NaN where not scored). */
  readonly overall: Float64Array;
  /** `B × H` mean squared normalised error over all entries (NaN where not scored). */
  readonly mse: Float64Array;
}

/**
 * Normalised errors of predictions `pred` against the real `real` (both `B × H × D`).
 * @param std - per-dimension scale σ_d (already floored)
 * @param valid - `B × H`, 1 where the step is scored
 */
export function normalisedErrors(
  real: Float32Array,
  pred: Float32Array,
  valid: Uint8Array,
  std: Float32Array,
  fields: readonly ObservationField[],
  count: number,
  horizon: number,
): RowErrors {
  const D = std.length;
  const B = count;
  const H = horizon;
  const F = fields.length;
  const out = new Float64Array(F * B * H).fill(Number.NaN);
  const overall = new Float64Array(B * H).fill(Number.NaN);
  const mse = new Float64Array(B * H).fill(Number.NaN);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const i = b * H + h;
      if (!valid[i]) continue;
      const o = i * D;
      let total = 0;
      let sum = 0;
      for (let f = 0; f < F; f++) {
        const field = fields[f]!;
        let s = 0;
        for (let d = field.start; d < field.start + field.size; d++) {
          const e = (pred[o + d]! - real[o + d]!) / std[d]!;
          s += Number.isFinite(e) ? e * e : Number.POSITIVE_INFINITY;
        }
        const ef = Math.sqrt(s / field.size);
        out[(f * B + b) * H + h] = ef;
        total += ef;
      }
      for (let d = 0; d < D; d++) {
        const e = (pred[o + d]! - real[o + d]!) / std[d]!;
        sum += Number.isFinite(e) ? e * e : Number.POSITIVE_INFINITY;
      }
      overall[i] = total / F;
      mse[i] = sum / D;
    }
  }
  return { count: B, horizon: H, fields: out, overall, mse };
}

/** Values of column h of a `B × H` table, skipping NaN. */
export function column(table: Float64Array, count: number, horizon: number, h: number, offset = 0): number[] {
  const out: number[] = [];
  for (let b = 0; b < count; b++) {
    const v = table[offset + b * horizon + h]!;
    if (!Number.isNaN(v)) out.push(v);
  }
  return out;
}

/** Mean and bootstrap band of each step's column. */
export function curve(table: Float64Array, count: number, horizon: number, seed: number, offset = 0): Interval[] {
  const pts: Interval[] = [];
  for (let h = 0; h < horizon; h++) pts.push(bootstrapInterval(column(table, count, horizon, h, offset), { seed: seed + h, resamples: 500 }));
  return pts;
}

/** The drift of one action source. */
export interface DriftCurve {
  /** The action source, e.g. `random`, `scripted:push-box`, `planner`. */
  readonly source: string;
  /** Rows (start states) in the source. */
  readonly rows: number;
  readonly horizon: number;
  /** Mean overall normalised error per step h = 1..H, with 95% band. */
  readonly overall: Interval[];
  /** Per field: name, unit, the σ used (mean over its entries), and its curve. */
  readonly fields: { readonly name: string; readonly unit?: string; readonly std: number; readonly points: Interval[] }[];
  /** First step h (1-based) whose mean overall error exceeds the threshold; `null` when none within H. */
  readonly validHorizon: number | null;
  /** Latent gap ‖encode(o_h) − ẑ_h‖ per step (latent models only). */
  readonly latent?: { readonly absolute: Interval[]; readonly relative: Interval[] };
}

/** Builds a {@link DriftCurve} from a batch's errors. */
export function driftCurve(source: string, errs: RowErrors, fields: readonly ObservationField[], std: Float32Array, seed: number, threshold: number): DriftCurve {
  const { count: B, horizon: H } = errs;
  const overall = curve(errs.overall, B, H, seed);
  const first = overall.findIndex((p) => p.mean > threshold);
  return {
    source,
    rows: B,
    horizon: H,
    overall,
    fields: fields.map((f, k) => {
      let s = 0;
      for (let d = f.start; d < f.start + f.size; d++) s += std[d]!;
      return { name: f.name, ...(f.unit !== undefined && { unit: f.unit }), std: s / f.size, points: curve(errs.fields, B, H, seed + 1000 * (k + 1), k * B * H) };
    }),
    validHorizon: first < 0 ? null : first + 1,
  };
}

/**
 * Latent gap per row and step: `‖encode(real_h) − latent_h‖₂` (`B × H`, NaN where not scored), and
 * the mean norm of the encoded real observations (for the relative gap).
 */
export function latentGaps(encodedReal: Float32Array, latents: Float32Array, valid: Uint8Array, latentDim: number): { gaps: Float64Array; meanNorm: number } {
  const n = valid.length;
  const gaps = new Float64Array(n).fill(Number.NaN);
  let norms = 0;
  let counted = 0;
  for (let i = 0; i < n; i++) {
    if (!valid[i]) continue;
    let s = 0;
    let r = 0;
    for (let j = 0; j < latentDim; j++) {
      const e = encodedReal[i * latentDim + j]!;
      s += (e - latents[i * latentDim + j]!) ** 2;
      r += e * e;
    }
    gaps[i] = Math.sqrt(s);
    norms += Math.sqrt(r);
    counted++;
  }
  return { gaps, meanNorm: counted > 0 ? norms / counted : Number.NaN };
}

/**
 * Per-dimension scale σ_d: the given standard deviations (e.g. the training data's), else those of
 * `observations` (`N × D`), floored at `floor` so near-constant entries do not magnify tiny errors.
 */
export function observationScale(obsDim: number, floor: number, given?: ArrayLike<number>, observations?: Float32Array): Float32Array {
  const out = new Float32Array(obsDim);
  if (given) {
    for (let d = 0; d < obsDim; d++) out[d] = Math.max(floor, given[d]!);
    return out;
  }
  const n = observations ? observations.length / obsDim : 0;
  for (let d = 0; d < obsDim; d++) {
    let m = 0;
    let q = 0;
    for (let i = 0; i < n; i++) {
      const v = observations![i * obsDim + d]!;
      m += v;
      q += v * v;
    }
    const variance = n > 0 ? Math.max(0, q / n - (m / n) ** 2) : 0;
    out[d] = Math.max(floor, Math.sqrt(variance));
  }
  return out;
}
