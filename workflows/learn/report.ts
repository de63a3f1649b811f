/**
 * `report.html` of a learn run: the per-round curve (learned-MPC success, PPS, drift at the drift
 * horizon) as one Vega-Lite chart, and a table of the rounds — self-contained, with vega, vega-lite and
 * vega-embed inlined from `node_modules` like the validation report.
 *
 * @module
 */
import { escapeHtml, inlinedVegaScripts } from '../../src/validation/report-html.js';
import { stopRule } from './round.js';
import type { LearnRoundRecord, LearnState } from './state.js';

const fmt = (v: number | null, d = 3) => (v === null ? '–' : v.toFixed(d));

/** The Vega-Lite spec of the per-round curve: success and PPS (0…1) above, drift below. */
export function learnCurveSpec(rounds: readonly LearnRoundRecord[]): Record<string, unknown> {
  const rows = rounds.flatMap((r) => [
    { round: r.round, metric: 'learned-MPC success', value: r.scores.successRate, panel: 'scores' },
    { round: r.round, metric: 'PPS', value: r.scores.pps, panel: 'scores' },
    { round: r.round, metric: `drift at h=${r.scores.driftHorizon} (σ)`, value: r.scores.driftAtHorizon, panel: 'drift' },
  ]);
  const panel = (name: string, title: string, domain?: number[]) => ({
    width: 480,
    height: 180,
    transform: [{ filter: `datum.panel === '${name}' && datum.value !== null` }],
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'round', type: 'ordinal', title: 'round' },
      y: { field: 'value', type: 'quantitative', title, ...(domain && { scale: { domain } }) },
      color: { field: 'metric', type: 'nominal', title: null },
      tooltip: [{ field: 'metric' }, { field: 'round' }, { field: 'value', format: '.3f' }],
    },
  });
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', data: { values: rows }, vconcat: [panel('scores', 'score', [0, 1]), panel('drift', 'drift')] };
}

/** The page. */
export function renderLearnReport(state: LearnState, selected: LearnRoundRecord | undefined): string {
  const t = state.settings.targets;
  const stop = stopRule(t);
  const row = (r: LearnRoundRecord) =>
    `<tr${r === selected ? ' class="sel"' : ''}><td>${r.round}</td><td>${escapeHtml(r.policy)}</td><td>${r.transitions}</td><td>${r.trainSteps}</td><td>${fmt(r.scores.successRate, 2)}</td><td>${fmt(r.scores.oracleSuccessRate, 2)}</td><td>${fmt(r.scores.pps)}</td><td>${r.scores.validHorizon ?? `&gt; ${r.scores.driftHorizon}`}</td><td>${fmt(r.scores.driftAtHorizon)}</td><td>${(r.times.totalMs / 1000).toFixed(1)}</td><td>${r.targetsMet ? 'yes' : 'no'}</td></tr>`;
  const spec = JSON.stringify(learnCurveSpec(state.rounds)).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>learn ${escapeHtml(state.env)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;padding:0 1em}table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}tr.sel{background:#eef6ee}</style>
${inlinedVegaScripts()}
</head><body>
<h1>embodied learn: ${escapeHtml(state.env)}</h1>
<p>seed ${state.seed} · ${state.rounds.length} finished rounds · wall ${(state.wallMs / 1000).toFixed(1)} s of a ${(state.budgetMs / 1000).toFixed(0)} s budget · stopped: ${escapeHtml(state.stopReason ?? 'running')} · model/ = round ${selected?.round ?? '–'} (best: learned-MPC success, then PPS)</p>
<p>targets: success ≥ ${t.successRate} (learn stops early at ≥ ${stop.rate} confirmed over ${stop.episodes} episodes), PPS ≥ ${t.pps}, valid horizon ≥ ${t.validHorizon} (or no drift crossing within the measured horizon). Planner: ${escapeHtml(state.settings.validation.algorithm)} ${state.settings.validation.samples}×${state.settings.validation.horizon}×${state.settings.validation.iterations}, quick validation.</p>
<div id="curve"></div>
<table><tr><th>round</th><th>data</th><th>transitions</th><th>train steps</th><th>success</th><th>oracle</th><th>PPS</th><th>valid horizon</th><th>drift at H</th><th>wall s</th><th>targets</th></tr>
${state.rounds.map(row).join('\n')}</table>
<p>Each round's full validation report: round-&lt;k&gt;/report.html.</p>
<script type="application/json" id="spec">${spec}</script>
<script>vegaEmbed('#curve', JSON.parse(document.getElementById('spec').textContent), { actions: false, renderer: 'svg' });</script>
</body></html>
`;
}
