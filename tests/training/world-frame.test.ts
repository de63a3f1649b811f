/** The world frame of an observation-space model (`worldFrame`): relative entries held as their sum with their base. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { scriptedPolicyFor } from '../../environments/cards.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { collect } from '../../src/training/collect.js';
import { Dataset } from '../../src/training/dataset.js';
import { parseWorldModelConfig } from '../../src/training/wm-config.js';
import { WorldModelTrainer } from '../../src/training/wm-trainer.js';
import { toWorldFrame, worldFrameMatrix } from '../../src/training/world-frame.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';

const base = { obsDim: 6, actionDim: 2, space: 'observation' as const, dynamicsHidden: [32, 32], rewardHidden: [16], terminalHidden: [8], batchSize: 32, horizon: 4, lr: 3e-3 };

describe('worldFrame', () => {
  it('is a linear map with an exact inverse, the same on rows as in the matrix', () => {
    const std = [2, 3, 1, 1, 0.5, 4];
    const pairs = [
      [4, 0],
      [5, 1],
    ] as const;
    const m = worldFrameMatrix(pairs, std);
    const inv = worldFrameMatrix(pairs, std, true);
    for (let i = 0; i < 6; i++)
      for (let j = 0; j < 6; j++) {
        let s = 0;
        for (let k = 0; k < 6; k++) s += m[i * 6 + k]! * inv[k * 6 + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 6);
      }
    const z = Float64Array.of(0.1, -0.2, 0.3, 0.4, 0.5, -0.6);
    const viaMatrix = Array.from({ length: 6 }, (_v, j) => z.reduce((s, zi, i) => s + zi * m[i * 6 + j]!, 0));
    toWorldFrame(pairs, std, z);
    for (let j = 0; j < 6; j++) expect(z[j]).toBeCloseTo(viaMatrix[j]!, 6);
    expect(z[4]).toBeCloseTo(0.5 + (2 / 0.5) * 0.1, 6);
  });

  it('refuses pairs outside the observation, chained pairs and a latent model, naming the field', () => {
    const bad =
      (worldFrame: [number, number][], space: 'observation' | 'latent' = 'observation') =>
      () =>
        parseWorldModelConfig({ ...base, space, worldFrame });
    expect(bad([[6, 0]])).toThrow(/worldFrame.*below obsDim/);
    expect(bad([[4, 4]])).toThrow(InvalidArgumentError);
    expect(
      bad([
        [4, 0],
        [0, 1],
      ]),
    ).toThrow(/no base that is itself an entry/);
    expect(
      bad([
        [4, 0],
        [4, 1],
      ]),
    ).toThrow(/each entry once/);
    expect(bad([[4, 0]], 'latent')).toThrow(/needs space 'observation'/);
    expect(parseWorldModelConfig(base).worldFrame).toEqual([]);
  });

  it('holds a relative entry as its world coordinate in the exported graphs: encode gives it, decode inverts it', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'embodied-world-frame-'));
    const r = await collect({ envId: 'Reach-v0', policy: scriptedPolicyFor('Reach-v0', {})!, episodes: 4, seed: 3, out: join(dir, 'data'), progress: false });
    const data = await Dataset.load(r.path);
    const { obsMean: mu, obsStd: sd } = data.stats();
    // Reach-v0: the goal (4, 5) read as an offset from the ball (0, 1), for the test's sake.
    const wm = await WorldModelTrainer.create(
      data,
      {
        ...base,
        linearSkip: true,
        worldFrame: [
          [4, 0],
          [5, 1],
        ],
      },
      { seed: 1, intraOpNumThreads: 1 },
    );
    await wm.train({ steps: 20, checkpointAtEnd: false });
    await wm.exportBundle(join(dir, 'model'), { name: 'framed', envId: 'Reach-v0', actionLow: [-1, -1], actionHigh: [1, 1] });
    await wm.close();
    const model = await WorldModel.load(join(dir, 'model'), { uncertainty: false });
    const o = data.observations.slice(0, 6);
    const z = await model.encode(o);
    expect(z[4]).toBeCloseTo((o[4]! + o[0]! - mu[4]! - mu[0]!) / sd[4]!, 4);
    expect(z[5]).toBeCloseTo((o[5]! + o[1]! - mu[5]! - mu[1]!) / sd[5]!, 4);
    expect(z[2]).toBeCloseTo((o[2]! - mu[2]!) / sd[2]!, 5);
    const back = await model.decode(z);
    for (let j = 0; j < 6; j++) expect(back[j]).toBeCloseTo(o[j]!, 4);
    await model.close();
  });
});
