import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import pkg from 'onnx-proto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkEnv } from '../../src/check.js';
import { EnvStateError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { ModelOutputError, WorldModelEnv } from '../../src/worldmodel/world-model-env.js';
import { denseForward, dynamicsForward, writeTestBundle, type TestBundleOptions } from './onnx-fixtures.js';

const O = 3;
const L = 4;
const A = 2;
const N_INIT = 1000;
const init = Rng.fromSeed(9).fillNormal(new Float32Array(N_INIT * O));

function bundle(opts: TestBundleOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'wmenv-'));
  const weights = writeTestBundle(dir, { decoder: true, initialObservations: init, ...opts });
  return { dir, weights };
}

describe('WorldModelEnv', () => {
  it.each([
    ['single world', {}, {}],
    ['batch of 8, TS1 ensemble, terminal head', { ensemble: 3, hasTerminal: true }, { batch: 8, model: { ensembleMode: 'ts1' as const } }],
    ['TS∞ ensemble without a decoder', { ensemble: 2, decoder: false }, { model: { ensembleMode: 'tsinf' as const }, maxEpisodeSteps: 20 }],
  ])('passes checkEnv: %s', async (_name, b, e) => {
    const { dir } = bundle(b);
    const env = await WorldModelEnv.load(dir, e);
    const report = await checkEnv(env);
    expect(report.failures).toEqual([]);
    expect(report.passed).toBe(true);
  });

  it('imagines from a prompt exactly as encoder → dynamics → decoder', async () => {
    const { dir, weights } = bundle({ hasTerminal: true });
    const env = await WorldModelEnv.load(dir);
    expect(env.observationSpace.shape).toEqual([O]);
    expect(env.actionSpace.shape).toEqual([A]);
    expect(env.spec.id).toBe('WorldModel/LineWorld-v0');
    const prompt = Float32Array.of(0.1, -0.2, 0.3);
    const r = await env.reset({ seed: 1, options: { prompt } });
    expect(Array.from(r.observation)).toEqual(Array.from(prompt));
    const z0 = denseForward(weights.encoder, prompt, 1);
    expect(Array.from(r.info.latent as Float32Array).map((v) => +v.toFixed(5))).toEqual(Array.from(z0).map((v) => +v.toFixed(5)));
    const a = Float32Array.of(0.5, -0.5);
    const s = await env.step(a);
    const ref = dynamicsForward(weights.members[0]!, z0, a, 1, L, A);
    const obs = denseForward(weights.decoder!, ref.next, 1);
    for (let i = 0; i < O; i++) expect(s.observation[i]).toBeCloseTo(obs[i]!, 5);
    expect(s.reward).toBeCloseTo(ref.reward[0]!, 5);
    const p = 1 / (1 + Math.exp(-ref.terminal![0]!));
    expect(s.info.terminalProb).toBeCloseTo(p, 5);
    expect(s.terminated).toBe(p > 0.5);
    await env.close();
  });

  it('samples the start from the bundle’s initial observations when there is no prompt (seeded)', async () => {
    const { dir } = bundle();
    const env = await WorldModelEnv.load(dir, { batch: 4 });
    const a = (await env.reset({ seed: 5 })).observation;
    const b = (await env.reset({ seed: 5 })).observation;
    expect(Array.from(a)).toEqual(Array.from(b));
    for (let w = 0; w < 4; w++) {
      const row = Array.from(a.subarray(w * O, (w + 1) * O));
      const k = [...Array(N_INIT).keys()].find((i) => Array.from(init.subarray(i * O, (i + 1) * O)).every((v, j) => v === row[j]));
      expect(k).toBeDefined();
    }
    await env.close();
  });

  it('forks into independent branches and rewinds with setState', async () => {
    const { dir } = bundle({ ensemble: 3 });
    const env = await WorldModelEnv.load(dir, { model: { ensembleMode: 'ts1' } });
    await env.reset({ seed: 2 });
    await env.step(Float32Array.of(0.2, 0.2));
    const saved = env.getState();
    const [left, right] = env.fork(2);
    const l = await left!.step(Float32Array.of(-1, -1));
    const r = await right!.step(Float32Array.of(1, 1));
    expect(Array.from(l.observation)).not.toEqual(Array.from(r.observation));
    // The parent did not move; a fork with the same action as the parent's next step agrees with it.
    const [same] = env.fork(1);
    const x = await same!.step(Float32Array.of(1, 1));
    const y = await env.step(Float32Array.of(1, 1));
    expect(Array.from(x.observation)).toEqual(Array.from(y.observation));
    expect(Array.from(y.observation)).toEqual(Array.from(r.observation));
    // Rewind.
    env.setState(saved);
    const z = await env.step(Float32Array.of(1, 1));
    expect(Array.from(z.observation)).toEqual(Array.from(y.observation));
    // The model stays open until the last fork closes.
    await env.close();
    await left!.close();
    await same!.close();
    expect((await right!.step(Float32Array.of(0, 0))).observation.length).toBe(O);
    await right!.close();
    await expect(right!.model.encode(new Float32Array(O))).rejects.toThrow(/used after close/);
  });

  it('runs B worlds as one env: per-world rewards, termination and frozen finished worlds', async () => {
    const { dir } = bundle();
    // World 1 terminates at its first step (recognised by its action), the others run to the time limit.
    const env = await WorldModelEnv.load(dir, { batch: 3, maxEpisodeSteps: 3, terminationFn: (_obs, action) => Math.abs(action[0]! - 0.5) < 1e-6 });
    expect(env.observationSpace.shape).toEqual([3, O]);
    expect(env.actionSpace.shape).toEqual([3, A]);
    await env.reset({ seed: 0, options: { prompt: init.subarray(0, 3 * O) } });
    const action = Float32Array.of(0.1, 0.1, 0.5, 0.5, -0.3, 0.2);
    const first = await env.step(action);
    expect(Array.from(first.info.terminated as Uint8Array)).toEqual([0, 1, 0]);
    const r1 = first.info.rewards as Float32Array;
    expect(first.reward).toBeCloseTo((r1[0]! + r1[1]! + r1[2]!) / 3, 6);
    expect(first.terminated).toBe(false);
    const frozen = Array.from(first.observation.subarray(O, 2 * O));
    const second = await env.step(action);
    const r2 = second.info.rewards as Float32Array;
    expect(r2[1]).toBe(0);
    expect(second.reward).toBeCloseTo((r2[0]! + r2[2]!) / 2, 6);
    expect(Array.from(second.observation.subarray(O, 2 * O))).toEqual(frozen);
    expect(Array.from(second.observation.subarray(0, O))).not.toEqual(Array.from(first.observation.subarray(0, O)));
    const third = await env.step(action);
    expect(third.truncated).toBe(true);
    expect(third.terminated).toBe(false);
    await expect(env.step(action)).rejects.toThrow(EnvStateError);
    await env.close();
  });

  it('never hands out a non-finite observation, latent or reward (issue 14)', async () => {
    // A NaN weight in the dynamics (a diverged training run): the step fails with a typed error naming what went non-finite.
    const dir = mkdtempSync(join(tmpdir(), 'wmenv-nan-'));
    writeTestBundle(dir, { decoder: true, initialObservations: new Float32Array(6) });
    const file = join(dir, 'dynamics_0.onnx');
    const model = pkg.onnx.ModelProto.decode(readFileSync(file));
    const init = model.graph!.initializer!.at(-1)!; // the reward layer's bias
    const values = new Float32Array(Uint8Array.from(init.rawData!).buffer);
    values[0] = Number.NaN;
    init.rawData = new Uint8Array(values.buffer);
    writeFileSync(file, pkg.onnx.ModelProto.encode(model).finish());
    // Loading refuses it (the load-time probe); loaded without the probe, every step checks its outputs.
    await expect(WorldModelEnv.load(dir)).rejects.toThrow(/dynamics_0\.onnx: the load-time probe gave a non-finite `reward` \(NaN at index 0\)/);
    const env = await WorldModelEnv.load(dir, { model: { probe: false } });
    await env.reset({ seed: 0 });
    const before = env.getState();
    await expect(env.step(Float32Array.of(0, 0))).rejects.toThrow(ModelOutputError);
    await expect(env.step(Float32Array.of(0, 0))).rejects.toThrow(/produced a non-finite reward at step 1 \(NaN at index 0\)/);
    expect(env.getState().latent).toEqual(before.latent); // nothing half-applied
    // setState refuses non-finite latents and observations.
    expect(() => env.setState({ ...before, latent: before.latent.map(() => Number.NaN) })).toThrow(/setState: expected a finite `latent`, got NaN at index 0/);
    expect(() => env.setState({ ...before, observation: before.observation.map(() => Number.POSITIVE_INFINITY) })).toThrow(/expected a finite `observation`, got Infinity/);
    await env.close();
  });

  it('reports bad input precisely', async () => {
    const { dir } = bundle({ initialObservations: undefined });
    const noInit = mkdtempSync(join(tmpdir(), 'wmenv-'));
    writeTestBundle(noInit, { decoder: true });
    const env = await WorldModelEnv.load(noInit);
    await expect(env.reset()).rejects.toThrow(/no options\.prompt given and the bundle has no initial observations/);
    await expect(env.reset({ options: { prompt: [1, 2] } })).rejects.toThrow(/expected options\.prompt to hold 3 values \(one observation\), got 2/);
    await expect(env.reset({ options: { prompt: [1, NaN, 2] } })).rejects.toThrow(/expected a finite options\.prompt/);
    await expect(env.reset({ options: { promt: [1, 2, 3] } })).rejects.toThrow(/reset options: .*promt/);
    expect(() => env.fork(1)).toThrow(/fork\(\) called before reset\(\)/);
    await env.reset({ options: { prompt: [0, 0, 0] } });
    await expect(env.step(Float32Array.of(2, 0))).rejects.toThrow(/invalid action: expected index 0 in \[-1, 1\], got 2/);
    await env.close();
    const model = await WorldModel.load(dir);
    expect(() => new WorldModelEnv(model, { batch: 0 })).toThrow(/WorldModelEnv options: `batch`/);
    expect(() => new WorldModelEnv(model, { initialObservations: new Float32Array(4) })).toThrow(/expected `initialObservations` to hold N × 3 values/);
    // An env built on a caller's model does not close it.
    const e2 = new WorldModelEnv(model);
    await e2.close();
    expect((await model.encode(new Float32Array(O))).length).toBe(L);
    await model.close();
  });
});
