/**
 * Environment cards: a custom environment registered with one `registerCard` call (the toy in
 * tests/fixtures/toy-env/, one folder) is found by `make` and every lookup; the built-in cards keep the
 * registration order and the presets; the fallbacks and the registry's errors.
 */
import { describe, expect, it } from 'vitest';
import { createPlanSource } from '../../agents/plan-factory.js';
import { environmentCard, environmentCards, planPresetFor, registerCard, scriptedPolicyFor, validationSpecFor } from '../../environments/index.js';
import { DEFAULT_PLAN_PRESET } from '../../src/planning/plan-preset.js';
import { listRegistrations, make } from '../../src/registry.js';
import { validateSpec } from '../../src/validation/spec.js';
import { toyCard } from '../fixtures/toy-env/card.js';

describe('environment cards', () => {
  it('a registered card makes its environment and answers every lookup', async () => {
    expect(environmentCard('Toy-v0')).toBe(toyCard);
    const env = make('Toy-v0');
    expect(env.spec.maxEpisodeSteps).toBe(50);
    const policy = scriptedPolicyFor('Toy-v0', {})!;
    let { observation } = await env.reset({ seed: 3 });
    let steps = 0;
    for (let done = false; !done; steps++) {
      const step = await env.step(await policy.act(observation));
      observation = step.observation;
      done = step.terminated || step.truncated;
      if (step.terminated) expect(step.info.success).toBe(true);
    }
    expect(steps).toBeLessThan(50);
    await env.close();

    expect(planPresetFor('Toy-v0')).toEqual({ ...DEFAULT_PLAN_PRESET, horizon: 8, samples: 16, iterations: 2 });
    const source = await createPlanSource({ envId: 'Toy-v0', seed: 1 });
    expect(source.preset).toEqual(planPresetFor('Toy-v0'));
    await source.close();

    const spec = validationSpecFor('Toy-v0', { dt: 0.05 });
    expect(spec.controlDt).toBe(0.05);
    expect(() => validateSpec(spec, { obsDim: 2, actionDim: 1 })).not.toThrow();
  });

  it('keep the built-in registration order and presets, with the default where a card has none', () => {
    const builtIn = ['LineWorld-v0', 'Reach-v0', 'PushBox-v0', 'CartPole-v0', 'Arm-v0', 'Warehouse-v0'];
    expect(listRegistrations().map((r) => r.id)).toEqual(expect.arrayContaining(builtIn));
    expect(
      environmentCards()
        .map((c) => c.id)
        .slice(0, 6),
    ).toEqual(builtIn);
    expect(planPresetFor('PushBox-v0')).toMatchObject({ algorithm: 'icem', horizon: 15, samples: 32, iterations: 3 });
    expect(planPresetFor('CartPole-v0')).toMatchObject({ algorithm: 'icem', horizon: 30, replanEvery: 2, afterTruncation: 'zero' });
    expect(planPresetFor('Arm-v0')).toBe(DEFAULT_PLAN_PRESET);
    expect(planPresetFor('Nope-v0')).toBe(DEFAULT_PLAN_PRESET);
    expect(scriptedPolicyFor('LineWorld-v0', {})).toBeUndefined();
    expect(scriptedPolicyFor('PushBox-v0', {})?.name).toMatch(/^scripted:/);
    expect(() => validationSpecFor('LineWorld-v0')).toThrow(/no validation spec for LineWorld-v0; specs exist for Reach-v0, PushBox-v0/);
  });

  it('refuse a second card for an id unless overridden, and a card for an unregistered environment', () => {
    expect(() => registerCard({ id: 'Toy-v0' })).toThrow(/a card for Toy-v0 is already registered; pass \{ override: true \}/);
    expect(() => registerCard({ id: 'Nowhere-v0' })).toThrow(/Nowhere-v0/);
    expect(environmentCard('Nowhere-v0')).toBeUndefined();
  });
});
