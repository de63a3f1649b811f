/**
 * `shaping: 'path'`: the dense reward's distances are routes around shelves. PathDistances gives exact
 * route lengths at cell centres (octile, no corner cutting) and steady values between them; in the
 * environment, a robot facing its target across a shelf earns for moving along the route, not into the shelf.
 */
import { describe, expect, it } from 'vitest';
import { PathDistances } from '../../environments/warehouse/path-distance.js';
import { parseLayout } from '../../environments/warehouse/layout.js';
import { WarehouseEnv } from '../../environments/warehouse/warehouse-env.js';

// The robot (row 1, col 1) and the package (row 1, col 5) are separated by a shelf column (col 3, rows 1–3);
// the drop zone is at row 5, col 1.
const WALLED = `
#######
#R.#.P#
#..#..#
#..#..#
#.....#
#D....#
#######
`;

describe('PathDistances', () => {
  const layout = parseLayout(WALLED);
  const paths = new PathDistances(layout, 1);
  const centre = (row: number, col: number): [number, number] => [col + 0.5, row + 0.5];

  it('measures routes around shelves at cell centres, without cutting corners', () => {
    // Zone (5,1) → (1,1): straight up 4 cells.
    expect(paths.toZone(...centre(1, 1))).toBeCloseTo(4, 9);
    // (1,1) → package (1,5): down to row 4, across under the shelf, up again; octile: 2 diagonals + 2 straight + …
    const straight = 4;
    const route = paths.between(...centre(1, 1), ...centre(1, 5))!;
    expect(route).toBeGreaterThan(straight + 2);
    // Exact: through the gap cell (4,3). (1,1)→(4,3) is 3 + √2 (one diagonal, three straight): the diagonal
    // (3,2)→(4,3) would cut the shelf's corner (3,3) and is not allowed. The same back up to (1,5).
    expect(route).toBeCloseTo(6 + 2 * Math.SQRT2, 9);
    // Symmetric at centres.
    expect(paths.between(...centre(1, 5), ...centre(1, 1))).toBeCloseTo(route, 9);
  });

  it('is continuous inside a cell and decreases along the route', () => {
    const a = paths.toZone(1.5, 1.5)!;
    const b = paths.toZone(1.5, 1.6)!;
    const c = paths.toZone(1.5, 2.5)!;
    expect(b).toBeLessThan(a);
    expect(Math.abs(a - b)).toBeLessThan(0.11);
    expect(c).toBeCloseTo(3, 9);
  });

  it('points along the route: around the shelf to the package, straight at it in its cell, at the zone', () => {
    const toPackage = paths.route(...centre(1, 1), centre(1, 5))!;
    expect(toPackage.length).toBeCloseTo(6 + 2 * Math.SQRT2, 9);
    // First step from (1,1): down or diagonally down-right (equal routes); never toward the shelf at (1,3).
    expect(toPackage.dz).toBeGreaterThan(0.7);
    // In the package's cell: at the package.
    const near = paths.route(5.2, 1.3, [5.5, 1.5])!;
    expect(near.dx).toBeCloseTo(0.3 / Math.hypot(0.3, 0.2), 9);
    expect(near.dz).toBeCloseTo(0.2 / Math.hypot(0.3, 0.2), 9);
    const toZone = paths.route(...centre(3, 1))!;
    expect(toZone.length).toBeCloseTo(2, 9);
    expect([toZone.dx, toZone.dz]).toEqual([0, 1]);
  });

  it('says undefined where nothing is reachable', () => {
    expect(paths.between(1.5, 1.5, -3, -3)).toBeUndefined();
  });
});

describe("Warehouse-v0 with shaping: 'path'", () => {
  it('rewards driving around the shelf toward the package, not straight into the shelf', async () => {
    const reward = async (shaping: 'straight' | 'path', action: number[]) => {
      const env = new WarehouseEnv({ layout: WALLED, shaping });
      await env.reset({ seed: 1, options: { robots: [[1.5, 1.5]] } });
      let total = 0;
      for (let t = 0; t < 5; t++) total += (await env.step(Float32Array.from(action))).reward;
      await env.close();
      return total;
    };
    // +x drives at the shelf between robot and package; +z drives down toward the gap below it.
    const east = [1, 0, -1];
    const south = [0, 1, -1];
    expect(await reward('straight', east)).toBeGreaterThan(await reward('straight', south));
    expect(await reward('path', south)).toBeGreaterThan(await reward('path', east));
    expect(await reward('path', south)).toBeGreaterThan(0);
  });
});

describe('egoObservations with route: true', () => {
  it('appends the route to the goal (length, next-cell direction) and keeps the rest', async () => {
    const { egoObservations, egoObservationDim } = await import('../../environments/warehouse/index.js');
    const env = new WarehouseEnv({ layout: WALLED });
    const { observation } = await env.reset({ seed: 1, options: { robots: [[1.5, 1.5]] } });
    const plain = egoObservations(observation, env);
    const withRoute = egoObservations(observation, env, { route: true });
    expect(withRoute).toHaveLength(egoObservationDim({ route: true }));
    expect(egoObservationDim({ route: true })).toBe(egoObservationDim() + 3);
    expect(Array.from(withRoute.subarray(0, plain.length))).toEqual(Array.from(plain));
    const [length, dx, dz] = withRoute.subarray(plain.length);
    // The target package sits across the shelf: the route is much longer than the straight line, and it leads down.
    const straight = Math.hypot(plain[4]!, plain[5]!);
    expect(length!).toBeGreaterThan(straight + 2);
    expect(dz!).toBeGreaterThan(0.7);
    expect(Math.hypot(dx!, dz!)).toBeCloseTo(1, 6);
    await env.close();
  });
});
