import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  BUILTIN_LAYOUT_NAMES,
  CellKind,
  LayoutError,
  footprintIsFree,
  mergedRectangles,
  parseLayout,
  resolveLayout,
  shortestGridPath,
} from '../../environments/warehouse/index.js';

function layoutError(map: string): LayoutError {
  try {
    parseLayout(map);
  } catch (e) {
    expect(e).toBeInstanceOf(LayoutError);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return e as LayoutError;
  }
  throw new Error('expected a LayoutError');
}

describe('warehouse layouts', () => {
  it('parses symbols, positions and reachability; indentation and blank edge lines are ignored', () => {
    const layout = parseLayout(`
      #####
      #R.P#
      #.#D#
      #####
    `);
    expect(layout.rows).toBe(4);
    expect(layout.cols).toBe(5);
    expect(layout.robots).toEqual([{ row: 1, col: 1 }]);
    expect(layout.packages).toEqual([{ row: 1, col: 3 }]);
    expect(layout.dropZones).toEqual([{ row: 2, col: 3 }]);
    expect(layout.cells[2 * 5 + 2]).toBe(CellKind.Shelf);
    expect(layout.cells[2 * 5 + 3]).toBe(CellKind.DropZone);
    expect(layout.reachable[2 * 5 + 1]).toBe(1);
    expect(layout.reachable[2 * 5 + 2]).toBe(0);
    expect(layout.name).toBe('custom');
  });

  it.each([
    ['an empty map', '\n   \n', /empty map at row 1, column 1/, 1, 1],
    ['ragged rows', '#####\n#R.P#\n#.D#\n#####', /ragged rows: row 3 has 4 columns, expected 5 \(the width of row 1\), at row 3, column 5/, 3, 5],
    ['an unknown symbol', '#####\n#R.P#\n#.xD#\n#####', /unknown symbol "x" at row 3, column 3 \(expected one of # W \. R P D\)/, 3, 3],
    ['a space inside a row', '#####\n#R P#\n#..D#\n#####', /unknown symbol " " at row 2, column 3/, 2, 3],
    ['no robot', '#####\n#..P#\n#..D#\n#####', /no robot `R` in the 4×5 map \(rows 1–4, columns 1–5\); at row 1, column 1/, 1, 1],
    ['no package', '#####\n#R..#\n#..D#\n#####', /no package `P` .* at row 1, column 1/, 1, 1],
    ['no drop zone', '#####\n#R.P#\n#...#\n#####', /no drop zone `D` .* at row 1, column 1/, 1, 1],
    ['an unreachable drop zone', '######\n#R.#D#\n#P.#.#\n######', /unreachable drop zone at row 2, column 5/, 2, 5],
    ['an unreachable package', '######\n#R.#P#\n#D.#.#\n######', /unreachable package at row 2, column 5/, 2, 5],
  ])('rejects %s with the row and column', (_what, map, message, row, column) => {
    const e = layoutError(map);
    expect(e.message).toMatch(message);
    expect(e.row).toBe(row);
    expect(e.column).toBe(column);
  });

  it('a wall (W) blocks like a shelf; a diagonal gap does not connect', () => {
    expect(layoutError('R.W.D\n.PW..').message).toMatch(/unreachable drop zone at row 1, column 5/);
    expect(layoutError('R#D\n#P.').message).toMatch(/unreachable/);
  });

  it('resolves built-in names and hints at them for a misspelt name', () => {
    for (const name of BUILTIN_LAYOUT_NAMES) {
      const l = resolveLayout(name);
      expect(l.name).toBe(name);
      expect(resolveLayout(name)).toBe(l); // parsed once
    }
    expect(resolveLayout('tiny').robots).toHaveLength(1);
    expect(resolveLayout('tiny').packages).toHaveLength(1);
    expect(resolveLayout('small').robots).toHaveLength(2);
    expect(resolveLayout('medium').robots).toHaveLength(4);
    expect(resolveLayout('medium').packages).toHaveLength(8);
    expect(() => resolveLayout('tinny')).toThrow(/unknown symbol "t" at row 1, column 1 .* did you mean a built-in layout name \(tiny, small, medium\)\?/);
  });

  it('finds shortest 4-connected paths around shelves', () => {
    const l = parseLayout('R....\n.###.\nP...D');
    const path = shortestGridPath(l, { row: 0, col: 0 }, { row: 2, col: 4 })!;
    expect(path).toHaveLength(7); // 6 moves
    expect(path[0]).toBe(0);
    expect(path.at(-1)).toBe(14);
    expect(path.every((i) => l.cells[i] !== CellKind.Shelf)).toBe(true);
    expect(shortestGridPath(l, { row: 0, col: 0 }, { row: 1, col: 2 })).toBeUndefined(); // a shelf
  });

  it('merges shelf cells into rectangles that cover each shelf cell exactly once', () => {
    const l = resolveLayout('medium');
    const rects = mergedRectangles(l, CellKind.Shelf);
    const cover = new Uint8Array(l.rows * l.cols);
    for (const r of rects) for (let i = 0; i < r.rows; i++) for (let j = 0; j < r.cols; j++) cover[(r.row + i) * l.cols + r.col + j]!++;
    for (let k = 0; k < cover.length; k++) expect(cover[k]).toBe(l.cells[k] === CellKind.Shelf ? 1 : 0);
    expect(rects.length).toBeLessThan(40);
  });

  it('tests footprints against shelves and the grid edge', () => {
    const l = parseLayout('R.#\n.PD');
    expect(footprintIsFree(l, 0.5, 0.5, 0.25, 0.25, 1)).toBe(true);
    expect(footprintIsFree(l, 1.8, 0.5, 0.25, 0.25, 1)).toBe(false); // overlaps the shelf at x ∈ [2, 3]
    expect(footprintIsFree(l, 0.2, 0.5, 0.25, 0.25, 1)).toBe(false); // leaves the grid
  });
});
