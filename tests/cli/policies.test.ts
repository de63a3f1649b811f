/**
 * `embodied bc` and `embodied rl`: thin commands over the workflows — a PPO run on the toy environment
 * (rollouts in worker threads) ends with a bundle and a held-out success rate; behaviour cloning from a
 * dataset of another environment fails with the workflow's message.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/embodied.mjs');
const card = 'tests/fixtures/toy-env/card.ts';
const dir = mkdtempSync(join(tmpdir(), 'cli-policies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => promisify(execFile)(process.execPath, [bin, '--import', card, ...args], { cwd: root, timeout: 120_000 });

describe('embodied rl / bc', () => {
  it('rl --algo ppo trains in worker threads, writes a bundle and prints the time split and held-out success', { timeout: 180_000 }, async () => {
    const out = join(dir, 'toy-ppo');
    const r = await run('rl', '--env', 'Toy-v0', '--algo', 'ppo', '--out', out, '--steps', '40000', '--target', '0.95', '--envs', '8', '--eval', '10', '--no-progress');
    expect(r.stdout).toMatch(/finished \((target|steps)\) after \d+ env steps in \d+ s: \d+ steps\/s; time in environments \d+%, inference \d+%, updates \d+%/);
    expect(r.stdout).toMatch(/Toy-v0: success (9\d|100)% over 10 episodes \(seeds 100–109\)/);
    expect(existsSync(join(out, 'curves.html'))).toBe(true);
  });

  it('bc refuses a dataset of another environment', { timeout: 180_000 }, async () => {
    await run('collect', '--env', 'Toy-v0', '--policy', 'scripted', '--episodes', '2', '--seed', '1', '--out', join(dir, 'toy'), '--no-progress');
    await expect(run('bc', '--data', join(dir, 'toy'), '--env', 'Reach-v0', '--out', join(dir, 'x'), '--no-progress')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('was collected in Toy-v0, not in Reach-v0'),
    });
  });
});
