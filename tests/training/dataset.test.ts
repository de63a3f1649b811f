import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Box, Discrete } from '../../src/spaces.js';
import { Rng } from '../../src/rng.js';
import { Dataset, DatasetError, DatasetWriter, EpisodeBuffer, datasetContentHash, readDatasetManifest } from '../../src/training/dataset.js';
import { decodeNpy, encodeNpy } from '../../src/codecs/npy.js';

const obsSpace = new Box(-100, 100, [2]);
const actSpace = new Box(-1, 1, [1]);

/** Episode k of length len: obs = [k, t], action = t/10, reward = k + t/100, terminates when `terminal`. */
function episode(k: number, len: number, terminal: boolean): EpisodeBuffer {
  const ep = new EpisodeBuffer(2, 1, 1000 + k);
  for (let t = 0; t < len; t++) ep.push([k, t], [t / 10], k + t / 100, [k, t + 1], terminal && t === len - 1, !terminal && t === len - 1);
  return ep;
}

async function writeDataset(out: string, lengths: number[], opts: { chunkSize?: number } = {}) {
  const w = await DatasetWriter.create({ out, envId: 'Test-v3', observationSpace: obsSpace, actionSpace: actSpace, policy: 'unit-test', seed: 7, ...opts });
  for (let k = 0; k < lengths.length; k++) await w.appendEpisode(episode(k, lengths[k]!, k % 2 === 0));
  return w.finalize();
}

const tmp = () => mkdtempSync(join(tmpdir(), 'ds-'));

describe('DatasetWriter + Dataset.load', () => {
  it('round-trips episodes, records provenance and a stable content hash', async () => {
    const dir = tmp();
    const m = await writeDataset(join(dir, 'a'), [5, 3, 4], { chunkSize: 4 });
    expect(m.counts).toEqual({ transitions: 12, episodes: 3 });
    expect(m.envId).toBe('Test-v3');
    expect(m.envVersion).toBe(3);
    expect(m.episodeSeeds).toEqual([1000, 1001, 1002]);
    expect(m.complete).toBe(true);
    expect(m.fields.observations.shape).toEqual([12, 2]);
    expect(m.producer).toMatch(/^embodied@\d/);
    const ds = await Dataset.load(join(dir, 'a'));
    expect(ds.size).toBe(12);
    expect(ds.numEpisodes).toBe(3);
    expect(Array.from(ds.episodeStarts)).toEqual([0, 5, 8, 12]);
    expect(Array.from(ds.observations.subarray(10, 12))).toEqual([1, 0]); // transition 5 = episode 1, t 0
    expect(Array.from(ds.terminated)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
    expect(Array.from(ds.truncated)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    expect(Array.from(ds.episode)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2]);
    // The same data written with another chunk size gives the same content hash.
    const m2 = await writeDataset(join(dir, 'b'), [5, 3, 4], { chunkSize: 100 });
    expect(m2.contentHash).toBe(m.contentHash);
    const m3 = await writeDataset(join(dir, 'c'), [5, 3, 5]);
    expect(m3.contentHash).not.toBe(m.contentHash);
    // No staging directories are left behind.
    expect(readdirSync(dir).sort()).toEqual(['a', 'b', 'c']);
  });

  it('refuses to overwrite unless asked, and refuses to publish an empty dataset', async () => {
    const dir = tmp();
    await writeDataset(join(dir, 'a'), [2]);
    await expect(DatasetWriter.create({ out: join(dir, 'a'), envId: 'Test-v0', observationSpace: obsSpace, actionSpace: actSpace, policy: 'p', seed: 0 })).rejects.toThrow(
      /already exists; choose another output directory or pass overwrite: true/,
    );
    const w = await DatasetWriter.create({ out: join(dir, 'empty'), envId: 'Test-v0', observationSpace: obsSpace, actionSpace: actSpace, policy: 'p', seed: 0 });
    await expect(w.finalize()).rejects.toThrow(/no episode was recorded, so nothing was written/);
    expect(readdirSync(dir)).toEqual(['a']);
    const unfinished = new EpisodeBuffer(2, 1, 0);
    unfinished.push([0, 0], [0], 0, [0, 1], false, false);
    const w2 = await DatasetWriter.create({ out: join(dir, 'x'), envId: 'Test-v0', observationSpace: obsSpace, actionSpace: actSpace, policy: 'p', seed: 0 });
    await expect(w2.appendEpisode(unfinished)).rejects.toThrow(/expected a finished episode/);
    await w2.abort();
  });

  it('publishes checkpoints that load as valid, incomplete datasets', async () => {
    const dir = tmp();
    const out = join(dir, 'ck');
    const w = await DatasetWriter.create({ out, envId: 'Test-v0', observationSpace: obsSpace, actionSpace: actSpace, policy: 'p', seed: 0, checkpointEvery: 6, chunkSize: 2 });
    await w.appendEpisode(episode(0, 4, true));
    expect(existsSync(out)).toBe(false);
    await w.appendEpisode(episode(1, 4, false)); // 8 ≥ 6: checkpoint
    const ck = await Dataset.load(out);
    expect(ck.size).toBe(8);
    expect(ck.manifest!.complete).toBe(false);
    expect(ck.manifest!.stopReason).toBe('checkpoint');
    await w.appendEpisode(episode(2, 3, true));
    const final = await w.finalize();
    expect(final.counts.transitions).toBe(11);
    expect((await Dataset.load(out)).manifest!.complete).toBe(true);
    expect(readdirSync(dir)).toEqual(['ck']);
  });

  it('is readable by NumPy as plain arrays', { skip: spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status !== 0 }, async () => {
    const dir = tmp();
    await writeDataset(join(dir, 'np'), [3, 2]);
    const script = `
import numpy as np, json
d = '${join(dir, 'np')}'
m = json.load(open(d + '/manifest.json'))
o = np.load(d + '/observations.npy'); n = np.load(d + '/next_observations.npy'); e = np.load(d + '/episode.npy')
t = np.load(d + '/terminated.npy'); assert t.dtype == np.bool_, t.dtype
assert o.shape == (5, 2) and e.tolist() == [0, 0, 0, 1, 1]
assert (o[1:3] == n[0:2]).all()
print(m['counts']['transitions'])
`;
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('5');
  });
});

describe('Dataset.load rejects damaged datasets with precise messages', () => {
  async function fresh() {
    const out = join(tmp(), 'd');
    await writeDataset(out, [3, 2]);
    return out;
  }

  it('a missing manifest or file', async () => {
    await expect(Dataset.load(tmp())).rejects.toThrow(/not a dataset directory \(missing manifest\.json\)/);
    const out = await fresh();
    rmSync(join(out, 'rewards.npy'));
    await expect(Dataset.load(out)).rejects.toThrow(/missing file rewards\.npy \(field `rewards`\)/);
  });

  it('a manifest field of the wrong type', async () => {
    const out = await fresh();
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    m.obsDim = 'two';
    writeFileSync(join(out, 'manifest.json'), JSON.stringify(m));
    await expect(Dataset.load(out)).rejects.toThrow(/invalid dataset manifest: `obsDim`: .*expected number/i);
  });

  it('modified data (hash mismatch) and a wrong shape', async () => {
    const out = await fresh();
    const bytes = readFileSync(join(out, 'actions.npy'));
    bytes[bytes.length - 1] ^= 0x40;
    writeFileSync(join(out, 'actions.npy'), bytes);
    await expect(Dataset.load(out)).rejects.toThrow(/actions\.npy: content hash mismatch/);
    const out2 = await fresh();
    writeFileSync(join(out2, 'rewards.npy'), encodeNpy(new Float32Array(4), [4]));
    await expect(Dataset.load(out2)).rejects.toThrow(/rewards\.npy: expected shape \[5\], got \[4\] in the file and \[5\] in the manifest/);
    const out3 = await fresh();
    writeFileSync(join(out3, 'episode.npy'), encodeNpy(new Float32Array(5), [5]));
    await expect(Dataset.load(out3)).rejects.toThrow(/episode\.npy: expected dtype int32, got float32/);
  });

  /** Rewrites `field` of dataset `out` with `data` and re-hashes it, so only the content is wrong. */
  function rewriteField(out: string, field: 'actions', data: Float32Array, shape: number[]) {
    const bytes = encodeNpy(data, shape);
    writeFileSync(join(out, `${field}.npy`), bytes);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    m.fields[field].sha256 = createHash('sha256')
      .update(decodeNpy(bytes).data as Float32Array)
      .digest('hex');
    m.contentHash = datasetContentHash(m.fields);
    writeFileSync(join(out, 'manifest.json'), JSON.stringify(m));
  }

  it('actions outside the recorded action space, naming the file, row, episode and step', async () => {
    const out = await fresh();
    const actions = decodeNpy(readFileSync(join(out, 'actions.npy'))).data as Float32Array;
    await expect(Dataset.load(out)).resolves.toBeInstanceOf(Dataset);
    actions[4] = 5; // episode 1, step 1; the space is Box(-1, 1, [1])
    rewriteField(out, 'actions', actions, [5, 1]);
    const err = await Dataset.load(out).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).message).toMatch(/actions\.npy: actions\[4\] \(episode 1, step 1\) is outside the recorded action space: expected dimension 0 in \[-1, 1\], got 5/);
    // A Discrete space: 1.5 and 3 are not among its integers 0, 1, 2.
    for (const [bad, why] of [
      [1.5, /actions\[1\] \(episode 0, step 1\) is outside the recorded action space: expected an integer at dimension 0, got 1\.5/],
      [3, /actions\[1\] \(episode 0, step 1\) is outside the recorded action space: expected an integer in \[0, 2\], got 3/],
    ] as const) {
      const d = await fresh();
      const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
      m.actionSpace = new Discrete(3).toJSON();
      writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
      rewriteField(d, 'actions', Float32Array.of(0, bad, 2, 1, 0), [5, 1]);
      await expect(Dataset.load(d)).rejects.toThrow(why);
    }
  });

  it('an envId that is not a versioned id, a version that is not the id’s, a space of the wrong size', async () => {
    const cases: [(m: Record<string, unknown>) => void, RegExp][] = [
      [
        (m) => (m.envId = 'not an id'),
        /manifest\.json: invalid dataset manifest: `envId`: expected an environment id of the form `Name-vN` \(e\.g\. `PushBox-v0`\), got "not an id"/,
      ],
      [(m) => (m.envVersion = 4), /`envVersion`: expected 3 \(the version of Test-v3\), got 4/],
      [(m) => (m.actionSpace = new Box(-1, 1, [2]).toJSON()), /`actionSpace` has 2 flat values, expected 1 \(`actionDim`\)/],
      [(m) => (m.observationSpace = { type: 'Torus' }), /`observationSpace`: Expected space JSON `type` to be one of Box/],
    ];
    for (const [edit, why] of cases) {
      const out = await fresh();
      const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      edit(m);
      writeFileSync(join(out, 'manifest.json'), JSON.stringify(m));
      const err = await Dataset.load(out).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatasetError);
      expect((err as Error).message).toMatch(why);
      await expect(readDatasetManifest(out)).rejects.toThrow(why);
    }
  });

  it('a truncated .npy file', async () => {
    const out = await fresh();
    const bytes = readFileSync(join(out, 'observations.npy'));
    writeFileSync(join(out, 'observations.npy'), bytes.subarray(0, bytes.length - 3));
    await expect(Dataset.load(out)).rejects.toThrow(/observations\.npy: expected 40 data bytes for shape \(5, 2\) of float32, got 37/);
  });

  it('an empty dataset', async () => {
    const out = await fresh();
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    m.counts.transitions = 0;
    writeFileSync(join(out, 'manifest.json'), JSON.stringify(m));
    await expect(readDatasetManifest(out)).rejects.toThrow(/the dataset is empty \(0 transitions\)/);
    const z = new Float32Array(0);
    expect(
      () =>
        new Dataset({
          obsDim: 1,
          actionDim: 1,
          observations: z,
          nextObservations: z,
          actions: z,
          rewards: z,
          terminated: new Uint8Array(0),
          truncated: new Uint8Array(0),
          episode: new Int32Array(0),
        }),
    ).toThrow(DatasetError);
  });

  it('broken episode structure', () => {
    const base = {
      obsDim: 1,
      actionDim: 1,
      observations: Float32Array.of(0, 1, 2),
      nextObservations: Float32Array.of(1, 2, 3),
      actions: new Float32Array(3),
      rewards: new Float32Array(3),
      terminated: Uint8Array.of(0, 0, 1),
      truncated: new Uint8Array(3),
      episode: Int32Array.of(0, 0, 0),
    };
    expect(new Dataset(base).numEpisodes).toBe(1);
    expect(() => new Dataset({ ...base, terminated: Uint8Array.of(0, 0, 0) })).toThrow(/episode 0 ends at transition 2 without terminated or truncated/);
    expect(() => new Dataset({ ...base, terminated: Uint8Array.of(1, 0, 1) })).toThrow(/episode 0 has terminated\/truncated set at transition 0, before its last step/);
    expect(() => new Dataset({ ...base, episode: Int32Array.of(0, 0, 2), terminated: Uint8Array.of(0, 1, 1) })).toThrow(
      /expected episode indices to increase by 0 or 1, got 0 then 2 at transition 2/,
    );
    expect(() => new Dataset({ ...base, nextObservations: Float32Array.of(1, 2.5, 3) })).toThrow(
      /observations\[2\] differs from next_observations\[1\] at dimension 0 inside episode 0/,
    );
    expect(() => new Dataset({ ...base, rewards: Float32Array.of(0, NaN, 0) })).toThrow(/rewards\[1\] holds a non-finite value \(NaN\)/);
  });
});

describe('Dataset as a BatchSource', () => {
  async function load(lengths: number[]) {
    const out = join(tmp(), 'd');
    await writeDataset(out, lengths);
    return Dataset.load(out);
  }

  it('concatenates datasets episode by episode, and refuses mismatched ones', async () => {
    const a = await load([3, 2]);
    const b = await load([4]);
    const ab = Dataset.concat([a, b]);
    expect(ab.size).toBe(9);
    expect(ab.numEpisodes).toBe(3);
    expect(Array.from(ab.episode)).toEqual([0, 0, 0, 1, 1, 2, 2, 2, 2]);
    expect(Array.from(ab.observations.subarray(5 * 2, 6 * 2))).toEqual([0, 0]); // b's episode 0 starts the third episode
    expect(Array.from(ab.rewards)).toEqual(Array.from([...a.rewards, ...b.rewards]));
    expect(ab.episodeRange(2)).toEqual({ start: 5, end: 9 });
    // Windows never cross from one dataset into the next.
    const batch = ab.sample(200, 4, Rng.fromSeed(1));
    for (let i = 0; i < 200; i++) {
      const k = batch.observations[i * 5 * 2]!;
      for (let h = 1; h <= 4; h++) expect(batch.observations[(i * 5 + h) * 2]).toBe(k);
    }
    expect(Dataset.concat([a])).toBe(a);
    expect(() => Dataset.concat([])).toThrow(/expected at least one dataset, got none/);
    const other = new Dataset({
      obsDim: 3,
      actionDim: 1,
      observations: new Float32Array(3),
      nextObservations: new Float32Array(3),
      actions: new Float32Array(1),
      rewards: new Float32Array(1),
      terminated: Uint8Array.of(1),
      truncated: Uint8Array.of(0),
      episode: Int32Array.of(0),
    });
    expect(() => Dataset.concat([a, other])).toThrow(/expected every dataset to have obsDim 2 and actionDim 1 \(those of dataset 0\), got 3 and 1 in dataset 1/);
  });

  it('samples windows inside one episode, padding and masking past its end', async () => {
    const ds = await load([6, 2, 5]);
    const B = 400;
    const H = 4;
    const batch = ds.sample(B, H, Rng.fromSeed(3));
    expect(batch.observations.length).toBe(B * (H + 1) * 2);
    let padded = 0;
    for (let b = 0; b < B; b++) {
      const o = (h: number) => [batch.observations[(b * (H + 1) + h) * 2]!, batch.observations[(b * (H + 1) + h) * 2 + 1]!];
      const [k, t0] = o(0) as [number, number];
      const len = [6, 2, 5][k]!;
      const valid = Math.min(H, len - t0);
      for (let h = 0; h <= H; h++) expect(o(h)).toEqual([k, t0 + Math.min(h, valid)]);
      for (let h = 0; h < H; h++) {
        const i = b * H + h;
        expect(batch.mask[i]).toBe(h < valid ? 1 : 0);
        expect(batch.actions[i]).toBeCloseTo(h < valid ? (t0 + h) / 10 : 0, 6);
        expect(batch.rewards[i]).toBeCloseTo(h < valid ? k + (t0 + h) / 100 : 0, 6);
        expect(batch.terminated[i]).toBe(h === valid - 1 && t0 + h === len - 1 && k % 2 === 0 ? 1 : 0);
      }
      if (valid < H) padded++;
    }
    expect(padded).toBeGreaterThan(0);
    // Same seed, same batch.
    expect(ds.sample(B, H, Rng.fromSeed(3)).observations).toEqual(batch.observations);
    expect(() => ds.sample(0, 3, Rng.fromSeed(0))).toThrow(/expected `batchSize` to be a positive integer, got 0/);
  });

  it('computes normalisation statistics', async () => {
    const ds = await load([3, 2]);
    const s = ds.stats();
    // observations [0,0],[0,1],[0,2],[1,0],[1,1] and the episodes' final next-observations [0,3],[1,2]
    expect(s.obsMean[0]).toBeCloseTo(3 / 7, 6);
    expect(s.obsMean[1]).toBeCloseTo(9 / 7, 6);
    expect(s.obsStd[0]).toBeCloseTo(Math.sqrt(3 / 7 - 9 / 49), 6);
    expect(s.obsStd[1]).toBeCloseTo(Math.sqrt((0 + 1 + 4 + 9 + 0 + 1 + 4) / 7 - 81 / 49), 6);
    const r = [0, 0.01, 0.02, 1, 1.01];
    const rm = r.reduce((a, b) => a + b) / 5;
    expect(s.rewardMean).toBeCloseTo(rm, 6);
    expect(s.rewardStd).toBeCloseTo(Math.sqrt(r.reduce((a, b) => a + (b - rm) ** 2, 0) / 5), 6);
  });

  it('splits by episode and exposes initial observations', async () => {
    const ds = await load([2, 3, 4, 5]);
    const { train, test } = ds.splitEpisodes(0.25, Rng.fromSeed(1));
    expect(train.numEpisodes + test.numEpisodes).toBe(4);
    expect(test.numEpisodes).toBe(1);
    expect(train.size + test.size).toBe(14);
    expect(Array.from(ds.initialObservations())).toEqual([0, 0, 1, 0, 2, 0, 3, 0]);
    expect(decodeNpy(encodeNpy(ds.initialObservations(), [4, 2])).shape).toEqual([4, 2]);
  });
});
