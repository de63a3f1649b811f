/**
 * Builds the Rapier scene of a warehouse layout in a canonical order: floor, four boundary walls,
 * shelves (merged rectangles, row-major), walls (merged), packages (index order), robots (index
 * order). Also places robots and packages for an episode, from the seed or exactly from reset options.
 *
 * Frame: y is up; cell (row, col) spans x ∈ [col·s, (col+1)·s], z ∈ [row·s, (row+1)·s] for cell size
 * s, so the map's first line is at the smallest z.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../../src/errors.js';
import { rapier } from '../../src/physics/rapier.js';
import { Scene, type BodySpec } from '../../src/physics/scene.js';
import type { Rng } from '../../src/rng.js';
import { WAREHOUSE_GEOMETRY, type WarehouseConfig } from './config.js';
import { CellKind, blockedCellUnder, footprintIsFree, mergedRectangles, type Layout } from './layout.js';

/** Where the bodies of one episode start. Positions are body centres, metres. */
export interface WarehousePlacement {
  /** Robot centres `[x, z]` (the height is fixed). */
  readonly robots: readonly (readonly [number, number])[];
  /** Package centres `[x, y, z]`. */
  readonly packages: readonly (readonly [number, number, number])[];
}

/** Heights derived from the config. */
export interface WarehouseHeights {
  /** y of a robot's centre (constant: robots cannot move vertically). */
  readonly robotY: number;
  /** y of a package's centre when it rests on the floor. */
  readonly packageRestY: number;
}

/** Robot and package centre heights for `config`. */
export function warehouseHeights(config: WarehouseConfig): WarehouseHeights {
  return { robotY: WAREHOUSE_GEOMETRY.robotClearance + WAREHOUSE_GEOMETRY.robotHeight / 2, packageRestY: config.packageSize / 2 };
}

/** Centre of cell (row, col) in metres, `[x, z]`. */
export function cellCentre(row: number, col: number, cellSize: number): [number, number] {
  return [(col + 0.5) * cellSize, (row + 0.5) * cellSize];
}

/** Collider roles, for collision accounting: robots are their index (≥ 0). */
export const ColliderRole = { Static: -1, Package: -2, Floor: -3 } as const;

/** Body specs of the whole scene, in canonical order. */
export function warehouseBodies(layout: Layout, config: WarehouseConfig, placement: WarehousePlacement): BodySpec[] {
  const R = rapier();
  const G = WAREHOUSE_GEOMETRY;
  const s = config.cellSize;
  const w = layout.cols * s;
  const d = layout.rows * s;
  const t = G.boundaryThickness;
  const hh = G.shelfHeight / 2;
  const { robotY } = warehouseHeights(config);
  const bodies: BodySpec[] = [
    { name: 'floor', kind: 'fixed', shape: { type: 'box', halfExtents: [w / 2 + t, 0.1, d / 2 + t] }, position: [w / 2, -0.1, d / 2], friction: 0.5, tag: 'floor' },
    { name: 'boundary-north', kind: 'fixed', shape: { type: 'box', halfExtents: [w / 2 + t, hh, t / 2] }, position: [w / 2, hh, -t / 2], tag: 'wall' },
    { name: 'boundary-south', kind: 'fixed', shape: { type: 'box', halfExtents: [w / 2 + t, hh, t / 2] }, position: [w / 2, hh, d + t / 2], tag: 'wall' },
    { name: 'boundary-west', kind: 'fixed', shape: { type: 'box', halfExtents: [t / 2, hh, d / 2] }, position: [-t / 2, hh, d / 2], tag: 'wall' },
    { name: 'boundary-east', kind: 'fixed', shape: { type: 'box', halfExtents: [t / 2, hh, d / 2] }, position: [w + t / 2, hh, d / 2], tag: 'wall' },
  ];
  const addStatic = (kind: CellKind, prefix: string, tag: string) => {
    mergedRectangles(layout, kind).forEach((r, k) => {
      bodies.push({
        name: `${prefix}-${k}`,
        kind: 'fixed',
        shape: { type: 'box', halfExtents: [(r.cols * s) / 2, hh, (r.rows * s) / 2] },
        position: [(r.col + r.cols / 2) * s, hh, (r.row + r.rows / 2) * s],
        friction: 0.5,
        tag,
      });
    });
  };
  addStatic(CellKind.Shelf, 'shelf', 'shelf');
  addStatic(CellKind.Wall, 'wall', 'wall');
  const hp = config.packageSize / 2;
  placement.packages.forEach((p, j) => {
    bodies.push({
      name: `package-${j}`,
      kind: 'dynamic',
      shape: { type: 'box', halfExtents: [hp, hp, hp] },
      position: [p[0], p[1], p[2]],
      mass: config.packageMass,
      friction: config.packageFriction,
      tag: 'package',
    });
  });
  const hr = config.robotSize / 2;
  placement.robots.forEach((r, i) => {
    bodies.push({
      name: `robot-${i}`,
      kind: 'dynamic',
      shape: { type: 'box', halfExtents: [hr, G.robotHeight / 2, hr] },
      position: [r[0], robotY, r[1]],
      mass: config.robotMass,
      friction: G.robotFriction,
      // A hovering holonomic base: no floor contact, no tipping, velocity servo in x and z only.
      canSleep: false,
      enabledRotations: [false, false, false],
      enabledTranslations: [true, false, true],
      activeEvents: R.ActiveEvents.COLLISION_EVENTS,
      tag: 'robot',
    });
  });
  return bodies;
}

/** Builds the scene (gravity and timestep from `config`). The caller owns it. */
export function buildWarehouseScene(layout: Layout, config: WarehouseConfig, placement: WarehousePlacement): Scene {
  return Scene.build(warehouseBodies(layout, config, placement), { gravity: [0, -config.gravity, 0], timestep: config.physicsDt });
}

/** Maps every collider handle of a warehouse scene to its role (robot index, or a {@link ColliderRole}). */
export function colliderRoles(scene: Scene, numRobots: number): Map<number, number> {
  const roles = new Map<number, number>();
  for (const name of scene.names) {
    const h = scene.colliderHandle(name);
    if (name.startsWith('robot-')) roles.set(h, Number(name.slice(6)));
    else if (name.startsWith('package-')) roles.set(h, ColliderRole.Package);
    else if (name === 'floor') roles.set(h, ColliderRole.Floor);
    else roles.set(h, ColliderRole.Static);
  }
  if ([...roles.values()].filter((r) => r >= 0).length !== numRobots) throw new Error('warehouse scene: robot count mismatch');
  return roles;
}

/**
 * Samples a placement from the seed: robots on their `R` cells, packages on their `P` cells (or on
 * distinct random reachable floor cells without a robot, with `packagePlacement: 'random'`), each
 * with uniform jitter. Draw order: robot jitters, then package cells, then package jitters.
 */
export function samplePlacement(layout: Layout, config: WarehouseConfig, rng: Rng): WarehousePlacement {
  const s = config.cellSize;
  const { packageRestY } = warehouseHeights(config);
  const jitter = (a: number) => (a > 0 ? rng.uniformRange(-a, a) : 0);
  const robots = layout.robots.map((c) => {
    const [x, z] = cellCentre(c.row, c.col, s);
    return [x + jitter(config.robotJitter), z + jitter(config.robotJitter)] as const;
  });
  let cells = layout.packages;
  if (config.packagePlacement === 'random') {
    const robotCells = new Set(robots.map(([x, z]) => Math.floor(z / s) * layout.cols + Math.floor(x / s)));
    const candidates: number[] = [];
    for (let i = 0; i < layout.cells.length; i++) {
      if (layout.reachable[i] && layout.cells[i] === CellKind.Floor && !robotCells.has(i)) candidates.push(i);
    }
    if (candidates.length < layout.packages.length) {
      throw new InvalidArgumentError(`Warehouse: packagePlacement 'random' needs ${layout.packages.length} free floor cells, the layout has ${candidates.length}`);
    }
    // Partial Fisher–Yates: the first P entries are a uniform sample without replacement.
    for (let k = 0; k < layout.packages.length; k++) {
      const j = rng.integer(k, candidates.length - 1);
      const tmp = candidates[k]!;
      candidates[k] = candidates[j]!;
      candidates[j] = tmp;
    }
    cells = candidates.slice(0, layout.packages.length).map((i) => ({ row: Math.floor(i / layout.cols), col: i % layout.cols }));
  }
  const packages = cells.map((c) => {
    const [x, z] = cellCentre(c.row, c.col, s);
    return [x + jitter(config.packageJitter), packageRestY, z + jitter(config.packageJitter)] as const;
  });
  return { robots, packages };
}

/**
 * Checks that a body footprint (half sizes `h`) at (`x`, `z`) is inside the grid and clear of shelves.
 * @throws {@link InvalidArgumentError} naming `what`, its position, and the shelf cell it overlaps.
 */
export function assertFootprintFree(layout: Layout, config: WarehouseConfig, x: number, z: number, h: number, what: string): void {
  const s = config.cellSize;
  if (footprintIsFree(layout, x, z, h, h, s)) return;
  const cell = blockedCellUnder(layout, x - h, x + h, z - h, z + h, s);
  const where = cell ? `overlaps the shelf/wall at row ${cell.row + 1}, column ${cell.col + 1}` : `is outside the grid [0, ${layout.cols * s}] × [0, ${layout.rows * s}] m`;
  throw new InvalidArgumentError(`Warehouse reset options: ${what} at ${describeValue([x, z])} ${where} (footprint half size ${h} m)`);
}
