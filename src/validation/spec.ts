/**
 * The per-environment knowledge validation needs and `src/` cannot import: which observation
 * entries hold which body's position and velocity, body sizes and masses, static obstacles, the
 * quantities that must never change, how to compute mechanical energy, and how to build each
 * plausibility scenario through the environment's reset options. Specs for the built-in
 * environments live in `environments/validation/`; {@link validateSpec} checks one against the
 * environment's dimensions and names the first inconsistency.
 *
 * Coordinates: y is up; positions in metres, velocities in m/s.
 *
 * @module
 */
import type { Env } from '../env.js';
import { InvalidArgumentError, describeValue } from '../errors.js';
import type { Rng } from '../rng.js';

/** A named slice of the observation vector (same shape as a bundle manifest's `observationFields`). */
export interface ObservationField {
  readonly name: string;
  /** First index. */
  readonly start: number;
  /** Number of entries. */
  readonly size: number;
  /** Physical unit, e.g. `m`, `m/s`, `rad`. */
  readonly unit?: string;
}

/** Three observation indices, x, y, z; −1 where the coordinate is not observed. */
export type AxisIndices = readonly [number, number, number];
/** A point or extent in metres, x, y, z. */
export type Point3 = readonly [number, number, number];

/** A body whose state the observation exposes. */
export interface ObservedBody {
  /** Name used in reports, e.g. `box`, `pusher`, `robot0`. */
  readonly name: string;
  /** Observation indices of its centre. */
  readonly position: AxisIndices;
  /** Observation indices of its linear velocity, when observed. */
  readonly velocity?: AxisIndices;
  /** Coordinates used where `position` has −1 (e.g. the pusher's constant height). Default 0. */
  readonly defaultPosition?: Point3;
  /** Added to the observed coordinates (e.g. a height measured above the resting height). Default 0. */
  readonly positionOffset?: Point3;
  /** Name of a body whose position the observed one is relative to (robot-centric observations). */
  readonly relativeTo?: string;
  /** Half extents of its bounding box, m. Cylinders and spheres: `[r, halfHeight, r]`. */
  readonly halfExtents: Point3;
  /** Mass, kg (used by the energy check). */
  readonly mass: number;
  /** Whether physics moves it (false for kinematic or velocity-servoed bodies). */
  readonly dynamic: boolean;
  /** Its rotation is locked axis-aligned, so its footprint is the full box (else its inscribed circle). */
  readonly axisAligned?: boolean;
  /**
   * For a velocity-commanded body: the action index driving each axis (−1: none) and the speed
   * (m/s) that action 1 commands. Used by the contact-free test model.
   */
  readonly actuation?: { readonly action: AxisIndices; readonly speed: number };
}

/** A static axis-aligned obstacle (table, floor slab, shelf, wall). */
export interface ObstacleSpec {
  readonly name: string;
  readonly min: Point3;
  readonly max: Point3;
}

/** One instance of a plausibility scenario: where things start and the action held throughout. */
export interface ScenarioInstance {
  /** Seed of `reset` (what the options leave open is sampled from it). */
  readonly seed: number;
  /** The environment's `reset({ options })`, placing objects exactly. */
  readonly resetOptions: Record<string, unknown>;
  /** The action applied at every step (length = action size). */
  readonly action: readonly number[];
  /** Short description for the report, e.g. `push +x`. */
  readonly label?: string;
}

/** A plausibility scenario: a family of instances built through reset options. */
export interface ScenarioSpec {
  /** What happens, for the report (e.g. `a box released 0.4 m above the table`). */
  readonly description: string;
  /** The body the check measures. */
  readonly body: string;
  /** Steps per instance. */
  readonly horizon: number;
  /** Builds `count` instances (deterministic given `rng`). */
  instances(count: number, rng: Rng): ScenarioInstance[];
}

/** A pair of interventions applied from the same state (counterfactual branching). */
export interface InterventionSpec {
  /** Name, e.g. `push +x vs push -x`. */
  readonly name: string;
  /** Start states, as scenario instances (their `action` is ignored). */
  starts(count: number, rng: Rng): ScenarioInstance[];
  /** Action of branch A, held for `horizon` steps. */
  readonly actionA: readonly number[];
  /** Action of branch B. */
  readonly actionB: readonly number[];
  /** Steps per branch. */
  readonly horizon: number;
  /** Observation indices whose final difference is compared (e.g. the box position). */
  readonly outcome: readonly number[];
}

/** Quantities that must persist: checked on long-horizon predictions (object permanence). */
export interface InvariantSpec {
  /** Indices that never change within an episode (goals, targets). */
  readonly constant?: readonly number[];
  /** Index pairs (cos, sin) whose norm is 1. */
  readonly unitPairs?: readonly (readonly [number, number])[];
  /** Box bounds a value stays in while the real episode runs (the scene's extent). */
  readonly bounds?: readonly { readonly index: number; readonly min: number; readonly max: number; readonly name?: string }[];
}

/** The plausibility checks a spec can set up. A missing entry is reported "not applicable". */
export interface ScenarioSet {
  /** An unsupported body released at rest falls with the real acceleration. */
  readonly gravity?: ScenarioSpec;
  /** A body resting on its support stays put with zero actuation. */
  readonly support?: ScenarioSpec;
  /** A body driven into another body or an obstacle (non-penetration). */
  readonly contact?: ScenarioSpec;
  /** A push: the pushed body moves the way the real one does (momentum transfer). */
  readonly push?: ScenarioSpec;
  /** Zero actuation from a moving state: energy must not grow. */
  readonly energy?: ScenarioSpec;
}

/** Everything validation knows about one environment. */
export interface ValidationSpec {
  /** The environment id, e.g. `PushBox-v0`. */
  readonly envId: string;
  /** Builds a fresh environment without a time limit; `overrides` are constructor options (e.g. `{ gravity: 0 }`). */
  makeEnv(overrides?: Record<string, unknown>): Env<Float32Array, Float32Array>;
  /** Observation length. */
  readonly obsDim: number;
  /** Action length. */
  readonly actionDim: number;
  /** Seconds per step. */
  readonly controlDt: number;
  /** Gravity, m/s² downward (0 when it plays no role). */
  readonly gravity: number;
  /** Named observation slices for per-field drift. */
  readonly fields: readonly ObservationField[];
  /** Bodies exposed by the observation. */
  readonly bodies: readonly ObservedBody[];
  /** Static obstacles. */
  readonly obstacles: readonly ObstacleSpec[];
  /** Body pairs that must not overlap (names). */
  readonly contactPairs?: readonly (readonly [string, string])[];
  /** Depth (m) beyond which an overlap counts as penetration. Default 0.005. */
  readonly penetrationTolerance?: number;
  /** Quantities that must persist. */
  readonly invariants?: InvariantSpec;
  /** Mechanical energy of an observation (J), when it is computable from the observation. */
  energy?(observation: Float32Array, offset: number): number;
  /** Energy scale (J) against which an energy increase is judged. Required with `energy`. */
  readonly energyScale?: number;
  /** The action that means "no actuation". Default: zeros. */
  readonly idleAction?: readonly number[];
  /** Plausibility scenarios. */
  readonly scenarios: ScenarioSet;
  /** Why checks without a scenario do not apply (by check id). */
  readonly notApplicable?: Readonly<Partial<Record<keyof ScenarioSet | 'permanence', string>>>;
  /** Counterfactual intervention pairs. */
  readonly interventions?: readonly InterventionSpec[];
  /** Reset options that rebuild the observed state (approximately) from an observation. */
  resetFromObservation?(observation: Float32Array): Record<string, unknown>;
  /** Pairs of observation indices drawn as dream-vs-real trajectories (e.g. box x–z). */
  readonly overlays?: readonly OverlaySpec[];
  /** Areas of the ground drawn under top-view overlays (drop zones, …), in world x and z. */
  readonly regions?: readonly RegionSpec[];
}

/** One dream-vs-real trajectory plot: two observation indices as its axes. */
export interface OverlaySpec {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly xLabel: string;
  readonly yLabel: string;
  /**
   * The axes are world x and world z (a view from above): the report draws the map under the paths —
   * the spec's obstacles that stand above the ground (shelves, walls) and its {@link ValidationSpec.regions}.
   * Default false.
   */
  readonly topView?: boolean;
}

/** An area of the ground, e.g. a drop zone. */
export interface RegionSpec {
  readonly name: string;
  /** What it is, for the legend, e.g. `drop zone`. */
  readonly kind: string;
  /** Corners in world x and z, m. */
  readonly min: readonly [number, number];
  readonly max: readonly [number, number];
}

/**
 * Checks a spec's indices against its own dimensions and, when given, the environment's.
 * @throws {@link InvalidArgumentError} naming the first inconsistency.
 */
export function validateSpec(spec: ValidationSpec, dims?: { obsDim: number; actionDim: number }): void {
  const where = `ValidationSpec(${spec?.envId ?? '?'})`;
  if (typeof spec !== 'object' || spec === null || typeof spec.makeEnv !== 'function') {
    throw new InvalidArgumentError(`${where}: expected a ValidationSpec with \`makeEnv\`, got ${describeValue(spec)}`);
  }
  const D = spec.obsDim;
  const A = spec.actionDim;
  if (dims && (dims.obsDim !== D || dims.actionDim !== A)) {
    throw new InvalidArgumentError(`${where}: the spec describes obsDim ${D} and actionDim ${A}, but the environment has obsDim ${dims.obsDim} and actionDim ${dims.actionDim}`);
  }
  const index = (i: number, what: string, allowMissing = false) => {
    if (allowMissing && i === -1) return;
    if (!Number.isInteger(i) || i < 0 || i >= D) throw new InvalidArgumentError(`${where}: expected ${what} to be an observation index in [0, ${D - 1}], got ${describeValue(i)}`);
  };
  for (const f of spec.fields) {
    if (f.start < 0 || f.size < 1 || f.start + f.size > D)
      throw new InvalidArgumentError(`${where}: field \`${f.name}\` covers [${f.start}, ${f.start + f.size}) outside the observation of ${D}`);
  }
  const names = new Set<string>();
  for (const b of spec.bodies) {
    if (names.has(b.name)) throw new InvalidArgumentError(`${where}: two bodies are named \`${b.name}\``);
    names.add(b.name);
    b.position.forEach((i, k) => {
      index(i, `body \`${b.name}\` position[${k}]`, true);
    });
    b.velocity?.forEach((i, k) => {
      index(i, `body \`${b.name}\` velocity[${k}]`, true);
    });
    if (b.halfExtents.some((h) => !(h > 0))) throw new InvalidArgumentError(`${where}: expected positive half extents for body \`${b.name}\`, got ${describeValue(b.halfExtents)}`);
  }
  for (const b of spec.bodies) {
    if (b.relativeTo !== undefined && !names.has(b.relativeTo)) throw new InvalidArgumentError(`${where}: body \`${b.name}\` is relative to unknown body \`${b.relativeTo}\``);
  }
  for (const [a, b] of spec.contactPairs ?? []) {
    if (!names.has(a) || !names.has(b)) throw new InvalidArgumentError(`${where}: contact pair [${a}, ${b}] names an unknown body (known: ${[...names].join(', ')})`);
  }
  for (const [id, s] of Object.entries(spec.scenarios)) {
    if (s === undefined) continue;
    if (!names.has(s.body)) throw new InvalidArgumentError(`${where}: scenario \`${id}\` measures unknown body \`${s.body}\``);
    if (!Number.isInteger(s.horizon) || s.horizon < 1)
      throw new InvalidArgumentError(`${where}: scenario \`${id}\` needs a positive integer horizon, got ${describeValue(s.horizon)}`);
  }
  for (const iv of spec.interventions ?? []) {
    if (iv.actionA.length !== A || iv.actionB.length !== A) throw new InvalidArgumentError(`${where}: intervention \`${iv.name}\` needs actions of length ${A}`);
    iv.outcome.forEach((i) => {
      index(i, `intervention \`${iv.name}\` outcome index`);
    });
  }
  const inv = spec.invariants;
  inv?.constant?.forEach((i) => {
    index(i, 'an invariant constant index');
  });
  inv?.unitPairs?.forEach(([i, j]) => {
    index(i, 'a unit-pair index'), index(j, 'a unit-pair index');
  });
  inv?.bounds?.forEach((b) => {
    index(b.index, 'a bounds index');
  });
  if (spec.energy && !(spec.energyScale! > 0)) throw new InvalidArgumentError(`${where}: \`energy\` needs a positive \`energyScale\`, got ${describeValue(spec.energyScale)}`);
  if (spec.idleAction && spec.idleAction.length !== A) throw new InvalidArgumentError(`${where}: expected \`idleAction\` of length ${A}, got ${spec.idleAction.length}`);
  for (const o of spec.overlays ?? []) index(o.x, `overlay \`${o.name}\` x`), index(o.y, `overlay \`${o.name}\` y`);
}

/** The spec's fields, or one field per observation entry when it lists none. */
export function fieldsOrDefault(fields: readonly ObservationField[] | undefined, obsDim: number): ObservationField[] {
  if (fields && fields.length > 0) return [...fields];
  return Array.from({ length: obsDim }, (_, i) => ({ name: `obs[${i}]`, start: i, size: 1 }));
}
