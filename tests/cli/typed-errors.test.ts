/**
 * Issue 14 item 12: inputs that gave raw traces now give typed errors naming what was expected.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerTrainCommand } from '../../cli/commands/train.js';
import '../../environments/index.js';
import { EmbodiedError, InvalidArgumentError } from '../../src/errors.js';
import { parseWorldModelConfig } from '../../src/training/wm-config.js';
import { collectDataset } from '../../workflows/collect.js';
import { describePath } from '../../workflows/info.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'typed-errors-'));

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('typed errors instead of raw traces', () => {
  it('info on a manifest that is JSON but not an object', async () => {
    for (const text of ['null', '3', '[1, 2]', '"bundle"']) {
      const dir = join(tmp(), 'b');
      mkdirSync(dir);
      writeFileSync(join(dir, 'manifest.json'), text);
      const e = await describePath(dir).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(EmbodiedError);
      expect(String((e as Error).message)).toMatch(/manifest\.json: expected a JSON object, got/);
    }
  });

  it('an output folder under a file (`--out /dev/null/x`)', async () => {
    const file = join(tmp(), 'a-file');
    writeFileSync(file, 'x');
    await expect(collectDataset({ env: 'Reach-v0', episodes: 1, out: join(file, 'x') })).rejects.toThrow(InvalidArgumentError);
    await expect(collectDataset({ env: 'Reach-v0', episodes: 1, out: join(file, 'x'), overwrite: true })).rejects.toThrow(/a parent of it is not a directory/);
  });

  it('layers wider than the machine can hold (`--hidden 100000`), before any allocation', () => {
    expect(() => parseWorldModelConfig({ obsDim: 6, actionDim: 2, dynamicsHidden: [100_000, 100_000] })).toThrow(/at most 16384 units per layer/);
    // Within the width limit but too many parameters in all.
    expect(() => parseWorldModelConfig({ obsDim: 6, actionDim: 2, dynamicsHidden: [16_000, 16_000], ensembleSize: 1 })).toThrow(/at most 100,000,000 parameters/);
    expect(parseWorldModelConfig({ obsDim: 6, actionDim: 2, dynamicsHidden: [512, 512] }).dynamicsHidden).toEqual([512, 512]);
  });

  it('`train --config notjson`: neither inline JSON nor a readable file', async () => {
    const program = new Command().exitOverride();
    registerTrainCommand(program);
    const dir = tmp();
    await collectDataset({ env: 'Reach-v0', episodes: 1, out: join(dir, 'd') });
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await program.parseAsync(['node', 'embodied', 'train', '--data', join(dir, 'd'), '--out', join(dir, 'm'), '--steps', '1', '--config', join(dir, 'notjson')]);
    expect(process.exitCode).toBe(1);
    expect(String(printed.mock.calls[0]?.[0])).toMatch(/--config .*notjson: expected an inline JSON object \(\{…\}\) or a readable JSON file; .* cannot be read \(ENOENT\)/);
  });
});
