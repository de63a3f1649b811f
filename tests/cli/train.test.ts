import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../environments/line-world/index.js';
import { collectDataset } from '../../workflows/collect.js';
import { combinedHash, trainWorldModel } from '../../workflows/train.js';
import { Dataset } from '../../src/training/dataset.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';

// A tiny model on LineWorld data: each run is at most 400 optimiser steps (a few seconds).
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
  lr: 3e-3,
};

async function dataset() {
  const dir = mkdtempSync(join(tmpdir(), 'cli-train-'));
  await collectDataset({ env: 'LineWorld-v0', episodes: 4, seed: 2, out: join(dir, 'data') });
  return dir;
}

describe('trainWorldModel (embodied train)', () => {
  it('trains, exports a loadable bundle with initial observations, and resumes bit for bit', async () => {
    const dir = await dataset();
    const data = join(dir, 'data');
    const straight = await trainWorldModel({ data, out: join(dir, 'straight'), steps: 400, seed: 3, config: tiny });
    expect(straight.stopped).toBe(false);
    expect(straight.steps).toBe(400);
    expect(straight.manifest!.files.initialObservations).toBe('initial_observations.npy');
    expect(straight.manifest!.provenance.trainingSteps).toBe(400);
    expect(straight.manifest!.envId).toBe('LineWorld-v0');

    // Stop early (as Ctrl-C does), then resume to the same total.
    const controller = new AbortController();
    const first = await trainWorldModel({
      data,
      out: join(dir, 'resumed'),
      steps: 400,
      seed: 3,
      config: tiny,
      signal: controller.signal,
      onLog: (l) => l.step === 1 && controller.abort(),
    });
    expect(first.stopped).toBe(true);
    expect(first.steps).toBe(200); // stops at the end of the running chunk of 200 steps
    expect(existsSync(first.checkpoint)).toBe(true);
    expect(existsSync(join(dir, 'resumed'))).toBe(false);
    const second = await trainWorldModel({ data, out: join(dir, 'resumed'), steps: 400, seed: 3, config: { ...tiny, lr: 1 }, resume: true });
    expect(second.steps).toBe(400);
    // The checkpoint's config wins over new flags, and the sampler stream continues: identical weights.
    for (const f of ['encoder.onnx', 'dynamics_0.onnx', 'decoder.onnx']) {
      expect(Buffer.compare(readFileSync(join(dir, 'straight', f)), readFileSync(join(dir, 'resumed', f)))).toBe(0);
    }
    const model = await WorldModel.load(join(dir, 'resumed'));
    expect(model.initialObservations!.length).toBe(4 * 3);
    await model.close();
  });

  it('refuses to overwrite, and to resume on another dataset', async () => {
    const dir = await dataset();
    const data = join(dir, 'data');
    await trainWorldModel({ data, out: join(dir, 'm'), steps: 8, config: tiny });
    await expect(trainWorldModel({ data, out: join(dir, 'm'), steps: 8, config: tiny })).rejects.toThrow(/already exists; pass `overwrite: true` to replace it/);
    await collectDataset({ env: 'LineWorld-v0', episodes: 2, seed: 99, out: join(dir, 'other') });
    await expect(trainWorldModel({ data: join(dir, 'other'), out: join(dir, 'm'), steps: 16, config: tiny, resume: true, overwrite: true })).rejects.toThrow(
      /was trained on other data \(its normalisation statistics differ from those of .*other\)/,
    );
    await expect(trainWorldModel({ data, out: join(dir, 'z'), steps: 0 })).rejects.toThrow(/`steps`: .* \(got 0\)/);
  });

  it('with checkpointEvery 0 writes the checkpoint only at the end, not every chunk (issue 14)', async () => {
    const dir = await dataset();
    const out = join(dir, 'm0');
    let midRun: boolean | undefined;
    await trainWorldModel({
      data: join(dir, 'data'),
      out,
      steps: 400,
      config: tiny,
      checkpointEvery: 0,
      onLog: (l) => {
        if (l.step === 300) midRun = existsSync(`${out}.ckpt`);
      },
    });
    expect(midRun).toBe(false);
    expect(existsSync(`${out}.ckpt`)).toBe(true);
  });

  it('refuses the same dataset twice and datasets of other environment options (issue 14)', async () => {
    const dir = await dataset();
    const data = join(dir, 'data');
    await expect(trainWorldModel({ data: [data, data], out: join(dir, 'twice'), steps: 8, config: tiny })).rejects.toThrow(
      /dataset 1 is dataset 0 again \(content hash [0-9a-f]{12}…\)/,
    );
    await collectDataset({ env: 'LineWorld-v0', envOptions: { goalRange: 0.5 }, episodes: 2, seed: 5, out: join(dir, 'narrow') });
    await expect(trainWorldModel({ data: [data, join(dir, 'narrow')], out: join(dir, 'mixed'), steps: 8, config: tiny })).rejects.toThrow(
      /expected every dataset to use the environment options of dataset 0 \(\{\}\), got \{"goalRange":0\.5\} in dataset 1/,
    );
    expect(existsSync(join(dir, 'twice'))).toBe(false);
  });

  it('records the environment options of its data in the bundle (issue 14)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-train-'));
    await collectDataset({ env: 'LineWorld-v0', envOptions: { goalRange: 0.5 }, episodes: 2, seed: 5, out: join(dir, 'narrow') });
    const { manifest } = await trainWorldModel({ data: join(dir, 'narrow'), out: join(dir, 'm'), steps: 8, config: tiny });
    expect(manifest!.envOptions).toEqual({ goalRange: 0.5 });
    const model = await WorldModel.load(join(dir, 'm'));
    expect(model.manifest.envOptions).toEqual({ goalRange: 0.5 });
    await model.close();
    const plain = await dataset();
    const defaults = await trainWorldModel({ data: join(plain, 'data'), out: join(plain, 'm'), steps: 8, config: tiny });
    expect(defaults.manifest!.envOptions).toEqual({});
  });

  it('trains on several datasets as one, records each hash, and collects on-policy data with --policy mpc', async () => {
    const dir = await dataset();
    const scripted = join(dir, 'data');
    const m1 = await trainWorldModel({ data: scripted, out: join(dir, 'm1'), steps: 200, seed: 1, config: tiny });
    // Round 2: the planner on the round-1 model gathers episodes where it actually goes.
    const onPolicy = await collectDataset({
      env: 'LineWorld-v0',
      episodes: 3,
      seed: 50,
      out: join(dir, 'mpc'),
      policy: 'mpc',
      model: m1.bundle!,
      algorithm: 'cem',
      horizon: 4,
      samples: 16,
      iterations: 2,
      noise: 0.1,
    });
    expect(onPolicy.manifest.policy).toBe('mpc:cem(16x4x2)+noise(0.1)');
    expect(onPolicy.manifest.counts.episodes).toBe(3);
    const again = await collectDataset({
      env: 'LineWorld-v0',
      episodes: 3,
      seed: 50,
      out: join(dir, 'mpc-again'),
      policy: 'mpc',
      model: m1.bundle!,
      algorithm: 'cem',
      horizon: 4,
      samples: 16,
      iterations: 2,
      noise: 0.1,
    });
    expect(again.manifest.contentHash).toBe(onPolicy.manifest.contentHash); // same seed, same bits

    const both = await trainWorldModel({ data: [scripted, join(dir, 'mpc')], out: join(dir, 'm2'), steps: 200, seed: 1, config: tiny });
    const a = await Dataset.load(scripted);
    const b = await Dataset.load(join(dir, 'mpc'));
    const hashes = [a.manifest!.contentHash, b.manifest!.contentHash];
    expect(both.manifest!.provenance.datasetHashes).toEqual(hashes);
    expect(both.manifest!.provenance.datasetHash).toBe(combinedHash(hashes));
    expect(both.manifest!.provenance.datasetHash).not.toBe(m1.manifest!.provenance.datasetHash);
    // Normalisation covers the union: the stats baked into the bundle are those of the concatenation.
    const union = Dataset.concat([a, b]);
    expect(union.size).toBe(a.size + b.size);
    expect(union.numEpisodes).toBe(a.numEpisodes + b.numEpisodes);
    const norm = both.manifest!.provenance.config!.normalization as { obsMean: number[] };
    expect(norm.obsMean).toEqual(Array.from(union.stats().obsMean));

    await expect(collectDataset({ env: 'LineWorld-v0', episodes: 1, out: join(dir, 'x'), policy: 'mpc' })).rejects.toThrow(/`policy: 'mpc'` needs `model`/);
  });
});
