import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../environments/line-world/index.js';
import { randomPolicy } from '../../src/policy.js';
import { Box } from '../../src/spaces.js';
import { collect } from '../../src/training/collect.js';
import { Dataset, DatasetError, DatasetWriter, EpisodeBuffer } from '../../src/training/dataset.js';

// Issue 14 item 4: a full disk (ENOSPC) or any other failed write while collecting.

const tmp = () => mkdtempSync(join(tmpdir(), 'diskfull-'));
const obsSpace = new Box(-100, 100, [2]);
const actSpace = new Box(-1, 1, [1]);

function episode(k: number, len: number): EpisodeBuffer {
  const ep = new EpisodeBuffer(2, 1, 1000 + k);
  for (let t = 0; t < len; t++) ep.push([k, t], [t / 10], k + t / 100, [k, t + 1], false, t === len - 1);
  return ep;
}

/** The prototype of Node's FileHandle (every `open()` result): its writes are what the writer's files go through. */
async function fileHandlePrototype(dir: string): Promise<{ write: (...a: unknown[]) => unknown; writeFile: (...a: unknown[]) => unknown }> {
  const h = await open(join(dir, 'probe'), 'w');
  await h.close();
  return Object.getPrototypeOf(h);
}

/** From now on, every file write after the first `allowed` ones fails as a full disk does. */
async function fillDiskAfter(dir: string, allowed: number, code = 'ENOSPC'): Promise<void> {
  const proto = await fileHandlePrototype(dir);
  let calls = 0;
  for (const method of ['write', 'writeFile'] as const) {
    const real = proto[method];
    vi.spyOn(proto, method).mockImplementation(function (this: unknown, ...args: unknown[]) {
      if (++calls > allowed) return Promise.reject(Object.assign(new Error(`${code}: injected failure, write`), { code, syscall: 'write' }));
      return real.apply(this, args);
    });
  }
}

const hidden = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.'));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('disk full while collecting (issue 14 item 4)', () => {
  it('raises a DatasetError naming the file, removes the staging folder and keeps the previous complete dataset', async () => {
    const dir = tmp();
    const out = join(dir, 'd');
    const before = await collect({ envId: 'LineWorld-v0', policy: randomPolicy(actSpace), episodes: 4, seed: 1, out, progress: false });
    expect(before.manifest.complete).toBe(true);
    await fillDiskAfter(dir, 60);
    const run = collect({
      envId: 'LineWorld-v0',
      policy: randomPolicy(actSpace),
      episodes: 200,
      seed: 2,
      out,
      overwrite: true,
      checkpointEvery: 20,
      chunkSize: 10,
      progress: false,
    });
    await expect(run).rejects.toThrow(DatasetError);
    await expect(run).rejects.toThrow(/the disk is full \(ENOSPC\) while writing .*\.npy.*the previous dataset at .* is unchanged/);
    vi.restoreAllMocks();
    expect(hidden(dir)).toEqual([]);
    // Not replaced by a smaller checkpoint of the new collection before that one completed.
    const after = await Dataset.load(out);
    expect(after.manifest!.contentHash).toBe(before.manifest.contentHash);
    expect(after.manifest!.complete).toBe(true);
  });

  it('with nothing at the output path leaves nothing there and no staging folder', async () => {
    const dir = tmp();
    const out = join(dir, 'fresh');
    await fillDiskAfter(dir, 30, 'EIO');
    const run = collect({ envId: 'LineWorld-v0', policy: randomPolicy(actSpace), episodes: 200, seed: 2, out, chunkSize: 10, progress: false });
    await expect(run).rejects.toThrow(/a write failed \(EIO: .*\) while writing .*staging.*\.npy; the staging folder was removed and nothing was written to/);
    vi.restoreAllMocks();
    expect(existsSync(out)).toBe(false);
    expect(hidden(dir)).toEqual([]);
  });

  it('a failing manifest write at finalize keeps the previous dataset', async () => {
    const dir = tmp();
    const out = join(dir, 'd');
    const w0 = await DatasetWriter.create({ out, envId: 'Test-v0', observationSpace: obsSpace, actionSpace: actSpace, policy: 'p', seed: 0 });
    await w0.appendEpisode(episode(0, 5));
    const first = await w0.finalize();
    const w = await DatasetWriter.create({ out, envId: 'Test-v0', observationSpace: obsSpace, actionSpace: actSpace, policy: 'p', seed: 1, overwrite: true });
    await w.appendEpisode(episode(1, 3));
    // The pending episode is appended to the 7 field files and their headers flushed (14 writes); the manifest write fails.
    await fillDiskAfter(dir, 14);
    await expect(w.finalize()).rejects.toThrow(/the disk is full \(ENOSPC\) while writing .*manifest\.json.*previous dataset .* is unchanged/);
    vi.restoreAllMocks();
    expect(hidden(dir)).toEqual([]);
    expect((await Dataset.load(out)).manifest!.contentHash).toBe(first.contentHash);
    await expect(w.finalize()).rejects.toThrow(/already aborted/);
  });
});

describe('checkpoints over a previous dataset (issue 14 item 4)', () => {
  const create = (out: string, seed: number) =>
    DatasetWriter.create({ out, envId: 'Test-v0', observationSpace: obsSpace, actionSpace: actSpace, policy: 'p', seed, overwrite: true, checkpointEvery: 2, chunkSize: 1 });

  it('automatic checkpoints never replace a complete dataset; the final publish does', async () => {
    const dir = tmp();
    const out = join(dir, 'd');
    const w0 = await create(out, 0);
    for (let k = 0; k < 5; k++) await w0.appendEpisode(episode(k, 4));
    const first = await w0.finalize();
    const w = await create(out, 1);
    for (let k = 0; k < 3; k++) await w.appendEpisode(episode(k, 4));
    expect((await Dataset.load(out)).manifest!.contentHash).toBe(first.contentHash);
    const second = await w.finalize();
    expect((await Dataset.load(out)).manifest!.contentHash).toBe(second.contentHash);
  });

  it('an explicit checkpoint() replaces it, and automatic checkpoints follow from then on', async () => {
    const dir = tmp();
    const out = join(dir, 'd');
    const w0 = await create(out, 0);
    for (let k = 0; k < 5; k++) await w0.appendEpisode(episode(k, 4));
    await w0.finalize();
    const w = await create(out, 1);
    await w.appendEpisode(episode(0, 4));
    await w.checkpoint();
    expect((await Dataset.load(out)).manifest!.counts.transitions).toBe(4);
    await w.appendEpisode(episode(1, 4));
    expect((await Dataset.load(out)).manifest!.counts.transitions).toBe(8);
    await w.abort();
  });

  it('an incomplete dataset (a checkpoint) at the output path is replaced by checkpoints as before', async () => {
    const dir = tmp();
    const out = join(dir, 'd');
    const w0 = await create(out, 0);
    for (let k = 0; k < 5; k++) await w0.appendEpisode(episode(k, 4));
    await w0.abort();
    expect((await Dataset.load(out)).manifest!.stopReason).toBe('checkpoint');
    const w = await create(out, 1);
    await w.appendEpisode(episode(0, 4));
    expect((await Dataset.load(out)).manifest!.counts.transitions).toBe(4);
    await w.abort();
  });
});
