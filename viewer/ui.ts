/**
 * Small DOM helpers shared by the viewer's modes: elements, buttons, number formatting, key–value
 * tables, and line charts drawn on a canvas (no charting library).
 *
 * @module
 */

/** One mode of the page (replay, dream vs real, play): what it adds to the page and its per-frame work. */
export interface Mode {
  /** Tab label. */
  readonly name: string;
  /** Adds the mode's panes, controls and side panel. */
  mount(panes: HTMLElement, controls: HTMLElement, side: HTMLElement): void | Promise<void>;
  /** Called every animation frame with the seconds since the previous one. */
  tick(dtSeconds: number): void;
  /** A key press; true when the mode used it. */
  onKey?(key: string, down: boolean): boolean;
  /** The pane sizes changed. */
  resize(): void;
  /** Removes what `mount` added and releases WebGL contexts. */
  unmount(): void;
  /** What tests and benchmarks read (`window.__embodiedViewer.state()`). */
  state(): Record<string, unknown>;
}

/** `document.createElement` with attributes and children. */
export function el(tag: string, attrs: Record<string, string> = {}, children: (Node | string)[] = []): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** A button calling `onClick`. */
export function button(label: string, onClick: () => void, title?: string): HTMLButtonElement {
  const b = el('button', title ? { title, type: 'button' } : { type: 'button' }) as HTMLButtonElement;
  b.textContent = label;
  b.onclick = onClick;
  return b;
}

/** A value for a table cell: numbers to 4 significant digits, arrays and objects as compact JSON. */
export function fmt(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toPrecision(4);
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `[${v.map(fmt).join(', ')}]`;
  return JSON.stringify(v);
}

/** A two-column table. */
export function table(rows: readonly (readonly [string, string])[]): HTMLTableElement {
  return el(
    'table',
    {},
    rows.map(([k, v]) => el('tr', {}, [el('td', {}, [k]), el('td', {}, [v])])),
  ) as HTMLTableElement;
}

/** Series colours of {@link lineChart}. */
export const PALETTE = ['#4fa3ff', '#f2a541', '#3ddc84', '#ff6b6b', '#c77dff', '#58d5e0', '#e0d558', '#ff9ad5', '#9aa5b1'];

/** One line of {@link lineChart}. */
export interface Series {
  readonly name: string;
  readonly values: readonly number[];
}

/** Draws `series` on `canvas` (shared y axis from 0), with a legend; `cursor` marks one index. */
export function lineChart(canvas: HTMLCanvasElement, series: readonly Series[], options: { title: string; cursor?: number; length?: number }): void {
  const g = canvas.getContext('2d');
  if (!g) return;
  const w = canvas.width;
  const h = canvas.height;
  g.clearRect(0, 0, w, h);
  const n = Math.max(2, options.length ?? Math.max(...series.map((s) => s.values.length)));
  const finite = series.flatMap((s) => s.values.filter(Number.isFinite));
  const lo = Math.min(0, ...finite);
  const hi = Math.max(lo + 1e-9, ...finite);
  const pad = { l: 34, r: 6, t: 16, b: 14 };
  const x = (i: number) => pad.l + (i / (n - 1)) * (w - pad.l - pad.r);
  const y = (v: number) => h - pad.b - ((v - lo) / (hi - lo)) * (h - pad.t - pad.b);
  g.font = '10px system-ui, sans-serif';
  g.fillStyle = '#8b96a3';
  g.fillText(options.title, pad.l, 11);
  g.fillText(hi.toPrecision(2), 2, pad.t + 4);
  g.fillText(lo.toPrecision(2), 2, h - pad.b);
  g.strokeStyle = '#2b323b';
  g.strokeRect(pad.l, pad.t, w - pad.l - pad.r, h - pad.t - pad.b);
  series.forEach((s, k) => {
    g.strokeStyle = PALETTE[k % PALETTE.length]!;
    g.beginPath();
    let started = false;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      if (started) g.lineTo(x(i), y(v));
      else g.moveTo(x(i), y(v));
      started = true;
    });
    g.stroke();
  });
  if (options.cursor !== undefined && options.cursor >= 0) {
    g.strokeStyle = '#dde3ea';
    g.beginPath();
    g.moveTo(x(options.cursor), pad.t);
    g.lineTo(x(options.cursor), h - pad.b);
    g.stroke();
  }
}

/** One series with a cursor: {@link lineChart} for a single quantity. */
export function sparkline(canvas: HTMLCanvasElement, values: readonly number[], cursor: number, title: string): void {
  lineChart(canvas, [{ name: title, values }], { title, cursor });
}

/** A legend for {@link lineChart}'s series. */
export function legend(series: readonly { name: string }[]): HTMLElement {
  return el(
    'div',
    { class: 'hint' },
    series.map((s, k) => el('span', { style: `color:${PALETTE[k % PALETTE.length]};margin-right:8px;white-space:nowrap;display:inline-block` }, [`■ ${s.name}`])),
  );
}
