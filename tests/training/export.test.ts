import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as ort from 'onnxruntime-node';
import { Graph, ParamScope, serializeModel, simNorm, simNormBounded, SIMNORM_BOUND } from '../../src/graph/index.js';
import { exportBundle } from '../../src/training/export-bundle.js';
import { boundedSimNormPrefixes, foldRewardScale } from '../../src/training/wm-graphs.js';
import { parseWorldModelConfig } from '../../src/training/wm-config.js';
import { WorldModelObjective } from '../../src/training/wm-objective.js';
import { ManifestSchema } from '../../src/worldmodel/manifest.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { decodeNpy } from '../../src/codecs/npy.js';
import { f32, maxAbsDiff, randn, session, tensor, testStats } from './helpers.js';

// Exported graphs must reproduce the training graph's forward values (same weights) to 1e-5.
const TOL = 1e-5;
const config = parseWorldModelConfig({
  obsDim: 5,
  actionDim: 2,
  latentDim: 16,
  encoderHidden: [32],
  dynamicsHidden: [32, 32],
  rewardHidden: [16],
  terminalHidden: [16],
  decoderHidden: [32],
  batchSize: 6,
  horizon: 3,
  terminal: true,
  ensembleSize: 2,
});
const { batchSize: B, horizon: H, obsDim: O, actionDim: A, latentDim: L } = config;
const stats = testStats(O);

describe('exportBundle', () => {
  const root = mkdtempSync(join(tmpdir(), 'embodied-export-'));
  const dir = join(root, 'bundle');
  let params: Map<string, Float32Array>;
  let train: Record<string, Float32Array>;
  const obs = randn((H + 1) * B * O, 1, 2);
  const actions = randn(H * B * A, 2);

  beforeAll(async () => {
    const objective = new WorldModelObjective(config, stats);
    const g = new Graph();
    const data = Object.fromEntries(objective.inputs.map((i) => [i.name, g.input(i.name, i.shape)]));
    const out = objective.build(new ParamScope(g), data);
    params = g.initParams(11);
    // Perturb zero-initialised weights so every path (reward head, biases) carries signal.
    for (const [name, v] of params)
      params.set(
        name,
        v.map((x, i) => x + 0.05 * Math.sin(i + name.length)),
      );
    const s = await session(serializeModel({ graph: g, outputs: { ...out.extras }, paramValues: params }));
    const feeds: Record<string, ort.Tensor> = {
      obs: tensor(obs, [H + 1, B, O]),
      actions: tensor(actions, [H, B, A]),
      rewards: tensor(randn(H * B, 3), [H, B]),
      terminated: tensor(new Float32Array(H * B), [H, B]),
      mask: tensor(new Float32Array(H * B).fill(1), [H, B]),
    };
    const r = await s.run(feeds);
    train = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f32(v)]));
    await exportBundle(dir, {
      config,
      stats,
      params,
      name: 'test-model',
      envId: 'Test-v0',
      actionLow: [-1, -2],
      actionHigh: [1, 2],
      seed: 11,
      datasetHash: 'abc',
      trainingSteps: 0,
      finalLosses: { total: 1.5 },
      controlDt: 0.05,
      initialObservations: obs.slice(0, 3 * O),
    });
  });
  afterAll(() => undefined);

  it('writes a manifest that passes the schema, with provenance', () => {
    const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
    expect(manifest.files).toEqual({
      encoder: 'encoder.onnx',
      dynamics: ['dynamics_0.onnx', 'dynamics_1.onnx'],
      decoder: 'decoder.onnx',
      rollout: 'rollout.onnx',
      initialObservations: 'initial_observations.npy',
    });
    const npy = decodeNpy(readFileSync(join(dir, 'initial_observations.npy')));
    expect(npy.shape).toEqual([3, O]);
    expect(Array.from(npy.data as Float32Array)).toEqual(Array.from(obs.slice(0, 3 * O)));
    expect(manifest.hasTerminal).toBe(true);
    expect(manifest.trainingHorizon).toBe(H);
    expect(manifest.provenance.producer).toMatch(/^embodied@\d+\.\d+\.\d+/);
    expect(manifest.provenance).toMatchObject({ seed: 11, datasetHash: 'abc', trainingSteps: 0, finalLosses: { total: 1.5 } });
    expect(manifest.provenance.config).toMatchObject({ latentDim: L, horizon: H, rolloutMode: 'member0' });
    expect(manifest.rolloutMode).toBe('member0');
    expect(readdirSync(root)).toEqual(['bundle']);
  });

  it('encoder.onnx matches the training graph and takes any batch size', async () => {
    const s = await session(join(dir, 'encoder.onnx'));
    expect(s.inputNames).toEqual(['obs']);
    expect(s.outputNames).toEqual(['latent']);
    const r = await s.run({ obs: tensor(obs.slice(0, B * O), [B, O]) });
    expect(maxAbsDiff(f32(r.latent), train.latent0!)).toBeLessThan(TOL);
    const one = await s.run({ obs: tensor(obs.slice(O, 2 * O), [1, O]) });
    expect(maxAbsDiff(f32(one.latent), train.latent0!.slice(L, 2 * L))).toBeLessThan(TOL);
  });

  it('dynamics_0.onnx matches next latent, reward and terminal logit', async () => {
    const s = await session(join(dir, 'dynamics_0.onnx'));
    expect(s.inputNames).toEqual(['latent', 'action']);
    expect(s.outputNames).toEqual(['next_latent', 'reward', 'terminal_logit']);
    const r = await s.run({ latent: tensor(train.latent0!, [B, L]), action: tensor(actions.slice(0, B * A), [B, A]) });
    expect(r.reward!.dims).toEqual([B, 1]);
    expect(maxAbsDiff(f32(r.next_latent), train.nextLatent0!)).toBeLessThan(TOL);
    expect(maxAbsDiff(f32(r.reward), train.reward0!)).toBeLessThan(TOL);
    expect(maxAbsDiff(f32(r.terminal_logit), train.terminalLogit0!)).toBeLessThan(TOL);
  });

  it('decoder.onnx returns raw-unit observations matching the training graph', async () => {
    const s = await session(join(dir, 'decoder.onnx'));
    const r = await s.run({ latent: tensor(train.latent0!, [B, L]) });
    expect(r.obs!.dims).toEqual([B, O]);
    expect(maxAbsDiff(f32(r.obs), train.decoded0!)).toBeLessThan(TOL);
  });

  it('rollout.onnx (Scan) reproduces member 0 unrolled over H', async () => {
    const s = await session(join(dir, 'rollout.onnx'));
    expect(s.inputNames).toEqual(['latent', 'actions']);
    expect(s.outputNames).toEqual(['latents', 'rewards', 'terminal_logits']);
    const batchMajor = new Float32Array(B * H * A);
    for (let b = 0; b < B; b++) for (let t = 0; t < H; t++) batchMajor.set(actions.subarray((t * B + b) * A, (t * B + b + 1) * A), (b * H + t) * A);
    const r = await s.run({ latent: tensor(train.latent0!, [B, L]), actions: tensor(batchMajor, [B, H, A]) });
    expect(r.latents!.dims).toEqual([B, H, L]);
    expect(r.rewards!.dims).toEqual([B, H]);
    const latents = f32(r.latents);
    const timeMajor = new Float32Array(H * B * L);
    for (let b = 0; b < B; b++) for (let t = 0; t < H; t++) timeMajor.set(latents.subarray((b * H + t) * L, (b * H + t + 1) * L), (t * B + b) * L);
    expect(maxAbsDiff(timeMajor, train.predLatents!)).toBeLessThan(TOL);
    const r0 = Float32Array.from({ length: B }, (_v, b) => f32(r.rewards)[b * H]!);
    expect(maxAbsDiff(r0, train.reward0!)).toBeLessThan(TOL);
    expect(r.terminal_logits!.dims).toEqual([B, H]);
    const t0 = Float32Array.from({ length: B }, (_v, b) => f32(r.terminal_logits)[b * H]!);
    expect(maxAbsDiff(t0, train.terminalLogit0!)).toBeLessThan(TOL);
  });

  it('rollout "mean" averages the ensemble members', async () => {
    const meanDir = join(root, 'mean');
    const manifest = await exportBundle(meanDir, { config, stats, params, name: 'm', envId: 'Test-v0', actionLow: [-1, -2], actionHigh: [1, 2], rollout: 'mean' });
    expect(manifest.provenance.config).toMatchObject({ rolloutMode: 'mean' });
    const roll = await session(join(meanDir, 'rollout.onnx'));
    const d0 = await session(join(meanDir, 'dynamics_0.onnx'));
    const d1 = await session(join(meanDir, 'dynamics_1.onnx'));
    const latent = tensor(train.latent0!, [B, L]);
    const action = tensor(actions.slice(0, B * A), [B, A]);
    const [a, b] = [await d0.run({ latent, action }), await d1.run({ latent, action })];
    const mean = f32(a.next_latent).map((v, i) => (v + f32(b.next_latent)[i]!) / 2);
    const r = await roll.run({ latent, actions: tensor(actions.slice(0, B * A), [B, 1, A]) });
    expect(maxAbsDiff(f32(r.latents), mean)).toBeLessThan(TOL);
  });

  it('builds SimNorm without Softmax where the layer norm bounds its input, and keeps Softmax elsewhere', async () => {
    // Above: every graph matched the training graph (Softmax) to 1e-5 with the bounded form in place.
    for (const f of ['encoder.onnx', 'dynamics_0.onnx', 'rollout.onnx']) expect(readFileSync(join(dir, f)).includes('Softmax')).toBe(false);
    expect([...boundedSimNormPrefixes(config, params)].sort()).toEqual(['dynamics0', 'dynamics1', 'encoder']);
    // √15 · 25 > 80: the encoder's SimNorm input is no longer provably bounded.
    const wide = new Map(params).set('encoder.out.ln_scale', new Float32Array(L).fill(25));
    const nan = new Map(params).set('dynamics1.out.ln_bias', new Float32Array(L).fill(Number.NaN));
    expect([...boundedSimNormPrefixes(config, wide)].sort()).toEqual(['dynamics0', 'dynamics1']);
    expect([...boundedSimNormPrefixes(config, nan)].sort()).toEqual(['dynamics0', 'encoder']);
    const wideDir = join(root, 'wide');
    await exportBundle(wideDir, { config, stats, params: wide, name: 'w', envId: 'Test-v0', actionLow: [-1, -2], actionHigh: [1, 2] });
    expect(readFileSync(join(wideDir, 'encoder.onnx')).includes('Softmax')).toBe(true);
    expect(readFileSync(join(wideDir, 'dynamics_0.onnx')).includes('Softmax')).toBe(false);
  });

  it('simNormBounded equals simNorm up to rounding across the whole bound, and needs it', async () => {
    const g = new Graph();
    const x = g.input('x', ['B', 16]);
    const s = await session(serializeModel({ graph: g, inputs: [x], outputs: { a: simNorm(x, 8), b: simNormBounded(x, 8) } }));
    const v = randn(4 * 16, 7).map((u) => Math.max(-SIMNORM_BOUND, Math.min(SIMNORM_BOUND, u * 40)));
    v[0] = SIMNORM_BOUND;
    v[9] = -SIMNORM_BOUND;
    v.fill(-SIMNORM_BOUND, 16, 24); // a whole group at the lower end
    const r = await s.run({ x: tensor(v, [4, 16]) });
    expect(maxAbsDiff(f32(r.b), f32(r.a))).toBeLessThan(1e-6);
    const beyond = await s.run({ x: tensor(new Float32Array(16).fill(100), [1, 16]) });
    expect(f32(beyond.a).every((p) => Math.abs(p - 1 / 8) < 1e-6)).toBe(true);
    expect(f32(beyond.b).some((p) => Number.isNaN(p))).toBe(true); // why the exporter proves the bound first
  });

  it('folds the reward de-normalisation into the reward heads (the exported rewards above are raw)', () => {
    const folded = foldRewardScale(config, stats, params);
    expect(
      folded
        .get('reward0.out.w')!
        .map((v, i) => v - params.get('reward0.out.w')![i]! * stats.rewardStd)
        .every((d) => Math.abs(d) < 1e-6),
    ).toBe(true);
    expect(folded.get('reward1.out.b')![0]).toBeCloseTo(params.get('reward1.out.b')![0]! * stats.rewardStd + stats.rewardMean, 6);
    expect(folded.get('encoder.out.w')).toBe(params.get('encoder.out.w'));
    expect(stats.rewardStd).not.toBe(1); // otherwise the fold would be invisible to the comparisons above
  });

  it('refuses to replace an existing bundle unless asked, and leaves no temp dirs', async () => {
    const opts = { config, stats, params, name: 'x', envId: 'Test-v0', actionLow: [-1, -2], actionHigh: [1, 2] };
    await expect(exportBundle(dir, opts)).rejects.toThrow(InvalidArgumentError);
    await expect(exportBundle(dir, opts)).rejects.toThrow(/already exists; pass overwrite: true/);
    await exportBundle(dir, { ...opts, overwrite: true });
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).name).toBe('x');
    expect(readdirSync(root).sort()).toEqual(['bundle', 'mean', 'wide']);
  });

  it('rejects bounds that do not match actionDim, naming the field', async () => {
    await expect(exportBundle(join(root, 'bad'), { config, stats, params, name: 'x', envId: 'Test-v0', actionLow: [-1], actionHigh: [1, 2] })).rejects.toThrow(
      /actionLow.*expected 2 entries/,
    );
    expect(existsSync(join(root, 'bad'))).toBe(false);
    await expect(
      exportBundle(join(root, 'bad'), { config, stats, params, name: 'x', envId: 'Test-v0', actionLow: [-1, -1], actionHigh: [1, 1], initialObservations: new Float32Array(7) }),
    ).rejects.toThrow(/expected initialObservations of N × obsDim \(5\) values, got 7/);
  });
});
