/**
 * PPO end to end on the toy environment (a point on a line, tests/fixtures/toy-env): it learns to reach
 * the goal, the exported bundle succeeds on held-out seeds, Ctrl-C (an abort) keeps a checkpoint that a
 * resumed run continues from, and bad settings are refused with messages that name them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../fixtures/toy-env/card.js';
import { parsePolicyConfig } from '../../src/policies/config.js';
import { PpoLearner } from '../../src/policies/ppo.js';
import { makeVec } from '../../src/registry.js';
import { evaluatePolicy } from '../../workflows/evaluate-policy.js';
import { trainPpo } from '../../workflows/rl.js';

const root = mkdtempSync(join(tmpdir(), 'ppo-'));

describe('PPO', () => {
  it('solves the toy environment: ≥ 90% success on held-out seeds', async () => {
    const r = await trainPpo({
      env: 'Toy-v0',
      vector: 'sync',
      numEnvs: 8,
      out: join(root, 'toy'),
      totalSteps: 60_000,
      targetSuccess: 0.95,
      ppo: { seed: 1, rolloutSteps: 64, minibatchSize: 128 },
    });
    expect(r.reason).toBe('target');
    expect(r.manifest!.algorithm).toBe('ppo');
    expect(r.manifest!.provenance.envSteps).toBe(r.envSteps);
    expect(r.share.env + r.share.inference + r.share.update).toBeLessThanOrEqual(1.001);
    const e = await evaluatePolicy({ policy: r.bundle!, seeds: Array.from({ length: 20 }, (_v, i) => 100 + i) });
    expect(e.summary.successRate).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  it('an abort keeps a checkpoint; a resumed run continues from its iteration', async () => {
    const controller = new AbortController();
    const base = {
      env: 'Toy-v0',
      vector: 'sync' as const,
      numEnvs: 4,
      out: join(root, 'resume'),
      totalSteps: 2048,
      ppo: { seed: 2, rolloutSteps: 32, minibatchSize: 64, epochs: 2 },
    };
    const stopped = await trainPpo({ ...base, signal: controller.signal, onIteration: (it) => it.iteration >= 3 && controller.abort() });
    expect(stopped.stopped).toBe(true);
    expect(stopped.iterations).toBe(3);
    expect(stopped.bundle).toBeUndefined();
    const resumed = await trainPpo({ ...base, resume: true });
    expect(resumed.envSteps).toBe(2048);
    expect(resumed.iterations).toBe(16);
    expect(resumed.curves.charts.find((c) => c.title === 'losses')!.series.loss!.length).toBe(16);
  }, 60_000);

  it('refuses a deterministic policy, other sizes and a minibatch larger than a rollout', async () => {
    const envs = await makeVec('Toy-v0', 2, 'sync', { autoresetMode: 'same-step' });
    try {
      const det = parsePolicyConfig({ obsDim: 2, actionDim: 1, kind: 'deterministic', value: true });
      await expect(PpoLearner.create(envs, det, {}, [-1], [1])).rejects.toThrow("PPO needs a Gaussian policy with a value head, got kind 'deterministic', value true");
      const wide = parsePolicyConfig({ obsDim: 3, actionDim: 1, value: true });
      await expect(PpoLearner.create(envs, wide, {}, [-1], [1])).rejects.toThrow('the policy maps 3 observation to 1 action values, the environments have 2 and 1');
      const ok = parsePolicyConfig({ obsDim: 2, actionDim: 1, value: true });
      await expect(PpoLearner.create(envs, ok, { rolloutSteps: 8, minibatchSize: 64 }, [-1], [1])).rejects.toThrow(
        'expected `minibatchSize` ≤ rolloutSteps × numEnvs = 16, got 64',
      );
      await expect(PpoLearner.create(envs, ok, { clip: 2 }, [-1], [1])).rejects.toThrow(/PPO options: `clip`/);
    } finally {
      await envs.close();
    }
  });
});
