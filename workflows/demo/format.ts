/**
 * The demo's printed table.
 *
 * @module
 */
import { relative } from 'node:path';
import { viewCommand } from '../view.js';
import type { DemoResult, DemoRow } from './run-demo.js';

const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
const num = (v: number | null | undefined, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits));

function pad(cells: string[], widths: number[]): string {
  return cells
    .map((c, i) => c.padEnd(widths[i]!))
    .join('  ')
    .trimEnd();
}

function cells(r: DemoRow): string[] {
  const s = r.summary;
  const wins = r.episodes.filter((e) => e.success).length;
  const half = (s.return.high - s.return.low) / 2;
  return [
    r.name,
    `${pct(s.successRate.mean)} (${wins}/${s.episodes}) [${pct(s.successRate.low)}, ${pct(s.successRate.high)}]`,
    r.deliveries === undefined ? '–' : String(r.deliveries),
    Number.isFinite(half) ? `${num(s.return.mean)} ± ${num(half)}` : num(s.return.mean),
    num(s.length.mean, 1),
    r.planMs && r.planMs.count > 0 ? `${num(r.planMs.p50, 1)} / ${num(r.planMs.p95, 1)} ms` : '–',
    r.settings ?? '',
  ];
}

/** The demo's result as the table `embodied demo` prints. */
export function formatDemoTable(r: DemoResult, cwd = process.cwd()): string {
  const head = ['agent', 'success [95% CI]', 'deliveries', 'return (± 95% CI)', 'steps', 'plan p50 / p95', 'planner'];
  const body = r.rows.map(cells);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const d = r.check.drift;
  const seeds = r.seeds.length === 1 ? `seed ${r.seeds[0]}` : `seeds ${r.seeds[0]}–${r.seeds.at(-1)}`;
  const rel = (p: string) => {
    const r = relative(cwd, p);
    return r === '' ? '.' : r.startsWith('..') ? p : r;
  };
  const lines = [
    `${r.label}${r.quick ? ' · quick mode' : ''}`,
    `model ${rel(r.model.path)} · latent ${r.model.latentDim} · ${(r.model.bytes / 1e6).toFixed(2)} MB${r.model.trainingSteps !== undefined ? ` · trained ${r.model.trainingSteps} steps` : ''} · ${r.seeds.length} episode(s), ${seeds}${r.maxSteps !== undefined ? `, at most ${r.maxSteps} steps` : ''}`,
    '',
    pad(head, widths),
    ...body.map((b) => pad(b, widths)),
    '',
    `model vs Rapier along the learned MPC's actions: drift ${num(d.first)}σ at h=1, ${num(d.last)}σ at h=${d.horizon} (valid horizon ${d.validHorizon === null ? `> ${d.horizon}` : d.validHorizon} steps at ${d.threshold}σ)`,
    `physical plausibility score (PPS) ${num(r.check.pps)} · controllability ${num(r.check.controllability)} · counterfactual consistency ${num(r.check.counterfactual)}`,
    `wrote ${rel(r.files.reportHtml)} (validation report), ${rel(r.files.replay)} (replay), ${rel(r.files.summary)} · ${(r.durationMs / 1000).toFixed(0)} s`,
    `watch it: ${r.files.viewer ? `open ${rel(r.files.viewer)} (the replay in the browser viewer) or ` : ''}${viewCommand(rel(r.files.replay))}; dream vs real and play: ${viewCommand(rel(r.model.path))}`,
  ];
  return lines.join('\n');
}
