import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../../environments/index.js';
import { collectDataset } from '../../../workflows/collect.js';
import { assembleShards, type AssembleOptions } from '../../../workflows/distributed/assemble.js';

describe('assembleShards', () => {
  it('gives the local hash in order, and refuses gaps, duplicates and strangers without writing anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assemble-'));
    const settings = { env: 'LineWorld-v0', maxEpisodeSteps: 12, seed: 40 } as const;
    const local = await collectDataset({ ...settings, episodes: 5, out: join(dir, 'local') });
    // Shards as workers write them: episodes 0–1 (seeds 40, 41) and 2–4 (seeds 42–44).
    await collectDataset({ ...settings, seed: 40, episodes: 2, out: join(dir, 'a') });
    await collectDataset({ ...settings, seed: 42, episodes: 3, out: join(dir, 'b') });
    await collectDataset({ ...settings, env: 'Reach-v0', seed: 42, episodes: 3, out: join(dir, 'reach') });
    const a = { dir: join(dir, 'a'), firstEpisode: 0, episodes: 2 };
    const b = { dir: join(dir, 'b'), firstEpisode: 2, episodes: 3 };
    const base = (out: string): Omit<AssembleOptions, 'shards'> => ({ out: join(dir, out), overwrite: false, seed: 40, envId: 'LineWorld-v0', stopReason: 'finished', extra: {} });

    const whole = await assembleShards({ ...base('whole'), shards: [a, b] });
    expect(whole.manifest.contentHash).toBe(local.manifest.contentHash);
    expect(whole.manifest.episodeSeeds).toEqual([40, 41, 42, 43, 44]);

    await expect(assembleShards({ ...base('gap'), shards: [b, a] })).rejects.toThrow(/the shards leave a gap: expected a shard starting at episode 0, got one at 2/);
    // The first shard again in the second's place: its episodes would repeat.
    await expect(assembleShards({ ...base('twice'), shards: [a, { ...a, firstEpisode: 2 }] })).rejects.toThrow(
      /shard .*a holds the episodes of seeds \[40, 41\], expected \[42, 43\]/,
    );
    await expect(assembleShards({ ...base('stranger'), shards: [a, { ...b, dir: join(dir, 'reach') }] })).rejects.toThrow(/reach holds Reach-v0, expected LineWorld-v0/);
    for (const out of ['gap', 'twice', 'stranger']) expect(existsSync(join(dir, out))).toBe(false);
  });
});
