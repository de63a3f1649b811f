/**
 * Contact excursions (`collect --contact-prob p --contact-steps n`): an actuated body of the validation
 * spec drives at a dynamic one, the rest of the action idle — pushes a behaviour policy seldom makes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { validationSpecFor } from '../../environments/cards.js';
import { contactExcursionPolicy } from '../../src/contact-excursion-policy.js';
import { InvalidArgumentError } from '../../src/errors.js';
import type { Policy } from '../../src/policy.js';
import { make } from '../../src/registry.js';
import { Box } from '../../src/spaces.js';
import { bodyPosition } from '../../src/validation/geometry.js';
import { collectDataset } from '../../workflows/collect.js';

const still: Policy = { name: 'still', act: () => Float32Array.of(0, 0) };

describe('contactExcursionPolicy', () => {
  const spec = validationSpecFor('PushBox-v0', {});
  const space = new Box(-1, 1, [2]);
  const idle = Float32Array.from(spec.idleAction ?? [0, 0]);

  it('drives the actuated body toward the dynamic one, off its centre line by at most maxAngle; seeded per episode', async () => {
    const env = make<Float32Array, Float32Array>('PushBox-v0');
    const p = contactExcursionPolicy(still, spec, space, idle, { prob: 1, maxSteps: 5, maxAngle: 0.3 });
    expect(p.name).toBe('still+contact(1×5)');
    const pusher = spec.bodies.find((b) => b.actuation)!;
    const box = spec.bodies.find((b) => b.dynamic)!;
    const run = async (seed: number) => {
      const { observation } = await env.reset({ seed });
      p.reset!(seed);
      const out: number[][] = [];
      let obs = observation;
      for (let t = 0; t < 12; t++) {
        const a = (await p.act(obs)) as Float32Array;
        const from = bodyPosition(spec, pusher, obs, 0);
        const to = bodyPosition(spec, box, obs, 0);
        const angle = Math.atan2(a[1]!, a[0]!) - Math.atan2(to[2]! - from[2]!, to[0]! - from[0]!);
        expect(Math.abs(Math.atan2(Math.sin(angle), Math.cos(angle)))).toBeLessThanOrEqual(0.3 + 1e-5);
        expect(Math.hypot(a[0]!, a[1]!)).toBeGreaterThanOrEqual(0.3 - 1e-5);
        out.push(Array.from(a));
        obs = (await env.step(a)).observation;
      }
      return out;
    };
    const a = await run(3);
    expect(await run(3)).toEqual(a);
    expect(await run(4)).not.toEqual(a);
    await env.close();
  });

  it('leaves the inner policy alone at probability 0, and refuses a spec without an actuated or a dynamic body', async () => {
    const p = contactExcursionPolicy(still, spec, space, idle, { prob: 0, maxSteps: 5 });
    p.reset!(1);
    for (let t = 0; t < 20; t++) expect(Array.from((await p.act(new Float32Array(spec.obsDim))) as Float32Array)).toEqual([0, 0]);
    const inert = { ...spec, bodies: spec.bodies.filter((b) => !b.actuation) };
    expect(() => contactExcursionPolicy(still, inert, space, idle, { prob: 0.1, maxSteps: 5 })).toThrow(InvalidArgumentError);
    expect(() => contactExcursionPolicy(still, spec, space, Float32Array.of(0), { prob: 0.1, maxSteps: 5 })).toThrow(/idle action of 2 entries/);
  });

  it('is a collect option: the policy name records it, and it changes the data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'embodied-contact-'));
    const r = await collectDataset({ env: 'PushBox-v0', policy: 'scripted', episodes: 2, contactProb: 0.05, contactSteps: 10, seed: 5, out: join(dir, 'a') });
    expect(r.manifest.policy).toContain('contact(0.05×10)');
    const plain = await collectDataset({ env: 'PushBox-v0', policy: 'scripted', episodes: 2, seed: 5, out: join(dir, 'b') });
    expect(plain.manifest.contentHash).not.toBe(r.manifest.contentHash);
  });
});
