/**
 * Options of the warehouse environments (validated with zod) and the geometry derived from them.
 *
 * @module
 */
import { InvalidArgumentError } from '../../src/errors.js';
import { parseOptions, z } from '../../src/options.js';
import { force, friction, gravity as gravityField, length, mass, speed } from '../common/schemas.js';
import type { Layout } from './layout.js';
import { resolveLayout } from './layouts.js';
import { readLayoutFile } from './maps/layout-file.js';
import { DROP_ZONE_SOURCES } from './maps/placement.js';

const positive = z.number().finite().positive();
const nonNegative = z.number().finite().nonnegative();

/** Constructor options of the warehouse environments; every field has a default. */
export const WarehouseOptionsSchema = z
  .object({
    /**
     * A built-in layout name (`tiny`, `small`, `medium`), an ASCII map, or a MovingAI / League of Robot
     * Runners map's text (`type octile` header). Default `'tiny'`.
     */
    layout: z.string().default('tiny'),
    /** Path of a file holding the layout (ASCII or MovingAI `.map`), read at construction; instead of `layout`. */
    layoutFile: z.string().min(1).optional(),
    /** Robots: default the layout's `R` cells, or 8 on a MovingAI map; more are placed on free cells (see `mapSeed`). */
    robots: z.number().int().min(1).max(5000).optional(),
    /** Packages: default the layout's `P` cells, or one per robot on a MovingAI map; more start beside shelves. */
    packages: z.number().int().min(1).max(5000).optional(),
    /** Drop zones of a MovingAI map: `'marked'` (its `S` stations), a map edge, or `'auto'` (marked, else west). Default `'auto'`. */
    dropZones: z.enum(DROP_ZONE_SOURCES).default('auto'),
    /** Seed of the cells drawn for robots and packages that the map does not place itself. Default 0. */
    mapSeed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    /** `'lift'`: the grip action attaches a touching package (fixed joint); `'push'`: no grip (the action has 2 entries). Default `'lift'`. */
    gripMode: z.enum(['lift', 'push']).default('lift'),
    /** Sparse reward (1 per delivered package) instead of dense shaping + delivery bonus. Default `false`. */
    sparse: z.boolean().default(false),
    /**
     * Distances of the dense reward's potential (robot → target package → drop zone): `'straight'` lines, or
     * `'path'` — route lengths through free cells around shelves (environments/warehouse/path-distance.ts). Default `'straight'`.
     */
    shaping: z.enum(['straight', 'path']).default('straight'),
    /** Dense reward bonus per delivered package. Default 5. */
    deliveryBonus: nonNegative.default(5),
    /** Reward subtracted per collision a robot starts (robot–robot or robot–shelf), dense and sparse. Default 0. */
    collisionPenalty: nonNegative.default(0),
    /** Horizontal lidar rays per robot appended to its observation (0 = no lidar). Default 0. */
    lidarRays: z.number().int().min(0).max(256).default(0),
    /** Lidar range, m (readings are clipped to it). Default 4. */
    lidarRange: length.default(4),
    /** Edge of one grid cell, m (1 mm … 100 m). Default 1. */
    cellSize: length.default(1),
    /** Robot footprint edge (square), m. Default 0.5. */
    robotSize: length.default(0.5),
    /** Robot mass, kg (1 g … 10 t). Default 30. */
    robotMass: mass.default(30),
    /** Package edge (cube), m. Default 0.3. */
    packageSize: length.default(0.3),
    /** Package mass, kg (1 g … 10 t). Default 5. */
    packageMass: mass.default(5),
    /** Package–floor friction coefficient (0 … 10). Default 0.5. */
    packageFriction: friction.default(0.5),
    /** Speed at action magnitude 1, m/s (commands are clipped to this norm; at most 100). Default 1.5. */
    maxSpeed: speed.default(1.5),
    /**
     * Largest acceleration the drive applies (force = robotMass × this, at most 100 kN), m/s², at most
     * 1000. Default 4.
     */
    maxAcceleration: positive.max(1000).default(4),
    /** Largest gap between robot and package side at which a grip attaches, m. Default 0.05. */
    gripReach: nonNegative.max(100).default(0.05),
    /** How far a gripped package is lifted off the floor, m. Default 0.02. */
    liftHeight: nonNegative.max(100).default(0.02),
    /** A released package in a drop zone counts as delivered once slower than this, m/s (at most 100). Default 0.25. */
    deliverySpeed: speed.default(0.25),
    /** Uniform jitter (±, per axis) of robot starts, m. Default 0.2. */
    robotJitter: nonNegative.default(0.2),
    /** Uniform jitter (±, per axis) of package starts, m. Default 0.2. */
    packageJitter: nonNegative.default(0.2),
    /** `'layout'`: packages start on their `P` cells; `'random'`: on distinct random reachable floor cells. Default `'layout'`. */
    packagePlacement: z.enum(['layout', 'random']).default('layout'),
    /** Physics timestep, s. Default 0.02. */
    physicsDt: positive.max(0.1).default(0.02),
    /** Physics steps per control step. Default 5 (10 Hz control). */
    substeps: z.number().int().min(1).max(100).default(5),
    /** Gravity, m/s² (downward, 0 … 100). Default 9.81. */
    gravity: gravityField.default(9.81),
  })
  .strict();

/** Options accepted by the warehouse environments (see {@link WarehouseOptionsSchema} for defaults). */
export type WarehouseOptions = z.input<typeof WarehouseOptionsSchema>;
/** Validated options with every default filled in. */
export type WarehouseConfig = Readonly<z.output<typeof WarehouseOptionsSchema>>;

/** Fixed geometry (metres) that is not an option. */
export const WAREHOUSE_GEOMETRY = {
  /** Robot body height. */
  robotHeight: 0.3,
  /** Gap between the robot's underside and the floor (it hovers: no floor friction, holonomic drive). */
  robotClearance: 0.01,
  /** Shelf and wall height. */
  shelfHeight: 1.0,
  /** Thickness of the boundary walls around the grid. */
  boundaryThickness: 0.5,
  /** Robot friction with shelves, packages and other robots. */
  robotFriction: 0.3,
} as const;

/** Validates `options` and returns the config and the parsed layout. */
export function resolveWarehouseOptions(options: WarehouseOptions | undefined, where: string): { config: WarehouseConfig; layout: Layout } {
  const config = Object.freeze(parseOptions(WarehouseOptionsSchema, options ?? {}, where));
  const s = config.cellSize;
  const driveForce = config.robotMass * config.maxAcceleration;
  if (!force.safeParse(driveForce).success) {
    throw new InvalidArgumentError(
      `${where}: expected the drive force \`robotMass\` × \`maxAcceleration\` ≤ 100 kN (what Rapier simulates faithfully), got ${config.robotMass} × ${config.maxAcceleration} = ${driveForce} N`,
    );
  }
  if (config.robotSize >= s) throw new InvalidArgumentError(`${where}: expected \`robotSize\` < \`cellSize\` (${s}), got ${config.robotSize}`);
  if (config.packageSize >= s) throw new InvalidArgumentError(`${where}: expected \`packageSize\` < \`cellSize\` (${s}), got ${config.packageSize}`);
  if (config.robotJitter > (s - config.robotSize) / 2) {
    throw new InvalidArgumentError(
      `${where}: expected \`robotJitter\` <= (cellSize − robotSize)/2 = ${(s - config.robotSize) / 2} so robots start inside their cells, got ${config.robotJitter}`,
    );
  }
  if (config.packageJitter > (s - config.packageSize) / 2) {
    throw new InvalidArgumentError(
      `${where}: expected \`packageJitter\` <= (cellSize − packageSize)/2 = ${(s - config.packageSize) / 2} so packages start inside their cells, got ${config.packageJitter}`,
    );
  }
  const fleet = { robots: config.robots, packages: config.packages, dropZones: config.dropZones, mapSeed: config.mapSeed };
  if (config.layoutFile === undefined) return { config, layout: resolveLayout(config.layout, fleet) };
  if (options?.layout !== undefined) {
    throw new InvalidArgumentError(`${where}: give the layout once: \`layout\` or \`layoutFile\` (${JSON.stringify(config.layoutFile)}), not both`);
  }
  return { config, layout: readLayoutFile(config.layoutFile, fleet).layout };
}
