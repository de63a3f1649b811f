/**
 * Vega-Lite specifications of the report's plots, built from a {@link ValidationReport}: drift
 * curves with 95% bands, per-field drift, the latent gap, per-check scores, controllability,
 * closed-loop success rates with intervals, and dream-vs-real trajectory overlays.
 *
 * @module
 */
import type { ValidationReport } from './report-types.js';

/** One plot of the report: an element id, a title, and its Vega-Lite spec. */
export interface ReportChart {
  readonly id: string;
  readonly title: string;
  /** What the reader should look for. */
  readonly caption: string;
  readonly spec: Record<string, unknown>;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 560;
const HEIGHT = 260;

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

/** Line with a 95% band, coloured by `series`. Rows: `{ series, h, mean, low, high }`. */
function bandChart(rows: Record<string, unknown>[], yTitle: string, seriesTitle: string): Record<string, unknown> {
  const x = { field: 'h', type: 'quantitative', title: 'horizon step h' };
  const color = { field: 'series', type: 'nominal', title: seriesTitle };
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: HEIGHT,
    data: { values: rows },
    layer: [
      { mark: { type: 'area', opacity: 0.18 }, encoding: { x, y: { field: 'low', type: 'quantitative', title: yTitle }, y2: { field: 'high' }, color } },
      {
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', title: yTitle },
          color,
          tooltip: [{ field: 'series' }, { field: 'h' }, { field: 'mean', format: '.4g' }, { field: 'low', format: '.4g' }, { field: 'high', format: '.4g' }],
        },
      },
    ],
  };
}

/** Every chart the report has data for. */
export function reportCharts(report: ValidationReport): ReportChart[] {
  const controllability = controllabilityChart(report);
  const closedLoop = closedLoopChart(report);
  return [...driftCharts(report), checksChart(report), ...(controllability ? [controllability] : []), ...(closedLoop ? [closedLoop] : []), ...overlayCharts(report)];
}

/** Overall drift with the threshold, drift per field for each action source, and the latent gap. */
function driftCharts(report: ValidationReport): ReportChart[] {
  const charts: ReportChart[] = [];
  const curves = report.drift.curves;
  if (report.drift.status === 'scored' && curves.length > 0) {
    const rows = curves.flatMap((c) => c.overall.map((p, h) => ({ series: c.source, h: h + 1, mean: finiteOrNull(p.mean), low: finiteOrNull(p.low), high: finiteOrNull(p.high) })));
    charts.push({
      id: 'drift-overall',
      title: 'Open-loop drift',
      caption: `Mean normalised error (σ units, averaged over fields) per horizon step, per action source, with 95% bootstrap bands. The dashed level ${report.drift.threshold} defines the valid horizon.`,
      spec: {
        ...bandChart(rows, 'normalised error (σ)', 'action source'),
        layer: [
          ...(bandChart(rows, 'normalised error (σ)', 'action source').layer as unknown[]),
          { mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { y: { datum: report.drift.threshold } } },
        ],
      },
    });
    for (const [k, c] of curves.entries()) {
      const fr = c.fields.flatMap((f) => f.points.map((p, h) => ({ series: f.name, h: h + 1, mean: finiteOrNull(p.mean), low: finiteOrNull(p.low), high: finiteOrNull(p.high) })));
      charts.push({
        id: `drift-fields-${k}`,
        title: `Drift per observation field — ${c.source}`,
        caption: 'Which parts of the state the model loses first.',
        spec: bandChart(fr, 'normalised error (σ)', 'field'),
      });
    }
  }
  const latent = curves.filter((c) => c.latent);
  if (latent.length > 0) {
    const lr = latent.flatMap((c) =>
      c.latent!.relative.map((p, h) => ({ series: c.source, h: h + 1, mean: finiteOrNull(p.mean), low: finiteOrNull(p.low), high: finiteOrNull(p.high) })),
    );
    charts.push({
      id: 'latent-gap',
      title: 'Imagination–reality gap in latent space',
      caption: '‖encode(real observation) − imagined latent‖ relative to the mean latent norm, with 95% bands.',
      spec: bandChart(lr, 'relative latent gap', 'action source'),
    });
  }
  return charts;
}

/** One bar per plausibility check, labelled with its score or why it has none. */
function checksChart(report: ValidationReport): ReportChart {
  const checks = report.plausibility.checks.map((c, i) => ({
    order: i,
    name: c.name,
    score: c.score,
    status: c.status,
    label: c.status === 'scored' ? (c.score === null ? 'no instance' : c.score.toFixed(3)) : c.status.replace('-', ' '),
    at: c.score ?? 0,
  }));
  return {
    id: 'checks',
    title: 'Physical plausibility checks',
    caption: `Each check scored 0..1 (1 = as plausible as Rapier). PPS = ${report.plausibility.pps === null ? 'n/a' : report.plausibility.pps.toFixed(3)}.`,
    spec: {
      $schema: SCHEMA,
      width: WIDTH,
      height: 28 * checks.length,
      data: { values: checks },
      encoding: { y: { field: 'name', type: 'nominal', sort: { field: 'order' }, title: null } },
      layer: [
        { mark: { type: 'bar', color: '#4c78a8' }, encoding: { x: { field: 'score', type: 'quantitative', scale: { domain: [0, 1] }, title: 'score' } } },
        {
          mark: { type: 'text', align: 'left', dx: 4 },
          encoding: {
            x: { field: 'at', type: 'quantitative' },
            text: { field: 'label' },
            color: { condition: { test: "datum.status === 'scored'", value: '#222' }, value: '#888' },
          },
        },
      ],
    },
  };
}

/** Error with the true actions against error with random ones, per horizon step. */
function controllabilityChart(report: ValidationReport): ReportChart | undefined {
  const ctrl = report.causal.controllability;
  if (ctrl.status === 'scored' && ctrl.perStep.length > 0) {
    const rows = ctrl.perStep.flatMap((p) => [
      { h: p.h, series: 'true actions', error: finiteOrNull(p.errorTrue) },
      { h: p.h, series: 'random actions', error: finiteOrNull(p.errorRandom) },
    ]);
    return {
      id: 'controllability',
      title: 'Controllability (Δ-PSNR-like)',
      caption: `Mean squared normalised error with the true actions and with random actions. A model that uses its actions keeps the first well below the second. Score ${ctrl.score === null ? 'n/a' : ctrl.score.toFixed(3)}.`,
      spec: {
        $schema: SCHEMA,
        width: WIDTH,
        height: HEIGHT,
        data: { values: rows },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'h', type: 'quantitative', title: 'horizon step h' },
          y: { field: 'error', type: 'quantitative', title: 'mean squared error (σ²)' },
          color: { field: 'series', type: 'nominal', title: null },
        },
      },
    };
  }
  return undefined;
}

/** Each contender's success rate with its interval. */
function closedLoopChart(report: ValidationReport): ReportChart | undefined {
  if (report.closedLoop.status === 'scored') {
    const rows = report.closedLoop.contenders.map((c) => ({
      name: c.name,
      kind: c.kind,
      rate: finiteOrNull(c.successRate.mean),
      low: finiteOrNull(c.successRate.low),
      high: finiteOrNull(c.successRate.high),
    }));
    return {
      id: 'closed-loop',
      title: 'Closed-loop success rate',
      caption: `Success rate over ${report.closedLoop.seeds.length} seeds with Wilson 95% intervals.`,
      spec: {
        $schema: SCHEMA,
        width: WIDTH,
        height: HEIGHT,
        data: { values: rows },
        encoding: { x: { field: 'name', type: 'nominal', title: null, sort: null, axis: { labelAngle: 0 } } },
        layer: [
          { mark: 'bar', encoding: { y: { field: 'rate', type: 'quantitative', scale: { domain: [0, 1] }, title: 'success rate' }, color: { field: 'kind', type: 'nominal' } } },
          { mark: { type: 'rule', color: 'black' }, encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
        ],
      },
    };
  }
  return undefined;
}

/** Fill of a map rectangle by kind: obstacles grey, drop zones green, other regions (a table top) pale. */
function mapColour(kind: string): string {
  return kind === 'obstacle' ? '#9aa3ad' : kind === 'drop zone' ? '#7fd8a4' : '#e4e8ee';
}

/** Real and predicted trajectories of the spec's overlays, drawn on the same axes (over the map, for top views). */
function overlayCharts(report: ValidationReport): ReportChart[] {
  const charts: ReportChart[] = [];
  for (const [k, ov] of report.overlays.entries()) {
    const rows = ov.traces.flatMap((t) => t.points.map(([x, y], step) => ({ row: `start ${t.row + 1}`, kind: t.kind, step, x: finiteOrNull(x), y: finiteOrNull(y) })));
    const map = ov.map ?? [];
    const x = { field: 'x', type: 'quantitative', title: ov.xLabel, scale: { zero: false } };
    const y = { field: 'y', type: 'quantitative', title: ov.yLabel, scale: { zero: false } };
    const paths = {
      data: { values: rows },
      mark: { type: 'line', point: { size: 12 } },
      encoding: {
        x,
        y,
        color: { field: 'row', type: 'nominal', title: 'start state' },
        strokeDash: {
          field: 'kind',
          type: 'nominal',
          title: 'trajectory',
          scale: {
            domain: ['real', 'model'],
            range: [
              [1, 0],
              [5, 4],
            ],
          },
          legend: { labelExpr: "datum.label === 'real' ? 'Rapier (real)' : 'model (dream)'" },
        },
        detail: { field: 'kind' },
        order: { field: 'step' },
      },
    };
    const kinds = [...new Set(map.map((m) => m.kind))];
    const ground = {
      data: { values: map },
      mark: { type: 'rect', opacity: 0.5 },
      encoding: {
        x: { field: 'x0', type: 'quantitative', title: ov.xLabel, scale: { zero: false } },
        x2: { field: 'x1' },
        y: { field: 'y0', type: 'quantitative', title: ov.yLabel, scale: { zero: false } },
        y2: { field: 'y1' },
        fill: {
          field: 'kind',
          type: 'nominal',
          title: 'map',
          scale: { domain: kinds, range: kinds.map(mapColour) },
        },
        tooltip: [{ field: 'name', type: 'nominal' }],
      },
    };
    const mapNote = map.length > 0 ? ` Under the paths, the map: ${kinds.map((kind) => (kind === 'obstacle' ? 'shelves and walls' : `${kind}s`)).join(', ')} (legend "map").` : '';
    charts.push({
      id: `overlay-${k}`,
      title: `Dream vs real — ${ov.name}`,
      caption: `Each colour is one start state; solid: Rapier, dashed: the model, from the same start under the same actions (${ov.source}); points mark steps.${mapNote}`,
      spec: {
        $schema: SCHEMA,
        width: 420,
        height: 420,
        ...(map.length > 0 ? { layer: [ground, paths], resolve: { scale: { color: 'independent' } } } : paths),
      },
    });
  }
  return charts;
}
