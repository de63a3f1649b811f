/**
 * Validation spec of `PushBox-v0`: the box and the pusher as bodies, the table as an obstacle, and
 * the plausibility scenarios built through the environment's reset options.
 *
 * | check | scenario |
 * |---|---|
 * | gravity | the box released at rest 0.6 m above the table, pusher away |
 * | support | the box resting on the table, pusher away, zero action |
 * | non-penetration | support and push scenarios: the box must not sink into the table, the pusher must not enter the box |
 * | momentum | the pusher starts 1 cm behind the box and pushes it along ±x or ±z |
 * | energy | the box sliding at 0.8–1.5 m/s, zero action (friction stops it) |
 * | permanence | the goal stays put, (cos, sin) of the heading stays a unit vector, things stay on the table |
 *
 * @module
 */
import type { Rng } from '../../src/rng.js';
import { parseOptions } from '../../src/options.js';
import type { InvariantSpec, ObservedBody, ScenarioInstance, ScenarioSet, ValidationSpec } from '../../src/validation/spec.js';
import { PushBoxEnv, PushBoxOptionsSchema, type PushBoxConfig, type PushBoxOptions } from './push-box-env.js';

/** Height of the pusher's centre above the table top (the environment's constant), m. */
const PUSHER_Y = 0.045;
const PUSHER_HALF_HEIGHT = 0.04;

const DIRECTIONS: readonly { label: string; d: [number, number] }[] = [
  { label: '+x', d: [1, 0] },
  { label: '-x', d: [-1, 0] },
  { label: '+z', d: [0, 1] },
  { label: '-z', d: [0, -1] },
];

const clampTo = (v: number, lim: number) => Math.max(-lim, Math.min(lim, v));
// A pusher position away from the box at (bx, bz), as far from it as the table allows.
const awayFrom = (bx: number, bz: number): [number, number] => [bx > 0 ? -0.35 : 0.35, bz > 0 ? -0.35 : 0.35];
const goalFor = (rng: Rng): [number, number] => [rng.uniformRange(-0.3, 0.3), rng.uniformRange(-0.3, 0.3)];
const place = (rng: Rng, extent: number) => ({ x: rng.uniformRange(-extent, extent), z: rng.uniformRange(-extent, extent), yaw: rng.uniformRange(-Math.PI / 4, Math.PI / 4) });

/** The validation spec of `PushBox-v0` built with `options` (the model's environment options). */
export function pushBoxValidationSpec(options: PushBoxOptions = {}): ValidationSpec {
  const c = parseOptions(PushBoxOptionsSchema, options, 'pushBoxValidationSpec options');
  const t = c.tableHalfSize;
  const dt = c.physicsDt * c.substeps;
  const pusherLimit = t - c.pusherRadius;
  const pushes = pushStarts(c);
  return {
    envId: 'PushBox-v0',
    makeEnv: (overrides = {}) => new PushBoxEnv({ ...options, ...overrides }),
    obsDim: c.orientation ? 15 : 13,
    actionDim: 2,
    controlDt: dt,
    gravity: c.gravity,
    fields: [
      { name: 'box position', start: 0, size: 3, unit: 'm' },
      { name: 'box velocity', start: 3, size: 3, unit: 'm/s' },
      { name: 'box heading (cos, sin)', start: 6, size: 2 },
      { name: 'box yaw rate', start: 8, size: 1, unit: 'rad/s' },
      { name: 'pusher position', start: 9, size: 2, unit: 'm' },
      { name: 'goal position', start: 11, size: 2, unit: 'm' },
      ...(c.orientation ? [{ name: 'goal heading (cos, sin)', start: 13, size: 2 }] : []),
    ],
    bodies: observedBodies(c),
    obstacles: [{ name: 'table', min: [-t, -0.1, -t], max: [t, 0, t] }],
    regions: [{ name: 'table', kind: 'table top', min: [-t, -t], max: [t, t] }],
    contactPairs: [['pusher', 'box']],
    penetrationTolerance: 0.005,
    invariants: invariants(c),
    energy: (o, k) => boxEnergy(c, o, k),
    // The kinetic energy of the box at 1 m/s.
    energyScale: 0.5 * c.boxMass,
    idleAction: [0, 0],
    scenarios: scenarios(c, pushes),
    notApplicable: { contact: 'PushBox-v0 has no walls or shelves; pusher–box and box–table penetration are checked in the support and push scenarios' },
    interventions: [
      {
        name: 'push +x vs pull back −x',
        starts: (count, rng) => pushes(count, rng, [1, 0]),
        actionA: [0.6, 0],
        actionB: [-0.6, 0],
        horizon: Math.max(1, Math.round(0.5 / dt)),
        outcome: [0, 2, 9, 10],
      },
      {
        name: 'push +z vs no-op',
        starts: (count, rng) => pushes(count, rng, [0, 1]),
        actionA: [0, 0.6],
        actionB: [0, 0],
        horizon: Math.max(1, Math.round(0.5 / dt)),
        outcome: [0, 2, 9, 10],
      },
    ],
    resetFromObservation: (o) => ({
      boxPosition: [o[0]!, o[1]!, o[2]!],
      boxYaw: Math.atan2(o[7]!, o[6]!),
      boxVelocity: [o[3]!, o[4]!, o[5]!],
      pusherPosition: [clampTo(o[9]!, pusherLimit), clampTo(o[10]!, pusherLimit)],
      goal: [clampTo(o[11]!, t), clampTo(o[12]!, t)],
      ...(c.orientation && { goalYaw: Math.atan2(o[14]!, o[13]!) }),
    }),
    overlays: [
      { name: 'box (top view)', x: 0, y: 2, xLabel: 'box x (m)', yLabel: 'box z (m)', topView: true },
      { name: 'pusher (top view)', x: 9, y: 10, xLabel: 'pusher x (m)', yLabel: 'pusher z (m)', topView: true },
    ],
  };
}

/** Push starts: the pusher 1 cm behind a box near the centre, pushing along ±x / ±z in turn (or only along `only`). */
function pushStarts(c: PushBoxConfig): (count: number, rng: Rng, only?: [number, number]) => ScenarioInstance[] {
  const h = c.boxHalfSize;
  const r = c.pusherRadius;
  return (count, rng, only) =>
    Array.from({ length: count }, (_, i) => {
      const dir = only ? { label: `${only[0] > 0 ? '+x' : only[0] < 0 ? '-x' : only[1] > 0 ? '+z' : '-z'}`, d: only } : DIRECTIONS[i % DIRECTIONS.length]!;
      const { x, z } = place(rng, 0.12);
      const yaw = rng.uniformRange(-0.2, 0.2);
      const back = h + r + 0.01;
      return {
        seed: 7000 + i,
        resetOptions: { boxPosition: [x, h, z], boxYaw: yaw, pusherPosition: [x - dir.d[0] * back, z - dir.d[1] * back], goal: goalFor(rng) },
        action: [dir.d[0] * 0.6, dir.d[1] * 0.6],
        label: `push ${dir.label}`,
      };
    });
}

/** The box (observed fully) and the kinematic pusher (observed in x, z). */
function observedBodies(c: PushBoxConfig): ObservedBody[] {
  const h = c.boxHalfSize;
  const r = c.pusherRadius;
  return [
    { name: 'box', position: [0, 1, 2], velocity: [3, 4, 5], halfExtents: [h, h, h], mass: c.boxMass, dynamic: true },
    {
      name: 'pusher',
      position: [9, -1, 10],
      defaultPosition: [0, PUSHER_Y, 0],
      halfExtents: [r, PUSHER_HALF_HEIGHT, r],
      mass: 1,
      dynamic: false,
      actuation: { action: [0, -1, 1], speed: c.maxSpeed },
    },
  ];
}

/** The goal never moves, headings are unit vectors, the box and pusher stay on (or near) the table. */
function invariants(c: PushBoxConfig): InvariantSpec {
  const t = c.tableHalfSize;
  return {
    constant: c.orientation ? [11, 12, 13, 14] : [11, 12],
    unitPairs: c.orientation
      ? [
          [6, 7],
          [13, 14],
        ]
      : [[6, 7]],
    bounds: [
      { index: 0, min: -t - 0.2, max: t + 0.2, name: 'box x' },
      { index: 1, min: -0.5, max: 1.0, name: 'box y' },
      { index: 2, min: -t - 0.2, max: t + 0.2, name: 'box z' },
      { index: 9, min: -t, max: t, name: 'pusher x' },
      { index: 10, min: -t, max: t, name: 'pusher z' },
    ],
  };
}

/** Box only (the pusher is kinematic): translation, rotation about y (cube: I = m·(2h)²/6), height. */
function boxEnergy(c: PushBoxConfig, o: ArrayLike<number>, k: number): number {
  const h = c.boxHalfSize;
  const m = c.boxMass;
  const inertia = (m * (2 * h) ** 2) / 6;
  return 0.5 * m * (o[k + 3]! ** 2 + o[k + 4]! ** 2 + o[k + 5]! ** 2) + 0.5 * inertia * o[k + 8]! ** 2 + m * c.gravity * o[k + 1]!;
}

/** Drop, rest, push and slide scenarios, each built through reset options. */
function scenarios(c: PushBoxConfig, pushes: ReturnType<typeof pushStarts>): ScenarioSet {
  const h = c.boxHalfSize;
  const dt = c.physicsDt * c.substeps;
  const pusherLimit = c.tableHalfSize - c.pusherRadius;
  const still = (seed: number, height: number, extent: number, label: string) => (count: number, rng: Rng) =>
    Array.from({ length: count }, (_, i) => {
      const { x, z, yaw } = place(rng, extent);
      return {
        seed: seed + i,
        resetOptions: { boxPosition: [x, height, z], boxYaw: yaw, pusherPosition: awayFrom(x, z), goal: goalFor(rng) },
        action: [0, 0],
        label: `${label} ${i}`,
      };
    });
  return {
    gravity: { description: 'the box released at rest 0.6 m above the table, pusher away, zero action', body: 'box', horizon: 6, instances: still(5000, 0.6, 0.2, 'drop') },
    support: {
      description: 'the box resting on the table, pusher away, zero action for 1 s',
      body: 'box',
      horizon: Math.max(1, Math.round(1 / dt)),
      instances: still(6000, h, 0.25, 'rest'),
    },
    push: {
      description: 'the pusher starts 1 cm behind the box and pushes at 0.3 m/s along ±x or ±z for 0.6 s',
      body: 'box',
      horizon: Math.max(1, Math.round(0.6 / dt)),
      instances: (count, rng) => pushes(Math.max(count, 4), rng),
    },
    energy: {
      description: 'the box sliding at 0.8–1.5 m/s on the table, pusher away, zero action',
      body: 'box',
      horizon: Math.max(1, Math.round(0.5 / dt)),
      instances: (count, rng) =>
        Array.from({ length: count }, (_, i) => {
          const { x, z, yaw } = place(rng, 0.08);
          const speed = rng.uniformRange(0.8, 1.5);
          const angle = rng.uniformRange(-Math.PI, Math.PI);
          const v: [number, number, number] = [speed * Math.cos(angle), 0, speed * Math.sin(angle)];
          const pusher: [number, number] = [clampTo(x - 0.3 * Math.cos(angle), pusherLimit), clampTo(z - 0.3 * Math.sin(angle), pusherLimit)];
          return {
            seed: 8000 + i,
            resetOptions: { boxPosition: [x, h, z], boxYaw: yaw, boxVelocity: v, pusherPosition: pusher, goal: goalFor(rng) },
            action: [0, 0],
            label: `slide ${speed.toFixed(2)} m/s`,
          };
        }),
    },
  };
}
