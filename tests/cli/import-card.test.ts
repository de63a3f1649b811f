/**
 * `embodied --import <module>`: a user's own environment card (one folder, registered by importing it)
 * works with every command, as the built-in ones do.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/embodied.mjs');
const card = 'tests/fixtures/toy-env/card.ts';
const dir = mkdtempSync(join(tmpdir(), 'import-card-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => promisify(execFile)(process.execPath, [bin, ...args], { cwd: root, timeout: 120_000 });

describe('embodied --import', () => {
  it('plans and collects with a card registered by an imported module', { timeout: 180_000 }, async () => {
    const plan = await run('--import', card, 'plan', '--env', 'Toy-v0', '--oracle', '--episodes', '2', '--no-progress');
    expect(plan.stdout).toMatch(/^Toy-v0 · planner mppi \(H=8, replan every 1\)/); // the card's preset
    expect(plan.stdout).toMatch(/success {4}100\.0% \(2\/2\)/);
    await run('--import', card, 'collect', '--env', 'Toy-v0', '--policy', 'scripted', '--episodes', '2', '--seed', '1', '--out', join(dir, 'data'), '--no-progress');
    const manifest = JSON.parse(readFileSync(join(dir, 'data', 'manifest.json'), 'utf8')) as { envId: string; episodes: number };
    expect(manifest.envId).toBe('Toy-v0');
  });

  it('names the module it cannot import', async () => {
    await expect(run('--import', 'no/such/module.ts', 'envs')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^embodied: cannot import --import no\/such\/module\.ts: /),
    });
  });
});
