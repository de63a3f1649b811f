import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/rng.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { Planner } from '../../src/planning/planner.js';
import { rewardObjective } from '../../src/planning/objectives.js';
import { denseForward, dynamicsForward, writeTestBundle, type TestBundleOptions } from './onnx-fixtures.js';

const L = 4;
const A = 2;
const O = 3;

function make(opts: TestBundleOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'wm-'));
  const weights = writeTestBundle(dir, opts);
  return { dir, weights };
}

function randn(n: number, seed: number) {
  return Rng.fromSeed(seed).fillNormal(new Float32Array(n));
}

function expectClose(a: Float32Array, b: Float32Array, tol = 1e-5) {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  expect(worst).toBeLessThan(tol);
}

describe('WorldModel', () => {
  it('encodes, steps and decodes batches exactly like the reference forward pass', async () => {
    const { dir, weights } = make({ decoder: true, hasTerminal: true });
    const model = await WorldModel.load(dir);
    const B = 5;
    const obs = randn(B * O, 1);
    const z = await model.encode(obs);
    expectClose(z, denseForward(weights.encoder, obs, B));
    const a = randn(B * A, 2);
    const s = await model.step(z, a);
    const ref = dynamicsForward(weights.members[0]!, z, a, B, L, A);
    expectClose(s.nextLatent, ref.next);
    expectClose(s.reward, ref.reward);
    expectClose(
      s.terminalProb!,
      ref.terminal!.map((x) => 1 / (1 + Math.exp(-x))),
    );
    expect(s.uncertainty).toBeUndefined();
    expectClose(await model.decode(z), denseForward(weights.decoder!, z, B));
    await model.close();
    await model.close(); // idempotent
    await expect(model.encode(obs)).rejects.toThrow(/used after close\(\)/);
  });

  it('fused rollout (Scan) equals H unfused steps', async () => {
    const { dir, weights } = make({ rollout: true, hasTerminal: true });
    const fused = await WorldModel.load(dir);
    const unfused = await WorldModel.load(dir, { fused: false });
    const B = 7;
    const H = 6;
    const z0 = randn(B * L, 3);
    const acts = randn(B * H * A, 4);
    expect(fused.canFuse(H)).toBe(true);
    expect(unfused.canFuse(H)).toBe(false);
    const r1 = await fused.rollout(z0, acts, H);
    const r2 = await unfused.rollout(z0, acts, H);
    expectClose(r1.states, r2.states);
    expectClose(r1.rewards, r2.rewards);
    expectClose(r1.terminals!, r2.terminals!);
    // And both follow the reference dynamics.
    let z: Float32Array = z0;
    for (let h = 0; h < H; h++) {
      const a = new Float32Array(B * A);
      for (let b = 0; b < B; b++) a.set(acts.subarray((b * H + h) * A, (b * H + h + 1) * A), b * A);
      const ref = dynamicsForward(weights.members[0]!, z, a, B, L, A);
      for (let b = 0; b < B; b++) {
        expectClose(r2.states.subarray((b * H + h) * L, (b * H + h + 1) * L), ref.next.subarray(b * L, (b + 1) * L));
        expect(r2.rewards[b * H + h]).toBeCloseTo(ref.reward[b]!, 5);
      }
      z = ref.next;
    }
    await fused.close();
    await unfused.close();
  });

  it('uses a fused rollout for an ensemble only when the manifest says it computes the mean', async () => {
    for (const [rolloutMode, expected] of [
      [undefined, false],
      ['member0', false],
      ['mean', true],
    ] as const) {
      const { dir } = make({ ensemble: 3, rollout: true, manifest: rolloutMode ? { rolloutMode } : {} });
      // The fixture's rollout.onnx steps member 0, so a manifest saying 'mean' fails the load-time cross-check;
      // without the probe the manifest is believed.
      const probe = rolloutMode !== 'mean';
      if (!probe) await expect(WorldModel.load(dir)).rejects.toThrow(/rollout\.onnx: does not compute what the dynamics do \(rolloutMode mean\)/);
      const model = await WorldModel.load(dir, { uncertainty: false, probe });
      expect(model.canFuse(5)).toBe(expected);
      await model.close();
      const withUncertainty = await WorldModel.load(dir, { probe });
      expect(withUncertainty.canFuse(5)).toBe(false);
      await withUncertainty.close();
    }
  });

  it('ensembles: mean averages members and reports their disagreement', async () => {
    const { dir, weights } = make({ ensemble: 3 });
    const model = await WorldModel.load(dir);
    expect(model.computesUncertainty).toBe(true);
    const B = 4;
    const z = randn(B * L, 5);
    const a = randn(B * A, 6);
    const s = await model.step(z, a);
    const refs = weights.members.map((w) => dynamicsForward(w, z, a, B, L, A));
    for (let b = 0; b < B; b++) {
      let unc = 0;
      for (let j = 0; j < L; j++) {
        const vals = refs.map((r) => r.next[b * L + j]!);
        const m = vals.reduce((x, y) => x + y) / 3;
        expect(s.nextLatent[b * L + j]).toBeCloseTo(m, 5);
        unc += Math.sqrt(vals.reduce((acc, v) => acc + (v - m) ** 2, 0) / 3);
      }
      expect(s.uncertainty![b]).toBeCloseTo(unc / L, 5);
      expect(s.reward[b]).toBeCloseTo(refs.reduce((acc, r) => acc + r.reward[b]!, 0) / 3, 5);
    }
    await model.close();
  });

  it('TS1 draws a member per row per step; TS∞ keeps one per particle; both seeded', async () => {
    const { dir, weights } = make({ ensemble: 3 });
    const B = 64;
    const H = 3;
    const z0 = randn(B * L, 7);
    const acts = randn(B * H * A, 8);
    const refStep = (k: number, z: Float32Array, a: Float32Array) => dynamicsForward(weights.members[k]!, z, a, 1, L, A).next;
    for (const uncertainty of [true, false]) {
      // TS∞ with explicit members: row b follows member members[b] for every step.
      const tsinf = await WorldModel.load(dir, { ensembleMode: 'tsinf', seed: 1, uncertainty });
      const members = tsinf.sampleMembers(B);
      expect(new Set(members).size).toBe(3);
      const r = await tsinf.rollout(z0, acts, H, { members });
      for (let b = 0; b < B; b += 9) {
        let z: Float32Array = z0.subarray(b * L, (b + 1) * L);
        for (let h = 0; h < H; h++) {
          z = refStep(members[b]!, z, acts.subarray((b * H + h) * A, (b * H + h + 1) * A));
          expectClose(r.states.subarray((b * H + h) * L, (b * H + h + 1) * L), z);
        }
      }
      expect(r.uncertainty !== undefined).toBe(uncertainty);
      await expect(tsinf.step(z0, randn(B * A, 1))).rejects.toThrow(/ensembleMode 'tsinf' needs `members`/);
      await tsinf.close();
    }
    // TS1: each row's step matches some member; the choices vary across steps; same seed, same result.
    const ts1a = await WorldModel.load(dir, { ensembleMode: 'ts1', seed: 4, uncertainty: false });
    const ts1b = await WorldModel.load(dir, { ensembleMode: 'ts1', seed: 4, uncertainty: false });
    const ra = await ts1a.rollout(z0, acts, H);
    expect(Array.from((await ts1b.rollout(z0, acts, H)).states)).toEqual(Array.from(ra.states));
    let switched = 0;
    for (let b = 0; b < B; b++) {
      let z: Float32Array = z0.subarray(b * L, (b + 1) * L);
      const chosen: number[] = [];
      for (let h = 0; h < H; h++) {
        const a = acts.subarray((b * H + h) * A, (b * H + h + 1) * A);
        const got = ra.states.subarray((b * H + h) * L, (b * H + h + 1) * L);
        const k = [0, 1, 2].find((m) => refStep(m, z, a).every((v, j) => Math.abs(v - got[j]!) < 1e-5));
        expect(k).toBeDefined();
        chosen.push(k!);
        z = got;
      }
      if (new Set(chosen).size > 1) switched++;
    }
    expect(switched).toBeGreaterThan(B / 4);
    await ts1a.close();
    await ts1b.close();
  });

  it('a bundle built independently with the contract’s names plans (MPPI over its rollouts)', async () => {
    for (const opts of [{ rollout: true }, { ensemble: 3, hasTerminal: true }] as TestBundleOptions[]) {
      const { dir } = make(opts);
      const model = await WorldModel.load(dir, { ensembleMode: 'tsinf', seed: 2 });
      const planner = new Planner(model, {
        horizon: 5,
        actionLow: [-1, -1],
        actionHigh: [1, 1],
        optimizer: { algorithm: 'mppi', samples: 64, iterations: 3, seed: 1 },
        objective: rewardObjective(),
      });
      const z = await model.encode(Float32Array.of(0.1, 0.2, 0.3));
      const plan = await planner.plan(z, { warmStart: false });
      expect(plan.action.length).toBe(A);
      for (const a of plan.action) expect(Math.abs(a)).toBeLessThanOrEqual(1);
      // The plan is better (by the model's own reward) than the mid-range action sequence.
      const mid = await model.rollout(z, new Float32Array(5 * A), 5, { members: new Int32Array(1) });
      const chosen = await model.rollout(z, plan.solution, 5, { members: new Int32Array(1) });
      const ret = (r: Float32Array) => r.reduce((x, y) => x + y, 0);
      if (opts.ensemble === undefined) expect(ret(chosen.rewards)).toBeGreaterThan(ret(mid.rewards));
      await model.close();
    }
  });

  it('validates shapes, members and options with precise messages', async () => {
    const { dir } = make({ ensemble: 2 });
    const model = await WorldModel.load(dir);
    await expect(model.encode(new Float32Array(4))).rejects.toThrow(/WorldModel\.encode: expected `observations` to hold B × 3 values \(B ≥ 1\), got 4/);
    await expect(model.step(new Float32Array(8), new Float32Array(3))).rejects.toThrow(/expected `actions` of 2 × 2 = 4 values \(B × actionDim\), got 3/);
    await expect(model.rollout(new Float32Array(4), new Float32Array(4), 3)).rejects.toThrow(/expected `actions` of 1 × 3 × 2 = 6 values \(B × H × actionDim\), got 4/);
    await expect(model.rollout(new Float32Array(4), new Float32Array(4), 0)).rejects.toThrow(/expected `horizon` to be a positive integer, got 0/);
    await expect(model.step(new Float32Array(4), new Float32Array(2), { members: Int32Array.of(2) })).rejects.toThrow(/expected member indices in \[0, 1\], got 2/);
    await expect(model.decode(new Float32Array(4))).rejects.toThrow(/has no decoder/);
    await model.close();
    await expect(WorldModel.load(dir, { ensembleMode: 'best' as never })).rejects.toThrow(/WorldModel options: `ensembleMode`/);
    await expect(WorldModel.load(dir, { fused: true })).rejects.toThrow(/`fused: true` but the bundle .* has no rollout file/);
  });
});
