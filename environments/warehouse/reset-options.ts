/**
 * Reset options of the warehouse environments: place robots and packages exactly, start with
 * packages already carried or delivered. Used by validation scenarios ("an unsupported package
 * falls", "a resting package stays put", "a robot cannot pass through a shelf").
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../../src/errors.js';
import { parseOptions, z } from '../../src/options.js';
import type { Rng } from '../../src/rng.js';
import { WAREHOUSE_GEOMETRY, type WarehouseConfig } from './config.js';
import { footprintIsFree, type Layout } from './layout.js';
import { assertFootprintFree, samplePlacement, warehouseHeights, type WarehousePlacement } from './world.js';

const finite = z.number().finite();

/** `reset({ options })` of the warehouse environments. Every field is optional. */
export const WarehouseResetSchema = z
  .object({
    /** Robot centres `[x, z]`, m, one per robot (replaces the layout's starts and jitter). */
    robots: z.array(z.tuple([finite, finite])).optional(),
    /** Package centres `[x, z]` (resting on the floor) or `[x, y, z]`, m, one per package. */
    packages: z.array(z.union([z.tuple([finite, finite]), z.tuple([finite, finite, finite])])).optional(),
    /**
     * Per robot, the index of the package it starts carrying, or −1. A carried package without an
     * explicit position is placed touching the robot's +x side (else −x, +z, −z, the first that is
     * clear of shelves), lifted by `liftHeight`.
     */
    carrying: z.array(z.number().int().min(-1)).optional(),
    /** Indices of packages that start delivered (out of play). */
    delivered: z.array(z.number().int().min(0)).optional(),
  })
  .strict();

/** The parsed reset options. */
export type WarehouseResetOptions = z.input<typeof WarehouseResetSchema>;

/** What an episode starts from. */
export interface EpisodeStart {
  readonly placement: WarehousePlacement;
  /** Per robot: carried package index or −1. */
  readonly carrying: readonly number[];
  /** Per package: 1 when it starts delivered. */
  readonly delivered: readonly number[];
}

/**
 * Validates reset options against the layout and returns the episode start (sampling what the
 * options leave open from `rng`).
 * @throws {@link InvalidArgumentError} for wrong lengths, indices out of range, or bodies placed
 * outside the grid or overlapping shelves.
 */
export function episodeStart(layout: Layout, config: WarehouseConfig, rng: Rng, options: Record<string, unknown>, where: string): EpisodeStart {
  const o = parseOptions(WarehouseResetSchema, options, where);
  const N = layout.robots.length;
  const P = layout.packages.length;
  const lengthCheck = (arr: readonly unknown[] | undefined, n: number, name: string, what: string) => {
    if (arr !== undefined && arr.length !== n) throw new InvalidArgumentError(`${where}: expected \`${name}\` to have ${n} entries (one per ${what}), got ${arr.length}`);
  };
  lengthCheck(o.robots, N, 'robots', 'robot');
  lengthCheck(o.packages, P, 'packages', 'package');
  lengthCheck(o.carrying, N, 'carrying', 'robot');

  const needsSample = o.robots === undefined || o.packages === undefined;
  const sampled = needsSample ? samplePlacement(layout, config, rng) : undefined;
  const { packageRestY } = warehouseHeights(config);
  const robots = o.robots ?? sampled!.robots;
  const packages: [number, number, number][] = (o.packages ?? sampled!.packages).map((p) => (p.length === 2 ? [p[0], packageRestY, p[1]] : [p[0], p[1], p[2]]));
  const hr = config.robotSize / 2;
  const hp = config.packageSize / 2;
  if (o.robots !== undefined)
    robots.forEach(([x, z], i) => {
      assertFootprintFree(layout, config, x, z, hr, `robots[${i}]`);
    });
  if (o.packages !== undefined)
    packages.forEach(([x, , z], j) => {
      assertFootprintFree(layout, config, x, z, hp, `packages[${j}]`);
    });

  const delivered = new Array<number>(P).fill(0);
  for (const j of o.delivered ?? []) {
    if (j >= P) throw new InvalidArgumentError(`${where}: expected \`delivered\` indices in [0, ${P - 1}], got ${j}`);
    delivered[j] = 1;
  }
  const carrying = o.carrying ?? new Array<number>(N).fill(-1);
  const taken = new Set<number>();
  carrying.forEach((j, i) => {
    if (j < 0) return;
    if (j >= P) throw new InvalidArgumentError(`${where}: expected \`carrying[${i}]\` to be −1 or a package index in [0, ${P - 1}], got ${j}`);
    if (taken.has(j)) throw new InvalidArgumentError(`${where}: package ${j} is carried by two robots in \`carrying\` ${describeValue(carrying)}`);
    if (delivered[j]) throw new InvalidArgumentError(`${where}: package ${j} cannot be both carried and delivered`);
    taken.add(j);
    if (o.packages !== undefined) return;
    const [rx, rz] = robots[i]!;
    const reach = hr + hp + Math.min(config.gripReach, 0.01);
    const sides: [number, number][] = [
      [reach, 0],
      [-reach, 0],
      [0, reach],
      [0, -reach],
    ];
    const side = sides.find(([dx, dz]) => footprintIsFree(layout, rx + dx, rz + dz, hp, hp, config.cellSize));
    if (side === undefined) throw new InvalidArgumentError(`${where}: no side of robot ${i} at ${describeValue([rx, rz])} is clear of shelves for its carried package ${j}`);
    packages[j] = [rx + side[0], packageRestY + config.liftHeight, rz + side[1]];
  });
  if (o.robots !== undefined || o.packages !== undefined || o.carrying !== undefined) assertNoOverlap(robots, packages, delivered, config, where);
  return { placement: { robots, packages }, carrying, delivered };
}

/**
 * Rejects packages below their resting height (inside the floor) and bodies that overlap each other
 * (touching is fine): Rapier would push them apart violently on the first step.
 */
function assertNoOverlap(
  robots: readonly (readonly [number, number])[],
  packages: readonly (readonly [number, number, number])[],
  delivered: readonly number[],
  config: WarehouseConfig,
  where: string,
): void {
  const { robotY, packageRestY } = warehouseHeights(config);
  const hr = config.robotSize / 2;
  const hp = config.packageSize / 2;
  const hy = WAREHOUSE_GEOMETRY.robotHeight / 2;
  const eps = 1e-6;
  const boxes: { what: string; c: readonly [number, number, number]; h: readonly [number, number, number] }[] = [];
  robots.forEach(([x, z], i) => {
    boxes.push({ what: `robots[${i}] at ${describeValue([x, z])}`, c: [x, robotY, z], h: [hr, hy, hr] });
  });
  packages.forEach((p, j) => {
    if (p[1] < packageRestY - eps) throw new InvalidArgumentError(`${where}: expected packages[${j}] height y >= ${packageRestY} (resting on the floor), got ${p[1]}`);
    if (!delivered[j]) boxes.push({ what: `packages[${j}] at ${describeValue(p)}`, c: p, h: [hp, hp, hp] });
  });
  for (let a = 0; a < boxes.length; a++) {
    for (let b = a + 1; b < boxes.length; b++) {
      const A = boxes[a]!;
      const B = boxes[b]!;
      if ([0, 1, 2].every((k) => Math.abs(A.c[k]! - B.c[k]!) < A.h[k]! + B.h[k]! - eps)) {
        throw new InvalidArgumentError(`${where}: ${A.what} overlaps ${B.what}`);
      }
    }
  }
}
