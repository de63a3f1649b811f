/**
 * Every built-in environment's validation spec: the perfect model (the Rapier oracle) scores PPS 1
 * and zero drift, checks that do not apply are "not applicable" with a reason, and on the warehouse
 * (shelves, a package to drop and push) the contact-free and action-blind models are caught.
 * About 1–3 s per environment on 2 busy cores.
 */
import { describe, expect, it } from 'vitest';
import { environmentCards, validationSpecFor } from '../../environments/index.js';
import {
  OracleModel,
  contactFreeModel,
  ignoreActionsModel,
  validate,
  validateSpec,
  type CheckId,
  type ValidationModel,
  type ValidationReport,
} from '../../src/validation/index.js';

const TINY = { starts: 3, horizon: 8, scenarioInstances: 2, permanenceRows: 2, permanenceHorizon: 20, counterfactualStarts: 2, seed: 1 } as const;

async function run(envId: string, build: (spec: ReturnType<typeof validationSpecFor>) => ValidationModel): Promise<ValidationReport> {
  const spec = validationSpecFor(envId);
  const env = spec.makeEnv();
  const model = build(spec);
  try {
    return await validate({ env, model, spec, ...TINY });
  } finally {
    await model.close?.();
    await env.close();
  }
}

const status = (r: ValidationReport) => Object.fromEntries(r.plausibility.checks.map((c) => [c.id, c.status])) as Record<CheckId, string>;

describe('validation specs of the built-in environments', () => {
  it('are consistent with their environments', () => {
    const ids = environmentCards().flatMap((card) => (card.validationSpec ? [card.id] : []));
    expect(ids).toEqual(['Reach-v0', 'PushBox-v0', 'CartPole-v0', 'Arm-v0', 'Warehouse-v0']);
    for (const id of ids) {
      const spec = validationSpecFor(id);
      const env = spec.makeEnv();
      expect(() => validateSpec(spec, { obsDim: env.observationSpace.shape[0]!, actionDim: env.actionSpace.shape[0]! }), id).not.toThrow();
      void env.close();
    }
    expect(() => validationSpecFor('Nope-v0')).toThrow(/no validation spec for Nope-v0; specs exist for Reach-v0, PushBox-v0, CartPole-v0, Arm-v0, Warehouse-v0/);
  });

  it("Warehouse-v0's drop zones are regions drawn under its top views", () => {
    const spec = validationSpecFor('Warehouse-v0');
    const zones = spec.regions!;
    expect(zones.length).toBeGreaterThan(0);
    expect(zones.every((z) => z.kind === 'drop zone' && z.max[0] > z.min[0] && z.max[1] > z.min[1])).toBe(true);
    expect(spec.overlays!.every((o) => o.topView)).toBe(true);
  });

  it.each([
    ['Reach-v0', { gravity: 'not-applicable', support: 'scored', 'non-penetration': 'not-applicable', energy: 'scored', momentum: 'not-applicable' }],
    ['CartPole-v0', { gravity: 'not-applicable', support: 'not-applicable', 'non-penetration': 'not-applicable', energy: 'scored', momentum: 'not-applicable' }],
    ['Arm-v0', { gravity: 'not-applicable', support: 'scored', 'non-penetration': 'not-applicable', energy: 'scored', momentum: 'not-applicable' }],
    ['Warehouse-v0', { gravity: 'scored', support: 'scored', 'non-penetration': 'scored', energy: 'scored', momentum: 'scored' }],
  ] as const)('%s: the oracle scores PPS 1, zero drift, counterfactual 1', async (id, expected) => {
    const r = await run(id, (spec) => new OracleModel(() => spec.makeEnv()));
    expect(status(r)).toMatchObject({ ...expected, permanence: 'scored' });
    expect(r.plausibility.pps).toBeCloseTo(1, 6);
    for (const p of r.drift.curves[0]!.overall) expect(p.mean).toBeLessThan(1e-6);
    expect(r.causal.counterfactual.score!).toBeGreaterThan(0.99);
    for (const c of r.plausibility.checks.filter((x) => x.status === 'not-applicable')) expect(c.reason).toMatch(new RegExp(`${id.replace('-v0', '')}|nothing|collide`));
  });

  it('Warehouse-v0: a contact-free model drives through shelves and drops packages through the floor', async () => {
    const r = await run('Warehouse-v0', (spec) => contactFreeModel(spec));
    const np = r.plausibility.checks.find((c) => c.id === 'non-penetration')!;
    expect(np.score!).toBeLessThan(0.5);
    expect(np.instances.some((i) => /robot0 in (shelf|boundary)/.test(i.note ?? ''))).toBe(true);
    expect(r.plausibility.checks.find((c) => c.id === 'support')!.score!).toBeLessThan(0.5);
  });

  it('Warehouse-v0: an action-blind model fails controllability, the grip counterfactual and pushes', async () => {
    const r = await run('Warehouse-v0', (spec) => ignoreActionsModel(new OracleModel(() => spec.makeEnv()), { action: spec.idleAction! }));
    expect(r.causal.controllability.score!).toBeLessThan(0.1);
    const grip = r.causal.counterfactual.interventions.find((i) => /grip/.test(i.name))!;
    expect(grip.score!).toBeLessThan(0.2);
    expect(r.plausibility.checks.find((c) => c.id === 'momentum')!.score!).toBeLessThan(0.2);
  });
});
