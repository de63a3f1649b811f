/**
 * `embodied demo --quick` end to end on the shipped warehouse model: every stage runs and every output
 * exists and parses. About 10–20 s on 2 cores (the learned planner and the validation suite run for real).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { formatDemoTable } from '../../workflows/demo/format.js';
import { viewerBuilt } from '../../workflows/view.js';
import { runDemo, type DemoResult } from '../../workflows/demo/run-demo.js';
import { REPLAY_FORMAT, type Replay } from '../../workflows/demo/replay.js';
import { EmbodiedError } from '../../src/errors.js';
import type { ValidationReport } from '../../src/validation/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'demo-'));

describe('embodied demo --quick', () => {
  it('runs every stage and writes the report, the replay and the summary', { timeout: 120_000 }, async () => {
    const out = join(tmp(), 'demo');
    const stages: string[] = [];
    const r = await runDemo({ quick: true, out, onEvent: (e) => e.kind === 'stage' && stages.push(e.stage) });
    expect(r.envId).toBe('Warehouse-v0');
    expect(r.quick).toBe(true);
    expect(r.rows.map((x) => x.kind)).toEqual(['learned-mpc', 'scripted', 'random', 'oracle-mpc']);
    const learned = r.rows[0]!;
    expect(learned.episodes).toHaveLength(2);
    expect(learned.planMs!.count).toBeGreaterThan(10);
    expect(learned.planMs!.p95).toBeGreaterThanOrEqual(learned.planMs!.p50);
    expect(r.rows[1]!.episodes.every((e) => e.success)).toBe(true); // the scripted baseline delivers within 120 steps
    expect(r.rows[3]!.episodes).toHaveLength(1);
    expect(r.check.pps).toBeGreaterThanOrEqual(0);
    expect(r.check.pps).toBeLessThanOrEqual(1);
    expect(r.check.drift.source).toBe('planner:learned-mpc');
    expect(r.check.drift.first).toBeGreaterThan(0);
    // A progress event for every stage, in order.
    expect(stages).toEqual(['learned MPC', 'scripted', 'random', 'oracle MPC', 'validation']);

    expect(readdirSync(out).sort()).toEqual(['replay.json', 'report.html', 'report.json', 'summary.json', ...(viewerBuilt() ? ['viewer'] : [])]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ValidationReport;
    expect(report.env.id).toBe('Warehouse-v0');
    expect(report.closedLoop.status).toBe('scored');
    expect(report.closedLoop.contenders.map((c) => c.kind)).toEqual(['learned-mpc', 'scripted', 'random', 'oracle-mpc']);
    expect(report.notes.some((n) => /oracle MPC played the first 1 of the 2 seeds/.test(n))).toBe(true);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    // The report links its episode and model to the browser viewer.
    expect(html).toContain('See it in the viewer');
    expect(html).toContain(`embodied view ${join(out, 'replay.json')}`);
    // With the viewer built (npm run build; CI builds it in npm ci), the demo writes the replay's page and links it.
    if (viewerBuilt()) {
      expect(r.files.viewer).toBe(join(out, 'viewer', 'index.html'));
      expect(readFileSync(join(out, 'viewer', 'data.js'), 'utf8')).toContain('"format":"embodied.replay/v1"');
      expect(html).toContain('<a href="viewer/index.html">');
    } else expect(r.files.viewer).toBeUndefined();
    const replay = JSON.parse(readFileSync(join(out, 'replay.json'), 'utf8')) as Replay;
    expect(replay.format).toBe(REPLAY_FORMAT);
    expect(replay.seed).toBe(0);
    expect(replay.frames).toHaveLength(replay.actions.length + 1);
    expect(replay.actions.length).toBe(learned.episodes[0]!.length);
    expect(replay.actions.every((a) => a.length === 3 && a.every((v) => v >= -1 && v <= 1))).toBe(true);
    // Per-step infos and the learned MPC's plans, for the viewer's telemetry panel.
    expect(replay.infos).toHaveLength(replay.actions.length);
    expect(replay.plans!.length).toBeGreaterThan(0);
    expect(replay.plans!.every((p) => p.ms > 0 && Number.isInteger(p.step))).toBe(true);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as DemoResult;
    expect(summary.rows[0]!.summary.successRate.n).toBe(2);

    const table = formatDemoTable(r);
    expect(table).toMatch(/learned MPC\s+\d+% \(\d\/2\)/);
    expect(table).toMatch(/oracle MPC\s+\d+% \(\d\/1\)/);
    expect(table).toMatch(/physical plausibility score \(PPS\) \d\.\d\d/);
    expect(table).toMatch(/plan p50 \/ p95/);
    expect(table).toMatch(/watch it: .*embodied view .*replay\.json; dream vs real and play: embodied view /);
  });

  it('stops cleanly on abort and writes nothing', { timeout: 60_000 }, async () => {
    const out = join(tmp(), 'demo');
    const controller = new AbortController();
    const stop = new EmbodiedError('stopped by test');
    const run = runDemo({ quick: true, out, signal: controller.signal, onEvent: (e) => e.kind === 'step' && e.step === 5 && controller.abort(stop) });
    await expect(run).rejects.toBe(stop);
    expect(existsSync(out)).toBe(false);
  });

  it('rejects bad options with clear messages', async () => {
    await expect(runDemo({ envId: 'CartPole-v0' })).rejects.toThrow(
      /expected `envId` Warehouse-v0 or PushBox-v0 \(the environments whose card has a demo task\), got "CartPole-v0"/,
    );
    await expect(runDemo({ episodes: 0 })).rejects.toThrow(/`episodes`: .*>0 \(got 0\)/);
    await expect(runDemo({ model: join(tmp(), 'missing') })).rejects.toThrow(/missing: not a world-model bundle \(no such directory\)/);
  });
});
