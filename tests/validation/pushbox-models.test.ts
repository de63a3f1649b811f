/**
 * The suite on PushBox-v0 with the perfect model (the Rapier oracle) and each deliberately broken
 * model: the perfect model must score ~0 drift and PPS ≈ 1, and each broken model must be caught by
 * its matching check with a clearly lower score. Small sizes keep each validate() to ~1 s; the first
 * one also pays for Rapier's start-up (this file takes ~10 s on 2 busy cores).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushBoxValidationSpec } from '../../environments/push-box/validation.js';
import {
  OracleModel,
  contactFreeModel,
  driftingModel,
  ignoreActionsModel,
  noGravityModel,
  validate,
  type CheckId,
  type ValidationModel,
  type ValidationReport,
} from '../../src/validation/index.js';

const spec = pushBoxValidationSpec();
const env = spec.makeEnv();
const SIZES = { starts: 4, horizon: 10, scenarioInstances: 2, permanenceRows: 2, permanenceHorizon: 30, counterfactualStarts: 2, seed: 3 } as const;

const run = (model: ValidationModel) => validate({ env, model, spec, ...SIZES });
const check = (r: ValidationReport, id: CheckId) => r.plausibility.checks.find((c) => c.id === id)!;
const finalDrift = (r: ValidationReport) => r.drift.curves[0]!.overall.at(-1)!.mean;

let perfect: ValidationReport;
const oracle = new OracleModel(() => spec.makeEnv());

beforeAll(async () => {
  perfect = await run(oracle);
});

afterAll(async () => {
  await oracle.close();
  await env.close();
});

describe('the perfect model (Rapier oracle)', () => {
  it('has zero drift at every step', () => {
    for (const c of perfect.drift.curves) for (const p of c.overall) expect(p.mean).toBeLessThan(1e-6);
    expect(perfect.drift.curves[0]!.validHorizon).toBeNull();
  });

  it('scores PPS ≈ 1 with every PushBox check scored', () => {
    for (const id of ['gravity', 'support', 'non-penetration', 'permanence', 'energy', 'momentum'] as const) {
      const c = check(perfect, id);
      expect(c.status, id).toBe('scored');
      expect(c.score!, id).toBeGreaterThan(0.99);
    }
    expect(perfect.plausibility.pps!).toBeGreaterThan(0.99);
  });

  it('measures real gravity and scores the causal checks at 1', () => {
    expect(check(perfect, 'gravity').details.meanAccelerationReal as number).toBeCloseTo(9.81, 0);
    expect(perfect.causal.controllability.score!).toBeGreaterThan(0.99);
    expect(perfect.causal.counterfactual.status).toBe('scored');
    expect(perfect.causal.counterfactual.score!).toBeGreaterThan(0.99);
  });

  it('is reproducible: the same seed gives the same numbers', async () => {
    const again = await run(oracle);
    expect(again.plausibility.checks.map((c) => c.score)).toEqual(perfect.plausibility.checks.map((c) => c.score));
    expect(again.scale.std).toEqual(perfect.scale.std);
  });
});

describe('broken models are caught by the matching check', () => {
  it('a model that ignores actions has controllability ≈ 0, fails counterfactuals and momentum transfer', async () => {
    const r = await run(ignoreActionsModel(new OracleModel(() => spec.makeEnv())));
    expect(r.causal.controllability.score!).toBeLessThan(0.1);
    expect(r.causal.counterfactual.score!).toBeLessThan(0.2);
    expect(check(r, 'momentum').score!).toBeLessThan(0.2);
    // It is physically plausible otherwise: gravity and support still hold.
    expect(check(r, 'gravity').score!).toBeGreaterThan(0.95);
    expect(check(r, 'support').score!).toBeGreaterThan(0.95);
  });

  it('a model without gravity fails the gravity check while support and non-penetration still pass', async () => {
    const m = noGravityModel(spec);
    const r = await run(m);
    await m.close?.();
    const g = check(r, 'gravity');
    expect(g.score!).toBeLessThan(0.1);
    expect(g.details.meanAccelerationModel as number).toBeLessThan(0.5);
    expect(check(r, 'support').score!).toBeGreaterThan(0.95);
    expect(check(r, 'non-penetration').score!).toBeGreaterThan(0.95);
  });

  it('a model that ignores contacts lets bodies pass through the table and the box', async () => {
    const r = await run(contactFreeModel(spec));
    const np = check(r, 'non-penetration');
    expect(np.score!).toBeLessThan(0.5);
    expect(np.instances.some((i) => /box in table|pusher in box/.test(i.note ?? ''))).toBe(true);
    expect(check(r, 'support').score!).toBeLessThan(0.5);
  });

  it('a slowly drifting model shows drift growing with the horizon', async () => {
    const m = driftingModel(new OracleModel(() => spec.makeEnv()), { scale: perfect.scale.std, rate: 0.02 });
    const r = await run(m);
    const curve = r.drift.curves[0]!.overall.map((p) => p.mean);
    // Every entry is off by 0.02·h σ at step h, so the mean field error is exactly 0.02·h.
    curve.forEach((e, h) => {
      expect(e).toBeCloseTo(0.02 * (h + 1), 4);
    });
    expect(finalDrift(r)).toBeGreaterThan(0.15);
    expect(finalDrift(perfect)).toBeLessThan(1e-6);
  });
});
