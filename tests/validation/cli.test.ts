/**
 * `embodied validate` as a function (validateModel): the oracle through the whole pipeline with the
 * agents' contenders at a tiny budget, the files it writes, and its argument errors. ~10 s on 2 busy
 * cores (the oracle MPC dominates).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatValidationSummary, validateModel } from '../../workflows/validate.js';
import '../../environments/index.js';

const out = mkdtempSync(join(tmpdir(), 'val-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('validateModel (embodied validate)', () => {
  it('validates the oracle end to end with drift sources and closed-loop contenders', async () => {
    const dir = join(out, 'oracle');
    const { report, written } = await validateModel({
      env: 'PushBox-v0',
      oracle: true,
      out: dir,
      quick: true,
      episodes: 2,
      maxSteps: 8,
      horizon: 3,
      samples: 4,
      iterations: 1,
    });
    expect(existsSync(written.json) && existsSync(written.html)).toBe(true);
    expect(JSON.parse(readFileSync(written.json, 'utf8')).format).toBe('embodied.validation/v1');
    expect(report.drift.curves.map((c) => c.source)).toEqual(['random', 'scripted:push-box', 'planner:oracle-mpc']);
    for (const c of report.drift.curves) expect(c.overall.at(-1)!.mean).toBeLessThan(1e-6);
    expect(report.plausibility.pps).toBeCloseTo(1, 6);
    expect(report.closedLoop.contenders.map((c) => c.kind)).toEqual(['oracle-mpc', 'scripted', 'random']);
    for (const c of report.closedLoop.contenders) expect(c.episodes).toBe(2);
    const text = formatValidationSummary(report, written);
    expect(text).toMatch(/PPS 1\.000/);
    expect(text).toMatch(/closed loop oracle MPC/);
  });

  it('needs exactly one of --model and --oracle, and a bundle for the right environment', async () => {
    await expect(validateModel({ env: 'PushBox-v0', out })).rejects.toThrow(/give `model` \(a bundle directory\) to validate a world model, or `oracle: true`/);
    await expect(validateModel({ env: 'PushBox-v0', out, oracle: true, model: 'x' })).rejects.toThrow(/either `model` or `oracle`, not both/);
    await expect(validateModel({ env: 'PushBox-v0', out, model: join(out, 'missing') })).rejects.toThrow(/missing/);
  });

  it('stops on abort and writes nothing', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    const dir = join(out, 'aborted');
    await expect(validateModel({ env: 'PushBox-v0', oracle: true, out: dir, quick: true, signal: controller.signal })).rejects.toThrow(/stop now/);
    expect(existsSync(dir)).toBe(false);
  });
});
