/**
 * report.json / report.html: written atomically, JSON-serialisable (non-finite numbers as null), and
 * the page renders every plot in headless Chromium (Debian's `chromium` through playwright-core) with
 * no console errors and no network. Skipped, saying so, where Chromium is not installed; `.ci/run`
 * installs it. ~5 s with Chromium.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushBoxValidationSpec } from '../../environments/push-box/validation.js';
import { pushBoxPolicy } from '../../environments/push-box/scripted.js';
import {
  OracleModel,
  VALIDATION_REPORT_FORMAT,
  driftingModel,
  policyContender,
  renderReportHtml,
  serializeReport,
  validate,
  writeValidationReport,
  type ValidationReport,
} from '../../src/validation/index.js';
import { reportCharts } from '../../src/validation/report-charts.js';
import { randomPolicy } from '../../src/policy.js';

// Browser globals inside page.evaluate callbacks (this project compiles without the DOM library).
declare const window: unknown;
declare const document: { querySelectorAll(selector: string): ArrayLike<{ id: string; querySelector(s: string): { querySelectorAll(s: string): ArrayLike<unknown> } | null }> };
const CHROMIUM = '/usr/bin/chromium';
const spec = pushBoxValidationSpec();
const out = mkdtempSync(join(tmpdir(), 'val-report-'));
let report: ValidationReport;

beforeAll(async () => {
  const env = spec.makeEnv();
  const oracle = new OracleModel(() => spec.makeEnv());
  // A slightly drifting oracle gives non-trivial curves and bands to draw.
  const model = driftingModel(oracle, { scale: new Array(13).fill(0.05), rate: 0.01 });
  try {
    report = await validate({
      env,
      model,
      spec,
      starts: 4,
      horizon: 8,
      scenarioInstances: 2,
      permanenceRows: 2,
      permanenceHorizon: 20,
      counterfactualStarts: 2,
      sources: [{ name: 'scripted:push-box', policy: pushBoxPolicy() }],
      closedLoop: {
        contenders: [
          policyContender('scripted', 'scripted', () => spec.makeEnv(), pushBoxPolicy(), { maxSteps: 60 }),
          policyContender('random', 'random', () => spec.makeEnv(), randomPolicy(spec.makeEnv().actionSpace, 1) as never, { maxSteps: 60 }),
        ],
        seeds: [1, 2, 3],
      },
    });
  } finally {
    await model.close?.();
    await env.close();
  }
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('report files', () => {
  it('writes report.json and report.html atomically, leaving no temporary files', async () => {
    const w = await writeValidationReport(report, out);
    expect(readdirSync(out).sort()).toEqual(['report.html', 'report.json']);
    const json = JSON.parse(readFileSync(w.json, 'utf8'));
    expect(json.format).toBe(VALIDATION_REPORT_FORMAT);
    expect(json.plausibility.checks).toHaveLength(6);
    expect(json.closedLoop.contenders.map((c: { name: string }) => c.name)).toEqual(['scripted', 'random']);
    // The page carries the libraries inline: no external script or stylesheet.
    const html = readFileSync(w.html, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('vegaEmbed');
  });

  it('serialises non-finite numbers as null', () => {
    const text = serializeReport({ ...report, notes: [], durationMs: Number.NaN });
    expect(JSON.parse(text).durationMs).toBeNull();
    expect(text).not.toMatch(/NaN|Infinity/);
  });

  it('puts the numbers in the page', () => {
    const html = renderReportHtml(report);
    expect(html).toContain(`Validation of ${report.model.name} on PushBox-v0`);
    for (const c of report.plausibility.checks) expect(html).toContain(c.name);
    expect(html).toContain('oracle'); // the model name
  });

  it('draws the map under top-view trajectories and names its legends', () => {
    // PushBox's overlays are top views: the table top is drawn under the paths.
    expect(report.overlays[0]!.map).toEqual([{ name: 'table', kind: 'table top', x0: -0.5, x1: 0.5, y0: -0.5, y1: 0.5 }]);
    const chart = reportCharts(report).find((c) => c.id === 'overlay-0')!;
    expect(chart.caption).toMatch(/Each colour is one start state; solid: Rapier, dashed: the model.*Under the paths, the map: table tops \(legend "map"\)\./);
    const [ground, paths] = (chart.spec as { layer: { mark: { type: string }; encoding: Record<string, { title?: string; legend?: unknown }> }[] }).layer;
    expect(ground!.mark.type).toBe('rect');
    expect(ground!.encoding.fill!.title).toBe('map');
    expect(paths!.encoding.color!.title).toBe('start state');
    expect(paths!.encoding.strokeDash!.legend).toEqual({ labelExpr: "datum.label === 'real' ? 'Rapier (real)' : 'model (dream)'" });
    expect(renderReportHtml(report).includes('Under the paths, the map: table tops')).toBe(true);
  });

  it('links the browser viewer when given links (escaped), and not otherwise', () => {
    expect(renderReportHtml(report)).not.toContain('See it in the viewer');
    const html = renderReportHtml(report, {
      viewer: [
        { label: 'Replay <first>', href: 'viewer/index.html', command: 'embodied view out/replay.json' },
        { label: 'Dream vs real', command: "embodied view 'my model'" },
      ],
    });
    expect(html).toContain('<h2>See it in the viewer</h2>');
    expect(html).toContain('<li><a href="viewer/index.html">Replay &lt;first&gt;</a>: <code>embodied view out/replay.json</code></li>');
    expect(html).toContain('<li>Dream vs real: <code>embodied view &#39;my model&#39;</code></li>');
  });
});

describe.skipIf(!existsSync(CHROMIUM))('report.html in headless Chromium', () => {
  it('renders every plot (non-empty SVG) with no console errors', async () => {
    const { chromium } = await import('playwright-core');
    const profile = mkdtempSync(join(tmpdir(), 'val-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => !r.url().startsWith('file:') && !r.url().startsWith('data:') && requests.push(r.url()));
      await page.goto(`file://${join(out, 'report.html')}`);
      await page.waitForFunction(
        () => {
          const c = (window as unknown as { __embodiedCharts?: { total: number; rendered: number; failed: string[] } }).__embodiedCharts;
          return c !== undefined && c.rendered + c.failed.length === c.total;
        },
        null,
        { timeout: 30_000 },
      );
      const state = await page.evaluate(() => ({
        charts: (window as unknown as { __embodiedCharts: { total: number; rendered: number; failed: string[] } }).__embodiedCharts,
        plots: Array.from(document.querySelectorAll('.plot')).map((p) => ({
          id: p.id,
          marks: p.querySelector('svg')?.querySelectorAll('path, rect, line, text, circle').length ?? 0,
        })),
      }));
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(state.charts.failed).toEqual([]);
      const ids = state.plots.map((p) => p.id);
      for (const id of ['drift-overall', 'drift-fields-0', 'drift-fields-1', 'checks', 'controllability', 'closed-loop', 'overlay-0', 'overlay-1']) expect(ids).toContain(id);
      expect(state.plots.length).toBe(state.charts.total);
      for (const p of state.plots) expect(p.marks, p.id).toBeGreaterThan(10);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

if (!existsSync(CHROMIUM)) console.warn(`report.html browser test skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
