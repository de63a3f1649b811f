import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { scriptedPolicyFor } from '../../environments/cards.js';
import { collect } from '../../src/training/collect.js';
import { Dataset } from '../../src/training/dataset.js';
import { CheckpointError } from '../../src/training/errors.js';
import { parseWorldModelConfig } from '../../src/training/wm-config.js';
import { changeUnitWeights, consistencyUnitWeights } from '../../src/training/wm-objective.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { WorldModelTrainer } from '../../src/training/wm-trainer.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { trainWorldModel } from '../../workflows/train.js';
import { LinearSystem } from './linear-system.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'embodied-obs-space-'));
const obsSpace = { obsDim: 6, actionDim: 2, space: 'observation' as const, dynamicsHidden: [32, 32], rewardHidden: [16], terminalHidden: [8], batchSize: 32, horizon: 4, lr: 3e-3 };

describe("world models in observation space (space: 'observation')", () => {
  it('takes the observation as its latent: latentDim = obsDim, no SimNorm', () => {
    const c = parseWorldModelConfig({ ...obsSpace, latentDim: 24, simNormGroup: 8 });
    expect(c.latentDim).toBe(6);
    expect(c.simNormGroup).toBe(0);
    // A latent model keeps its own latent and SimNorm.
    expect(parseWorldModelConfig({ ...obsSpace, space: 'latent', latentDim: 24 }).latentDim).toBe(24);
  });

  it('predicts "nothing changes" untrained, and carries an entry that never changes within an episode over exactly', { timeout: 120_000 }, async () => {
    const dir = tmp();
    const r = await collect({ envId: 'Reach-v0', policy: scriptedPolicyFor('Reach-v0', {})!, episodes: 6, seed: 3, out: join(dir, 'data'), progress: false });
    const data = await Dataset.load(r.path);
    const stats = data.stats();
    // The goal (entries 4, 5) is fixed within every episode; the ball moves.
    expect(Array.from(stats.deltaRms!.subarray(4))).toEqual([0, 0]);
    expect(stats.deltaRms![0]).toBeGreaterThan(0);
    // The goal never changes; the ball's position changes on most steps.
    expect(Array.from(stats.changeRate!.subarray(4))).toEqual([0, 0]);
    expect(stats.changeRate![0]).toBeGreaterThan(0.5);
    const config = { ...obsSpace, terminal: true, headInput: 'transition' as const };

    const fresh = await WorldModelTrainer.create(data, config, { seed: 1, intraOpNumThreads: 1 });
    await fresh.exportBundle(join(dir, 'untrained'), { name: 'untrained', envId: 'Reach-v0', actionLow: [-1, -1], actionHigh: [1, 1] });
    await fresh.close();
    const start = data.observations.slice(0, 6);
    const untrained = await WorldModel.load(join(dir, 'untrained'), { uncertainty: false });
    const z0 = await untrained.encode(start);
    const z1 = (await untrained.step(z0, Float32Array.of(1, -1))).nextLatent;
    expect(Array.from(z1)).toEqual(Array.from(z0));
    await untrained.close();

    // Trained with the 'mixed' loss, which reads the data's change rates.
    const wm = await WorldModelTrainer.create(data, { ...config, consistencyUnits: 'mixed' }, { seed: 1, intraOpNumThreads: 1 });
    await wm.train({ steps: 60, checkpointAtEnd: false });
    await wm.exportBundle(join(dir, 'trained'), { name: 'trained', envId: 'Reach-v0', actionLow: [-1, -1], actionHigh: [1, 1] });
    await wm.close();
    const model = await WorldModel.load(join(dir, 'trained'), { uncertainty: false });
    const H = 12;
    const latent = await model.encode(start);
    const actions = Float32Array.from({ length: H * 2 }, (_v, i) => (i % 3) - 1);
    const roll = await model.rollout(latent, actions, H);
    for (let h = 0; h < H; h++) {
      expect(roll.states[h * 6 + 4]).toBe(latent[4]);
      expect(roll.states[h * 6 + 5]).toBe(latent[5]);
    }
    // …while the ball's entries do change.
    expect(roll.states[(H - 1) * 6]).not.toBe(latent[0]);
    await model.close();
  });

  it('warm-starts from a checkpoint: its weights and statistics, a fresh optimiser at step 0; another network is refused', { timeout: 60_000 }, async () => {
    const dir = tmp();
    const config = { ...obsSpace, obsDim: 4 };
    const first = await WorldModelTrainer.create(new LinearSystem(), config, { seed: 2, intraOpNumThreads: 1, checkpointPath: join(dir, 'a.ckpt') });
    await first.train({ steps: 30 });
    const weights = first.paramValues();
    await first.close();
    // Other optimisation settings may change; the network may not.
    const warm = await WorldModelTrainer.create(new LinearSystem(), { ...config, lr: 1e-4, horizon: 6 }, { seed: 9, intraOpNumThreads: 1, initFrom: join(dir, 'a.ckpt') });
    expect(warm.step).toBe(0);
    for (const [name, value] of weights) expect(Array.from(warm.paramValues().get(name)!)).toEqual(Array.from(value));
    await warm.close();
    await expect(
      WorldModelTrainer.create(new LinearSystem(), { ...config, dynamicsHidden: [16] }, { seed: 9, intraOpNumThreads: 1, initFrom: join(dir, 'a.ckpt') }),
    ).rejects.toThrow(CheckpointError);
    await expect(
      WorldModelTrainer.create(new LinearSystem(), { ...config, space: 'latent', latentDim: 8 }, { seed: 9, intraOpNumThreads: 1, initFrom: join(dir, 'a.ckpt') }),
    ).rejects.toThrow(/space = "observation"/);
  });

  it("a warm-started training stopped early exports from its checkpoint (the statistics are the warm start's, not the data's)", { timeout: 120_000 }, async () => {
    const dir = tmp();
    const a = await collect({ envId: 'Reach-v0', policy: scriptedPolicyFor('Reach-v0', {})!, episodes: 4, seed: 1, out: join(dir, 'a'), progress: false });
    const b = await collect({ envId: 'Reach-v0', policy: scriptedPolicyFor('Reach-v0', {})!, episodes: 4, seed: 50, out: join(dir, 'b'), progress: false });
    const config = { ...obsSpace, batchSize: 16 };
    await trainWorldModel({ data: a.path, out: join(dir, 'm0'), steps: 20, config, checkpointEvery: 0 });
    const stop = new AbortController();
    const step = { data: [a.path, b.path], out: join(dir, 'm1'), config, initFrom: join(dir, 'm0.ckpt'), checkpointEvery: 0 };
    const stopped = await trainWorldModel({ ...step, steps: 400, signal: stop.signal, onProgress: (p) => p.step > 0 && stop.abort() });
    expect(stopped.stopped).toBe(true);
    expect(stopped.steps).toBe(200);
    const exported = await trainWorldModel({ ...step, steps: stopped.steps, resume: true });
    expect(exported.bundle).toBe(join(dir, 'm1'));
    // Without the warm start the same resume is refused: the checkpoint's statistics are not these data's.
    await expect(trainWorldModel({ ...step, initFrom: undefined, steps: stopped.steps, resume: true, overwrite: true })).rejects.toThrow(/trained on other data/);
  });

  it('refuses the change-unit loss and the linear skip outside observation space, naming the field', () => {
    expect(() => parseWorldModelConfig({ ...obsSpace, space: 'latent', latentDim: 8, consistencyUnits: 'change' })).toThrow(InvalidArgumentError);
    expect(() => parseWorldModelConfig({ ...obsSpace, space: 'latent', latentDim: 8, consistencyUnits: 'change' })).toThrow(/consistencyUnits/);
    expect(() => parseWorldModelConfig({ ...obsSpace, space: 'latent', latentDim: 8, linearSkip: true })).toThrow(/linearSkip/);
    expect(parseWorldModelConfig({ ...obsSpace, consistencyUnits: 'change', linearSkip: true }).linearSkip).toBe(true);
  });

  it('weighs each entry in units of its change per step: 0 for entries that never change, the others averaging 1', () => {
    const w = changeUnitWeights(Float32Array.of(0.5, 0, 0.25, 1));
    expect(w[1]).toBe(0);
    expect((w[0]! + w[2]! + w[3]!) / 3).toBeCloseTo(1, 6);
    // A smaller change per step weighs more.
    expect(w[2]!).toBeGreaterThan(w[0]!);
    expect(w[0]!).toBeGreaterThan(w[3]!);
  });

  it("weighs each entry in the larger of its two units with 'larger': slowly changing entries gain, none falls below 1", () => {
    // Positions (small change per step), a velocity and a flag (large changes), an entry that never changes.
    const scale = Float32Array.of(0.05, 0.4, 1, 0);
    const change = changeUnitWeights(scale);
    const larger = consistencyUnitWeights('larger', scale);
    expect(Array.from(consistencyUnitWeights('change', scale))).toEqual(Array.from(change));
    expect(larger[0]).toBe(change[0]);
    expect(change[0]!).toBeGreaterThan(1);
    expect(change[1]!).toBeLessThan(1);
    expect([larger[1], larger[2], larger[3]]).toEqual([1, 1, 1]);
    expect(() => parseWorldModelConfig({ ...obsSpace, space: 'latent', latentDim: 8, consistencyUnits: 'larger' })).toThrow(/consistencyUnits.*'larger' needs space 'observation'/);
  });

  it("weighs continuous entries in change units and events in the larger unit with 'mixed'", () => {
    // A position and a velocity that change on most steps; a flag and a pushed body's velocity that seldom do.
    const scale = Float32Array.of(0.05, 0.4, 1, 0.4);
    const rate = Float32Array.of(0.9, 0.8, 0.03, 0.2);
    const change = changeUnitWeights(scale);
    const mixed = consistencyUnitWeights('mixed', scale, rate);
    expect([mixed[0], mixed[1]]).toEqual([change[0], change[1]]);
    expect(change[1]!).toBeLessThan(1);
    expect(change[2]!).toBeLessThan(1);
    expect([mixed[2], mixed[3]]).toEqual([1, 1]);
    // Without the data's change rates (a source whose stats lack them) the loss is refused, naming what it needs.
    expect(() => consistencyUnitWeights('mixed', scale)).toThrow(/'mixed'.*changeRate for 4 entries.*got none/);
    expect(() => consistencyUnitWeights('mixed', scale, Float32Array.of(1))).toThrow(/got 1 entries/);
    expect(() => parseWorldModelConfig({ ...obsSpace, space: 'latent', latentDim: 8, consistencyUnits: 'mixed' })).toThrow(/consistencyUnits.*'mixed' needs space 'observation'/);
  });

  it("refuses the 'mixed' loss on a source whose statistics carry no change rates", async () => {
    await expect(WorldModelTrainer.create(new LinearSystem(), { ...obsSpace, obsDim: 4, consistencyUnits: 'mixed' }, { seed: 1, intraOpNumThreads: 1 })).rejects.toThrow(
      /'mixed'.*changeRate/,
    );
  });

  it('starts a linear skip at the least-squares fit: an untrained model already predicts a linear system', { timeout: 60_000 }, async () => {
    const dir = tmp();
    const sys = new LinearSystem();
    const error = async (linearSkip: boolean) => {
      const t = await WorldModelTrainer.create(sys, { ...obsSpace, obsDim: 4, linearSkip }, { seed: 3, intraOpNumThreads: 1 });
      const out = join(dir, `skip-${linearSkip}`);
      await t.exportBundle(out, { name: 'skip', envId: 'Linear', actionLow: [-1, -1], actionHigh: [1, 1] });
      await t.close();
      const model = await WorldModel.load(out, { uncertainty: false });
      const x = Float32Array.of(0.8, -1.2, 0.4, 1.5);
      const u = Float32Array.of(0.7, -0.3);
      const want = new Float32Array(4);
      sys.step(x, u, want);
      const got = await model.decode((await model.step(await model.encode(x), u)).nextLatent);
      await model.close();
      return Math.max(...Array.from(want, (v, i) => Math.abs(v - got[i]!)));
    };
    // Without the skip an untrained model predicts "nothing changes".
    expect(await error(false)).toBeGreaterThan(0.3);
    expect(await error(true)).toBeLessThan(0.05);
  });
});
