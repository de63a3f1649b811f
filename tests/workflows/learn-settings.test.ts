import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { environmentCard, planPresetFor } from '../../environments/cards.js';
import { learnSettings } from '../../workflows/learn/settings.js';

describe('learn settings', () => {
  it("plan on-policy and validate with the card's demo task's learned optimiser, else the plan preset's", () => {
    // Warehouse-v0 has no plan preset (the default's MPPI); its demo task plays the model with iCEM.
    expect(planPresetFor('Warehouse-v0').algorithm).toBe('mppi');
    expect(environmentCard('Warehouse-v0')!.demo!.learned.algorithm).toBe('icem');
    const warehouse = learnSettings('Warehouse-v0', 600_000);
    expect(warehouse.validation.algorithm).toBe('icem');
    expect(warehouse.onPolicy.algorithm).toBe('icem');
    // Without a demo task (Reach-v0): the preset's optimiser.
    const reach = learnSettings('Reach-v0', 180_000);
    expect(reach.validation.algorithm).toBe(planPresetFor('Reach-v0').algorithm);
    expect(reach.onPolicy.algorithm).toBe(planPresetFor('Reach-v0').algorithm);
    // A caller's setting is the last layer.
    expect(learnSettings('Warehouse-v0', 600_000, { validation: { algorithm: 'cem' } }).validation.algorithm).toBe('cem');
  });
});
