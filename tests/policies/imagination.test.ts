/**
 * Actor-critic in imagination: the objective's gradients (through the frozen dynamics, reward and terminal
 * heads, λ-returns, the held critic) match float64 central differences; and the workflow trains a policy
 * only inside a world model trained on the toy environment and exports it with the model's encoder, as a
 * policy bundle that reads observations and acts in the real environment.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../fixtures/toy-env/card.js';
import { loadPolicyBundle } from '../../agents/policy-bundle.js';
import { Graph, ParamScope, nd } from '../../src/graph/index.js';
import { parsePolicyConfig } from '../../src/policies/config.js';
import { ImaginationObjective, type WorldModelWeights } from '../../src/policies/imagination.js';
import { Rng } from '../../src/rng.js';
import { objectiveParams } from '../../src/training/train-step.js';
import { parseWorldModelConfig } from '../../src/training/wm-config.js';
import { WorldModelObjective } from '../../src/training/wm-objective.js';
import { collectDataset } from '../../workflows/collect.js';
import { evaluatePolicy } from '../../workflows/evaluate-policy.js';
import { evaluateInImagination, trainInImagination } from '../../workflows/imagine.js';
import { trainWorldModel } from '../../workflows/train.js';
import { finiteDifferenceCheck } from '../graph/gradcheck.js';
import { ToyEnv } from '../fixtures/toy-env/toy-env.js';
import { testStats } from '../training/helpers.js';

describe('ImaginationObjective', () => {
  it('gradients in the actor and critic parameters match central differences', () => {
    const config = parseWorldModelConfig({
      obsDim: 3,
      actionDim: 2,
      latentDim: 8,
      simNormGroup: 4,
      encoderHidden: [6],
      dynamicsHidden: [6],
      rewardHidden: [4],
      terminalHidden: [4],
      terminal: true,
      batchSize: 2,
      horizon: 2,
    });
    const stats = testStats(3);
    const rng = Rng.fromSeed(3);
    const params = new Map(
      objectiveParams(new WorldModelObjective(config, stats)).map((p) => [
        p.name,
        Float32Array.from({ length: p.size }, () => rng.normal(p.name.includes('ln_scale') ? 1 : 0, 0.5)),
      ]),
    );
    const weights: WorldModelWeights = { config, stats, params, name: 'tiny' };
    const policy = parsePolicyConfig({ obsDim: 8, actionDim: 2, hidden: [5], activation: 'tanh', value: true });
    const objective = new ImaginationObjective(policy, weights, { horizon: 3, batchSize: 2, gamma: 0.9, lambda: 0.8, entropyCoef: 0.01 });
    const g = new Graph();
    const data = Object.fromEntries(objective.inputs.map((i) => [i.name, g.input(i.name, i.shape)]));
    const { loss } = objective.build(new ParamScope(g), data);
    const values = new Map([...g.params].map(([n, t]) => [n, Float64Array.from({ length: (t.shape as number[]).reduce((a, b) => a * b, 1) }, () => rng.normal(0, 0.5))]));
    const inputs = {
      z0: nd(
        [2, 8],
        Array.from({ length: 16 }, () => rng.uniform() / 4),
      ),
      noise: nd(
        [3, 2, 2],
        Array.from({ length: 12 }, () => rng.normal()),
      ),
    };
    const report = finiteDifferenceCheck({ loss, wrt: [...g.params.values()] }, inputs, values, 4);
    expect(report.worst, report.where).toBeLessThan(1);
    expect([...g.params.keys()].every((n) => n.startsWith('actor.') || n.startsWith('value.'))).toBe(true);
  });

  it('refuses a deterministic policy or one of other sizes', () => {
    const config = parseWorldModelConfig({ obsDim: 3, actionDim: 2, latentDim: 8, simNormGroup: 4 });
    const weights: WorldModelWeights = { config, stats: testStats(3), params: new Map(), name: 'tiny' };
    expect(() => new ImaginationObjective(parsePolicyConfig({ obsDim: 3, actionDim: 2, value: true }), weights)).toThrow(
      /over 8 latent and 2 action values, got kind 'gaussian', value true, sizes 3 and 2/,
    );
  });
});

describe('trainInImagination', () => {
  it('trains only in a world model and exports a policy that reads observations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imagination-'));
    await collectDataset({ env: 'Toy-v0', policy: 'scripted', episodes: 8, noise: 0.3, seed: 1, out: join(dir, 'data') });
    const tiny = {
      latentDim: 8,
      simNormGroup: 0,
      encoderHidden: [16],
      dynamicsHidden: [16],
      rewardHidden: [8],
      terminalHidden: [8],
      decoderHidden: [16],
      batchSize: 16,
      horizon: 3,
    };
    await trainWorldModel({ data: join(dir, 'data'), out: join(dir, 'model'), steps: 100, config: tiny });
    const r = await trainInImagination({
      model: join(dir, 'model'),
      out: join(dir, 'policy'),
      steps: 20,
      data: join(dir, 'data'),
      imagination: { horizon: 4, batchSize: 16 },
      network: { hidden: [8] },
    });
    expect(r.stopped).toBe(false);
    expect(r.manifest!.algorithm).toBe('imagination');
    expect(r.manifest!.encoder).toEqual({ worldModel: 'Toy-v0-world-model', latentDim: 8 });
    expect(r.manifest!.provenance.envSteps).toBe(0);
    expect(Number.isFinite(r.finalLosses.imagined_return!)).toBe(true);
    const { policy } = await loadPolicyBundle(r.bundle!, { env: new ToyEnv() });
    try {
      const a = await policy.act(Float32Array.of(0, 0.5));
      expect(a).toHaveLength(1);
      expect(Math.abs(a[0]!)).toBeLessThanOrEqual(1);
    } finally {
      await policy.close();
    }
    const e = await evaluatePolicy({ policy: r.bundle!, seeds: [100, 101] });
    expect(e.results).toHaveLength(2);
    const dream = await evaluateInImagination({ policy: r.bundle!, model: join(dir, 'model'), seeds: [100, 101, 102], maxSteps: 5 });
    expect(dream.worlds).toBe(3);
    expect(dream.imaginedSuccess).toBeGreaterThanOrEqual(0);
    expect(dream.imaginedSuccess).toBeLessThanOrEqual(1);
    expect(Number.isFinite(dream.imaginedReturn)).toBe(true);

    // Stopped (Ctrl-C) after 10 steps and resumed: the same policy as the uninterrupted 20 steps.
    const controller = new AbortController();
    const base = { model: join(dir, 'model'), out: join(dir, 'resumed'), steps: 20, data: join(dir, 'data'), imagination: { horizon: 4, batchSize: 16 }, network: { hidden: [8] } };
    const stopped = await trainInImagination({ ...base, checkpointEvery: 0, signal: controller.signal, onProgress: (p) => p.step >= 10 && controller.abort() });
    expect(stopped.stopped).toBe(true);
    expect(stopped.steps).toBe(10);
    expect(stopped.bundle).toBeUndefined();
    const resumed = await trainInImagination({ ...base, resume: true });
    expect(resumed.steps).toBe(20);
    expect(readFileSync(join(dir, 'resumed', 'policy.onnx'))).toEqual(readFileSync(join(dir, 'policy', 'policy.onnx')));
  }, 60_000);
});
