/**
 * `embodied view` (cli/commands/view.ts): `--out` writes the page and says what it shows (a problem with
 * the input included); a bad environment id fails with the command's prefix; without `--out` it serves
 * on 127.0.0.1 until stopped. Needs the built page (`npm run build`; CI builds it in `npm ci`) and
 * skips, saying so, without it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import '../../environments/index.js';
import { registerViewCommand } from '../../cli/commands/view.js';
import { viewerBuilt } from '../../workflows/view.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-view-'));

function program(): Command {
  const p = new Command().exitOverride();
  registerViewCommand(p);
  return p;
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!viewerBuilt())('embodied view', () => {
  it('--out writes the page and names what it shows, or the problem the page will show', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await program().parseAsync(['node', 'embodied', 'view', 'models/pushbox', '--out', join(dir, 'model')]);
    expect(log.mock.calls[0]![0]).toMatch(/^PushBox-v0-world-model \(PushBox-v0\): dream vs real, play\nwrote .*model\/index\.html\nopen file:\/\//);
    expect(existsSync(join(dir, 'model', 'ort-wasm.js'))).toBe(true);
    log.mockClear();
    await program().parseAsync(['node', 'embodied', 'view', join(dir, 'missing.json'), '--out', join(dir, 'missing')]);
    expect(log.mock.calls[0]![0]).toMatch(/^the page shows a problem: Cannot read .*missing\.json: no such file/);
    expect(readFileSync(join(dir, 'missing', 'data.js'), 'utf8')).toContain('"problem":');
  });

  it('fails with the command prefix for an unknown environment', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await program().parseAsync(['node', 'embodied', 'view', '--env', 'PushBox-v9', '--out', join(dir, 'bad')]);
    expect(error.mock.calls[0]![0]).toMatch(/^embodied view: .*PushBox-v9/);
    expect(process.exitCode).toBe(1);
  });

  it('serves on 127.0.0.1 until stopped', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const running = program().parseAsync(['node', 'embodied', 'view', '--env', 'Reach-v0']);
    await vi.waitFor(() => expect(log).toHaveBeenCalled(), { timeout: 10_000 });
    const url = /viewer at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(log.mock.calls[0]![0] as string)![1]!;
    expect((await fetch(url)).status).toBe(200);
    process.emit('SIGINT');
    await running;
    await expect(fetch(url)).rejects.toThrow();
  });
});

if (!viewerBuilt()) console.warn('embodied view CLI test skipped: the viewer page is not built (npm run build)');
