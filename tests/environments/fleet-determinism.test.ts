/**
 * A fleet episode (prioritised planning on a MovingAI map) gives the same bits for the same seed in
 * this process and in a separate one. (One child process: a few seconds.)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashFleet } from './fleet-hash-fixture.js';

const fixture = fileURLToPath(new URL('./fleet-hash-fixture.ts', import.meta.url));

describe('fleet determinism', () => {
  it('the same seed gives the same fleet episode in this process and in a separate one', async () => {
    const here = await hashFleet(5);
    expect(await hashFleet(5)).toBe(here);
    expect(await hashFleet(6)).not.toBe(here);
    const child = spawnSync(process.execPath, ['--import', 'tsx', fixture, '5'], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).not.toMatch(/Error/);
    expect(child.status).toBe(0);
    expect(child.stdout.trim().split('\n').pop()).toBe(here);
  }, 60_000);
});
