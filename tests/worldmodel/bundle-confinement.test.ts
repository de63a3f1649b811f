// Issue 14, item 2: loading a bundle reads only regular files inside it (real paths), under caps;
// ONNX external data resolves against the bundle, never the working directory.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, symlinkSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkg from 'onnx-proto';
import { BundleError, loadBundle, readBundleManifest } from '../../src/worldmodel/bundle.js';
import { maxInitialObservationBytes } from '../../src/worldmodel/bundle-read.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { writeTestBundle } from './onnx-fixtures.js';

const { onnx } = pkg;
const tmp = () => mkdtempSync(join(tmpdir(), 'confine-'));
const cwd = process.cwd();
afterEach(() => process.chdir(cwd));

function bundle(opts: Parameters<typeof writeTestBundle>[1] = {}): string {
  const dir = join(tmp(), 'b');
  writeTestBundle(dir, opts);
  return dir;
}

/** Moves every initializer of `dir/file` into the external data file `location` (written at `dataPath`, default inside the bundle). */
function externalise(dir: string, file: string, location: string, dataPath = join(dir, file, '..', location)): void {
  const model = onnx.ModelProto.decode(readFileSync(join(dir, file)));
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const t of model.graph?.initializer ?? []) {
    const raw = t.rawData ?? new Uint8Array(0);
    t.rawData = new Uint8Array(0);
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.length) },
    ];
    chunks.push(raw);
    offset += raw.length;
  }
  writeFileSync(dataPath, Buffer.concat(chunks));
  writeFileSync(join(dir, file), onnx.ModelProto.encode(model).finish());
}

async function encodeOnce(dir: string): Promise<Float32Array> {
  const model = await WorldModel.load(dir);
  try {
    return await model.encode(new Float32Array([0.1, -0.2, 0.3]));
  } finally {
    await model.close();
  }
}

describe('loading a bundle reads only its own files', () => {
  it('resolves ONNX external data against the bundle, whatever the working directory', async () => {
    const dir = bundle();
    const expected = await encodeOnce(dir);
    externalise(dir, 'encoder.onnx', 'encoder.weights');
    process.chdir(tmp());
    const b = await loadBundle(dir);
    expect(b.encoder.externalData?.map((d) => d.path)).toEqual(['encoder.weights']);
    expect(Array.from(await encodeOnce(dir))).toEqual(Array.from(expected));
  });

  it('never reads external data from the working directory (location "secret.bin")', async () => {
    const dir = bundle();
    const elsewhere = tmp();
    externalise(dir, 'encoder.onnx', 'secret.bin', join(elsewhere, 'secret.bin'));
    process.chdir(elsewhere);
    await expect(WorldModel.load(dir)).rejects.toThrow(/missing file secret\.bin \(named by `external data of encoder\.onnx`\)/);
  });

  it('refuses external data outside the bundle: .. and absolute locations, symbolic links', async () => {
    const dir = bundle();
    const outside = join(dir, '..', 'secret.bin');
    externalise(dir, 'encoder.onnx', '../secret.bin', outside);
    await expect(loadBundle(dir)).rejects.toThrow(/`external data of encoder\.onnx` must be a path inside the bundle, got "\.\.\/secret\.bin"/);
    externalise(dir, 'encoder.onnx', outside, outside);
    await expect(loadBundle(dir)).rejects.toThrow(/must be a path inside the bundle/);
    externalise(dir, 'encoder.onnx', 'w.bin', outside);
    symlinkSync(outside, join(dir, 'w.bin'));
    await expect(loadBundle(dir)).rejects.toThrow(/w\.bin \(named by `external data of encoder\.onnx`\) resolves to .*secret\.bin, outside the bundle/);
  });

  it('refuses a symlinked encoder.onnx, sub-folder, initial_observations.npy or manifest.json that leaves the bundle', async () => {
    const dir = bundle({ initialObservations: new Float32Array(6) });
    const outside = join(dir, '..');
    renameSync(join(dir, 'encoder.onnx'), join(outside, 'encoder.onnx'));
    symlinkSync(join(outside, 'encoder.onnx'), join(dir, 'encoder.onnx'));
    await expect(loadBundle(dir)).rejects.toThrow(/encoder\.onnx \(named by `files\.encoder`\) resolves to .*, outside the bundle/);

    const dir2 = bundle({ initialObservations: new Float32Array(6) });
    mkdirSync(join(outside, 'models'));
    renameSync(join(dir2, 'dynamics_0.onnx'), join(outside, 'models', 'dynamics_0.onnx'));
    symlinkSync(join(outside, 'models'), join(dir2, 'sub'));
    const m = JSON.parse(readFileSync(join(dir2, 'manifest.json'), 'utf8'));
    m.files.dynamics = ['sub/dynamics_0.onnx'];
    writeFileSync(join(dir2, 'manifest.json'), JSON.stringify(m));
    await expect(loadBundle(dir2)).rejects.toThrow(/sub\/dynamics_0\.onnx \(named by `files\.dynamics\[0\]`\) resolves to .*, outside the bundle/);

    const dir3 = bundle({ initialObservations: new Float32Array(6) });
    symlinkSync('/dev/zero', join(dir3, 'zero.npy'));
    const m3 = JSON.parse(readFileSync(join(dir3, 'manifest.json'), 'utf8'));
    m3.files.initialObservations = 'zero.npy';
    writeFileSync(join(dir3, 'manifest.json'), JSON.stringify(m3));
    await expect(loadBundle(dir3)).rejects.toThrow(/zero\.npy .* resolves to \/dev\/zero, outside the bundle/);

    const dir4 = bundle();
    renameSync(join(dir4, 'manifest.json'), join(dir4, '..', 'm.json'));
    symlinkSync(join(dir4, '..', 'm.json'), join(dir4, 'manifest.json'));
    await expect(readBundleManifest(dir4)).rejects.toThrow(/manifest\.json .* outside the bundle/);
  });

  it('follows links that stay inside the bundle, and a bundle directory that is itself a link', async () => {
    const dir = bundle();
    renameSync(join(dir, 'encoder.onnx'), join(dir, 'enc-v2.onnx'));
    symlinkSync('enc-v2.onnx', join(dir, 'encoder.onnx'));
    const link = join(dir, '..', 'alias');
    symlinkSync(dir, link);
    expect((await loadBundle(link)).encoder.bytes.length).toBeGreaterThan(0);
  });

  it('refuses a FIFO (without hanging) and files over the caps', async () => {
    const dir = bundle({ initialObservations: new Float32Array(6) });
    const fifo = join(dir, 'initial_observations.npy');
    renameSync(fifo, `${fifo}.bak`);
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await expect(loadBundle(dir)).rejects.toThrow(/initial_observations\.npy \(named by `files\.initialObservations`\) is not a regular file \(a FIFO\)/);
    const fifoManifest = bundle();
    renameSync(join(fifoManifest, 'manifest.json'), join(fifoManifest, 'm.bak'));
    spawnSync('mkfifo', [join(fifoManifest, 'manifest.json')]);
    await expect(readBundleManifest(fifoManifest)).rejects.toThrow(BundleError);

    // A sparse .npy one byte over the bound for obsDim 3 (64 KiB + 12 MB).
    renameSync(`${fifo}.bak`, join(dir, 'big.npy'));
    const fd = openSync(join(dir, 'big.npy'), 'r+');
    ftruncateSync(fd, maxInitialObservationBytes(3) + 1);
    closeSync(fd);
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    m.files.initialObservations = 'big.npy';
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    await expect(loadBundle(dir)).rejects.toThrow(/big\.npy .* is 12065537 bytes, more than the 12065536 allowed/);
  });
});
