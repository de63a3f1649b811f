import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gemm, init, mse } from '../../src/graph/index.js';
import type { Rng } from '../../src/rng.js';
import type { BatchSource, SequenceBatch } from '../../src/training/batch.js';
import { decodeCheckpoint, encodeCheckpoint, readCheckpoint } from '../../src/training/checkpoint.js';
import { learningRateAt, parseWorldModelConfig } from '../../src/training/wm-config.js';
import { CheckpointError, DivergedLossError, NonFiniteLossError } from '../../src/training/errors.js';
import type { Objective } from '../../src/training/objective.js';
import { Trainer } from '../../src/training/trainer.js';
import { WorldModelTrainer } from '../../src/training/wm-trainer.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { LinearSystem } from './linear-system.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'embodied-trainer-'));
const small = { obsDim: 4, actionDim: 2, latentDim: 8, encoderHidden: [16], dynamicsHidden: [16], rewardHidden: [8], decoderHidden: [16], batchSize: 8, horizon: 3, lr: 1e-3 };

/** Least squares y ≈ x·w + b: gradients known in closed form. */
const leastSquares: Objective = {
  name: 'least-squares',
  inputs: [
    { name: 'x', shape: [4, 3] },
    { name: 'y', shape: [4, 1] },
  ],
  build(params, data) {
    const w = params.get('w', [3, 1], init.normal(1));
    const b = params.get('b', [1], init.constant(0.5));
    const loss = mse(gemm(data.x!, w, b), data.y!);
    return { loss, metrics: { mse: loss } };
  },
};
const X = [0.5, -1, 2, 1.5, 0.3, -0.7, -1.2, 0.8, 0.1, 0.9, 1.1, -0.4];
const Y = [1, -2, 0.5, 3];

/** Float64 Adam/AdamW (PyTorch semantics) on the least-squares problem. */
function referenceAdam(w0: number[], b0: number, steps: number, lr: number, opts: { weightDecay: number; gradClipNorm: number }): number[] {
  let p = [...w0, b0];
  let m = [0, 0, 0, 0];
  let v = [0, 0, 0, 0];
  for (let t = 1; t <= steps; t++) {
    const g = [0, 0, 0, 0];
    for (let r = 0; r < 4; r++) {
      const err = X[r * 3]! * p[0]! + X[r * 3 + 1]! * p[1]! + X[r * 3 + 2]! * p[2]! + p[3]! - Y[r]!;
      for (let j = 0; j < 3; j++) g[j]! += (2 / 4) * err * X[r * 3 + j]!;
      g[3]! += (2 / 4) * err;
    }
    const norm = Math.sqrt(g.reduce((s, x) => s + x * x, 0));
    const scale = opts.gradClipNorm > 0 ? Math.min(1, opts.gradClipNorm / (norm + 1e-6)) : 1;
    const gs = g.map((x) => x * scale);
    m = m.map((mi, i) => 0.9 * mi + 0.1 * gs[i]!);
    v = v.map((vi, i) => 0.999 * vi + 0.001 * gs[i]! ** 2);
    const bc1 = 1 - 0.9 ** t;
    const bc2 = 1 - 0.999 ** t;
    p = p.map((pi, i) => pi * (1 - lr * opts.weightDecay) - (lr / bc1) * (m[i]! / (Math.sqrt(v[i]!) / Math.sqrt(bc2) + 1e-8)));
  }
  return p;
}

const fillLS = (b: Readonly<Record<string, Float32Array>>) => {
  b.x!.set(X);
  b.y!.set(Y);
};

describe('Trainer', () => {
  it.each([
    ['Adam', { weightDecay: 0, gradClipNorm: 0 }],
    ['AdamW with clipping', { weightDecay: 0.1, gradClipNorm: 0.5 }],
  ] as const)('%s matches a float64 reference over 5 steps', async (_name, adam) => {
    const trainer = await Trainer.create(leastSquares, { seed: 3, lr: 0.05, adam, stepsPerRun: 2, intraOpNumThreads: 1 });
    const p0 = trainer.paramValues();
    const logs = await trainer.train(5, fillLS);
    expect(logs.map((l) => l.step)).toEqual([1, 2, 3, 4, 5]);
    const want = referenceAdam([...p0.get('w')!], p0.get('b')![0]!, 5, 0.05, adam);
    const got = [...trainer.paramValues().get('w')!, trainer.paramValues().get('b')![0]!];
    got.forEach((x, i) => {
      expect(Math.abs(x - want[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(want[i]!)));
    });
    expect(logs[1]!.loss).toBeLessThan(logs[0]!.loss);
    expect(logs[0]!.metrics.mse).toBe(logs[0]!.loss);
    await trainer.close();
  });

  it('gives the same bits with 4 steps per run as with 1', async () => {
    const a = await Trainer.create(leastSquares, { seed: 1, stepsPerRun: 4, intraOpNumThreads: 1, lr: (s) => 0.01 / s });
    const b = await Trainer.create(leastSquares, { seed: 1, stepsPerRun: 1, intraOpNumThreads: 1, lr: (s) => 0.01 / s });
    await a.train(9, fillLS);
    await b.train(9, fillLS);
    expect(a.paramValues()).toEqual(b.paramValues());
    expect(a.step).toBe(9);
    await Promise.all([a.close(), b.close()]);
  });

  it('rejects bad options with the option named', async () => {
    await expect(Trainer.create(leastSquares, { seed: 1, stepsPerRun: 0 })).rejects.toThrow(/Trainer options: `stepsPerRun`/);
    await expect(Trainer.create(leastSquares, { seed: -1 })).rejects.toThrow(InvalidArgumentError);
    const t = await Trainer.create(leastSquares, { seed: 1, intraOpNumThreads: 1, lr: () => Number.NaN });
    await expect(t.train(1, fillLS)).rejects.toThrow(/Learning-rate schedule returned NaN for step 1/);
    await t.close();
    await expect(t.train(1, fillLS)).rejects.toThrow(/Trainer is closed/);
  });
});

/** The linear system, with NaN observations from sample call `badFrom` on. */
class PoisonedSource implements BatchSource {
  readonly inner = new LinearSystem();
  readonly obsDim = 4;
  readonly actionDim = 2;
  readonly size = this.inner.size;
  calls = 0;
  constructor(readonly badFrom: number) {}
  sample(batchSize: number, horizon: number, rng: Rng): SequenceBatch {
    const batch = this.inner.sample(batchSize, horizon, rng);
    if (this.calls++ >= this.badFrom) batch.observations[5] = Number.NaN;
    return batch;
  }
  stats() {
    return this.inner.stats();
  }
}

describe('WorldModelTrainer checkpoints', () => {
  it('resumes bit for bit from a checkpoint (weights, Adam state and sampler RNG)', async () => {
    const dir = tmp();
    const straight = await WorldModelTrainer.create(new LinearSystem(), small, { seed: 5, intraOpNumThreads: 1 });
    await straight.train({ steps: 10 });

    const path = join(dir, 'model.ckpt');
    const first = await WorldModelTrainer.create(new LinearSystem(), small, { seed: 5, intraOpNumThreads: 1, checkpointPath: path });
    await first.train({ steps: 6 });
    await first.close();
    expect((await readCheckpoint(path)).step).toBe(6);

    const resumed = await WorldModelTrainer.create(new LinearSystem(), small, { seed: 5, intraOpNumThreads: 1, checkpointPath: path, resume: true });
    expect(resumed.step).toBe(6);
    const summary = await resumed.train({ steps: 4 });
    expect(summary.totalSteps).toBe(10);
    expect(resumed.paramValues()).toEqual(straight.paramValues());
    expect(resumed.finalLosses).toEqual(straight.finalLosses);
    await Promise.all([straight.close(), resumed.close()]);
  });

  it('stops on a NaN loss with a clear error and keeps the last good checkpoint', async () => {
    const path = join(tmp(), 'wm.ckpt');
    const source = new PoisonedSource(7); // the 8th minibatch (step 8) carries a NaN
    const trainer = await WorldModelTrainer.create(source, small, { seed: 2, intraOpNumThreads: 1, checkpointPath: path, stats: new LinearSystem().stats() });
    const err = await trainer.train({ steps: 20, checkpointEvery: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect((err as Error).message).toMatch(/^Training stopped: non-finite loss at step 8 \(loss=NaN/);
    expect((err as Error).message).toMatch(new RegExp(`the last good checkpoint is ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(step 6\\)`));
    expect(err).toMatchObject({ step: 8, lastGoodStep: 7, checkpointPath: path });
    expect(trainer.step).toBe(7);
    const ckpt = await readCheckpoint(path);
    expect(ckpt.step).toBe(6);
    for (const p of ckpt.params) expect(p.value.every(Number.isFinite)).toBe(true);
    await trainer.close();
  });

  it('stops when the loss diverges (a learning rate far too large) instead of training on (issue 14)', async () => {
    const trainer = await WorldModelTrainer.create(new LinearSystem(), { ...small, lr: 1e6 }, { seed: 2, intraOpNumThreads: 1 });
    const err = await trainer.train({ steps: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivergedLossError);
    expect((err as Error).message).toMatch(
      /^Training stopped: the loss diverged at step \d+ \(\S+, more than 10000× max\(1, the first loss \S+\)\); the trainer kept the state of step \d+ — lower the learning rate$/,
    );
    const { step, lastGoodStep } = err as DivergedLossError;
    expect(trainer.step).toBe(lastGoodStep);
    expect(lastGoodStep).toBeLessThan(step); // the state before the run that diverged
    await trainer.close();
  });

  it('refuses to resume with a different configuration or a corrupt file', async () => {
    const dir = tmp();
    const path = join(dir, 'a.ckpt');
    const t = await WorldModelTrainer.create(new LinearSystem(), small, { seed: 1, intraOpNumThreads: 1, checkpointPath: path });
    await t.train({ steps: 1 });
    await t.close();
    await expect(WorldModelTrainer.create(new LinearSystem(), { ...small, latentDim: 16 }, { seed: 1, checkpointPath: path, resume: true })).rejects.toThrow(
      /a\.ckpt: trained with latentDim = 8, the config now says 16/,
    );
    await expect(WorldModelTrainer.create(new LinearSystem(), small, { seed: 2, checkpointPath: path, resume: true })).rejects.toThrow(CheckpointError);
    const bad = join(dir, 'bad.ckpt');
    writeFileSync(bad, 'not a checkpoint');
    await expect(WorldModelTrainer.create(new LinearSystem(), small, { seed: 1, checkpointPath: bad, resume: true })).rejects.toThrow(/not an Embodied checkpoint/);
    expect(existsSync(join(dir, 'missing.ckpt'))).toBe(false);
  });

  it('stops between runs when aborted and writes a checkpoint', async () => {
    const path = join(tmp(), 'abort.ckpt');
    const trainer = await WorldModelTrainer.create(new LinearSystem(), small, { seed: 3, intraOpNumThreads: 1, stepsPerRun: 2, checkpointPath: path });
    const controller = new AbortController();
    const summary = await trainer.train({ steps: 50, signal: controller.signal, onLog: (l) => l.step === 3 && controller.abort() });
    expect(summary).toMatchObject({ stopped: 'aborted', stepsTaken: 4, totalSteps: 4 });
    expect((await readCheckpoint(path)).step).toBe(4);
    await trainer.close();
  });

  it('checks the source and the config', async () => {
    await expect(WorldModelTrainer.create(new LinearSystem(), { ...small, obsDim: 5 }, { seed: 1 })).rejects.toThrow(
      /Batch source has obsDim 4 and actionDim 2, the config expects 5 and 2/,
    );
    await expect(WorldModelTrainer.create(new LinearSystem(), { ...small, latentDim: 12 }, { seed: 1 })).rejects.toThrow(
      /World-model config: `latentDim`: expected a multiple of simNormGroup \(8\), got 12/,
    );
    await expect(WorldModelTrainer.create(new LinearSystem(), { ...small, horizon: 0 }, { seed: 1 })).rejects.toThrow(/`horizon`/);
  });
});

describe('learning-rate schedule and checkpoint files', () => {
  it('warms up linearly, then follows a cosine to lr·lrMinRatio', () => {
    const c = parseWorldModelConfig({ obsDim: 1, actionDim: 1, lr: 1e-3, warmupSteps: 10, lrSchedule: 'cosine', lrDecaySteps: 100, lrMinRatio: 0.1 });
    expect(learningRateAt(c, 5)).toBeCloseTo(5e-4, 12);
    expect(learningRateAt(c, 10)).toBeCloseTo(1e-3, 12);
    expect(learningRateAt(c, 60)).toBeCloseTo(1e-3 * (0.1 + 0.9 * 0.5), 12);
    expect(learningRateAt(c, 110)).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(c, 10_000)).toBeCloseTo(1e-4, 12);
    expect(learningRateAt(parseWorldModelConfig({ obsDim: 1, actionDim: 1 }), 7)).toBe(3e-4);
  });

  it('round-trips a checkpoint and names what is wrong with a damaged one', () => {
    const data = {
      objective: 'x',
      step: 3,
      params: [{ name: 'w', shape: [2], value: new Float32Array([1, 2]), m: new Float32Array([3, 4]), v: new Float32Array([5, 6]) }],
      extra: { k: 1 },
    };
    const bytes = encodeCheckpoint(data);
    expect(decodeCheckpoint(bytes)).toEqual(data);
    expect(() => decodeCheckpoint(bytes.slice(0, bytes.length - 4), 'c.ckpt')).toThrow(/c\.ckpt: expected \d+ bytes for 1 parameters, got \d+/);
    expect(() => decodeCheckpoint(bytes.slice(0, 20), 'c.ckpt')).toThrow(/c\.ckpt: truncated header/);
  });
});
