/**
 * A tiny character-grid plotter for the `render('ansi')` views of planar environments.
 *
 * @module
 */

/** One glyph to draw at a planar position. Later marks overwrite earlier ones. */
export interface GridMark {
  /** Horizontal coordinate (m). */
  readonly u: number;
  /** Vertical coordinate on screen (m); larger is drawn higher. */
  readonly v: number;
  /** A single character. */
  readonly glyph: string;
}

/** Extent and resolution of a {@link plotGrid}. */
export interface GridExtent {
  readonly uMin: number;
  readonly uMax: number;
  readonly vMin: number;
  readonly vMax: number;
  /** Columns; default 41. */
  readonly columns?: number;
  /** Rows; default 21. */
  readonly rows?: number;
}

/** Draws `marks` on a bordered grid covering `extent`; marks outside it are clipped to the border. */
export function plotGrid(extent: GridExtent, marks: readonly GridMark[]): string {
  const cols = extent.columns ?? 41;
  const rows = extent.rows ?? 21;
  const grid: string[][] = Array.from({ length: rows }, () => new Array<string>(cols).fill('.'));
  for (const m of marks) {
    const c = Math.round(((m.u - extent.uMin) / (extent.uMax - extent.uMin)) * (cols - 1));
    const r = Math.round(((extent.vMax - m.v) / (extent.vMax - extent.vMin)) * (rows - 1));
    if (!Number.isFinite(c) || !Number.isFinite(r)) continue;
    grid[Math.min(rows - 1, Math.max(0, r))]![Math.min(cols - 1, Math.max(0, c))] = m.glyph;
  }
  const border = `+${'-'.repeat(cols)}+`;
  return [border, ...grid.map((row) => `|${row.join('')}|`), border].join('\n');
}

/** Formats a number with a fixed number of decimals and a sign column, for status lines. */
export function fmt(v: number, digits = 3): string {
  return `${v >= 0 ? ' ' : ''}${v.toFixed(digits)}`;
}
