/**
 * Learning curves of policy training: named series of (x, y) points — losses per optimiser step,
 * returns and success per environment step — written as JSON and drawn in an HTML page with the
 * validation report's chart machinery (Vega-Lite, inlined, works offline).
 *
 * @module
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { CHART_BOOT, PAGE_STYLE, escapeHtml, inlinedVegaScripts, scriptJson } from '../validation/report-html.js';

/** The format tag of learning-curve files. */
export const CURVES_FORMAT = 'embodied.curves/v1';

/** One point of a curve. */
export interface CurvePoint {
  readonly x: number;
  readonly y: number;
}

/** A chart: several series sharing an x axis. */
export interface CurveChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Series by name. */
  readonly series: Readonly<Record<string, readonly CurvePoint[]>>;
}

/** The learning curves of one training run. */
export interface LearningCurves {
  readonly format: typeof CURVES_FORMAT;
  /** e.g. `bc on Reach-v0`. */
  readonly title: string;
  readonly charts: readonly CurveChart[];
  /** Key numbers shown as cards (e.g. final success rate). */
  readonly summary: Readonly<Record<string, string | number>>;
}

/** Collects points while training runs; {@link CurveRecorder.curves} returns the JSON form. */
export class CurveRecorder {
  private readonly charts = new Map<string, { xLabel: string; yLabel: string; series: Map<string, CurvePoint[]> }>();
  /** Key numbers for the page's cards. */
  readonly summary: Record<string, string | number> = {};

  constructor(readonly title: string) {}

  /** Adds the point (x, y) to `series` of chart `chart` (created on first use). Non-finite values are skipped. */
  add(chart: string, series: string, x: number, y: number, labels: { x: string; y: string } = { x: 'step', y: chart }): void {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    let c = this.charts.get(chart);
    if (!c) {
      c = { xLabel: labels.x, yLabel: labels.y, series: new Map() };
      this.charts.set(chart, c);
    }
    const s = c.series.get(series);
    if (s) s.push({ x, y });
    else c.series.set(series, [{ x, y }]);
  }

  /** The curves so far. */
  curves(): LearningCurves {
    return {
      format: CURVES_FORMAT,
      title: this.title,
      charts: [...this.charts].map(([title, c]) => ({ title, xLabel: c.xLabel, yLabel: c.yLabel, series: Object.fromEntries(c.series) })),
      summary: { ...this.summary },
    };
  }

  /** Restores the points of earlier curves (a resumed run continues them). */
  static from(curves: LearningCurves): CurveRecorder {
    const r = new CurveRecorder(curves.title);
    for (const c of curves.charts) for (const [name, pts] of Object.entries(c.series)) for (const p of pts) r.add(c.title, name, p.x, p.y, { x: c.xLabel, y: c.yLabel });
    Object.assign(r.summary, curves.summary);
    return r;
  }
}

/** The HTML page of `curves`: summary cards and one line chart per {@link CurveChart}. */
export function renderCurvesHtml(curves: LearningCurves): string {
  const charts = curves.charts.map((c, i) => ({
    id: `curve-${i}`,
    title: c.title,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 560,
      height: 240,
      data: { values: Object.entries(c.series).flatMap(([series, pts]) => pts.map((p) => ({ series, x: p.x, y: p.y }))) },
      mark: { type: 'line', point: false },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: c.xLabel },
        y: { field: 'y', type: 'quantitative', title: c.yLabel, scale: { zero: false } },
        color: { field: 'series', type: 'nominal' },
        tooltip: [{ field: 'series' }, { field: 'x' }, { field: 'y', format: '.4g' }],
      },
    },
  }));
  const cards = Object.entries(curves.summary).map(
    ([k, v]) => `<div class="card">${escapeHtml(k)}<b>${escapeHtml(typeof v === 'number' ? Number(v.toPrecision(4)) : v)}</b></div>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Learning curves — ${escapeHtml(curves.title)}</title>
${PAGE_STYLE}
${inlinedVegaScripts()}
</head>
<body>
<h1>Learning curves: ${escapeHtml(curves.title)}</h1>
<div class="cards">${cards.join('')}</div>
${charts.map((c) => `<figure><h3>${escapeHtml(c.title)}</h3><div class="plot" id="${c.id}"></div></figure>`).join('\n')}
<script type="application/json" id="charts">${scriptJson(charts.map((c) => ({ id: c.id, spec: c.spec })))}</script>
${CHART_BOOT}
</body>
</html>
`;
}

/** Writes `curves.json` and `curves.html` into `dir` (each atomically); returns their paths. */
export async function writeLearningCurves(curves: LearningCurves, dir: string): Promise<{ json: string; html: string }> {
  const json = join(dir, 'curves.json');
  const html = join(dir, 'curves.html');
  await writeFileAtomic(json, `${JSON.stringify(curves)}\n`);
  await writeFileAtomic(html, renderCurvesHtml(curves));
  return { json, html };
}
