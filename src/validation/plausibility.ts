/**
 * The physical plausibility battery. Each check runs a scenario built in the real environment
 * through reset options, runs the same actions in the model, and scores the model's prediction 0..1
 * against what Rapier did (so discretisation, friction and contact softness of the real simulator
 * are never held against a model). The Physical Plausibility Score (PPS) is the mean of the scored
 * checks. Formulas are in each check's `formula` and in docs/validation.md.
 *
 * @module
 */
import { bodyPosition, sweptPenetration } from './geometry.js';
import type { RealBatch } from './real-rollouts.js';
import type { CheckId, CheckInstance, CheckResult } from './report-types.js';
import type { ObservedBody, ScenarioInstance, ScenarioSpec, ValidationSpec } from './spec.js';
import { clamp01, mean } from '../stats.js';

/** A scenario as run: its instances, the real batch and the model's predicted observations. */
export interface ScenarioRun {
  readonly scenario: ScenarioSpec;
  readonly instances: readonly ScenarioInstance[];
  readonly real: RealBatch;
  /** `B × H × D`. */
  readonly predicted: Float32Array;
}

/** The observation of row b at step h (0 = start) from the real batch or a prediction. */
function at(real: RealBatch, pred: Float32Array | undefined, b: number, h: number): [ArrayLike<number>, number] {
  const D = real.obsDim;
  if (h === 0) return [real.startObservations, b * D];
  return [pred ?? real.observations, (b * real.horizon + h - 1) * D];
}

/** Number of scored steps of row b (steps 1..n happened in reality). */
function scoredSteps(real: RealBatch, b: number): number {
  let n = 0;
  while (n < real.horizon && real.valid[b * real.horizon + n]) n++;
  return n;
}

function bodyOf(spec: ValidationSpec, name: string): ObservedBody {
  return spec.bodies.find((b) => b.name === name)!;
}

function aggregate(instances: CheckInstance[]): number | null {
  const s = instances.map((i) => i.score).filter((v): v is number => v !== null);
  return s.length > 0 ? mean(s) : null;
}

/** A check that is not scored. */
export function unscoredCheck(
  id: CheckId,
  name: string,
  status: 'not-applicable' | 'not-available',
  reason: string,
  scenario = '',
  formula = PLAUSIBILITY_FORMULAS[id],
): CheckResult {
  return { id, name, status, score: null, scenario, formula, reason, details: {}, instances: [] };
}

/** Documented score formulas, by check. */
export const PLAUSIBILITY_FORMULAS: Readonly<Record<CheckId, string>> = {
  gravity: 'a = −2 Σ Δy(t)·t² / Σ t⁴ fitted over the real free-fall steps (Δy from the release height); score = clip(1 − |a_model − a_real| / a_real, 0, 1), mean over instances',
  support: 'd = max_h ‖p(h) − p_real(0)‖ over the horizon; score = clip(1 − max(0, d_model − d_real) / r, 0, 1) with r the body’s smallest half extent, mean over instances',
  'non-penetration':
    'score = 1 − (instances in which some predicted motion, swept from one step to the next, puts a body deeper than the tolerance inside an obstacle or another body while the real motion does not) / (instances), over the support, contact and push scenarios',
  permanence:
    "score = fraction of scored long-horizon steps (where reality satisfies them) at which every prediction is finite, constant quantities stay within σ/4 of their start, unit (cos, sin) pairs keep norm 1 ± 0.1, and values stay within the scene bounds and the observation space's finite bounds (± 2% of the range)",
  energy: 'ΔE⁺ = max(0, max_h E(h) − E_real(0)); score = clip(1 − max(0, ΔE⁺_model − ΔE⁺_real) / E_scale, 0, 1), mean over zero-actuation instances',
  momentum:
    'Δ = planar displacement of the pushed body; score = max(0, cos(Δ_model, Δ_real)) · min(ρ, 1/ρ) with ρ = ‖Δ_model‖ / ‖Δ_real‖, mean over pushes where the real body moved',
};

/** Gravity: an unsupported body released at rest falls with the real acceleration. */
export function gravityCheck(spec: ValidationSpec, run: ScenarioRun): CheckResult {
  const body = bodyOf(spec, run.scenario.body);
  const dt = spec.controlDt;
  const instances: CheckInstance[] = [];
  const fitAcceleration = (ys: number[]) => {
    let num = 0;
    let den = 0;
    for (let h = 1; h < ys.length; h++) {
      const t = h * dt;
      num += (ys[h]! - ys[0]!) * t * t;
      den += t ** 4;
    }
    return (-2 * num) / den;
  };
  run.instances.forEach((inst, b) => {
    const n = scoredSteps(run.real, b);
    const yReal: number[] = [];
    const yModel: number[] = [];
    for (let h = 0; h <= n; h++) {
      const [ro, roff] = at(run.real, undefined, b, h);
      const [mo, moff] = at(run.real, run.predicted, b, h);
      yReal.push(bodyPosition(spec, body, ro, roff)[1]!);
      yModel.push(bodyPosition(spec, body, mo, moff)[1]!);
    }
    // Free fall lasts while the real body keeps accelerating downward (it was released at rest).
    let end = 1;
    while (end < yReal.length && yReal[end]! - yReal[end - 1]! < (end >= 2 ? yReal[end - 1]! - yReal[end - 2]! : 0)) end++;
    const label = inst.label ?? `drop ${b}`;
    if (end - 1 < 2) {
      instances.push({ label, score: null, values: { freeFallSteps: end - 1 }, note: 'fewer than 2 free-fall steps in reality' });
      return;
    }
    const aReal = fitAcceleration(yReal.slice(0, end));
    const aModel = fitAcceleration(yModel.slice(0, end));
    const score = aReal > 0.1 * Math.max(spec.gravity, 1e-9) && Number.isFinite(aModel) ? clamp01(1 - Math.abs(aModel - aReal) / aReal) : Number.isFinite(aModel) ? null : 0;
    instances.push({ label, score, values: { aReal, aModel, freeFallSteps: end - 1 }, ...(score === null && { note: 'the real body did not accelerate downward' }) });
  });
  const vals = (k: string) => mean(instances.map((i) => i.values[k]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
  return {
    id: 'gravity',
    name: 'Gravity',
    status: 'scored',
    score: aggregate(instances),
    scenario: run.scenario.description,
    formula: PLAUSIBILITY_FORMULAS.gravity,
    details: { g: spec.gravity, meanAccelerationReal: vals('aReal'), meanAccelerationModel: vals('aModel') },
    instances,
  };
}

/** Support: a resting body stays put under zero actuation. */
export function supportCheck(spec: ValidationSpec, run: ScenarioRun): CheckResult {
  const body = bodyOf(spec, run.scenario.body);
  const r = Math.min(...body.halfExtents);
  const instances: CheckInstance[] = run.instances.map((inst, b) => {
    const n = scoredSteps(run.real, b);
    const [so, soff] = at(run.real, undefined, b, 0);
    const p0 = bodyPosition(spec, body, so, soff);
    let dReal = 0;
    let dModel = 0;
    for (let h = 1; h <= n; h++) {
      const [ro, roff] = at(run.real, undefined, b, h);
      const [mo, moff] = at(run.real, run.predicted, b, h);
      const pr = bodyPosition(spec, body, ro, roff);
      const pm = bodyPosition(spec, body, mo, moff);
      dReal = Math.max(dReal, Math.hypot(pr[0]! - p0[0]!, pr[1]! - p0[1]!, pr[2]! - p0[2]!));
      const dm = Math.hypot(pm[0]! - p0[0]!, pm[1]! - p0[1]!, pm[2]! - p0[2]!);
      dModel = Math.max(dModel, Number.isFinite(dm) ? dm : Number.POSITIVE_INFINITY);
    }
    return { label: inst.label ?? `rest ${b}`, score: clamp01(1 - Math.max(0, dModel - dReal) / r), values: { displacementReal: dReal, displacementModel: dModel, steps: n } };
  });
  return {
    id: 'support',
    name: 'Support',
    status: 'scored',
    score: aggregate(instances),
    scenario: run.scenario.description,
    formula: PLAUSIBILITY_FORMULAS.support,
    details: { tolerance: r, maxDisplacementModel: Math.max(...instances.map((i) => i.values.displacementModel as number)) },
    instances,
  };
}

/** Penetration tallies of a batch: scored steps and rows, and those where only the prediction penetrates. */
export interface PenetrationCounts {
  readonly rows: number;
  /** Rows with at least one step where the prediction penetrates and reality does not. */
  readonly badRows: number;
  readonly steps: number;
  /** Steps where the prediction penetrates and reality does not. */
  readonly badSteps: number;
  /** Steps where reality itself reads as penetrating (geometry approximations; never held against the model). */
  readonly realSteps: number;
  /** Deepest predicted penetration, m, and what it was. */
  readonly maxDepth: number;
  readonly what: string;
}

/** Tallies the penetrations of a batch (swept from each step to the next). */
export function penetrationCounts(spec: ValidationSpec, real: RealBatch, predicted: Float32Array): PenetrationCounts {
  const tol = spec.penetrationTolerance ?? 0.005;
  let steps = 0;
  let badSteps = 0;
  let badRows = 0;
  let realSteps = 0;
  let maxDepth = 0;
  let what = '';
  for (let b = 0; b < real.count; b++) {
    const n = scoredSteps(real, b);
    let rowBad = false;
    for (let h = 1; h <= n; h++) {
      const pr = sweptPenetration(spec, ...at(real, undefined, b, h - 1), ...at(real, undefined, b, h));
      const pm = sweptPenetration(spec, ...at(real, predicted, b, h - 1), ...at(real, predicted, b, h));
      steps++;
      if (pr.depth > tol) realSteps++;
      else if (pm.depth > tol) {
        badSteps++;
        rowBad = true;
      }
      if (pm.depth > maxDepth) {
        maxDepth = pm.depth;
        what = pm.what;
      }
    }
    if (rowBad) badRows++;
  }
  return { rows: real.count, badRows, steps, badSteps, realSteps, maxDepth, what };
}

/**
 * Non-penetration over the contact-related scenarios (`runs`): the fraction of instances whose
 * predicted motion never passes into an obstacle or another body. The open-loop rollouts' rate
 * (`openLoop`) is reported for information.
 */
export function penetrationCheck(spec: ValidationSpec, runs: readonly ScenarioRun[], openLoop?: { real: RealBatch; predicted: Float32Array }): CheckResult {
  const counts = runs.map((run) => penetrationCounts(spec, run.real, run.predicted));
  const instances: CheckInstance[] = runs.map((run, k) => {
    const c = counts[k]!;
    return {
      label: run.scenario.description,
      score: c.rows > 0 ? 1 - c.badRows / c.rows : null,
      values: { rows: c.rows, penetratingRows: c.badRows, steps: c.steps, penetratingSteps: c.badSteps, realPenetratingSteps: c.realSteps, maxDepthModel: c.maxDepth },
      ...(c.what && c.maxDepth > (spec.penetrationTolerance ?? 0.005) && { note: `deepest: ${c.what}` }),
    };
  });
  const rows = counts.reduce((s, c) => s + c.rows, 0);
  const bad = counts.reduce((s, c) => s + c.badRows, 0);
  const open = openLoop ? penetrationCounts(spec, openLoop.real, openLoop.predicted) : undefined;
  return {
    id: 'non-penetration',
    name: 'Non-penetration',
    status: 'scored',
    score: rows > 0 ? 1 - bad / rows : null,
    scenario: runs.map((r) => r.scenario.description).join('; '),
    formula: PLAUSIBILITY_FORMULAS['non-penetration'],
    details: {
      tolerance: spec.penetrationTolerance ?? 0.005,
      rows,
      penetratingRows: bad,
      penetratingSteps: counts.reduce((s, c) => s + c.badSteps, 0),
      steps: counts.reduce((s, c) => s + c.steps, 0),
      openLoopRows: open?.rows ?? null,
      openLoopPenetratingRows: open?.badRows ?? null,
    },
    instances,
  };
}

/**
 * Object permanence on long-horizon predictions. `scale` is the per-dimension σ; `spaceBounds`, the
 * observation space's bounds, add a bounds invariant for every finite entry the spec does not bound.
 */
export function permanenceCheck(
  spec: ValidationSpec,
  real: RealBatch,
  predicted: Float32Array,
  scale: Float32Array,
  description: string,
  spaceBounds?: { low: ArrayLike<number>; high: ArrayLike<number> },
): CheckResult {
  const given = spec.invariants ?? {};
  const bounded = new Set((given.bounds ?? []).map((b) => b.index));
  const extra: { index: number; min: number; max: number }[] = [];
  if (spaceBounds) {
    for (let d = 0; d < real.obsDim; d++) {
      const lo = spaceBounds.low[d]!;
      const hi = spaceBounds.high[d]!;
      // A 2% margin of the range (or 0.01) so that, say, a predicted cosine of 1.0001 is not "out of the scene".
      const margin = Number.isFinite(hi - lo) ? 0.02 * (hi - lo) : 0.01;
      if (!bounded.has(d) && (Number.isFinite(lo) || Number.isFinite(hi))) extra.push({ index: d, min: lo - margin, max: hi + margin });
    }
  }
  const inv = { ...given, bounds: [...(given.bounds ?? []), ...extra] };
  const D = real.obsDim;
  const counts = { finite: 0, constant: 0, unit: 0, bounds: 0 };
  let steps = 0;
  let good = 0;
  const holds = (o: ArrayLike<number>, off: number, start: ArrayLike<number>, soff: number, tally: boolean) => {
    let ok = true;
    let finite = true;
    for (let d = 0; d < D; d++) if (!Number.isFinite(o[off + d]!)) finite = false;
    if (!finite) (ok = false), tally && counts.finite++;
    if ((inv.constant ?? []).some((i) => !(Math.abs(o[off + i]! - start[soff + i]!) <= scale[i]! / 4))) (ok = false), tally && counts.constant++;
    if ((inv.unitPairs ?? []).some(([i, j]) => !(Math.abs(Math.hypot(o[off + i]!, o[off + j]!) - 1) <= 0.1))) (ok = false), tally && counts.unit++;
    if ((inv.bounds ?? []).some((bd) => !(o[off + bd.index]! >= bd.min && o[off + bd.index]! <= bd.max))) (ok = false), tally && counts.bounds++;
    return ok;
  };
  for (let b = 0; b < real.count; b++) {
    const n = scoredSteps(real, b);
    for (let h = 1; h <= n; h++) {
      const [ro, roff] = at(real, undefined, b, h);
      if (!holds(ro, roff, real.startObservations, b * D, false)) continue;
      const [mo, moff] = at(real, predicted, b, h);
      steps++;
      if (holds(mo, moff, real.startObservations, b * D, true)) good++;
    }
  }
  const rate = (k: number) => (steps > 0 ? k / steps : null);
  return {
    id: 'permanence',
    name: 'Object permanence',
    status: 'scored',
    score: steps > 0 ? good / steps : null,
    scenario: description,
    formula: PLAUSIBILITY_FORMULAS.permanence,
    details: {
      steps,
      violationRateFinite: rate(counts.finite),
      violationRateConstant: rate(counts.constant),
      violationRateUnitNorm: rate(counts.unit),
      violationRateBounds: rate(counts.bounds),
    },
    instances: [],
  };
}

/** Energy: with zero actuation, mechanical energy must not grow. */
export function energyCheck(spec: ValidationSpec, run: ScenarioRun): CheckResult {
  const E = (o: ArrayLike<number>, off: number) => spec.energy!(o as Float32Array, off);
  const scale = spec.energyScale!;
  const instances: CheckInstance[] = run.instances.map((inst, b) => {
    const n = scoredSteps(run.real, b);
    const [so, soff] = at(run.real, undefined, b, 0);
    const e0 = E(so, soff);
    let maxReal = e0;
    let maxModel = e0;
    for (let h = 1; h <= n; h++) {
      const [ro, roff] = at(run.real, undefined, b, h);
      const [mo, moff] = at(run.real, run.predicted, b, h);
      maxReal = Math.max(maxReal, E(ro, roff));
      const em = E(mo, moff);
      maxModel = Math.max(maxModel, Number.isFinite(em) ? em : Number.POSITIVE_INFINITY);
    }
    const gainReal = Math.max(0, maxReal - e0);
    const gainModel = Math.max(0, maxModel - e0);
    return { label: inst.label ?? `coast ${b}`, score: clamp01(1 - Math.max(0, gainModel - gainReal) / scale), values: { energyStart: e0, gainReal, gainModel } };
  });
  return {
    id: 'energy',
    name: 'Energy',
    status: 'scored',
    score: aggregate(instances),
    scenario: run.scenario.description,
    formula: PLAUSIBILITY_FORMULAS.energy,
    details: { energyScale: scale, maxGainModel: Math.max(...instances.map((i) => i.values.gainModel as number)) },
    instances,
  };
}

/** Momentum transfer: a pushed body moves in the real direction by about the real amount. */
export function momentumCheck(spec: ValidationSpec, run: ScenarioRun): CheckResult {
  const body = bodyOf(spec, run.scenario.body);
  const minMove = 0.2 * Math.min(body.halfExtents[0], body.halfExtents[2]);
  const instances: CheckInstance[] = run.instances.map((inst, b): CheckInstance => {
    const n = scoredSteps(run.real, b);
    const label = inst.label ?? `push ${b}`;
    const [so, soff] = at(run.real, undefined, b, 0);
    const [ro, roff] = at(run.real, undefined, b, n);
    const [mo, moff] = at(run.real, run.predicted, b, n);
    const p0 = bodyPosition(spec, body, so, soff);
    const pr = bodyPosition(spec, body, ro, roff);
    const pm = bodyPosition(spec, body, mo, moff);
    const rx = pr[0]! - p0[0]!;
    const rz = pr[2]! - p0[2]!;
    const mx = pm[0]! - p0[0]!;
    const mz = pm[2]! - p0[2]!;
    const nr = Math.hypot(rx, rz);
    const nm = Math.hypot(mx, mz);
    if (n === 0 || nr < minMove) return { label, score: null, values: { moveReal: nr, moveModel: nm }, note: 'the real body barely moved' };
    const cos = nm > 0 && Number.isFinite(nm) ? (rx * mx + rz * mz) / (nr * nm) : 0;
    const ratio = nm / nr;
    const score = Number.isFinite(ratio) && ratio > 0 ? Math.max(0, cos) * Math.min(ratio, 1 / ratio) : 0;
    return { label, score, values: { moveReal: nr, moveModel: nm, cosine: cos, ratio } };
  });
  const scored = instances.filter((i) => i.score !== null);
  return {
    id: 'momentum',
    name: 'Momentum transfer',
    status: 'scored',
    score: aggregate(instances),
    scenario: run.scenario.description,
    formula: PLAUSIBILITY_FORMULAS.momentum,
    details: { pushes: instances.length, scoredPushes: scored.length, meanCosine: mean(scored.map((i) => i.values.cosine as number)) },
    instances,
  };
}

/** PPS: the mean of the scored checks (null when none is scored). */
export function physicalPlausibilityScore(checks: readonly CheckResult[]): number | null {
  const s = checks.filter((c) => c.status === 'scored' && c.score !== null).map((c) => c.score!);
  return s.length > 0 ? mean(s) : null;
}
