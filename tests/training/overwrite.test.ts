// Issue 14, item 1: `overwrite` replaces only what is recognisably ours (a dataset, a bundle, an empty
// directory); anything else is refused with an error naming the path and what was found.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import '../../environments/line-world/index.js';
import { collectDataset } from '../../workflows/collect.js';
import { trainWorldModel } from '../../workflows/train.js';
import { assertReplaceable, inspectOutput, UnsafeOutputError } from '../../src/output-dir.js';
import { parseWorldModelConfig } from '../../src/training/wm-config.js';
import { WorldModelTrainer } from '../../src/training/wm-trainer.js';
import { Dataset } from '../../src/training/dataset.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'overwrite-'));
const bin = resolve('bin/embodied.mjs');
const tiny = { latentDim: 8, simNormGroup: 0, encoderHidden: [8], dynamicsHidden: [8], rewardHidden: [4], terminalHidden: [4], decoderHidden: [8], batchSize: 8, horizon: 2 };

/** A folder of someone's work: `sub/thesis.tex`. */
function thesis(dir: string): string {
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'sub', 'thesis.tex'), '\\documentclass{article}');
  return dir;
}

describe('--overwrite replaces only Embodied outputs', () => {
  it('collect --out . --overwrite refuses to wipe the working directory', () => {
    const cwd = thesis(tmp());
    const r = spawnSync(process.execPath, [bin, 'collect', '--env', 'LineWorld-v0', '--episodes', '1', '--out', '.', '--overwrite', '--no-progress'], {
      cwd,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/refusing to replace .*: it is not an Embodied dataset .*the working directory.*choose another --out/);
    expect(readFileSync(join(cwd, 'sub', 'thesis.tex'), 'utf8')).toBe('\\documentclass{article}');
  });

  it('collect --overwrite refuses a folder of other files and leaves it (and no staging folder)', async () => {
    const dir = tmp();
    const out = thesis(join(dir, 'work'));
    const run = collectDataset({ env: 'LineWorld-v0', episodes: 1, out, overwrite: true });
    await expect(run).rejects.toThrow(UnsafeOutputError);
    await expect(collectDataset({ env: 'LineWorld-v0', episodes: 1, out, overwrite: true })).rejects.toThrow(
      new RegExp(
        `refusing to replace ${out}: it is not an Embodied dataset \\(no manifest.json with format "embodied.dataset/v1"\\); found no manifest.json among its 1 entries \\(sub\\)`,
      ),
    );
    expect(existsSync(join(out, 'sub', 'thesis.tex'))).toBe(true);
    expect(readdirSync(dir)).toEqual(['work']);
  });

  it('train --overwrite refuses a folder holding sub/thesis.tex before training', async () => {
    const dir = tmp();
    await collectDataset({ env: 'LineWorld-v0', episodes: 2, seed: 1, out: join(dir, 'data') });
    const out = thesis(join(dir, 'model'));
    await expect(trainWorldModel({ data: join(dir, 'data'), out, steps: 4, config: tiny, overwrite: true })).rejects.toThrow(
      /refusing to replace .*model: it is not an Embodied world-model bundle/,
    );
    expect(existsSync(join(out, 'sub', 'thesis.tex'))).toBe(true);
    // A dataset is not a bundle either: train never replaces one.
    await expect(trainWorldModel({ data: join(dir, 'data'), out: join(dir, 'data'), steps: 4, config: tiny, overwrite: true })).rejects.toThrow(
      /found an Embodied dataset, not an Embodied world-model bundle/,
    );
    expect((await Dataset.load(join(dir, 'data'))).size).toBeGreaterThan(0);
  });

  it('exportBundle refuses a foreign folder, a manifest of another format, a file and a symlink', async () => {
    const dir = tmp();
    const data = join(dir, 'data');
    await collectDataset({ env: 'LineWorld-v0', episodes: 2, seed: 1, out: data });
    const ds = await Dataset.load(data);
    const wm = await WorldModelTrainer.create(ds, parseWorldModelConfig({ ...tiny, obsDim: ds.obsDim, actionDim: ds.actionDim }), { seed: 0 });
    const opts = { name: 'x', envId: 'LineWorld-v0', actionLow: [-1], actionHigh: [1], overwrite: true };
    try {
      const foreign = join(dir, 'foreign');
      mkdirSync(foreign);
      writeFileSync(join(foreign, 'manifest.json'), JSON.stringify({ format: 'someone-else/v3' }));
      await expect(wm.exportBundle(foreign, opts)).rejects.toThrow(/found a manifest.json of format "someone-else\/v3"/);
      writeFileSync(join(dir, 'plain'), 'hello');
      await expect(wm.exportBundle(join(dir, 'plain'), opts)).rejects.toThrow(/found a file of 5 bytes/);
      symlinkSync(data, join(dir, 'link'));
      await expect(wm.exportBundle(join(dir, 'link'), opts)).rejects.toThrow(/found a symbolic link/);
      // Ours: an empty folder, then the bundle itself.
      mkdirSync(join(dir, 'empty'));
      await wm.exportBundle(join(dir, 'empty'), opts);
      await wm.exportBundle(join(dir, 'empty'), opts);
      expect(readdirSync(join(dir, 'empty'))).toContain('manifest.json');
      expect(readFileSync(join(foreign, 'manifest.json'), 'utf8')).toContain('someone-else');
    } finally {
      await wm.close();
    }
  });

  it('replaces an existing dataset of ours and an empty folder', async () => {
    const dir = tmp();
    const out = join(dir, 'd');
    mkdirSync(out);
    await collectDataset({ env: 'LineWorld-v0', episodes: 1, seed: 1, out, overwrite: true });
    const again = await collectDataset({ env: 'LineWorld-v0', episodes: 2, seed: 5, out, overwrite: true });
    expect((await Dataset.load(out)).manifest!.contentHash).toBe(again.manifest.contentHash);
    expect(readdirSync(dir)).toEqual(['d']);
  });

  it('inspects without hanging on a FIFO manifest', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'x'));
    spawnSync('mkfifo', [join(dir, 'x', 'manifest.json')]);
    expect(await inspectOutput(join(dir, 'x'))).toEqual({ other: 'no manifest.json among its 1 entries (manifest.json)' });
    expect(await assertReplaceable(join(dir, 'absent'), 'dataset', 't')).toBe(false);
    expect(await inspectOutput('/')).toEqual({ other: 'the working directory or a folder holding it' });
  });
});
