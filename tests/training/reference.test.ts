/**
 * The plain-TypeScript world model (src/training/reference) and the ONNX training graph are two
 * independent implementations of the same loss and Adam update: they must agree on the losses and
 * on the parameters after several steps (float32, relative 1e-4).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { ReferenceWorldModel } from '../../src/training/reference/world-model.js';
import { flatSize, objectiveParams } from '../../src/training/train-step.js';
import { Trainer } from '../../src/training/trainer.js';
import { parseWorldModelConfig } from '../../src/training/wm-config.js';
import { WorldModelObjective } from '../../src/training/wm-objective.js';
import { testStats } from './helpers.js';

describe('plain-TS reference world model', () => {
  it.each([
    ['mish, SimNorm, ensemble of 2, terminal, decoder', { activation: 'mish', ensembleSize: 2, terminal: true, simNormGroup: 4 }],
    ['silu, no LayerNorm, no SimNorm, no decoder', { activation: 'silu', layerNorm: false, simNormGroup: 0, decoder: false }],
  ] as const)('%s: same losses and weights as the ONNX training graph over 3 steps', async (_name, variant) => {
    const config = parseWorldModelConfig({
      obsDim: 5,
      actionDim: 2,
      latentDim: 8,
      encoderHidden: [12],
      dynamicsHidden: [12, 10],
      rewardHidden: [6],
      terminalHidden: [6],
      decoderHidden: [12],
      batchSize: 6,
      horizon: 3,
      weightDecay: 0.01,
      gradClipNorm: 1,
      ...variant,
    });
    const stats = testStats(5);
    const objective = new WorldModelObjective(config, stats);
    const adam = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: config.weightDecay, gradClipNorm: config.gradClipNorm };
    const trainer = await Trainer.create(objective, { seed: 9, lr: 1e-2, adam, stepsPerRun: 1, intraOpNumThreads: 1 });
    const params = objectiveParams(objective);
    const initial = new Float32Array(flatSize(params));
    for (const [name, v] of trainer.paramValues()) initial.set(v, params.find((p) => p.name === name)!.offset);
    const ref = new ReferenceWorldModel(config, stats, params, initial);

    const rng = Rng.fromSeed(21);
    const batches = Array.from({ length: 3 }, () => {
      const { horizon: H, batchSize: B } = config;
      const mask = new Float32Array(H * B).fill(1);
      mask[2 * B + 1] = 0;
      const terminated = new Float32Array(H * B);
      terminated[B + 1] = 1;
      return {
        obs: rng.fillNormal(new Float32Array((H + 1) * B * 5), 0, 2),
        actions: rng.fillUniform(new Float32Array(H * B * 2), -1, 1),
        rewards: rng.fillNormal(new Float32Array(H * B)),
        terminated,
        mask,
      };
    });
    let k = 0;
    const logs = await trainer.train(3, (buffers) => {
      for (const [name, arr] of Object.entries(batches[k++]!)) buffers[name]!.set(arr);
    });
    batches.forEach((batch, i) => {
      const r = ref.lossAndGrad(batch);
      expect(Math.abs(r.loss - logs[i]!.loss)).toBeLessThan(1e-4 * Math.abs(r.loss));
      for (const [name, v] of Object.entries(r.metrics)) expect(Math.abs(v - logs[i]!.metrics[name]!)).toBeLessThan(1e-4 * Math.abs(v) + 1e-7);
      const norm = ref.adamStep(1e-2, adam);
      expect(Math.abs(norm - logs[i]!.gradNorm)).toBeLessThan(1e-4 * norm);
    });
    let worst = 0;
    for (const [name, v] of trainer.paramValues()) {
      const p = params.find((q) => q.name === name)!;
      v.forEach((x, i) => {
        worst = Math.max(worst, Math.abs(x - ref.flat[p.offset + i]!) / (1e-3 + Math.abs(x)));
      });
    }
    expect(worst).toBeLessThan(1e-3);
    await trainer.close();
  });
});
