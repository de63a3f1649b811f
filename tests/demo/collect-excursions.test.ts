/**
 * The exploration the shipped bundles' data was collected with: `embodied collect --random-prob p
 * --random-steps n` mixes random excursions (one uniform action held 1…n steps) into the scripted policy.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { excursionPolicy, passiveStartPolicy } from '../../src/policy-wrappers.js';
import { collectDataset, collectPolicyFactory } from '../../workflows/collect.js';
import type { Policy } from '../../src/policy.js';
import { Box } from '../../src/spaces.js';
import { Dataset } from '../../src/training/dataset.js';

const constant = (v: number): Policy => ({ name: 'const', act: () => Float32Array.of(v, v, v) });

async function actions(p: Policy, seed: number, steps: number): Promise<number[][]> {
  p.reset!(seed);
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) out.push(Array.from((await p.act(new Float32Array(3))) as Float32Array));
  return out;
}

describe('excursionPolicy', () => {
  const space = new Box(-0.5, 0.5, [3]);

  it('holds one uniform random action for 1…n steps, then hands back; seeded per episode', async () => {
    const p = excursionPolicy(constant(0.25), space, 0.2, 4);
    expect(p.name).toBe('const+random(0.2×4)');
    const a = await actions(p, 7, 400);
    expect(await actions(p, 7, 400)).toEqual(a);
    expect(await actions(p, 8, 400)).not.toEqual(a);
    // Runs of equal non-policy actions are excursions: each 1…4 steps long, inside the bounds.
    const runs: number[] = [];
    let run = 0;
    for (let t = 0; t < a.length; t++) {
      const own = a[t]!.every((v) => v === Math.fround(0.25));
      if (!own) {
        expect(space.contains(Float32Array.from(a[t]!))).toBe(true);
        if (run > 0 && a[t]!.every((v, i) => v === a[t - 1]![i])) run++;
        else {
          if (run > 0) runs.push(run);
          run = 1;
        }
      } else if (run > 0) {
        runs.push(run);
        run = 0;
      }
    }
    expect(runs.length).toBeGreaterThan(20);
    expect(Math.max(...runs)).toBeLessThanOrEqual(4);
    expect(runs.some((r) => r > 1)).toBe(true);
    const random = a.filter((x) => !x.every((v) => v === Math.fround(0.25))).length;
    // p = 0.2 and a mean length of 2.5: about a third of the steps are random.
    expect(random / a.length).toBeGreaterThan(0.2);
    expect(random / a.length).toBeLessThan(0.5);
  });

  it('is part of collectDataset (policy name in the manifest) and validates its options', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'demo-collect-')), 'reach');
    const r = await collectDataset({ env: 'Reach-v0', episodes: 2, policy: 'scripted', noise: 0.1, randomProb: 0.1, randomSteps: 5, seed: 1, out });
    expect(r.manifest.policy).toBe('scripted:reach-pd+noise(0.1)+random(0.1×5)');
    expect((await Dataset.load(out)).numEpisodes).toBe(2);
    expect(() => collectPolicyFactory({ env: 'Reach-v0', policy: 'scripted', episodes: 1, randomProb: 1.5, out: 'x' })).toThrow(/`randomProb`: .*<=1 \(got 1\.5\)/);
    expect(() => collectPolicyFactory({ env: 'Reach-v0', policy: 'scripted', episodes: 1, randomProb: 0.1, randomSteps: 0, out: 'x' })).toThrow(/`randomSteps`: .*>0 \(got 0\)/);
  });
});

describe('passiveStartPolicy and random starts', () => {
  it('begins each episode with 0…n idle steps (seeded per episode), then the policy acts', async () => {
    const p = passiveStartPolicy(constant(0.25), Float32Array.of(0, 0, 0), 6);
    expect(p.name).toBe('const+passive(6)');
    const idle = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const a = await actions(p, seed, 10);
      const k = a.findIndex((x) => x[0] !== 0);
      expect(k).toBeGreaterThanOrEqual(0);
      // Idle first, then only the policy's actions.
      expect(a.slice(0, k).every((x) => x.every((v) => v === 0))).toBe(true);
      expect(a.slice(k).every((x) => x.every((v) => v === Math.fround(0.25)))).toBe(true);
      expect(await actions(p, seed, 10)).toEqual(a);
      idle.add(k);
    }
    expect(Math.min(...idle)).toBe(0);
    expect(Math.max(...idle)).toBe(6);
  });

  it('collectDataset: --random-starts draws starts from the card, --passive-steps idles first; an env without explorationStart is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-collect-'));
    const r = await collectDataset({ env: 'Reach-v0', episodes: 12, policy: 'scripted', randomStarts: 1, passiveSteps: 5, seed: 4, out: join(dir, 'wide') });
    expect(r.manifest.policy).toBe('scripted:reach-pd+passive(5)');
    const plain = await collectDataset({ env: 'Reach-v0', episodes: 12, policy: 'scripted', seed: 4, out: join(dir, 'plain') });
    const speed = (d: Dataset) => Array.from({ length: d.numEpisodes }, (_v, k) => Math.hypot(d.initialObservations()[k * 6 + 2]!, d.initialObservations()[k * 6 + 3]!));
    // The environment's own starts are at rest; random starts mostly move.
    expect(Math.max(...speed(await Dataset.load(plain.path)))).toBe(0);
    expect(speed(await Dataset.load(r.path)).filter((v) => v > 0.05).length).toBeGreaterThan(6);
    await expect(collectDataset({ env: 'LineWorld-v0', episodes: 1, randomStarts: 0.5, seed: 1, out: join(dir, 'line') })).rejects.toThrow(
      /`randomStarts` needs an environment whose card has `explorationStart`/,
    );
  });
});
