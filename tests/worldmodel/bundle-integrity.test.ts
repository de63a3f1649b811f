/**
 * Issue 14 item 6: a bundle's files are checked at load — their SHA-256 against the manifest's
 * `fileHashes` (written at export), a probe batch through encoder → dynamics → decoder must be finite,
 * and `rollout.onnx` must compute what stepping the dynamics does.
 */
import { describe, expect, it } from 'vitest';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkg from 'onnx-proto';
import { Graph, ParamScope } from '../../src/graph/index.js';
import { exportBundle } from '../../src/training/export-bundle.js';
import { parseWorldModelConfig } from '../../src/training/wm-config.js';
import { WorldModelObjective } from '../../src/training/wm-objective.js';
import { BundleError, loadBundle } from '../../src/worldmodel/bundle.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { testStats } from '../training/helpers.js';
import { writeTestBundle, type TestBundleOptions } from './onnx-fixtures.js';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** Exports a small trained-shape bundle (random weights) with the SDK's exporter. */
async function exported(dir: string, initialObservations?: Float32Array) {
  const config = parseWorldModelConfig({
    obsDim: 3,
    actionDim: 2,
    latentDim: 8,
    encoderHidden: [8],
    dynamicsHidden: [8],
    rewardHidden: [8],
    decoderHidden: [8],
    horizon: 2,
    ensembleSize: 2,
  });
  const g = new Graph();
  const objective = new WorldModelObjective(config, testStats(3));
  objective.build(new ParamScope(g), Object.fromEntries(objective.inputs.map((i) => [i.name, g.input(i.name, i.shape)])));
  const params = g.initParams(5);
  return exportBundle(dir, {
    config,
    stats: testStats(3),
    params,
    name: 'integrity',
    envId: 'Test-v0',
    actionLow: [-1, -1],
    actionHigh: [1, 1],
    ...(initialObservations && { initialObservations }),
  });
}

/** Sets the first value of initializer `index` (negative: from the end) of an ONNX file to `value`. */
function poison(file: string, index: number, value: number): void {
  const model = pkg.onnx.ModelProto.decode(readFileSync(file));
  const init = model.graph!.initializer!.at(index)!;
  const values = new Float32Array(Uint8Array.from(init.rawData!).buffer);
  values[0] = value;
  init.rawData = new Uint8Array(values.buffer);
  writeFileSync(file, pkg.onnx.ModelProto.encode(model).finish());
}

function fixture(o: TestBundleOptions = {}): string {
  const dir = tmp('integrity-');
  writeTestBundle(dir, { decoder: true, initialObservations: Float32Array.of(0.1, -0.2, 0.3, 1, 0, -1), ...o });
  return dir;
}

describe('bundle file hashes', () => {
  it('are written at export and verified at load', async () => {
    const dir = join(tmp('integrity-'), 'b');
    const manifest = await exported(dir, Float32Array.of(0, 0, 0, 1, 1, 1));
    expect(Object.keys(manifest.fileHashes!).sort()).toEqual(['decoder.onnx', 'dynamics_0.onnx', 'dynamics_1.onnx', 'encoder.onnx', 'initial_observations.npy', 'rollout.onnx']);
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).fileHashes).toEqual(manifest.fileHashes);
    await (await WorldModel.load(dir)).close();
    appendFileSync(join(dir, 'dynamics_1.onnx'), Uint8Array.of(0));
    await expect(loadBundle(dir)).rejects.toThrow(BundleError);
    await expect(loadBundle(dir)).rejects.toThrow(/dynamics_1\.onnx does not match its SHA-256 in manifest\.json `fileHashes` \(expected [0-9a-f]{64}, got [0-9a-f]{64}\)/);
  });

  it('refuse a file the manifest does not list, a modified .npy, and a malformed hash', async () => {
    const dir = join(tmp('integrity-'), 'b');
    await exported(dir, Float32Array.of(0, 0, 0));
    const path = join(dir, 'manifest.json');
    const original = readFileSync(path, 'utf8');
    const m = JSON.parse(original);
    delete m.fileHashes['encoder.onnx'];
    writeFileSync(path, JSON.stringify(m));
    await expect(loadBundle(dir)).rejects.toThrow(/encoder\.onnx is not listed in manifest\.json `fileHashes`/);
    m.fileHashes['encoder.onnx'] = 'not-a-hash';
    writeFileSync(path, JSON.stringify(m));
    await expect(loadBundle(dir)).rejects.toThrow(/`fileHashes\.encoder\.onnx`: expected a lowercase hex SHA-256/);
    writeFileSync(path, original);
    const npy = readFileSync(join(dir, 'initial_observations.npy'));
    npy[npy.length - 1] ^= 1;
    writeFileSync(join(dir, 'initial_observations.npy'), npy);
    await expect(loadBundle(dir)).rejects.toThrow(/initial_observations\.npy does not match its SHA-256/);
  });

  it('are optional: bundles made before them still load', async () => {
    const dir = fixture({ rollout: true });
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).fileHashes).toBeUndefined();
    await (await WorldModel.load(dir)).close();
  });
});

describe('the load-time probe', () => {
  it.each([
    ['encoder.onnx', 0, Number.NaN, 'latent'],
    ['dynamics_0.onnx', 0, Number.NaN, 'next_latent'],
    ['decoder.onnx', -1, Number.POSITIVE_INFINITY, 'obs'],
  ] as const)('refuses non-finite outputs of %s, naming the file', async (file, index, value, tensor) => {
    const dir = fixture();
    poison(join(dir, file), index, value);
    const load = WorldModel.load(dir);
    await expect(load).rejects.toThrow(BundleError);
    await expect(WorldModel.load(dir)).rejects.toThrow(new RegExp(`${file.replace('.', '\\.')}: the load-time probe gave a non-finite \`${tensor}\``));
    // Skipping the probe loads it (the per-step checks of WorldModelEnv remain).
    await (await WorldModel.load(dir, { probe: false })).close();
  });

  it('refuses a rollout.onnx that does not compute what its dynamics file does', async () => {
    const dir = fixture({ rollout: true, hasTerminal: true });
    await (await WorldModel.load(dir)).close();
    const other = fixture({ rollout: true, hasTerminal: true, seed: 2 });
    copyFileSync(join(other, 'rollout.onnx'), join(dir, 'rollout.onnx'));
    await expect(WorldModel.load(dir)).rejects.toThrow(
      /rollout\.onnx: does not compute what the dynamics do \(rolloutMode member0\): at probe row 0, step 1, .* stepping dynamics_0\.onnx gives/,
    );
    // Not loading the fused graph (fused: false) skips the comparison.
    await (await WorldModel.load(dir, { fused: false })).close();
  });

  it('passes for the shipped bundles', async () => {
    for (const name of ['pushbox', 'warehouse-tiny']) {
      const model = await WorldModel.load(new URL(`../../models/${name}`, import.meta.url).pathname);
      expect(model.obsDim).toBeGreaterThan(0);
      await model.close();
    }
  });
});
