/**
 * Oracle MPC (planning with Rapier itself through `PhysicsRolloutModel`, the environment presets of
 * `agents/plan-factory.ts`) solves Reach-v0, PushBox-v0 and CartPole-v0 — a few seeded episodes here;
 * the 20-episode success rates are measured in bench/agents.bench.ts. CartPole runs 150 of its 500
 * steps here (success = balanced at the last step).
 *
 * The slowest file of tests/agents: every plan steps Rapier hundreds to thousands of times (~15 s of
 * CPU; PushBox's iCEM plans 1 440 steps each).
 */
import { describe, expect, it } from 'vitest';
import { createPlanSource } from '../../agents/plan-factory.js';
import { mpcAgent } from '../../agents/mpc-agent.js';
import { evaluateAgent } from '../../agents/run-episodes.js';
import { make } from '../../src/registry.js';

async function oracleEpisodes(envId: string, seeds: number[], maxSteps?: number) {
  const source = await createPlanSource({ envId, oracle: true });
  try {
    return await evaluateAgent(() => make(envId), mpcAgent({ source, replanEvery: source.preset.replanEvery }), { seeds, ...(maxSteps !== undefined && { maxSteps }) });
  } finally {
    await source.close();
  }
}

describe('oracle MPC', () => {
  it('solves Reach-v0', async () => {
    const { summary, results } = await oracleEpisodes('Reach-v0', [0, 1, 2]);
    expect(summary.successRate).toBe(1);
    expect(results.every((r) => r.terminated && r.length < 40)).toBe(true);
  }, 300_000);

  it('solves PushBox-v0', async () => {
    const { summary, results } = await oracleEpisodes('PushBox-v0', [0]);
    expect(summary.successRate).toBe(1);
    expect(results[0]!.terminated).toBe(true);
  }, 300_000);

  it('balances CartPole-v0', async () => {
    const { summary, results } = await oracleEpisodes('CartPole-v0', [0], 150);
    expect(summary.successRate).toBe(1);
    expect(results[0]!.length).toBe(150);
    expect(results[0]!.return).toBeGreaterThan(140); // ≈ 1 per upright step
  }, 300_000);
});
