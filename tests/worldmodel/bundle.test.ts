import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleError, loadBundle, readOnnxSignature } from '../../src/worldmodel/bundle.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { encodeNpy } from '../../src/codecs/npy.js';
import { denseNodes, modelBytes, randomDense, valueInfo, writeTestBundle } from './onnx-fixtures.js';
import { Rng } from '../../src/rng.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'bundle-'));

function bundle(opts: Parameters<typeof writeTestBundle>[1] = {}) {
  const dir = tmp();
  writeTestBundle(dir, opts);
  return dir;
}

// biome-ignore lint/suspicious/noExplicitAny: the tests corrupt arbitrary manifest fields on purpose
function editManifest(dir: string, edit: (m: Record<string, any>) => void) {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  edit(m);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
}

/** Replaces `file` with an encoder-like single-layer model with the given input/output declarations. */
function writeModel(
  dir: string,
  file: string,
  input: { name: string; dims: (number | string | null)[]; elemType?: number },
  output: { name: string; dims: (number | string | null)[] },
  inDim = 3,
  outDim = 4,
) {
  const d = denseNodes('x', [randomDense(Rng.fromSeed(1), inDim, outDim, 'none')], input.name, output.name);
  writeFileSync(
    join(dir, file),
    modelBytes({ name: 'g', node: d.nodes, initializer: d.inits, input: [valueInfo(input.name, input.dims, input.elemType)], output: [valueInfo(output.name, output.dims)] }),
  );
}

describe('loadBundle', () => {
  it('loads a complete bundle and reports what it found', async () => {
    const init = Float32Array.from({ length: 12 }, (_, i) => i);
    const dir = bundle({ ensemble: 3, hasTerminal: true, decoder: true, rollout: true, initialObservations: init });
    const b = await loadBundle(dir);
    expect(b.manifest.latentDim).toBe(4);
    expect(b.dynamics.map((d) => d.file)).toEqual(['dynamics_0.onnx', 'dynamics_1.onnx', 'dynamics_2.onnx']);
    expect(b.decoder?.file).toBe('decoder.onnx');
    expect(b.rolloutHorizon).toBeUndefined(); // dynamic horizon (Scan)
    expect(b.rolloutHasTerminal).toBe(true);
    expect(Array.from(b.initialObservations!)).toEqual(Array.from(init));
    expect(b.encoder.signature.inputs.map((i) => i.dims)).toEqual([['batch', 3]]);
  });

  it('accepts PyTorch-style exports: any batch-axis name, unnamed dynamic axes, extra outputs, initializers listed as inputs', async () => {
    for (const batchName of ['N', 'batch_size', null]) {
      const dir = bundle({ batchName, extraOutputs: true, initializersAsInputs: true, hasTerminal: true, decoder: true });
      const b = await loadBundle(dir);
      expect(b.encoder.signature.outputs.map((o) => o.name)).toEqual(['latent', 'debug_encoder']);
      const model = await WorldModel.load(b);
      expect((await model.encode(new Float32Array(6))).length).toBe(8);
      await model.close();
    }
  });

  it('rejects a missing file', async () => {
    const dir = bundle({ ensemble: 2 });
    rmSync(join(dir, 'dynamics_1.onnx'));
    await expect(loadBundle(dir)).rejects.toThrow(/missing file dynamics_1\.onnx \(named by `files\.dynamics\[1\]` in manifest\.json\)/);
    await expect(loadBundle(tmp())).rejects.toThrow(/not a world-model bundle \(missing manifest\.json\)/);
  });

  it('rejects a manifest field of the wrong type', async () => {
    const dir = bundle();
    editManifest(dir, (m) => (m.latentDim = '4'));
    await expect(loadBundle(dir)).rejects.toThrow(BundleError);
    await expect(loadBundle(dir)).rejects.toThrow(/invalid bundle manifest: `latentDim`: .*expected number, received string/i);
  });

  it('rejects an empty ensemble list', async () => {
    const dir = bundle();
    editManifest(dir, (m) => (m.files.dynamics = []));
    await expect(loadBundle(dir)).rejects.toThrow(/`files\.dynamics`: the ensemble list `files\.dynamics` must name at least one dynamics file/);
  });

  it('rejects paths outside the bundle', async () => {
    const dir = bundle();
    editManifest(dir, (m) => (m.files.encoder = '../encoder.onnx'));
    await expect(loadBundle(dir)).rejects.toThrow(/`files\.encoder` must be a path inside the bundle, got "\.\.\/encoder\.onnx"/);
  });

  it('rejects a corrupt ONNX file', async () => {
    const dir = bundle();
    writeFileSync(join(dir, 'encoder.onnx'), Buffer.from([0x08, 0x07, 0xff, 0xff, 0xff, 0x0f, 0x3a]));
    await expect(loadBundle(dir)).rejects.toThrow(/encoder\.onnx: not a valid ONNX model/);
    const dir2 = bundle();
    const bytes = readFileSync(join(dir2, 'dynamics_0.onnx'));
    writeFileSync(join(dir2, 'dynamics_0.onnx'), bytes.subarray(0, bytes.length >> 1));
    await expect(loadBundle(dir2)).rejects.toThrow(/dynamics_0\.onnx: not a valid ONNX model/);
  });

  it('rejects ONNX inputs with the wrong name, shape or dtype', async () => {
    const cases: [Parameters<typeof writeModel>[2], RegExp][] = [
      [{ name: 'x', dims: ['B', 3] }, /encoder\.onnx: missing input `obs` \(the graph's inputs are `x`\)/],
      [{ name: 'obs', dims: ['B', 5] }, /encoder\.onnx: input `obs`: expected axis 1 to be 3 \(obsDim\), got fixed 5/],
      [{ name: 'obs', dims: [1, 3] }, /encoder\.onnx: input `obs`: expected axis 0 \(batch\) to be dynamic, got fixed 1; export with a dynamic batch axis/],
      [{ name: 'obs', dims: ['B', 3, 1] }, /encoder\.onnx: input `obs`: expected rank 2 \(B × 3\), got rank 3 \[B, 3, 1\]/],
      [{ name: 'obs', dims: ['B', 'features'] }, /input `obs`: expected axis 1 to be 3 \(obsDim\), got symbolic 'features'/],
      [{ name: 'obs', dims: ['B', 3], elemType: 11 }, /encoder\.onnx: input `obs`: expected dtype float32, got float64/],
    ];
    for (const [input, message] of cases) {
      const dir = bundle();
      writeModel(dir, 'encoder.onnx', input, { name: 'latent', dims: ['B', 4] });
      await expect(loadBundle(dir)).rejects.toThrow(message);
    }
  });

  it('rejects wrong outputs, extra inputs and a missing terminal head', async () => {
    const dir = bundle();
    writeModel(dir, 'encoder.onnx', { name: 'obs', dims: ['B', 3] }, { name: 'z', dims: ['B', 4] });
    await expect(loadBundle(dir)).rejects.toThrow(/encoder\.onnx: missing output `latent` \(the graph's outputs are `z`\)/);
    const dir2 = bundle();
    writeModel(dir2, 'encoder.onnx', { name: 'obs', dims: ['B', 3] }, { name: 'latent', dims: ['B', 5] }, 3, 5);
    await expect(loadBundle(dir2)).rejects.toThrow(/encoder\.onnx: output `latent`: expected axis 1 to be 4 \(latentDim\), got fixed 5/);
    const dir3 = bundle();
    const d = denseNodes('x', [randomDense(Rng.fromSeed(1), 3, 4, 'none')], 'obs', 'latent');
    writeFileSync(
      join(dir3, 'encoder.onnx'),
      modelBytes({ name: 'g', node: d.nodes, initializer: d.inits, input: [valueInfo('obs', ['B', 3]), valueInfo('mask', ['B', 3])], output: [valueInfo('latent', ['B', 4])] }),
    );
    await expect(loadBundle(dir3)).rejects.toThrow(/encoder\.onnx: unexpected input `mask` \(expected only `obs`\)/);
    const dir4 = bundle({ hasTerminal: false });
    editManifest(dir4, (m) => (m.hasTerminal = true));
    await expect(loadBundle(dir4)).rejects.toThrow(/dynamics_0\.onnx: missing output `terminal_logit`/);
  });

  it('rejects initial observations of the wrong shape', async () => {
    const dir = bundle({ initialObservations: new Float32Array(6) });
    writeFileSync(join(dir, 'initial_observations.npy'), encodeNpy(new Float32Array(8), [2, 4]));
    await expect(loadBundle(dir)).rejects.toThrow(/initial_observations\.npy: expected a float32 array of shape \[N ≥ 1, 3\] \(obsDim\), got float32 \[2, 4\]/);
  });

  it('reads signatures of models it did not write', () => {
    const bytes = modelBytes({ name: 'g', node: [{ opType: 'Identity', input: ['a'], output: ['b'] }], input: [valueInfo('a', ['n', 2])], output: [valueInfo('b', undefined)] });
    const sig = readOnnxSignature(bytes, 'x.onnx');
    expect(sig.inputs).toEqual([{ name: 'a', dtype: 'float32', dims: ['n', 2] }]);
    expect(sig.outputs[0]!.dims).toBeUndefined();
    expect(sig.opset).toBe(17);
  });
});
