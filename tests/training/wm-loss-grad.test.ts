/**
 * Gradient check of the whole world-model loss (consistency over H, reward, terminal BCE, decoder,
 * 2 ensemble members, SimNorm, a partly masked batch): float64 analytic vs central differences on a
 * seeded sample of 3 elements per parameter tensor, plus onnxruntime float32 vs float64.
 */
import { describe, expect, it } from 'vitest';
import { Graph, ParamScope, nd } from '../../src/graph/index.js';
import { parseWorldModelConfig } from '../../src/training/wm-config.js';
import { WorldModelObjective } from '../../src/training/wm-objective.js';
import { Rng } from '../../src/rng.js';
import { finiteDifferenceCheck, ortAgreement } from '../graph/gradcheck.js';
import { testStats } from './helpers.js';

const config = parseWorldModelConfig({
  obsDim: 3,
  actionDim: 2,
  latentDim: 8,
  simNormGroup: 4,
  encoderHidden: [6],
  dynamicsHidden: [6, 5],
  rewardHidden: [4],
  terminalHidden: [4],
  decoderHidden: [5],
  batchSize: 3,
  horizon: 3,
  ensembleSize: 2,
  terminal: true,
  decoder: true,
  rho: 0.7,
});

function build(activation: 'mish' | 'silu' | 'elu') {
  const objective = new WorldModelObjective({ ...config, activation }, testStats(3));
  const g = new Graph();
  const data = Object.fromEntries(objective.inputs.map((i) => [i.name, g.input(i.name, i.shape)]));
  const { loss } = objective.build(new ParamScope(g), data);
  const rng = Rng.fromSeed(4);
  const params = new Map<string, Float64Array>();
  for (const [name, t] of g.params) {
    const n = (t.shape as number[]).reduce((a, b) => a * b, 1);
    // Random values everywhere (zero-initialised output layers would hide their inputs' gradients).
    params.set(
      name,
      Float64Array.from({ length: n }, () => rng.normal(name.includes('ln_scale') ? 1 : 0, 0.5)),
    );
  }
  const { horizon: H, batchSize: B } = config;
  const mask = [1, 1, 1, 1, 1, 0, 1, 0, 0]; // [H, B]: window 2 ends after step 1, window 1 after step 2
  const inputs = {
    obs: nd(
      [H + 1, B, 3],
      Array.from({ length: (H + 1) * B * 3 }, () => rng.normal(0, 2)),
    ),
    actions: nd(
      [H, B, 2],
      Array.from({ length: H * B * 2 }, () => rng.uniformRange(-1, 1)),
    ),
    rewards: nd(
      [H, B],
      Array.from({ length: H * B }, () => rng.normal()),
    ),
    terminated: nd([H, B], [0, 0, 0, 0, 0, 1, 0, 0, 0]),
    mask: nd([H, B], mask),
  };
  return { loss, wrt: [...g.params.values()], inputs, params };
}

describe('world-model loss gradient', () => {
  it.each(['mish', 'silu', 'elu'] as const)('%s: analytic = finite differences for every parameter tensor (float64)', (activation) => {
    const { loss, wrt, inputs, params } = build(activation);
    const report = finiteDifferenceCheck({ loss, wrt }, inputs, params, 3);
    expect(report.checked).toBe(
      wrt.reduce(
        (n, t) =>
          n +
          Math.min(
            3,
            (t.shape as number[]).reduce((a, b) => a * b, 1),
          ),
        0,
      ),
    );
    expect(report.worst, report.where).toBeLessThanOrEqual(1);
  });

  it('onnxruntime float32 loss and gradients = float64 reference', async () => {
    const { loss, wrt, inputs, params } = build('mish');
    const report = await ortAgreement({ loss, wrt }, inputs, params);
    expect(report.worst, report.where).toBeLessThanOrEqual(1);
  });
});
