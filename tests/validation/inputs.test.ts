/**
 * Bad input and partial support: models whose sizes do not match, an environment that is not
 * Stateful, an empty dataset, a world model with and without a decoder, options out of range.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pushBoxValidationSpec } from '../../environments/push-box/validation.js';
import type { Env } from '../../src/env.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { Dataset } from '../../src/training/dataset.js';
import { OracleModel, contactFreeModel, validate, validateSpec, worldModelForValidation, type ValidationModel } from '../../src/validation/index.js';
import { resolveValidateOptions } from '../../src/validation/options.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { writeTestBundle } from '../worldmodel/onnx-fixtures.js';

const spec = pushBoxValidationSpec();
const env = spec.makeEnv();
const TINY = { starts: 2, horizon: 5, scenarioInstances: 1, permanenceRows: 1, permanenceHorizon: 10, counterfactualStarts: 1 } as const;
const dirs: string[] = [];

afterAll(async () => {
  await env.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The same environment with getState/setState hidden. */
function notStateful(inner: Env<Float32Array, Float32Array>): Env<Float32Array, Float32Array> {
  return {
    spec: inner.spec,
    observationSpace: inner.observationSpace,
    actionSpace: inner.actionSpace,
    metadata: inner.metadata,
    reset: (o) => inner.reset(o),
    step: (a) => inner.step(a),
    close: () => inner.close(),
  };
}

function bundleDir(opts: Parameters<typeof writeTestBundle>[1]): string {
  const dir = mkdtempSync(join(tmpdir(), 'val-bundle-'));
  dirs.push(dir);
  writeTestBundle(dir, opts);
  return dir;
}

describe('validate: bad input', () => {
  it('rejects a model whose observation size does not match the environment', async () => {
    const model: ValidationModel = { ...contactFreeModel(spec), obsDim: 15 };
    await expect(validate({ env, model, spec, ...TINY })).rejects.toThrow(/model contact-free-integrator has obsDim 15, but PushBox-v0 observations have 13 entries/);
  });

  it('rejects a world model whose action size does not match', async () => {
    const wm = await WorldModel.load(bundleDir({ obsDim: 13, actionDim: 3, decoder: true }));
    try {
      await expect(validate({ env, model: worldModelForValidation(wm), spec, ...TINY })).rejects.toThrow(InvalidArgumentError);
      await expect(validate({ env, model: worldModelForValidation(wm), spec, ...TINY })).rejects.toThrow(/has actionDim 3, but PushBox-v0 actions have 2 entries/);
    } finally {
      await wm.close();
    }
  });

  it('rejects a spec for another environment or with indices outside the observation', async () => {
    await expect(validate({ env, model: contactFreeModel(spec), spec: { ...spec, envId: 'Reach-v0' }, ...TINY })).rejects.toThrow(
      /the spec describes Reach-v0, but the environment is PushBox-v0/,
    );
    const bad = { ...spec, bodies: [{ ...spec.bodies[0]!, position: [0, 1, 20] as const }] };
    expect(() => validateSpec(bad)).toThrow(/expected body `box` position\[2\] to be an observation index in \[0, 12\], got 20/);
  });

  it('rejects an empty dataset with a clear message', async () => {
    const empty = { size: 0, stats: () => ({ obsStd: new Float32Array(13) }) };
    await expect(validate({ env, model: contactFreeModel(spec), spec, data: empty, ...TINY })).rejects.toThrow(/the dataset is empty \(0 transitions\)/);
    // The dataset class itself refuses to hold nothing.
    const none = {
      obsDim: 13,
      actionDim: 2,
      observations: new Float32Array(0),
      nextObservations: new Float32Array(0),
      actions: new Float32Array(0),
      rewards: new Float32Array(0),
      terminated: new Uint8Array(0),
      truncated: new Uint8Array(0),
      episode: new Int32Array(0),
    };
    expect(() => new Dataset(none)).toThrow(/the dataset is empty \(0 transitions\)/);
  });

  it('rejects data σ of the wrong length and bad option values', async () => {
    await expect(validate({ env, model: contactFreeModel(spec), spec, data: { obsStd: [1, 2, 3] }, ...TINY })).rejects.toThrow(
      /expected data σ \(obsStd\) of 13 entries \(the observation size\), got 3/,
    );
    await expect(validate({ env, model: contactFreeModel(spec), ...TINY, horizon: 0 })).rejects.toThrow(/validate options: `horizon`/);
    await expect(validate({ env, model: {} as ValidationModel })).rejects.toThrow(/expected a ValidationModel/);
  });

  it('rejects the oracle (which needs exact states) on an environment that is not Stateful', async () => {
    const oracle = new OracleModel(() => spec.makeEnv());
    try {
      await expect(validate({ env: notStateful(env), model: oracle, spec, ...TINY })).rejects.toThrow(/starts from exact states, but PushBox-v0 is not Stateful/);
    } finally {
      await oracle.close();
    }
    expect(() => new OracleModel(() => notStateful(spec.makeEnv()))).toThrow(/is not Stateful, so the oracle cannot restore start states/);
  });
});

describe('validate: partial support is reported, not failed', () => {
  it('marks counterfactual branching "not available" on an environment that is not Stateful', async () => {
    const r = await validate({ env: notStateful(env), model: contactFreeModel(spec), spec, ...TINY });
    expect(r.env.stateful).toBe(false);
    expect(r.causal.counterfactual.status).toBe('not-available');
    expect(r.causal.counterfactual.reason).toMatch(/PushBox-v0 is not Stateful/);
    // Everything that does not need branching is still measured.
    expect(r.drift.status).toBe('scored');
    expect(r.plausibility.checks.find((c) => c.id === 'gravity')!.status).toBe('scored');
    expect(r.causal.controllability.status).toBe('scored');
    expect(r.notes.some((n) => /not Stateful/.test(n))).toBe(true);
  });

  it('marks plausibility "not available" without a spec, and closed loop without contenders', async () => {
    const r = await validate({ env, model: contactFreeModel(spec), ...TINY });
    expect(r.plausibility.pps).toBeNull();
    for (const c of r.plausibility.checks) {
      expect(c.status).toBe('not-available');
      expect(c.reason).toMatch(/no validation spec for PushBox-v0/);
    }
    expect(r.causal.counterfactual.status).toBe('not-applicable');
    expect(r.closedLoop.status).toBe('not-available');
  });

  it('validates a world model end to end: observation drift and the latent gap', async () => {
    const wm = await WorldModel.load(bundleDir({ obsDim: 13, actionDim: 2, decoder: true, latentDim: 4 }));
    try {
      const r = await validate({ env, model: worldModelForValidation(wm), spec, ...TINY });
      expect(r.model).toMatchObject({ kind: 'learned', latentDim: 4, predictsObservations: true });
      const c = r.drift.curves[0]!;
      // An untrained random network is far from reality from the first step on.
      expect(c.overall[0]!.mean).toBeGreaterThan(0.5);
      expect(c.validHorizon).toBe(1);
      expect(c.latent!.absolute).toHaveLength(5);
      for (const p of c.latent!.absolute) expect(p.mean).toBeGreaterThan(0);
      expect(r.plausibility.pps!).toBeLessThan(0.9);
    } finally {
      await wm.close();
    }
  });

  it('reports latent-space metrics only for a world model without decoder', async () => {
    const wm = await WorldModel.load(bundleDir({ obsDim: 13, actionDim: 2, decoder: false, latentDim: 4 }));
    try {
      const r = await validate({ env, model: worldModelForValidation(wm), spec, ...TINY });
      expect(r.drift.status).toBe('not-available');
      expect(r.drift.reason).toMatch(/no decoder/);
      expect(r.drift.curves[0]!.latent!.relative).toHaveLength(5);
      expect(r.plausibility.checks.every((c) => c.status === 'not-available')).toBe(true);
      expect(r.causal.controllability.status).toBe('not-available');
      expect(r.causal.counterfactual.status).toBe('not-available');
    } finally {
      await wm.close();
    }
  });
});

describe('validate: row counts', () => {
  it('random-action rows default to 96 (quick 8) and each policy source to the first 24 of them (quick 8)', () => {
    const sizes = (o: Record<string, unknown>) => {
      const r = resolveValidateOptions({ env, model: contactFreeModel(spec), spec, ...o });
      return [r.starts, r.sourceStarts];
    };
    expect(sizes({})).toEqual([96, 24]);
    expect(sizes({ quick: true })).toEqual([8, 8]);
    expect(sizes({ starts: 10 })).toEqual([10, 10]);
    expect(sizes({ starts: 40, sourceStarts: 30 })).toEqual([40, 30]);
  });

  it('runs the random rows from every start and a source from the first `sourceStarts`', async () => {
    const scripted = { name: 'still', policy: { name: 'still', act: () => new Float32Array(2) } };
    const report = await validate({ env, model: contactFreeModel(spec), spec, ...TINY, starts: 4, sourceStarts: 2, sources: [scripted] });
    expect(report.drift.curves.map((c) => [c.source, c.rows])).toEqual([
      ['random', 4],
      ['still', 2],
    ]);
    expect(report.settings).toMatchObject({ starts: 4, sourceStarts: 2 });
  });
});
