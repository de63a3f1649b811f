/**
 * Certified planner settings (`manifest.planner`): the schema (old bundles load, bad fields are named),
 * `createPlanSource` / `planEpisodes` planning with them by default (explicit settings override), and
 * `certifyModel` writing them into a copy of the shipped PushBox bundle without touching its ONNX files.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import '../../environments/index.js';
import { registerCertifyCommand } from '../../cli/commands/certify.js';
import { createPlanSource, planDefaults } from '../../agents/plan-factory.js';
import { planPresetFor } from '../../environments/cards.js';
import { BundleError, readBundleManifest } from '../../src/worldmodel/bundle.js';
import { certifyModel, formatCertifyResult } from '../../workflows/certify.js';
import { planEpisodes } from '../../workflows/plan.js';
import { validateModel } from '../../workflows/validate.js';

const shipped = fileURLToPath(new URL('../../models/pushbox', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'embodied-certified-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const settings = { algorithm: 'cem', horizon: 7, samples: 24, iterations: 2, temperature: 0.3, discount: 0.9, replanEvery: 3 } as const;

/** A copy of the shipped PushBox bundle whose manifest's `planner` is `planner` (removed when `undefined`). */
function bundleWith(name: string, planner: unknown): string {
  const dir = join(root, name);
  cpSync(shipped, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  if (planner === undefined) delete manifest.planner;
  else manifest.planner = planner;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

const hashes = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f !== 'manifest.json')
      .map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(join(dir, f)))
          .digest('hex'),
      ]),
  );

describe('certified planner settings', () => {
  it('the shipped bundles record the demo settings they were certified with', async () => {
    // models/pushbox is learn's: certified on the 40 confirmation episodes it stopped on (seeds from 3000, never a held-out seed).
    const m = await readBundleManifest(shipped);
    expect(m.planner).toMatchObject({ algorithm: 'icem', horizon: 25, samples: 128, iterations: 3, replanEvery: 1, certified: { episodes: 40, successes: 39 } });
    expect(m.planner?.certified?.seed).toBeGreaterThanOrEqual(3000);
  });

  it('createPlanSource plans a certified bundle with its settings; explicit fields override them', async () => {
    const dir = bundleWith('cem', settings);
    const source = await createPlanSource({ envId: 'PushBox-v0', model: dir });
    try {
      expect(source.preset).toEqual({ ...settings, afterTruncation: planPresetFor('PushBox-v0').afterTruncation });
      expect(source.horizon).toBe(7);
    } finally {
      await source.close();
    }
    const overridden = await createPlanSource({ envId: 'PushBox-v0', model: dir, algorithm: 'mppi', horizon: 5 });
    try {
      expect(overridden.preset).toMatchObject({ algorithm: 'mppi', horizon: 5, samples: 24, iterations: 2, replanEvery: 3 });
    } finally {
      await overridden.close();
    }
    // The certified settings belong to the model: the oracle keeps the environment's preset.
    expect(await planDefaults('PushBox-v0', { model: dir, oracle: true })).toEqual(planPresetFor('PushBox-v0'));
  });

  it('a bundle without them (made before they were recorded) still loads and plans with the environment preset', async () => {
    const dir = bundleWith('old', undefined);
    expect((await readBundleManifest(dir)).planner).toBeUndefined();
    const source = await createPlanSource({ envId: 'PushBox-v0', model: dir });
    try {
      expect(source.preset).toEqual(planPresetFor('PushBox-v0'));
    } finally {
      await source.close();
    }
  });

  it.each([
    [{ ...settings, horizon: 0 }, /`planner\.horizon`: Too small/],
    [{ ...settings, algorithm: 'gradient' }, /`planner\.algorithm`/],
    [{ ...settings, replanEvery: undefined }, /`planner\.replanEvery`/],
    [{ ...settings, budget: 3 }, /`planner`: .*budget/],
    [{ ...settings, certified: { episodes: 2, successes: 3, seed: 0 } }, /`planner\.certified\.successes`: expected successes <= episodes/],
  ])('a bad `planner` field is a BundleError naming it (%#)', async (planner, message) => {
    const dir = bundleWith('bad', planner);
    const load = readBundleManifest(dir);
    await expect(load).rejects.toBeInstanceOf(BundleError);
    await expect(load).rejects.toThrow(message);
    await expect(createPlanSource({ envId: 'PushBox-v0', model: dir })).rejects.toThrow(message);
    rmSync(dir, { recursive: true });
  });

  it('planEpisodes defaults to the certified settings (replanEvery included)', async () => {
    const dir = bundleWith('plan', settings);
    const report = await planEpisodes({ env: 'PushBox-v0', model: dir, episodes: 1, maxSteps: 4 });
    expect([report.algorithm, report.horizon, report.replanEvery]).toEqual(['cem', 7, 3]);
    const explicit = await planEpisodes({ env: 'PushBox-v0', model: dir, episodes: 1, maxSteps: 4, algorithm: 'random', horizon: 4, replanEvery: 1 });
    expect([explicit.algorithm, explicit.horizon, explicit.replanEvery]).toEqual(['random-shooting', 4, 1]);
  });

  it('certifyModel records the settings and the measured success in the manifest only', async () => {
    const dir = bundleWith('certify', undefined);
    const before = hashes(dir);
    const manifestBefore = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    const result = await certifyModel({ model: dir, algorithm: 'icem', horizon: 6, samples: 16, iterations: 1, replanEvery: 2, episodes: 2, seed: 3, maxSteps: 5 });
    expect(result.planner).toEqual({
      algorithm: 'icem',
      horizon: 6,
      samples: 16,
      iterations: 1,
      temperature: planPresetFor('PushBox-v0').temperature,
      discount: 1,
      replanEvery: 2,
      certified: { episodes: 2, successes: result.report.results.filter((r) => r.success).length, seed: 3, maxSteps: 5 },
    });
    expect(formatCertifyResult(result)).toMatch(/^certified icem 16 samples × H 6 × 1 iterations, replan every 2: \d\/2 on seeds 3–4; wrote .*manifest\.json$/);
    const after = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(after).toEqual({ ...manifestBefore, planner: result.planner });
    expect(hashes(dir)).toEqual(before);
    // Re-certifying without settings keeps the recorded ones.
    const again = await certifyModel({ model: dir, episodes: 1, maxSteps: 2 });
    expect(again.planner).toMatchObject({ algorithm: 'icem', horizon: 6, samples: 16, replanEvery: 2, certified: { episodes: 1, seed: 0, maxSteps: 2 } });
    await expect(certifyModel({ model: dir, env: 'CartPole-v0', episodes: 1 })).rejects.toThrow(/models PushBox-v0, not CartPole-v0/);
  });

  it("validateModel plans the learned MPC with the certified settings and names both MPCs' settings", async () => {
    const dir = bundleWith('validate', settings);
    const { report } = await validateModel({ env: 'PushBox-v0', model: dir, out: join(root, 'report'), quick: true, closedLoop: false });
    expect(report.drift.curves.map((c) => c.source)).toContain('planner:learned-mpc');
    expect(report.notes).toContain('planner: learned MPC cem 24 samples × H 7 × 2 iterations, replan every 3; oracle MPC icem 32 samples × H 15 × 3 iterations, replan every 2');
    // An explicit optimiser, like an explicit budget, applies to both MPCs.
    const mppi = await validateModel({ env: 'PushBox-v0', model: dir, out: join(root, 'report-mppi'), quick: true, closedLoop: false, algorithm: 'mppi' });
    expect(mppi.report.notes).toContain(
      'planner: learned MPC mppi 24 samples × H 7 × 2 iterations, replan every 3; oracle MPC mppi 32 samples × H 15 × 3 iterations, replan every 2',
    );
    await expect(validateModel({ env: 'PushBox-v0', model: dir, out: join(root, 'report-bad'), algorithm: 'gradient' as never })).rejects.toThrow(
      /algorithm.*expected mppi, cem, icem or random-shooting/,
    );
  }, 240_000);

  it('`embodied certify` parses its flags into certifyModel and prints the episodes and what it wrote', async () => {
    const dir = bundleWith('cli', undefined);
    const program = new Command().exitOverride();
    registerCertifyCommand(program);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const argv = ['certify', '--model', dir, '--planner', 'mppi', '--horizon', '5', '--samples', '8', '--iterations', '1', '--temperature', '0.2'];
      await program.parseAsync([...argv, '--replan-every', '2', '--episodes', '1', '--seed', '4', '--max-steps', '3', '--no-progress'], { from: 'user' });
      expect(log.mock.calls.at(-1)?.[0]).toMatch(
        /^PushBox-v0 · planner mppi \(H=5, replan every 2\)[\s\S]*\ncertified mppi 8 samples × H 5 × 1 iterations, replan every 2: [01]\/1 on seeds 4–4; wrote /,
      );
    } finally {
      log.mockRestore();
    }
    expect((await readBundleManifest(dir)).planner).toMatchObject({ algorithm: 'mppi', temperature: 0.2, certified: { episodes: 1, seed: 4, maxSteps: 3 } });
  });

  it('an aborted certification writes nothing', async () => {
    const dir = bundleWith('abort', undefined);
    const controller = new AbortController();
    controller.abort();
    const result = await certifyModel({ model: dir, episodes: 1, signal: controller.signal });
    expect(result.manifest).toBeUndefined();
    expect(formatCertifyResult(result)).toBe('stopped early: the manifest was not changed');
    expect((await readBundleManifest(dir)).planner).toBeUndefined();
  });
});
