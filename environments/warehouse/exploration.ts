/**
 * Random physical starts of the warehouse environments for data collection: robots and packages on
 * random free cells (anywhere in their cell), 30% of packages in the air (5 cm – 2 m up; the gravity
 * and energy scenarios drop one from 1.6 m), 30% touching a robot's side (0.5–5 cm away; the push
 * scenarios start 2 cm behind it). Nothing overlaps a shelf, a wall, a robot or another package.
 *
 * @module
 */
import type { Rng } from '../../src/rng.js';
import { resolveWarehouseOptions, type WarehouseOptions } from './config.js';
import { footprintIsFree, type GridCell } from './layout.js';
import { cellCentre, warehouseHeights } from './world.js';

/** A random start of a warehouse environment (reset options) built with `envOptions`. */
export function warehouseExplorationStart(rng: Rng, envOptions: Record<string, unknown>): Record<string, unknown> {
  const { config: c, layout } = resolveWarehouseOptions(envOptions as WarehouseOptions, 'warehouseExplorationStart envOptions');
  const N = layout.robots.length;
  const P = layout.packages.length;
  const hr = c.robotSize / 2;
  const hp = c.packageSize / 2;
  const { packageRestY } = warehouseHeights(c);
  const free: GridCell[] = [];
  for (let row = 0; row < layout.rows; row++) for (let col = 0; col < layout.cols; col++) if (layout.reachable[row * layout.cols + col] === 1) free.push({ row, col });
  // Not enough room to scatter everything on cells of its own: the layout's own starts.
  if (free.length < N + P) return {};
  rng.shuffle(free);
  // Anywhere in a free cell that keeps a footprint of half size h inside it.
  const inCell = (cell: GridCell, h: number): [number, number] => {
    const [x, z] = cellCentre(cell.row, cell.col, c.cellSize);
    const slack = Math.max(0, c.cellSize / 2 - h - 0.01);
    return [x + rng.uniformRange(-slack, slack), z + rng.uniformRange(-slack, slack)];
  };
  const robots = free.slice(0, N).map((cell) => inCell(cell, hr));
  const placed: { x: number; z: number; h: number }[] = robots.map(([x, z]) => ({ x, z, h: hr }));
  const clear = (x: number, z: number, h: number) =>
    footprintIsFree(layout, x, z, h, h, c.cellSize) && placed.every((p) => Math.abs(p.x - x) >= p.h + h + 0.005 || Math.abs(p.z - z) >= p.h + h + 0.005);
  const packages = free.slice(N, N + P).map((cell, j): number[] => {
    const draw = rng.uniform();
    if (draw < 0.3) {
      // Touching a robot's side.
      const [rx, rz] = robots[j % N]!;
      const side = rng.integer(0, 3);
      const gap = hr + hp + rng.uniformRange(0.005, 0.05);
      const x = rx + (side === 0 ? gap : side === 1 ? -gap : 0);
      const z = rz + (side === 2 ? gap : side === 3 ? -gap : 0);
      if (clear(x, z, hp)) {
        placed.push({ x, z, h: hp });
        return [x, packageRestY, z];
      }
    }
    let [x, z] = inCell(cell, hp);
    for (let tries = 0; tries < 10 && !clear(x, z, hp); tries++) [x, z] = inCell(cell, hp);
    if (!clear(x, z, hp)) [x, z] = cellCentre(cell.row, cell.col, c.cellSize);
    placed.push({ x, z, h: hp });
    return [x, draw >= 0.3 && draw < 0.6 ? packageRestY + rng.uniformRange(0.05, 2) : packageRestY, z];
  });
  return { robots, packages };
}
