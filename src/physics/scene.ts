/**
 * Declarative scene building in a canonical order, shared by every Rapier environment.
 *
 * Rapier's results depend on the order bodies are created, so a scene is a list of named
 * {@link BodySpec}s built front to back. Masses are always explicit (Rapier's default density of 1
 * gives a 0.2 m box 8 g). The {@link Scene} keeps our own ids (names → handles), since Rapier
 * reuses handles after removal and restored worlds come back with new wrapper objects.
 *
 * @module
 */
import type { Collider, ImpulseJoint, RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { InvalidArgumentError, describeValue } from '../errors.js';
import { rapier } from './rapier.js';
import { restoreWorld, takeSnapshot } from './snapshot.js';

/** A 3-vector `[x, y, z]` in metres (or m/s, N, …). */
export type Vec3 = readonly [number, number, number];
/** A unit quaternion `[x, y, z, w]`. */
export type Quat = readonly [number, number, number, number];

/** Collision geometry, in metres. */
export type ShapeSpec =
  | { readonly type: 'box'; readonly halfExtents: Vec3 }
  | { readonly type: 'ball'; readonly radius: number }
  | { readonly type: 'cylinder'; readonly halfHeight: number; readonly radius: number }
  | { readonly type: 'capsule'; readonly halfHeight: number; readonly radius: number };

/** How a body moves. */
export type BodyKind = 'fixed' | 'dynamic' | 'kinematic-velocity' | 'kinematic-position';

/** One body with one collider. */
export interface BodySpec {
  /** Unique name within the scene (our id; Rapier handles are reused). */
  readonly name: string;
  readonly kind: BodyKind;
  readonly shape: ShapeSpec;
  /** Centre position, metres. */
  readonly position: Vec3;
  /** Orientation; default identity. */
  readonly rotation?: Quat;
  /** Mass in kg; required for dynamic bodies (set on the collider, never from a density default). */
  readonly mass?: number;
  /** Coulomb friction coefficient; default 0.5. */
  readonly friction?: number;
  /** Restitution; default 0. */
  readonly restitution?: number;
  readonly linearDamping?: number;
  readonly angularDamping?: number;
  /** Whether the body may fall asleep; default `true` (controlled bodies should pass `false`). */
  readonly canSleep?: boolean;
  readonly ccd?: boolean;
  /** Sensor colliders detect overlap but exert no force. */
  readonly sensor?: boolean;
  /** Rotations allowed about x, y, z; default all. */
  readonly enabledRotations?: readonly [boolean, boolean, boolean];
  /** Translations allowed along x, y, z; default all. */
  readonly enabledTranslations?: readonly [boolean, boolean, boolean];
  /** Rapier collision groups bitmask (membership << 16 | filter). */
  readonly collisionGroups?: number;
  /** Rapier `ActiveEvents` flags on the collider. */
  readonly activeEvents?: number;
  /** Free-form tag for viewers (e.g. `'shelf'`, `'package'`). */
  readonly tag?: string;
  /** Initial linear velocity, m/s; default zero. */
  readonly linearVelocity?: Vec3;
  /** Initial angular velocity, rad/s; default zero. */
  readonly angularVelocity?: Vec3;
  /** Gravity multiplier; default 1. */
  readonly gravityScale?: number;
}

/**
 * An impulse joint between two bodies of the scene, built after all bodies (in list order).
 * Anchors are in each body's local frame. Motors are configured at run time through
 * {@link Scene.joint} (`configureMotorVelocity`/`configureMotorPosition`); their settings are part of
 * the snapshot.
 */
export type JointSpec =
  | {
      /** Unique name within the scene's joints. */
      readonly name: string;
      /** `revolute`: one rotational degree of freedom about `axis`; `prismatic`: one translational along `axis`. */
      readonly type: 'revolute' | 'prismatic';
      /** Name of the first (parent) body. */
      readonly body1: string;
      /** Name of the second (child) body. */
      readonly body2: string;
      /** Joint point in body1's frame, metres. */
      readonly anchor1: Vec3;
      /** Joint point in body2's frame, metres. */
      readonly anchor2: Vec3;
      /** The free axis, in the bodies' local frames (unit vector). */
      readonly axis: Vec3;
      /** Position limits `[min, max]` (rad or m); default none. */
      readonly limits?: readonly [number, number];
      /** Whether the two bodies' colliders collide with each other; default `true` (Rapier's default). */
      readonly contactsEnabled?: boolean;
      /** Motor model: `'acceleration'` (gains scaled by the effective mass; Rapier's default) or `'force'`. */
      readonly motorModel?: 'acceleration' | 'force';
      /** Largest force (N) or torque (N·m) the motor may apply; default unlimited. */
      readonly motorMaxForce?: number;
    }
  | {
      readonly name: string;
      /** Locks all relative motion. */
      readonly type: 'fixed';
      readonly body1: string;
      readonly body2: string;
      readonly anchor1: Vec3;
      readonly anchor2: Vec3;
      /** Joint frame orientation in body1's frame; default identity. */
      readonly frame1?: Quat;
      /** Joint frame orientation in body2's frame; default identity. */
      readonly frame2?: Quat;
      readonly contactsEnabled?: boolean;
    };

/** One body of a frame (the JSON scene description for viewers). */
export interface FrameBody {
  readonly name: string;
  readonly tag: string | undefined;
  readonly kind: BodyKind;
  readonly shape: ShapeSpec;
  readonly position: [number, number, number];
  readonly rotation: [number, number, number, number];
}

/** A non-physical marker in a frame (goal, target, drop zone), for viewers. */
export interface FrameMarker {
  readonly name: string;
  /** Centre, metres. */
  readonly position: [number, number, number];
  /** Orientation; default identity. */
  readonly rotation?: [number, number, number, number];
  /** Size hint for drawing, metres. */
  readonly radius?: number;
  readonly tag?: string;
}

/** A JSON scene description: every body's shape and pose at one instant. */
export interface Frame {
  readonly time: number;
  readonly bodies: FrameBody[];
  /** Task markers (goals, targets), when the environment has any. */
  readonly markers?: FrameMarker[];
}

/** Gravity, timestep and solver settings of a world. */
export interface WorldSettings {
  /** m/s²; default `[0, -9.81, 0]` (y is up). */
  readonly gravity?: Vec3;
  /** Physics timestep in seconds; default 1/60. */
  readonly timestep?: number;
  /** Solver iterations; default Rapier's (4). */
  readonly solverIterations?: number;
}

interface Entry {
  readonly spec: BodySpec;
  readonly bodyHandle: number;
  readonly colliderHandle: number;
}

interface JointEntry {
  readonly spec: JointSpec;
  readonly handle: number;
}

function checkPositive(value: number | undefined, what: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new InvalidArgumentError(`Expected ${what} to be a positive number, got ${describeValue(value)}`);
  }
}

function checkShape(shape: ShapeSpec, name: string): void {
  switch (shape.type) {
    case 'box':
      shape.halfExtents.forEach((h, i) => {
        checkPositive(h, `body \`${name}\` halfExtents[${i}]`);
      });
      return;
    case 'ball':
      checkPositive(shape.radius, `body \`${name}\` radius`);
      return;
    case 'cylinder':
    case 'capsule':
      checkPositive(shape.radius, `body \`${name}\` radius`);
      checkPositive(shape.halfHeight, `body \`${name}\` halfHeight`);
      return;
    default:
      throw new InvalidArgumentError(`Unknown shape type ${describeValue((shape as { type: unknown }).type)} for body \`${name}\``);
  }
}

/**
 * A Rapier world plus the names of its bodies. Owns the world: call {@link Scene.free} (or use
 * `using`) when done.
 */
export class Scene {
  private readonly byName: Map<string, Entry>;
  private readonly jointsByName: Map<string, JointEntry>;
  private restores = 0;

  private constructor(
    private worldRef: World,
    private readonly entries: readonly Entry[],
    private readonly jointEntries: readonly JointEntry[] = [],
  ) {
    this.byName = new Map(entries.map((e) => [e.spec.name, e]));
    this.jointsByName = new Map(jointEntries.map((j) => [j.spec.name, j]));
  }

  /**
   * Builds a world from `bodies`, in order, then `joints`, in order.
   * @throws {@link InvalidArgumentError} for duplicate names, missing masses, bad sizes, joints naming
   * unknown bodies.
   */
  static build(bodies: readonly BodySpec[], settings: WorldSettings = {}, joints: readonly JointSpec[] = []): Scene {
    const R = rapier();
    const g = settings.gravity ?? [0, -9.81, 0];
    const world = new R.World({ x: g[0], y: g[1], z: g[2] });
    try {
      if (settings.timestep !== undefined) {
        checkPositive(settings.timestep, 'timestep');
        world.timestep = settings.timestep;
      }
      if (settings.solverIterations !== undefined) world.numSolverIterations = settings.solverIterations;
      const names = new Set<string>();
      const entries: Entry[] = [];
      for (const spec of bodies) {
        if (names.has(spec.name)) throw new InvalidArgumentError(`Duplicate body name \`${spec.name}\` in scene`);
        names.add(spec.name);
        entries.push(addBody(world, spec));
      }
      const byName = new Map(entries.map((e) => [e.spec.name, e]));
      const jointNames = new Set<string>();
      const jointEntries: JointEntry[] = [];
      for (const spec of joints) {
        if (jointNames.has(spec.name)) throw new InvalidArgumentError(`Duplicate joint name \`${spec.name}\` in scene`);
        jointNames.add(spec.name);
        jointEntries.push(addJoint(world, spec, byName));
      }
      return new Scene(world, entries, jointEntries);
    } catch (e) {
      world.free();
      throw e;
    }
  }

  /** The Rapier world (replaced by {@link Scene.restore}: do not keep references across a restore). */
  get world(): World {
    return this.worldRef;
  }

  /** Names of all bodies, in build order. */
  get names(): string[] {
    return this.entries.map((e) => e.spec.name);
  }

  /** The spec a body was built from. */
  spec(name: string): BodySpec {
    return this.entry(name).spec;
  }

  /** The rigid body called `name` in the current world. */
  body(name: string): RigidBody {
    return this.worldRef.getRigidBody(this.entry(name).bodyHandle);
  }

  /** The collider of body `name` in the current world. */
  collider(name: string): Collider {
    return this.worldRef.getCollider(this.entry(name).colliderHandle);
  }

  /** The handle of body `name` (stable across snapshot/restore). */
  bodyHandle(name: string): number {
    return this.entry(name).bodyHandle;
  }

  /** The handle of the collider of body `name`. */
  colliderHandle(name: string): number {
    return this.entry(name).colliderHandle;
  }

  /** Names of all joints, in build order. */
  get jointNames(): string[] {
    return this.jointEntries.map((j) => j.spec.name);
  }

  /** The impulse joint called `name` in the current world (cast to `RevoluteImpulseJoint` etc. to drive motors). */
  joint(name: string): ImpulseJoint {
    const j = this.jointsByName.get(name);
    if (j === undefined) throw new InvalidArgumentError(`No joint named ${describeValue(name)} in scene (joints: ${this.jointNames.join(', ') || 'none'})`);
    return this.worldRef.getImpulseJoint(j.handle);
  }

  /**
   * How many times {@link Scene.restore} has replaced the world. Code that caches `RigidBody` or
   * joint wrappers refreshes them when this changes (restored worlds come with new wrapper objects).
   */
  get restoreCount(): number {
    return this.restores;
  }

  /** Name of the body owning collider `handle`, if it belongs to this scene. */
  nameOfCollider(handle: number): string | undefined {
    for (const e of this.entries) if (e.colliderHandle === handle) return e.spec.name;
    return undefined;
  }

  /** Snapshot bytes of the whole physics state. */
  snapshot(): Uint8Array {
    return takeSnapshot(this.worldRef);
  }

  /** Replaces the world with one restored from `bytes` (leak-free); names keep their meaning. */
  restore(bytes: Uint8Array): void {
    const next = restoreWorld(bytes);
    this.worldRef.free();
    this.worldRef = next;
    this.restores++;
  }

  /** A JSON description of every body's shape and pose, for viewers (`render('frame')`). */
  frame(time = 0, markers?: FrameMarker[]): Frame {
    const bodies: FrameBody[] = this.entries.map((e) => {
      const b = this.worldRef.getRigidBody(e.bodyHandle);
      const t = b.translation();
      const r = b.rotation();
      return { name: e.spec.name, tag: e.spec.tag, kind: e.spec.kind, shape: e.spec.shape, position: [t.x, t.y, t.z], rotation: [r.x, r.y, r.z, r.w] };
    });
    return markers === undefined ? { time, bodies } : { time, bodies, markers };
  }

  /** Frees the world. Safe to call twice. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.worldRef.free();
  }
  private freed = false;

  /** Frees the world (same as {@link Scene.free}), for `using` declarations. */
  [Symbol.dispose](): void {
    this.free();
  }

  private entry(name: string): Entry {
    const e = this.byName.get(name);
    if (e === undefined) throw new InvalidArgumentError(`No body named ${describeValue(name)} in scene (bodies: ${this.names.join(', ')})`);
    return e;
  }
}

function addBody(world: World, spec: BodySpec): Entry {
  const R = rapier();
  checkShape(spec.shape, spec.name);
  if (spec.kind === 'dynamic') checkPositive(spec.mass ?? Number.NaN, `mass of dynamic body \`${spec.name}\``);
  let desc;
  switch (spec.kind) {
    case 'fixed':
      desc = R.RigidBodyDesc.fixed();
      break;
    case 'dynamic':
      desc = R.RigidBodyDesc.dynamic();
      break;
    case 'kinematic-velocity':
      desc = R.RigidBodyDesc.kinematicVelocityBased();
      break;
    case 'kinematic-position':
      desc = R.RigidBodyDesc.kinematicPositionBased();
      break;
    default:
      throw new InvalidArgumentError(`Unknown body kind ${describeValue(spec.kind)} for body \`${spec.name}\``);
  }
  const [x, y, z] = spec.position;
  desc.setTranslation(x, y, z);
  if (spec.rotation) desc.setRotation({ x: spec.rotation[0], y: spec.rotation[1], z: spec.rotation[2], w: spec.rotation[3] });
  if (spec.linearDamping !== undefined) desc.setLinearDamping(spec.linearDamping);
  if (spec.angularDamping !== undefined) desc.setAngularDamping(spec.angularDamping);
  if (spec.canSleep !== undefined) desc.setCanSleep(spec.canSleep);
  if (spec.ccd !== undefined) desc.setCcdEnabled(spec.ccd);
  if (spec.enabledRotations) desc.enabledRotations(...spec.enabledRotations);
  if (spec.enabledTranslations) desc.enabledTranslations(...spec.enabledTranslations);
  if (spec.linearVelocity) desc.setLinvel(spec.linearVelocity[0], spec.linearVelocity[1], spec.linearVelocity[2]);
  if (spec.angularVelocity) desc.setAngvel({ x: spec.angularVelocity[0], y: spec.angularVelocity[1], z: spec.angularVelocity[2] });
  if (spec.gravityScale !== undefined) desc.setGravityScale(spec.gravityScale);
  const body = world.createRigidBody(desc);

  const s = spec.shape;
  const cdesc =
    s.type === 'box'
      ? R.ColliderDesc.cuboid(s.halfExtents[0], s.halfExtents[1], s.halfExtents[2])
      : s.type === 'ball'
        ? R.ColliderDesc.ball(s.radius)
        : s.type === 'cylinder'
          ? R.ColliderDesc.cylinder(s.halfHeight, s.radius)
          : R.ColliderDesc.capsule(s.halfHeight, s.radius);
  // Explicit mass for every body that can move; fixed bodies get none (their mass is ignored).
  if (spec.mass !== undefined) cdesc.setMass(spec.mass);
  else cdesc.setDensity(0);
  cdesc.setFriction(spec.friction ?? 0.5);
  cdesc.setRestitution(spec.restitution ?? 0);
  if (spec.sensor) cdesc.setSensor(true);
  if (spec.collisionGroups !== undefined) cdesc.setCollisionGroups(spec.collisionGroups);
  if (spec.activeEvents !== undefined) cdesc.setActiveEvents(spec.activeEvents);
  const collider = world.createCollider(cdesc, body);
  return { spec, bodyHandle: body.handle, colliderHandle: collider.handle };
}

function addJoint(world: World, spec: JointSpec, bodies: ReadonlyMap<string, Entry>): JointEntry {
  const R = rapier();
  const lookup = (name: string, which: string): RigidBody => {
    const e = bodies.get(name);
    if (e === undefined) {
      throw new InvalidArgumentError(`Joint \`${spec.name}\`: expected \`${which}\` to name a body of the scene (${[...bodies.keys()].join(', ')}), got ${describeValue(name)}`);
    }
    return world.getRigidBody(e.bodyHandle);
  };
  const b1 = lookup(spec.body1, 'body1');
  const b2 = lookup(spec.body2, 'body2');
  const v = (a: Vec3) => ({ x: a[0], y: a[1], z: a[2] });
  const q = (a: Quat | undefined) => (a ? { x: a[0], y: a[1], z: a[2], w: a[3] } : { x: 0, y: 0, z: 0, w: 1 });
  let data;
  switch (spec.type) {
    case 'revolute':
    case 'prismatic': {
      const [ax, ay, az] = spec.axis;
      const norm = Math.hypot(ax, ay, az);
      if (!(Math.abs(norm - 1) < 1e-6)) throw new InvalidArgumentError(`Joint \`${spec.name}\`: expected \`axis\` to be a unit vector, got ${describeValue(spec.axis)}`);
      data =
        spec.type === 'revolute' ? R.JointData.revolute(v(spec.anchor1), v(spec.anchor2), v(spec.axis)) : R.JointData.prismatic(v(spec.anchor1), v(spec.anchor2), v(spec.axis));
      if (spec.limits !== undefined) {
        const [lo, hi] = spec.limits;
        if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi))
          throw new InvalidArgumentError(`Joint \`${spec.name}\`: expected \`limits\` [min, max] with min <= max, got ${describeValue(spec.limits)}`);
      }
      break;
    }
    case 'fixed':
      data = R.JointData.fixed(v(spec.anchor1), q(spec.frame1), v(spec.anchor2), q(spec.frame2));
      break;
    default:
      throw new InvalidArgumentError(`Unknown joint type ${describeValue((spec as { type: unknown }).type)} for joint \`${(spec as { name: string }).name}\``);
  }
  const joint = world.createImpulseJoint(data, b1, b2, true);
  if (spec.contactsEnabled !== undefined) joint.setContactsEnabled(spec.contactsEnabled);
  if (spec.type !== 'fixed') {
    const unit = joint as InstanceType<typeof R.RevoluteImpulseJoint>;
    // JointData.revolute ignores `limits` in rapier3d 0.21: set them on the joint itself.
    if (spec.limits !== undefined) unit.setLimits(spec.limits[0], spec.limits[1]);
    if (spec.motorModel !== undefined) unit.configureMotorModel(spec.motorModel === 'force' ? R.MotorModel.ForceBased : R.MotorModel.AccelerationBased);
    if (spec.motorMaxForce !== undefined) {
      checkPositive(spec.motorMaxForce, `joint \`${spec.name}\` motorMaxForce`);
      unit.setMotorMaxForce(spec.motorMaxForce);
    }
  }
  return { spec, handle: joint.handle };
}
