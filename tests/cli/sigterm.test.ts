// Issue 14, item 3: SIGTERM (kill, timeout, docker stop) stops like Ctrl-C: the finished episodes are
// published and no staging folder is left; the exit code says which signal (130 INT, 143 TERM).
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Dataset } from '../../src/training/dataset.js';

const bin = resolve('bin/embodied.mjs');

/** Starts an endless `embodied collect`, waits until it has collected for `afterMs`, sends `signal`; resolves with the exit code and output. */
async function collectUntil(signal: NodeJS.Signals, dir: string, afterMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const out = join(dir, 'data');
  const proc = spawn(process.execPath, [bin, 'collect', '--env', 'LineWorld-v0', '--episodes', '100000000', '--out', out, '--no-progress'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d) => (stdout += d));
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((done) => proc.on('exit', (code) => done(code)));
  const deadline = Date.now() + 30_000;
  while (!readdirSync(dir).some((n) => n.startsWith('.data.staging-'))) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`collect did not start: ${stderr}`);
    await sleep(20);
  }
  await sleep(afterMs);
  proc.kill(signal);
  const code = await Promise.race([exited, sleep(30_000).then(() => 'hung' as const)]);
  if (code === 'hung') {
    proc.kill('SIGKILL');
    throw new Error('collect did not stop within 30 s of the signal');
  }
  return { code, stdout, stderr };
}

describe('embodied collect under signals', () => {
  for (const [signal, exitCode] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`${signal} publishes the finished episodes, leaves no staging folder and exits ${exitCode}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sigterm-'));
      const r = await collectUntil(signal, dir, 1500);
      expect(r.stdout).toMatch(/stopped: wrote \d+ transitions in \d+ episodes of LineWorld-v0/);
      expect(r.code).toBe(exitCode);
      const ds = await Dataset.load(join(dir, 'data'));
      expect(ds.manifest!.stopReason).toBe('stopped');
      expect(ds.manifest!.counts.episodes).toBeGreaterThan(0);
      expect(readdirSync(dir)).toEqual(['data']);
    });
  }
});
