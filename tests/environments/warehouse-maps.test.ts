/**
 * Map import (issue 16): MovingAI and League of Robot Runners maps, fleets placed on them, the
 * generated 161 × 63 warehouse map, and the `layoutFile` option / `--layout-file` reader.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withLayoutFile } from '../../cli/layout-file.js';
import {
  CellKind,
  LayoutError,
  WarehouseEnv,
  generateWarehouseMap,
  isMovingAiMap,
  layoutFromText,
  mergedRectangles,
  parseMovingAiMap,
  resolveLayout,
} from '../../environments/warehouse/index.js';
import { InvalidArgumentError } from '../../src/errors.js';

const REPO_MAP = join(import.meta.dirname, '../../environments/warehouse/maps/aisles-24x12.map');
const header = (h: number, w: number) => `type octile\nheight ${h}\nwidth ${w}\nmap\n`;

function mapError(text: string): LayoutError {
  try {
    resolveLayout(text);
  } catch (e) {
    expect(e).toBeInstanceOf(LayoutError);
    return e as LayoutError;
  }
  throw new Error('expected a LayoutError');
}

describe('MovingAI maps', () => {
  it('reads every symbol: @ O T W are obstacles, . G S E passable; E makes it a League of Robot Runners map', () => {
    const map = parseMovingAiMap(`${header(2, 8)}@OTW.GSE\n........\n`);
    expect(Array.from(map.blocked)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(map.format).toBe('lorr');
    expect(map.stations).toEqual([{ row: 0, col: 6 }]);
    expect(map.emitters).toEqual([{ row: 0, col: 7 }]);
    expect(map.firstLine).toBe(5);
    // Without an E, S is MovingAI's swamp: passable floor, not a station.
    const plain = parseMovingAiMap(`${header(1, 3)}.S.\n`);
    expect(plain.format).toBe('movingai');
    expect(plain.stations).toEqual([]);
    expect(isMovingAiMap(`${header(1, 1)}.`)).toBe(true);
    // Windows line endings and trailing blank lines are fine.
    expect(parseMovingAiMap(`${header(2, 2)}..\n.@\n\n`.replace(/\n/g, '\r\n')).blocked).toEqual(Uint8Array.of(0, 0, 0, 1));
    expect(isMovingAiMap('#R.PD#')).toBe(false);
  });

  it.each([
    ['an unknown symbol', `${header(2, 4)}....\n..x.\n`, 'unknown symbol "x"', 6, 3],
    ['a short (ragged) row', `${header(2, 4)}....\n..\n`, 'ragged rows: row 2 has 2 symbols, expected 4', 6, 3],
    ['a long (ragged) row', `${header(2, 4)}.....\n....\n`, 'ragged rows: row 1 has 5 symbols, expected 4', 5, 5],
    ['no free cell', `${header(2, 2)}@T\nOW\n`, 'no free cell in the 2×2 map', 5, 1],
    ['too few rows', `${header(3, 2)}..\n..\n`, 'the header says height 3, but the map has 2 rows', 7, 1],
    ['too many rows', `${header(1, 2)}..\n..\n`, 'a row too many', 6, 1],
    ['a bad type line', 'type grid\nheight 1\nwidth 1\nmap\n.\n', 'expected the header line `type octile`', 1, 1],
    ['a bad width line', 'type octile\nheight 1\nwide 1\nmap\n.\n', 'expected the header line `width <positive integer>`', 3, 1],
    ['a missing map line', 'type octile\nheight 1\nwidth 1\n.\n', 'expected the header line `map`', 4, 1],
    ['an unreachable station', `${header(3, 5)}E..@S\n...@@\n.....\n`, 'unreachable drop zone (station)', 5, 5],
  ])('names the line and column of %s', (_what, text, message, line, column) => {
    const e = mapError(text);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toContain(message);
    expect(e.message).toContain(`at line ${line}, column ${column}`);
    expect([e.line, e.column]).toEqual([line, column]);
    // The file reader puts the same place first.
    expect(() => layoutFromText(text, 'maps/x.map')).toThrow(`maps/x.map, line ${line}, column ${column}: `);
  });

  it("refuses 'marked' drop zones on a map without stations, and more packages than pickup points", () => {
    expect(() => resolveLayout(`${header(1, 3)}...\n`, { dropZones: 'marked' })).toThrow(/dropZones 'marked' needs station cells/);
    expect(() => resolveLayout(readFileSync(REPO_MAP, 'utf8'), { packages: 500 })).toThrow(/500 packages need as many pickup points/);
  });

  it('places robots, packages beside shelves and drop zones on an edge, the same for the same mapSeed', () => {
    const text = readFileSync(REPO_MAP, 'utf8');
    const layout = resolveLayout(text, { robots: 6, packages: 5 });
    expect([layout.rows, layout.cols, layout.robots.length, layout.packages.length]).toEqual([12, 24, 6, 5]);
    expect(layout.dropZones.every((d) => d.col === 0)).toBe(true);
    expect(layout.dropZones).toHaveLength(10);
    const blocked = (r: number, c: number) => layout.cells[r * layout.cols + c] === CellKind.Shelf;
    for (const p of layout.packages) {
      expect(blocked(p.row - 1, p.col) || blocked(p.row + 1, p.col) || blocked(p.row, p.col - 1) || blocked(p.row, p.col + 1)).toBe(true);
    }
    expect(resolveLayout(text, { robots: 6, packages: 5 }).lines).toEqual(layout.lines);
    expect(resolveLayout(text, { robots: 6, packages: 5, mapSeed: 1 }).lines).not.toEqual(layout.lines);
    expect(resolveLayout(text, { dropZones: 'east' }).dropZones.every((d) => d.col === 22)).toBe(true);
    // A League of Robot Runners map: packages on the emitters, drop zones on the stations.
    const lorr = resolveLayout(`${header(3, 6)}E....S\n.@@@..\nE....S\n`, { robots: 2 });
    expect(lorr.packages).toEqual([
      { row: 0, col: 0 },
      { row: 2, col: 0 },
    ]);
    expect(lorr.dropZones).toEqual([
      { row: 0, col: 5 },
      { row: 2, col: 5 },
    ]);
  });

  it('generates the 161 × 63 warehouse map; its shelf cells become one collider per shelf run', () => {
    const text = generateWarehouseMap();
    const map = parseMovingAiMap(text);
    expect([map.rows, map.cols]).toEqual([63, 161]);
    const layout = resolveLayout(text, { robots: 100 });
    expect(layout.robots).toHaveLength(100);
    let shelfCells = 0;
    for (const k of layout.cells) if (k === CellKind.Shelf) shelfCells++;
    expect(shelfCells).toBe(10 * 20 * 10);
    expect(mergedRectangles(layout, CellKind.Shelf)).toHaveLength(200);
    expect(() => generateWarehouseMap({ width: 50 })).toThrow(/need at least 120×60 cells/);
  });
});

describe('fleet sizes on ASCII layouts', () => {
  it('keeps the layout’s own robots first and adds the rest on free cells', () => {
    const medium = resolveLayout('medium');
    for (const n of [2, 8, 16]) {
      const layout = resolveLayout('medium', { robots: n });
      expect(layout.robots).toHaveLength(n);
      expect(layout.packages).toEqual(medium.packages);
      const cells = new Set(layout.robots.map((c) => c.row * 100 + c.col));
      for (const r of medium.robots.slice(0, n)) expect(cells.has(r.row * 100 + r.col)).toBe(true);
    }
    expect(resolveLayout('small', { packages: 6 }).packages).toHaveLength(6);
    expect(() => resolveLayout('tiny', { robots: 40 })).toThrow(/40 robots and 1 packages need as many free floor cells/);
    expect(() => resolveLayout('tiny', { dropZones: 'west' })).toThrow(/applies to MovingAI maps/);
  });
});

describe('layoutFile and --layout-file', () => {
  it('builds an environment from a MovingAI file; errors name the file, line and column', async () => {
    const env = new WarehouseEnv({ layoutFile: REPO_MAP, robots: 4 });
    expect(env.numRobots).toBe(4);
    expect(env.numPackages).toBe(4);
    const { observation } = await env.reset({ seed: 0 });
    expect(observation).toHaveLength(4 * 16);
    await env.close();
    expect(() => new WarehouseEnv({ layoutFile: REPO_MAP, layout: 'tiny' })).toThrow(/give the layout once/);
    const dir = mkdtempSync(join(tmpdir(), 'maps-'));
    const bad = join(dir, 'bad.map');
    writeFileSync(bad, `${header(2, 3)}...\n.?.\n`);
    expect(() => new WarehouseEnv({ layoutFile: bad })).toThrow(`layoutFile ${bad}, line 6, column 2: unknown symbol "?"`);
    await expect(withLayoutFile({ robots: 3 }, bad)).rejects.toThrow(`--layout-file ${bad}, line 6, column 2`);
    const options = await withLayoutFile({ robots: 3 }, REPO_MAP);
    expect(options).toEqual({ robots: 3, layout: readFileSync(REPO_MAP, 'utf8') });
    expect(new WarehouseEnv(options).numRobots).toBe(3);
  });
});
