/**
 * Causal checks. **Counterfactual consistency**: from one exact snapshot, branch reality and the
 * model with two interventions and compare the *difference* of their outcomes — does the model say
 * the intervention changes the same things, in the same direction, by about as much?
 * **Controllability** (Genie's Δ-PSNR, in observation space): the model's error with the true
 * actions against its error with random actions; a model that ignores actions scores 0.
 *
 * @module
 */
import { isStateful, type Env, type Stateful } from '../env.js';
import { Rng } from '../rng.js';
import type { RowErrors } from './drift.js';
import type { ValidationModel } from './model.js';
import { flatSize, goToStart } from './real-rollouts.js';
import type { CausalSection, InterventionResult } from './report-types.js';
import type { ValidationSpec } from './spec.js';
import { clamp01, mean, quantileSorted } from '../stats.js';

/** Formula of the counterfactual score. */
export const COUNTERFACTUAL_FORMULA =
  'Δ = o_A(H) − o_B(H) on the outcome entries (in σ units); sign agreement = fraction of entries with |Δ_real| > 0.05 whose Δ_model has the same sign; ρ = ‖Δ_model‖ / ‖Δ_real‖; score = mean over starts of agreement · min(ρ, 1/ρ)';
/** Formula of the controllability score. */
export const CONTROLLABILITY_FORMULA =
  'e(h) = mean over rows of the mean squared normalised error at step h; score = clip(1 − Σ_h e_true(h) / Σ_h e_random(h), 0, 1); Δ-PSNR(h) = 10·log10(e_random(h) / e_true(h)) dB';

/** Options of {@link counterfactualConsistency}. */
export interface CounterfactualOptions {
  /** Start states per intervention. */
  readonly count: number;
  readonly seed: number;
  /** Per-dimension σ. */
  readonly scale: Float32Array;
}

/** Runs H steps of `action` from the current state; returns the observations after each step (stops early at the episode's end). */
async function branch(env: Env<Float32Array, Float32Array>, action: readonly number[], horizon: number): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  const a = Float32Array.from(action);
  for (let h = 0; h < horizon; h++) {
    const r = await env.step(a.slice());
    out.push(r.observation);
    if (r.terminated || r.truncated) break;
  }
  return out;
}

/** Counterfactual consistency over the spec's interventions. */
export async function counterfactualConsistency(
  env: Env<Float32Array, Float32Array>,
  model: ValidationModel,
  spec: ValidationSpec | undefined,
  options: CounterfactualOptions,
): Promise<CausalSection['counterfactual']> {
  const base = { formula: COUNTERFACTUAL_FORMULA, interventions: [] as InterventionResult[], score: null };
  if (!isStateful(env)) return { ...base, status: 'not-available', reason: `${env.spec.id} is not Stateful: branching reality from one snapshot needs getState/setState` };
  if (!model.predictsObservations) return { ...base, status: 'not-available', reason: 'the model predicts no observations (no decoder)' };
  if (!spec?.interventions?.length)
    return { ...base, status: 'not-applicable', reason: spec ? `the ${spec.envId} spec defines no interventions` : 'no validation spec for this environment' };
  const D = flatSize(env.observationSpace.shape);
  const A = flatSize(env.actionSpace.shape);
  const stateful = env as unknown as Stateful;
  const results: InterventionResult[] = [];
  for (const [k, iv] of spec.interventions.entries()) {
    const starts = iv.starts(options.count, Rng.fromSeed(options.seed).derive(100 + k));
    const H = iv.horizon;
    const startObs = new Float32Array(2 * starts.length * D);
    const states: unknown[] = [];
    const actions = new Float32Array(2 * starts.length * H * A);
    const realA: Float32Array[][] = [];
    const realB: Float32Array[][] = [];
    for (const [i, s] of starts.entries()) {
      const { observation } = await goToStart(env, { seed: s.seed, resetOptions: s.resetOptions, warmup: new Float32Array(0) });
      const snapshot = stateful.getState();
      realA.push(await branch(env, iv.actionA, H));
      stateful.setState(snapshot);
      realB.push(await branch(env, iv.actionB, H));
      for (const [j, act] of [iv.actionA, iv.actionB].entries()) {
        const row = 2 * i + j;
        startObs.set(observation, row * D);
        states.push(snapshot);
        for (let h = 0; h < H; h++) for (let a = 0; a < A; a++) actions[(row * H + h) * A + a] = act[a]!;
      }
    }
    const pred = (await model.predict({ observations: startObs, states }, actions, H)).observations!;
    const agreements: number[] = [];
    const ratios: number[] = [];
    const scores: number[] = [];
    starts.forEach((_, i) => {
      const n = Math.min(realA[i]!.length, realB[i]!.length);
      if (n === 0) return;
      const oA = realA[i]![n - 1]!;
      const oB = realB[i]![n - 1]!;
      const pA = (2 * i * H + n - 1) * D;
      const pB = ((2 * i + 1) * H + n - 1) * D;
      let agree = 0;
      let counted = 0;
      let nr = 0;
      let nm = 0;
      for (const d of iv.outcome) {
        const dr = (oA[d]! - oB[d]!) / options.scale[d]!;
        const dm = (pred[pA + d]! - pred[pB + d]!) / options.scale[d]!;
        nr += dr * dr;
        nm += Number.isFinite(dm) ? dm * dm : Number.POSITIVE_INFINITY;
        if (Math.abs(dr) > 0.05) {
          counted++;
          if (Math.sign(dm) === Math.sign(dr)) agree++;
        }
      }
      if (counted === 0) return;
      const ratio = Math.sqrt(nm) / Math.sqrt(nr);
      const agreement = agree / counted;
      agreements.push(agreement);
      ratios.push(ratio);
      scores.push(Number.isFinite(ratio) && ratio > 0 ? agreement * Math.min(ratio, 1 / ratio) : 0);
    });
    const sorted = [...ratios].sort((a, b) => a - b);
    results.push({
      name: iv.name,
      starts: starts.length,
      scored: scores.length,
      signAgreement: agreements.length ? mean(agreements) : null,
      magnitudeRatio: sorted.length ? quantileSorted(sorted, 0.5) : null,
      score: scores.length ? mean(scores) : null,
    });
  }
  const scored = results.map((r) => r.score).filter((s): s is number => s !== null);
  return { status: 'scored', formula: COUNTERFACTUAL_FORMULA, interventions: results, score: scored.length ? mean(scored) : null };
}

/** Controllability from errors with the true actions and with random actions (same rows, same real trajectories). */
export function controllability(withTrue: RowErrors, withRandom: RowErrors): CausalSection['controllability'] {
  const { count: B, horizon: H } = withTrue;
  const perStep: { h: number; errorTrue: number; errorRandom: number; deltaPsnr: number }[] = [];
  let sumTrue = 0;
  let sumRandom = 0;
  for (let h = 0; h < H; h++) {
    const t: number[] = [];
    const r: number[] = [];
    for (let b = 0; b < B; b++) {
      const vt = withTrue.mse[b * H + h]!;
      const vr = withRandom.mse[b * H + h]!;
      if (Number.isNaN(vt) || Number.isNaN(vr)) continue;
      t.push(vt);
      r.push(vr);
    }
    if (t.length === 0) continue;
    const et = mean(t);
    const er = mean(r);
    sumTrue += et;
    sumRandom += er;
    perStep.push({ h: h + 1, errorTrue: et, errorRandom: er, deltaPsnr: 10 * Math.log10(Math.max(er, 1e-12) / Math.max(et, 1e-12)) });
  }
  const score = sumRandom > 0 && Number.isFinite(sumRandom) && Number.isFinite(sumTrue) ? clamp01(1 - sumTrue / sumRandom) : sumRandom > 0 ? 0 : null;
  return { status: 'scored', score, formula: CONTROLLABILITY_FORMULA, perStep };
}
