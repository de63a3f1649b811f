import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../environments/line-world.js';
import { runCollect } from '../../cli/commands/collect.js';
import { runTrain } from '../../cli/commands/train.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';

// A tiny model on LineWorld data: each run is at most 400 optimiser steps (a few seconds).
const tiny = { latentDim: 8, simNormGroup: 0, encoderHidden: [16], dynamicsHidden: [16], rewardHidden: [8], terminalHidden: [8], decoderHidden: [16], batchSize: 16, horizon: 3, lr: 3e-3 };

async function dataset() {
  const dir = mkdtempSync(join(tmpdir(), 'cli-train-'));
  await runCollect({ env: 'LineWorld-v0', episodes: 4, seed: 2, out: join(dir, 'data'), progress: false });
  return dir;
}

describe('embodied train', () => {
  it('trains, exports a loadable bundle with initial observations, and resumes bit for bit', async () => {
    const dir = await dataset();
    const data = join(dir, 'data');
    const straight = await runTrain({ data, out: join(dir, 'straight'), steps: 400, seed: 3, config: tiny, progress: false });
    expect(straight.stopped).toBe(false);
    expect(straight.steps).toBe(400);
    expect(straight.manifest!.files.initialObservations).toBe('initial_observations.npy');
    expect(straight.manifest!.provenance.trainingSteps).toBe(400);
    expect(straight.manifest!.envId).toBe('LineWorld-v0');

    // Stop early (as Ctrl-C does), then resume to the same total.
    const controller = new AbortController();
    const first = await runTrain({ data, out: join(dir, 'resumed'), steps: 400, seed: 3, config: tiny, progress: false, signal: controller.signal, onLog: (l) => l.step === 1 && controller.abort() });
    expect(first.stopped).toBe(true);
    expect(first.steps).toBe(200); // stops at the end of the running chunk of 200 steps
    expect(existsSync(first.checkpoint)).toBe(true);
    expect(existsSync(join(dir, 'resumed'))).toBe(false);
    const second = await runTrain({ data, out: join(dir, 'resumed'), steps: 400, seed: 3, config: { ...tiny, lr: 1 }, resume: true, progress: false });
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
    await runTrain({ data, out: join(dir, 'm'), steps: 8, config: tiny, progress: false });
    await expect(runTrain({ data, out: join(dir, 'm'), steps: 8, config: tiny, progress: false })).rejects.toThrow(/already exists; pass --overwrite to replace it/);
    await runCollect({ env: 'LineWorld-v0', episodes: 2, seed: 99, out: join(dir, 'other'), progress: false });
    await expect(runTrain({ data: join(dir, 'other'), out: join(dir, 'm'), steps: 16, config: tiny, resume: true, overwrite: true, progress: false })).rejects.toThrow(/was trained on other data \(its normalisation statistics differ from those of .*other\)/);
    await expect(runTrain({ data, out: join(dir, 'z'), steps: 0, progress: false })).rejects.toThrow(/expected --steps to be a positive integer, got 0/);
  });
});
