/**
 * Validation spec of `Warehouse-v0`. Each robot block of the observation gives one robot (absolute
 * x, z) and its target package (relative to the robot, height above its resting height); shelves,
 * walls and the boundary are obstacles built from the layout.
 *
 * Scenarios are built for layouts with one robot and one package (the default `tiny`), where the
 * robot's target is always that package:
 *
 * | check | scenario |
 * |---|---|
 * | gravity | the package released 1.6 m above the floor, robot away |
 * | support | the package resting on the floor, robot away, zero command |
 * | non-penetration | the robot driven at full speed into a shelf or wall next to it (and the support and push scenarios) |
 * | momentum | the robot 2 cm behind the package drives into it along ±x (grip off) |
 * | energy | the released package falls and lands, zero command |
 * | counterfactual | grip vs no grip while backing away from a touching package; drive +x vs −x |
 *
 * Layouts with several robots or packages get the geometry (non-penetration over open-loop rollouts
 * is still reported) and permanence; their scenario checks are "not applicable".
 *
 * @module
 */
import type { Rng } from '../../src/rng.js';
import type { InterventionSpec, ObservationField, ObservedBody, ObstacleSpec, RegionSpec, ScenarioInstance, ScenarioSet, ValidationSpec } from '../../src/validation/spec.js';
import { WAREHOUSE_GEOMETRY, resolveWarehouseOptions, type WarehouseOptions } from './config.js';
import { CellKind, isBlocked, type GridCell } from './layout.js';
import { WAREHOUSE_OBS as O, observationLayout } from './observation.js';
import { WarehouseEnv } from './warehouse-env.js';
import { cellCentre, warehouseHeights } from './world.js';

/** The resolved settings and sizes every part of the spec reads. */
interface WarehouseSpecContext {
  readonly c: ReturnType<typeof resolveWarehouseOptions>['config'];
  readonly layout: ReturnType<typeof resolveWarehouseOptions>['layout'];
  /** Robots, packages. */
  readonly N: number;
  readonly P: number;
  readonly lift: boolean;
  /** Action entries per robot. */
  readonly A: number;
  readonly robotDim: number;
  /** Half sizes of a robot and a package. */
  readonly hr: number;
  readonly hp: number;
  /** Floor width (x) and depth (z). */
  readonly w: number;
  readonly d: number;
  /** Control period. */
  readonly dt: number;
}

/** Free cells and the scenario starts built on them (the random draws happen inside `instances`). */
interface ScenarioGeometry {
  readonly freeCells: GridCell[];
  /** Cells with two free cells on each side along x: room to push or pull a package either way. */
  readonly corridor: GridCell[];
  /** Free cells with a shelf or wall next to them, and the direction towards it. */
  readonly nextToObstacle: { cell: GridCell; dx: number; dz: number }[];
  readonly centre: (cell: GridCell) => [number, number];
  readonly farthestFrom: (x: number, z: number) => [number, number];
  readonly action: (vx: number, vz: number, grip: number) => number[];
  readonly drop: (count: number, rng: Rng, seedBase: number) => ScenarioInstance[];
  readonly pushStarts: (count: number, rng: Rng, seedBase: number, gap: number, only?: 1 | -1) => ScenarioInstance[];
}

/** The validation spec of `Warehouse-v0` built with `options`. */
export function warehouseValidationSpec(options: WarehouseOptions = {}): ValidationSpec {
  const { config: c, layout } = resolveWarehouseOptions(options, 'warehouseValidationSpec options');
  const N = layout.robots.length;
  const lift = c.gripMode === 'lift';
  const A = lift ? 3 : 2;
  const { robotDim } = observationLayout(N, c.lidarRays);
  const x: WarehouseSpecContext = {
    c,
    layout,
    N,
    P: layout.packages.length,
    lift,
    A,
    robotDim,
    hr: c.robotSize / 2,
    hp: c.packageSize / 2,
    w: layout.cols * c.cellSize,
    d: layout.rows * c.cellSize,
    dt: c.physicsDt * c.substeps,
  };
  const geometry = scenarioGeometry(x);
  const single = N === 1 && x.P === 1 && geometry.freeCells.length >= 2;
  const multi = `Warehouse-v0 scenarios are built for one-robot, one-package layouts; layout \`${layout.name}\` has ${N} robots and ${x.P} packages`;
  return {
    envId: 'Warehouse-v0',
    makeEnv: (overrides = {}) => new WarehouseEnv({ ...options, ...overrides }),
    obsDim: N * robotDim,
    actionDim: N * A,
    controlDt: x.dt,
    gravity: c.gravity,
    fields: Array.from({ length: N }, (_, i) => robotFields(x, i)).flat(),
    bodies: observedBodies(x),
    obstacles: obstacles(x),
    contactPairs: Array.from({ length: N }, (_, i) => [`robot${i}`, `target${i}`] as const),
    penetrationTolerance: 0.02,
    invariants: {
      bounds: Array.from({ length: N }, (_, i) => [
        { index: i * robotDim + O.x, min: 0, max: x.w, name: `robot ${i} x` },
        { index: i * robotDim + O.z, min: 0, max: x.d, name: `robot ${i} z` },
      ]).flat(),
    },
    energy: (o, k) => energy(x, o, k),
    // Lifting the package by 10 cm.
    energyScale: c.packageMass * c.gravity * 0.1,
    idleAction: new Array<number>(N * A).fill(0).map((_, j) => (lift && j % A === 2 ? -1 : 0)),
    scenarios: single ? scenarios(x, geometry) : {},
    notApplicable: single ? { contact: 'the layout has no obstacle next to a free cell' } : { gravity: multi, support: multi, contact: multi, push: multi, energy: multi },
    interventions: single ? interventions(x, geometry) : [],
    overlays: Array.from({ length: N }, (_, i) => ({
      name: `robot ${i} (top view)`,
      x: i * robotDim + O.x,
      y: i * robotDim + O.z,
      xLabel: 'x (m)',
      yLabel: 'z (m)',
      topView: true,
    })),
    regions: dropZones(x),
  };
}

/** Each robot and its target package, as the observation shows them. */
function observedBodies({ c, N, A, robotDim, hr, hp }: WarehouseSpecContext): ObservedBody[] {
  const G = WAREHOUSE_GEOMETRY;
  const { robotY, packageRestY } = warehouseHeights(c);
  const bodies: ObservedBody[] = [];
  for (let i = 0; i < N; i++) {
    const o = i * robotDim;
    bodies.push({
      name: `robot${i}`,
      position: [o + O.x, -1, o + O.z],
      velocity: [o + O.vx, -1, o + O.vz],
      defaultPosition: [0, robotY, 0],
      halfExtents: [hr, G.robotHeight / 2, hr],
      axisAligned: true,
      mass: c.robotMass,
      dynamic: false,
      actuation: { action: [i * A, -1, i * A + 1], speed: c.maxSpeed },
    });
    bodies.push({
      name: `target${i}`,
      position: [o + O.targetDx, o + O.targetHeight, o + O.targetDz],
      velocity: [o + O.targetVx, -1, o + O.targetVz],
      positionOffset: [0, packageRestY, 0],
      relativeTo: `robot${i}`,
      halfExtents: [hp, hp, hp],
      mass: c.packageMass,
      dynamic: true,
    });
  }
  return bodies;
}

/** The drop-zone cells, as regions drawn under the report's top views. */
function dropZones({ c, layout }: WarehouseSpecContext): RegionSpec[] {
  const s = c.cellSize;
  const zones: RegionSpec[] = [];
  for (let r = 0; r < layout.rows; r++) {
    for (let col = 0; col < layout.cols; col++) {
      if (layout.cells[r * layout.cols + col] === CellKind.DropZone)
        zones.push({ name: `drop zone r${r + 1}c${col + 1}`, kind: 'drop zone', min: [col * s, r * s], max: [(col + 1) * s, (r + 1) * s] });
    }
  }
  return zones;
}

/** The floor, every shelf cell, and the four boundary walls. */
function obstacles({ c, layout, w, d }: WarehouseSpecContext): ObstacleSpec[] {
  const G = WAREHOUSE_GEOMETRY;
  const s = c.cellSize;
  const result: ObstacleSpec[] = [{ name: 'floor', min: [-1, -0.2, -1], max: [w + 1, 0, d + 1] }];
  for (let r = 0; r < layout.rows; r++) {
    for (let col = 0; col < layout.cols; col++) {
      if (isBlocked(layout.cells[r * layout.cols + col]!))
        result.push({ name: `shelf r${r + 1}c${col + 1}`, min: [col * s, 0, r * s], max: [(col + 1) * s, G.shelfHeight, (r + 1) * s] });
    }
  }
  const t = G.boundaryThickness;
  result.push(
    { name: 'boundary north', min: [-t, 0, -t], max: [w + t, G.shelfHeight, 0] },
    { name: 'boundary south', min: [-t, 0, d], max: [w + t, G.shelfHeight, d + t] },
    { name: 'boundary west', min: [-t, 0, 0], max: [0, G.shelfHeight, d] },
    { name: 'boundary east', min: [w, 0, 0], max: [w + t, G.shelfHeight, d] },
  );
  return result;
}

/** Free cells, corridors, cells next to an obstacle, and the drop and push starts built on them. */
function scenarioGeometry({ c, layout, lift, hr, hp }: WarehouseSpecContext): ScenarioGeometry {
  const free = (cell: GridCell) => cell.row >= 0 && cell.col >= 0 && cell.row < layout.rows && cell.col < layout.cols && layout.reachable[cell.row * layout.cols + cell.col] === 1;
  const freeCells: GridCell[] = [];
  for (let r = 0; r < layout.rows; r++) for (let col = 0; col < layout.cols; col++) if (free({ row: r, col })) freeCells.push({ row: r, col });
  const centre = (cell: GridCell) => cellCentre(cell.row, cell.col, c.cellSize);
  const farthestFrom = (x: number, z: number) => {
    let best = freeCells[0]!;
    let bd = -1;
    for (const cell of freeCells) {
      const [cx, cz] = centre(cell);
      const dd = Math.hypot(cx - x, cz - z);
      if (dd > bd) {
        bd = dd;
        best = cell;
      }
    }
    return centre(best);
  };
  const action = (vx: number, vz: number, grip: number) => (lift ? [vx, vz, grip] : [vx, vz]);
  const corridor = freeCells.filter((cell) => [-2, -1, 1, 2].every((k) => free({ row: cell.row, col: cell.col + k })));
  const sides = [
    [1, 0],
    [-1, 0],
    [0, 1],
    [0, -1],
  ] as const;
  const nextToObstacle = freeCells.flatMap((cell) => sides.filter(([dx, dz]) => !free({ row: cell.row + dz, col: cell.col + dx })).map(([dx, dz]) => ({ cell, dx, dz })));
  const drop = (count: number, rng: Rng, seedBase: number): ScenarioInstance[] =>
    Array.from({ length: count }, (_, i) => {
      const cell = freeCells[rng.integer(0, freeCells.length - 1)]!;
      const [x, z] = centre(cell);
      return { seed: seedBase + i, resetOptions: { robots: [farthestFrom(x, z)], packages: [[x, 1.6, z]] }, action: action(0, 0, -1), label: `drop ${i}` };
    });
  const pushStarts = (count: number, rng: Rng, seedBase: number, gap: number, only?: 1 | -1): ScenarioInstance[] =>
    Array.from({ length: count }, (_, i) => {
      const cell = corridor[rng.integer(0, corridor.length - 1)]!;
      const dir = only ?? (i % 2 === 0 ? 1 : -1);
      const [x, z0] = centre(cell);
      const z = z0 + rng.uniformRange(-0.1, 0.1);
      return {
        seed: seedBase + i,
        resetOptions: { robots: [[x - dir * (hr + hp + gap), z]], packages: [[x, z]] },
        action: action(0.5 * dir, 0, -1),
        label: `push ${dir > 0 ? '+x' : '-x'}`,
      };
    });
  return { freeCells, corridor, nextToObstacle, centre, farthestFrom, action, drop, pushStarts };
}

/** The scenarios of a one-robot, one-package layout: drop, rest, drive into an obstacle, push, fall and land. */
function scenarios({ dt }: WarehouseSpecContext, g: ScenarioGeometry): ScenarioSet {
  const { freeCells, corridor, nextToObstacle, centre, farthestFrom, action, drop, pushStarts } = g;
  const result: { -readonly [K in keyof ScenarioSet]: ScenarioSet[K] } = {};
  result.gravity = {
    description: 'the package released at rest 1.6 m above the floor, robot away, zero command',
    body: 'target0',
    horizon: 5,
    instances: (n, rng) => drop(n, rng, 9100),
  };
  result.support = {
    description: 'the package resting on the floor, robot away, zero command for 1 s',
    body: 'target0',
    horizon: Math.max(1, Math.round(1 / dt)),
    instances: (n, rng) =>
      Array.from({ length: n }, (_, i) => {
        const [x, z] = centre(freeCells[rng.integer(0, freeCells.length - 1)]!);
        return { seed: 9200 + i, resetOptions: { robots: [farthestFrom(x, z)], packages: [[x, z]] }, action: action(0, 0, -1), label: `rest ${i}` };
      }),
  };
  if (nextToObstacle.length > 0) {
    result.contact = {
      description: 'the robot driven at full speed into the shelf or wall next to it for 1 s',
      body: 'robot0',
      horizon: Math.max(1, Math.round(1 / dt)),
      instances: (n, rng) =>
        Array.from({ length: n }, (_, i) => {
          const { cell, dx, dz } = nextToObstacle[rng.integer(0, nextToObstacle.length - 1)]!;
          const [x, z] = centre(cell);
          return {
            seed: 9300 + i,
            resetOptions: { robots: [[x, z]], packages: [farthestFrom(x, z)] },
            action: action(dx, dz, -1),
            label: `into ${dx > 0 ? '+x' : dx < 0 ? '-x' : dz > 0 ? '+z' : '-z'}`,
          };
        }),
    };
  }
  if (corridor.length > 0) {
    result.push = {
      description: 'the robot 2 cm behind the package drives into it at 0.75 m/s along ±x (grip off)',
      body: 'target0',
      horizon: 8,
      instances: (n, rng) => pushStarts(Math.max(n, 2), rng, 9400, 0.02),
    };
  }
  result.energy = {
    description: 'the package released 1.6 m above the floor falls and lands, zero command',
    body: 'target0',
    horizon: 12,
    instances: (n, rng) => drop(n, rng, 9500),
  };
  return result;
}

/** Counterfactuals of a one-robot, one-package layout: grip vs no grip (lift mode), drive +x vs −x. */
function interventions({ lift }: WarehouseSpecContext, { corridor, action, drop, pushStarts }: ScenarioGeometry): InterventionSpec[] {
  return [
    ...(lift && corridor.length > 0
      ? [
          {
            name: 'grip vs no grip while backing away from a touching package',
            starts: (n: number, rng: Rng) => pushStarts(n, rng, 9600, 0.01, 1),
            actionA: [-0.4, 0, 1],
            actionB: [-0.4, 0, -1],
            horizon: 8,
            outcome: [O.x, O.z, O.targetDx, O.targetDz],
          },
        ]
      : []),
    {
      name: 'drive +x vs −x',
      starts: (n: number, rng: Rng) =>
        drop(n, rng, 9700).map((inst) => ({
          ...inst,
          resetOptions: { ...inst.resetOptions, packages: [(inst.resetOptions.packages as number[][])[0]!.filter((_, j) => j !== 1)] },
        })),
      actionA: action(1, 0, -1),
      actionB: action(-1, 0, -1),
      horizon: 5,
      outcome: [O.x, O.z],
    },
  ];
}

/** The observation fields of robot `i`'s block. */
function robotFields({ N, robotDim }: WarehouseSpecContext, i: number): ObservationField[] {
  const o = i * robotDim;
  const tag = N > 1 ? ` (robot ${i})` : '';
  return [
    { name: `robot position${tag}`, start: o + O.x, size: 2, unit: 'm' },
    { name: `robot velocity${tag}`, start: o + O.vx, size: 2, unit: 'm/s' },
    { name: `carrying, has target${tag}`, start: o + O.carrying, size: 2 },
    { name: `target offset, height${tag}`, start: o + O.targetDx, size: 3, unit: 'm' },
    { name: `target velocity${tag}`, start: o + O.targetVx, size: 2, unit: 'm/s' },
    { name: `drop zone offset${tag}`, start: o + O.zoneDx, size: 2, unit: 'm' },
    { name: `remaining${tag}`, start: o + O.remaining, size: 1 },
    ...(robotDim > O.remaining + 1 ? [{ name: `other robot, lidar${tag}`, start: o + O.remaining + 1, size: robotDim - O.remaining - 1 }] : []),
  ];
}

/** Kinetic energy of the robots and their targets, plus the targets' potential energy, in row `k` of `o`. */
function energy({ c, N, robotDim }: WarehouseSpecContext, o: ArrayLike<number>, k: number): number {
  let e = 0;
  for (let i = 0; i < N; i++) {
    const b = k + i * robotDim;
    e += 0.5 * c.robotMass * (o[b + O.vx]! ** 2 + o[b + O.vz]! ** 2);
    if (o[b + O.hasTarget]! > 0.5) e += 0.5 * c.packageMass * (o[b + O.targetVx]! ** 2 + o[b + O.targetVz]! ** 2) + c.packageMass * c.gravity * o[b + O.targetHeight]!;
  }
  return e;
}
