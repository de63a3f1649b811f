/**
 * The shipped models, planned with MPC in their latent space (the demo's planner settings), succeed in
 * Rapier: the warehouse model delivers, the PushBox model pushes the box onto the goal. A handful of seeded
 * episodes keeps this quick (~25 s and ~5 s on 2 cores); the full 20-episode rates are measured by
 * bench/demo.bench.ts (bench/results/demo.json).
 */
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { demoTask, shippedBundle } from '../../workflows/demo/demo-tasks.js';
import { playEpisodes } from '../../workflows/demo/play.js';
import { mpcAgent } from '../../agents/mpc-agent.js';
import { createPlanSource } from '../../agents/plan-factory.js';
import { make } from '../../src/registry.js';

/** Stated threshold: at least 4 of 5 episodes succeed (the acceptance lists ask ≥ 80% and ≥ 90% over 20). */
const EPISODES = 5;
const MIN_SUCCESSES = 4;

describe.each([
  { envId: 'Warehouse-v0', what: 'delivers', onePackage: true },
  { envId: 'PushBox-v0', what: 'pushes the box onto the goal', onePackage: false },
])('the shipped $envId model under learned MPC', ({ envId, what, onePackage }) => {
  it(`${what} in at least ${MIN_SUCCESSES} of ${EPISODES} seeded episodes`, { timeout: 180_000 }, async () => {
    const task = demoTask(envId);
    const p = task.learned;
    const source = await createPlanSource({ envId: task.envId, model: shippedBundle(task), ...p });
    try {
      // Seeds 100…104: not the 20 acceptance seeds of the bench (0…19).
      const seeds = Array.from({ length: EPISODES }, (_, k) => 100 + k);
      const episodes = await playEpisodes(() => make(task.envId, task.envOptions), mpcAgent({ source, replanEvery: p.replanEvery }), { seeds });
      if (onePackage) expect(episodes.map((e) => e.deliveries)).toEqual(episodes.map((e) => (e.success ? 1 : 0))); // one package per tiny episode
      expect(episodes.filter((e) => e.success).length).toBeGreaterThanOrEqual(MIN_SUCCESSES);
    } finally {
      await source.close();
    }
  });
});
