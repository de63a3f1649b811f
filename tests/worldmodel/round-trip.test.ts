/**
 * Acceptance round trip: collect from Reach-v0 → train a small world model → export → load →
 * WorldModelEnv predicts held-out 10-step trajectories better than a constant-velocity baseline, passes
 * checkEnv, and plans (MPC in imagination moves the real ball toward its goal).
 *
 * Cost: ≈ 4k Rapier steps of collection and 3000 optimiser steps (batch 64, 64-wide tanh MLPs):
 * ≈ 15 s on an idle 2-core machine, ≈ 45 s with the cores 7× oversubscribed (measured while writing it).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../environments/reach/index.js';
import { collectDataset } from '../../workflows/collect.js';
import { trainWorldModel } from '../../workflows/train.js';
import { checkEnv } from '../../src/check.js';
import { make } from '../../src/registry.js';
import { Planner } from '../../src/planning/planner.js';
import { rewardObjective } from '../../src/planning/objectives.js';
import { Dataset } from '../../src/training/dataset.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { WorldModelEnv } from '../../src/worldmodel/world-model-env.js';

const H = 10;
const DT = 0.05; // Reach-v0 control period
const O = 6; // [x, z, vx, vz, goal x, goal z]
const A = 2;

let dir: string;
let test: Dataset;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wm-roundtrip-'));
  // Scripted PD control with heavy action noise: goal-directed but varied data.
  await collectDataset({ env: 'Reach-v0', steps: 4000, policy: 'scripted', noise: 0.6, seed: 1, out: join(dir, 'train') });
  await collectDataset({ env: 'Reach-v0', episodes: 12, policy: 'scripted', noise: 0.6, seed: 100_000, out: join(dir, 'test') });
  test = await Dataset.load(join(dir, 'test'));
  await trainWorldModel({
    data: join(dir, 'train'),
    out: join(dir, 'model'),
    steps: 3000,
    seed: 0,
    config: {
      latentDim: 32,
      simNormGroup: 0,
      layerNorm: false,
      activation: 'tanh',
      encoderHidden: [64],
      dynamicsHidden: [64, 64],
      rewardHidden: [32],
      terminalHidden: [32],
      decoderHidden: [64],
      batchSize: 64,
      lr: 3e-3,
      lrSchedule: 'cosine',
      warmupSteps: 100,
      consistencyCoef: 2,
      decoderCoef: 10,
    },
  });
}, 240_000);

describe('world-model round trip on Reach-v0', () => {
  it('predicts held-out 10-step trajectories better than constant velocity (position RMSE ≤ 0.7×)', async () => {
    // Termination is ignored here: the comparison needs all 10 predicted steps.
    const env = await WorldModelEnv.load(join(dir, 'model'), { terminationFn: () => false });
    let model = 0;
    let constantVelocity = 0;
    let n = 0;
    for (let k = 0; k < test.numEpisodes; k++) {
      const { start, end } = test.episodeRange(k);
      for (let t = start; t + H <= end; t += 3) {
        const prompt = test.observations.slice(t * O, (t + 1) * O);
        await env.reset({ options: { prompt } });
        for (let h = 0; h < H; h++) {
          const step = await env.step(test.actions.slice((t + h) * A, (t + h + 1) * A));
          const truth = test.nextObservations.subarray((t + h) * O, (t + h + 1) * O);
          for (let j = 0; j < 2; j++) {
            model += (step.observation[j]! - truth[j]!) ** 2;
            constantVelocity += (prompt[j]! + (h + 1) * DT * prompt[2 + j]! - truth[j]!) ** 2;
          }
          n++;
        }
      }
    }
    await env.close();
    const rmseModel = Math.sqrt(model / n);
    const rmseCv = Math.sqrt(constantVelocity / n);
    if (process.env.WM_REPORT) console.log(`10-step position RMSE: model ${rmseModel.toFixed(4)} m, constant velocity ${rmseCv.toFixed(4)} m (${n / H} windows)`);
    expect(n).toBeGreaterThan(500); // ≥ 50 windows of 10 steps
    expect(rmseModel).toBeLessThan(0.7 * rmseCv);
  });

  it('passes checkEnv as an environment (single and batched)', async () => {
    for (const options of [{ maxEpisodeSteps: 50 }, { batch: 16, maxEpisodeSteps: 50 }]) {
      const env = await WorldModelEnv.load(join(dir, 'model'), options);
      const report = await checkEnv(env);
      expect(report.failures).toEqual([]);
    }
  });

  it('plans: MPC in imagination moves the real ball toward its goal', async () => {
    const model = await WorldModel.load(join(dir, 'model'));
    const planner = new Planner(model, {
      horizon: 8,
      actionLow: model.manifest.actionLow,
      actionHigh: model.manifest.actionHigh,
      optimizer: { algorithm: 'mppi', samples: 128, iterations: 3, seed: 1 },
      objective: rewardObjective({ discount: 0.95 }),
    });
    const real = make('Reach-v0');
    let { observation } = await real.reset({ seed: 424_242 });
    const distance = (o: Float32Array) => Math.hypot(o[0]! - o[4]!, o[1]! - o[5]!);
    const d0 = distance(observation);
    let best = d0;
    for (let t = 0; t < 40; t++) {
      const plan = await planner.plan(await model.encode(observation), { warmStart: t > 0 });
      const r = await real.step(plan.action);
      observation = r.observation;
      best = Math.min(best, distance(observation));
      if (r.terminated || r.truncated) break;
    }
    await real.close();
    await model.close();
    if (process.env.WM_REPORT) console.log(`MPC on the learned model: distance to goal ${d0.toFixed(3)} m → best ${best.toFixed(3)} m`);
    expect(best).toBeLessThan(0.5 * d0);
  });
});
