/**
 * The self-contained `report.html`: summary, tables and Vega-Lite plots, with the minified vega,
 * vega-lite and vega-embed builds inlined from `node_modules` so the page works offline. Also the
 * atomic writer of `report.json` + `report.html`.
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../atomic-write.js';
import { EmbodiedError } from '../errors.js';
import { reportCharts } from './report-charts.js';
import { serializeReport, type CheckResult, type ValidationReport } from './report-types.js';

const LIBRARIES = ['vega', 'vega-lite', 'vega-embed'] as const;
let cachedLibraries: string[] | undefined;

/** The minified UMD build of a package, found next to its resolved entry point. */
function minifiedBuild(name: string): string {
  let entry: string;
  try {
    entry = fileURLToPath(import.meta.resolve(name));
  } catch (e) {
    throw new EmbodiedError(`report.html needs the \`${name}\` package (its minified build is inlined into the page), but it cannot be resolved: ${(e as Error).message}`, {
      cause: e,
    });
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'build', `${name}.min.js`);
    if (existsSync(join(dir, 'package.json')) && existsSync(file)) return readFileSync(file, 'utf8');
  }
  throw new EmbodiedError(`report.html: no build/${name}.min.js found above ${entry}`);
}

/** The inlined libraries, read once per process. */
function libraries(): string[] {
  cachedLibraries ??= LIBRARIES.map(minifiedBuild);
  return cachedLibraries;
}

/** The vega, vega-lite and vega-embed builds as inline `<script>` elements (read once per process): what makes a report's HTML self-contained. */
export function inlinedVegaScripts(): string {
  return libraries()
    .map((src) => `<script>${src.replace(/<\/script/gi, '<\\/script')}</script>`)
    .join('\n');
}

/** `text` with the five HTML-special characters escaped. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function fmt(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toFixed(digits);
}

/** JSON safe to embed in a `<script>` element. */
/** JSON for a `<script type="application/json">` element (`<` escaped so the text cannot close the element). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function checkRow(c: CheckResult): string {
  const details = Object.entries(c.details)
    .map(([k, v]) => `${escapeHtml(k)} = ${typeof v === 'number' ? fmt(v, 4) : escapeHtml(v ?? '–')}`)
    .join('<br>');
  return `<tr class="${c.status}"><td>${escapeHtml(c.name)}</td><td>${escapeHtml(c.status)}</td><td class="num">${fmt(c.score)}</td><td>${escapeHtml(c.scenario || c.reason || '')}${c.reason && c.scenario ? `<br><em>${escapeHtml(c.reason)}</em>` : ''}</td><td class="small">${escapeHtml(c.formula)}</td><td class="small">${details}</td></tr>`;
}

/** The headline numbers at the top of the page, as [label, value]. */
function summaryCards(r: ValidationReport): string[][] {
  const first = r.drift.curves[0];
  const cards = [
    ['PPS', fmt(r.plausibility.pps)],
    ['drift at H (random)', first ? fmt(first.overall.at(-1)?.mean) : '–'],
    ['valid horizon', first ? (first.validHorizon === null ? `> ${first.horizon}` : String(first.validHorizon)) : '–'],
    ['controllability', fmt(r.causal.controllability.score)],
    ['counterfactual', fmt(r.causal.counterfactual.score)],
  ];
  const learned = r.closedLoop.contenders.find((c) => c.kind === 'learned-mpc');
  const oracle = r.closedLoop.contenders.find((c) => c.kind === 'oracle-mpc');
  if (learned && oracle) cards.push(['success: learned / oracle MPC', `${fmt(learned.successRate.mean, 2)} / ${fmt(oracle.successRate.mean, 2)}`]);
  return cards;
}

/** The report pages' shared style sheet (validation report, learning curves). */
export const PAGE_STYLE = `<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } .meta { color: #666; }
.cards { display: flex; gap: 1em; flex-wrap: wrap; margin: 1em 0; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.6em 1em; min-width: 9em; }
.card b { display: block; font-size: 1.5em; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ddd; padding: 4px 6px; vertical-align: top; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } .small { font-size: 12px; color: #444; }
tr.not-applicable td, tr.not-available td { color: #888; } .na { color: #a60; }
figure { margin: 1em 0 2em; } figcaption { color: #555; font-size: 13px; max-width: 720px; }
</style>`;

/** Renders every chart from the embedded JSON and counts successes and failures in `window.__embodiedCharts` (the browser test reads it). */
/** The script that renders every chart listed in the page's `#charts` JSON with vega-embed. */
export const CHART_BOOT = `<script>
(function () {
  var charts = JSON.parse(document.getElementById('charts').textContent);
  window.__embodiedCharts = { total: charts.length, rendered: 0, failed: [] };
  charts.forEach(function (c) {
    vegaEmbed('#' + c.id, c.spec, { actions: false, renderer: 'svg' })
      .then(function () { window.__embodiedCharts.rendered++; })
      .catch(function (e) { window.__embodiedCharts.failed.push(c.id + ': ' + e); console.error('chart ' + c.id + ' failed: ' + e); });
  });
})();
</script>`;

/** Renders the report as one self-contained HTML page. */
export function renderReportHtml(report: ValidationReport, options: ReportHtmlOptions = {}): string {
  const charts = reportCharts(report);
  const r = report;
  const cards = summaryCards(r);
  const cf = r.causal.counterfactual;
  const cl = r.closedLoop;
  const section = (id: string) => {
    const c = charts.find((x) => x.id === id);
    return c ? `<figure><h3>${escapeHtml(c.title)}</h3><div class="plot" id="${c.id}"></div><figcaption>${escapeHtml(c.caption)}</figcaption></figure>` : '';
  };
  const sectionsWith = (prefix: string) =>
    charts
      .filter((c) => c.id.startsWith(prefix))
      .map((c) => section(c.id))
      .join('\n');
  const unavailable = (s: { status: string; reason?: string }) =>
    s.status === 'scored' ? '' : `<p class="na">${escapeHtml(s.status.replace('-', ' '))}: ${escapeHtml(s.reason ?? '')}</p>`;
  const libs = inlinedVegaScripts();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Validation — ${escapeHtml(r.model.name)} on ${escapeHtml(r.env.id)}</title>
${PAGE_STYLE}
${libs}
</head>
<body>
<h1>Validation of ${escapeHtml(r.model.name)} on ${escapeHtml(r.env.id)}</h1>
<p class="meta">${escapeHtml(r.format)} · ${escapeHtml(r.createdAt)} · model kind ${escapeHtml(r.model.kind)} (obs ${r.model.obsDim}, action ${r.model.actionDim}${r.model.latentDim ? `, latent ${r.model.latentDim}` : ''}) · ${r.env.stateful ? 'Stateful' : 'not Stateful'} environment · ${fmt(r.durationMs / 1000, 1)} s · seed ${escapeHtml(r.settings.seed)}${r.settings.quick ? ' · quick' : ''}</p>
<div class="cards">${cards.map(([k, v]) => `<div class="card">${escapeHtml(k)}<b>${escapeHtml(v)}</b></div>`).join('')}</div>
${viewerLinks(options.viewer ?? [])}

<h2>Open-loop drift</h2>
${unavailable(r.drift)}
<p>The same action sequences run in Rapier and in the model from ${escapeHtml(r.settings.starts)} seeded start states; errors are in units of the data standard deviation σ (${escapeHtml(r.scale.source)}, floored at ${r.scale.floor}).</p>
${section('drift-overall')}
<table><tr><th>action source</th><th>rows</th><th>error at h=1</th><th>error at h=H</th><th>valid horizon (error &gt; ${r.drift.threshold})</th></tr>
${r.drift.curves.map((c) => `<tr><td>${escapeHtml(c.source)}</td><td class="num">${c.rows}</td><td class="num">${fmt(c.overall[0]?.mean)}</td><td class="num">${fmt(c.overall.at(-1)?.mean)}</td><td class="num">${c.validHorizon === null ? `&gt; ${c.horizon}` : c.validHorizon}</td></tr>`).join('\n')}
</table>
${sectionsWith('drift-fields-')}
${section('latent-gap')}

<h2>Physical plausibility</h2>
<p>PPS = <b>${fmt(r.plausibility.pps)}</b>. ${escapeHtml(r.plausibility.formula)}.</p>
${section('checks')}
<table><tr><th>check</th><th>status</th><th>score</th><th>scenario</th><th>formula</th><th>measured</th></tr>
${r.plausibility.checks.map(checkRow).join('\n')}
</table>

<h2>Causal consistency</h2>
<h3>Counterfactual branching</h3>
${unavailable(cf)}
<p class="small">${escapeHtml(cf.formula)}</p>
<table><tr><th>intervention pair</th><th>starts</th><th>scored</th><th>sign agreement</th><th>magnitude ratio (median)</th><th>score</th></tr>
${cf.interventions.map((i) => `<tr><td>${escapeHtml(i.name)}</td><td class="num">${i.starts}</td><td class="num">${i.scored}</td><td class="num">${fmt(i.signAgreement)}</td><td class="num">${fmt(i.magnitudeRatio)}</td><td class="num">${fmt(i.score)}</td></tr>`).join('\n')}
</table>
<h3>Controllability</h3>
${unavailable(r.causal.controllability)}
<p class="small">${escapeHtml(r.causal.controllability.formula)}</p>
${section('controllability')}
<table><tr><th>h</th><th>error, true actions</th><th>error, random actions</th><th>Δ-PSNR (dB)</th></tr>
${r.causal.controllability.perStep.map((p) => `<tr><td class="num">${p.h}</td><td class="num">${fmt(p.errorTrue, 4)}</td><td class="num">${fmt(p.errorRandom, 4)}</td><td class="num">${fmt(p.deltaPsnr, 2)}</td></tr>`).join('\n')}
</table>

<h2>Closed-loop control</h2>
${unavailable(cl)}
${section('closed-loop')}
<table><tr><th>contender</th><th>kind</th><th>episodes</th><th>success rate [95% CI]</th><th>return [95% CI]</th><th>length</th><th>wall time (s)</th></tr>
${cl.contenders.map((c) => `<tr><td>${escapeHtml(c.name)}</td><td>${escapeHtml(c.kind)}</td><td class="num">${c.episodes}</td><td class="num">${fmt(c.successRate.mean)} [${fmt(c.successRate.low)}, ${fmt(c.successRate.high)}]</td><td class="num">${fmt(c.return.mean, 2)} [${fmt(c.return.low, 2)}, ${fmt(c.return.high, 2)}]</td><td class="num">${fmt(c.length.mean, 1)}</td><td class="num">${fmt(c.wallMs / 1000, 1)}</td></tr>`).join('\n')}
</table>

<h2>Dream vs real</h2>
${r.overlays.length === 0 ? '<p class="na">no overlays (the spec defines none, or the model predicts no observations)</p>' : sectionsWith('overlay-')}

${r.notes.length ? `<h2>Notes</h2><ul>${r.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}
<script type="application/json" id="charts">${scriptJson(charts.map((c) => ({ id: c.id, spec: c.spec })))}</script>
${CHART_BOOT}
</body>
</html>
`;
}

/** A way to watch the report's episodes or model in the browser viewer (`embodied view`). */
export interface ViewerLink {
  /** What it shows, e.g. `Replay of the learned MPC's first episode`. */
  readonly label: string;
  /** A page to open, relative to the report (a folder written by `embodied view --out`). */
  readonly href?: string;
  /** The command that serves it, e.g. `embodied view out/demo/replay.json`. */
  readonly command?: string;
}

/** Options of {@link renderReportHtml} and {@link writeValidationReport}. */
export interface ReportHtmlOptions {
  /** Links to the browser viewer, listed under the summary cards. Default: none. */
  readonly viewer?: readonly ViewerLink[];
}

function viewerLinks(links: readonly ViewerLink[]): string {
  if (links.length === 0) return '';
  const item = (l: ViewerLink) =>
    `<li>${l.href ? `<a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a>` : escapeHtml(l.label)}${l.command ? `: <code>${escapeHtml(l.command)}</code>` : ''}</li>`;
  return `<h2>See it in the viewer</h2>\n<p class="small">Three.js in the browser: Rapier and the world model side by side (docs/viewer.md).</p>\n<ul>${links.map(item).join('')}</ul>`;
}

/** Where {@link writeValidationReport} wrote. */
export interface WrittenReport {
  readonly json: string;
  readonly html: string;
}

/** Writes `report.json` and `report.html` into `outDir` (created if needed), each atomically. */
export async function writeValidationReport(report: ValidationReport, outDir: string, options: ReportHtmlOptions = {}): Promise<WrittenReport> {
  const json = join(outDir, 'report.json');
  const html = join(outDir, 'report.html');
  const page = renderReportHtml(report, options);
  await writeFileAtomic(json, `${serializeReport(report)}\n`);
  await writeFileAtomic(html, page);
  return { json, html };
}
