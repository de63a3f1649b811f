/**
 * `Arm-v0`: a 3-link planar arm on revolute impulse joints driven by motors must touch a target point
 * with its tip. The arm moves in the horizontal plane (as DeepMind Control's reacher), so gravity is
 * borne by the joints rather than the motors; the joints' small compliance lets the links droop a
 * few centimetres below the plane, which does not affect the planar task.
 *
 * @module
 */
import type { RevoluteImpulseJoint, RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { EnvStateError, InvalidArgumentError, describeValue } from '../../src/errors.js';
import type { EnvSpec, ResetResult, StepResult } from '../../src/env.js';
import { parseOptions, z } from '../../src/options.js';
import { PhysicsEnv } from '../../src/physics/physics-env.js';
import { Scene, type BodySpec, type FrameMarker, type JointSpec } from '../../src/physics/scene.js';
import { Box } from '../../src/spaces.js';
import { fmt, plotGrid } from '../common/ansi.js';
import { quatFromYaw, wrapAngle, yawOf } from '../common/math.js';
import { finite, gravity as gravityField, nonNegative, positive, speed, vec2 } from '../common/schemas.js';

const triple = z.tuple([positive, positive, positive]);

/** Constructor options of {@link ArmEnv}. */
export const ArmOptionsSchema = z
  .object({
    /** `'velocity'` or `'position'` motor targets. Default `'velocity'`. */
    controlMode: z.enum(['velocity', 'position']).default('velocity'),
    /** Reward 1 on success, 0 otherwise, instead of the negative distance. Default `false`. */
    sparse: z.boolean().default(false),
    /** End the episode (`terminated`) when the target is reached. Default `true`. */
    terminateOnSuccess: z.boolean().default(true),
    /** Link lengths, m. Default `[0.5, 0.4, 0.3]`. */
    linkLengths: triple.default([0.5, 0.4, 0.3]),
    /** Link masses, kg. Default `[1.0, 0.7, 0.4]`. */
    linkMasses: triple.default([1.0, 0.7, 0.4]),
    /** Joint limits ±, rad. Default `[2.5, 2.5, 2.5]`. */
    jointLimits: z.tuple([positive.max(3), positive.max(3), positive.max(3)]).default([2.5, 2.5, 2.5]),
    /** Largest motor torque per joint, N·m. Default `[40, 20, 10]`. */
    maxTorque: triple.default([40, 20, 10]),
    /** Largest commanded joint speed, rad/s (velocity mode: action 1 ↦ this). Default 2. */
    maxJointSpeed: speed.default(2),
    /** Velocity-motor gain (Rapier's `factor`; force-based), N·m·s/rad. Default 1000. */
    velocityGain: positive.default(1000),
    /** Position-motor stiffness (force-based), N·m/rad. Default 200. */
    positionStiffness: positive.default(200),
    /** Position-motor damping (force-based), N·m·s/rad. Default 20. */
    positionDamping: nonNegative.default(20),
    /** Success radius around the target, m. Default 0.05. */
    targetTolerance: positive.default(0.05),
    /** Gravity, m/s² (downward, across the arm's plane). Default 9.81. */
    gravity: gravityField.default(9.81),
    /** Physics timestep, s. Default 0.01. */
    physicsDt: positive.max(0.1).default(0.01),
    /** Physics steps per control step. Default 5 (20 Hz control). */
    substeps: z.number().int().min(1).max(100).default(5),
  })
  .strict();

/** Options accepted by `make('Arm-v0', options)` (see {@link ArmOptionsSchema} for defaults). */
export type ArmOptions = z.input<typeof ArmOptionsSchema>;
/** Fully resolved `Arm-v0` options (after {@link ArmOptionsSchema} defaults are applied). */
export type ArmConfig = z.output<typeof ArmOptionsSchema>;

const ResetSchema = z
  .object({
    angles: z.tuple([finite, finite, finite]).optional(),
    velocities: z.tuple([finite, finite, finite]).optional(),
    target: vec2.optional(),
  })
  .strict();

/** `Arm-v0` task state saved with the physics snapshot (see `captureTask`). */
export interface ArmTask {
  readonly variant: string;
  readonly target: [number, number];
}

/**
 * Tip position `[x, z]` of the planar arm with `lengths` at joint angles `angles` (base at the origin;
 * angles right-handed about +y, so the tip is `Σ Lᵢ (cos φᵢ, −sin φᵢ)` with φᵢ = θ₁ + … + θᵢ).
 */
export function armForwardKinematics(lengths: readonly number[], angles: readonly number[]): [number, number] {
  let phi = 0;
  let x = 0;
  let z = 0;
  for (let i = 0; i < lengths.length; i++) {
    phi += angles[i]!;
    x += lengths[i]! * Math.cos(phi);
    z -= lengths[i]! * Math.sin(phi);
  }
  return [x, z];
}

const LINKS = ['link1', 'link2', 'link3'] as const;
const JOINTS = ['joint1', 'joint2', 'joint3'] as const;

/**
 * `Arm-v0`: a 3-link planar arm on revolute impulse joints driven by motors must touch a target point
 * with its tip. The arm moves in the horizontal plane (as DeepMind Control's reacher), so gravity is
 * borne by the joints rather than the motors; the joints' small compliance lets the links droop a
 * few centimetres below the plane, which does not affect the planar task.
 *
 * Geometry (y up): the base joint is at the origin; the arm moves in the x–z plane and every joint
 * turns about +y. Joint angle θᵢ is link i's heading relative to link i−1 (link 1's relative to +x),
 * right-handed about +y, so a positive angle turns the arm from +x toward −z; θ = 0 stretches the arm
 * along +x. Rapier has no joint-angle getter, so angles are computed from the links' rotations. The
 * links do not collide with anything.
 *
 * Control modes (`controlMode`): `'velocity'` (default) drives each joint motor toward a target
 * velocity (`configureMotorVelocity`); `'position'` drives it toward a target angle
 * (`configureMotorPosition`, a PD with `positionStiffness`/`positionDamping`). Motors are force-based
 * (gains in N·m units) and limited by `maxTorque`. Timing: control at 20 Hz (0.05 s), 5 physics substeps of 0.01 s by default.
 *
 * **Observation** (`Box` of 13, float32):
 *
 * | index | meaning | units |
 * |---|---|---|
 * | 0, 1, 2 | cos θ₁, cos θ₂, cos θ₃ | – |
 * | 3, 4, 5 | sin θ₁, sin θ₂, sin θ₃ | – |
 * | 6, 7, 8 | joint velocities θ̇₁, θ̇₂, θ̇₃ | rad/s |
 * | 9, 10 | tip position x, z | m |
 * | 11, 12 | target position x, z | m |
 *
 * **Action** (`Box` of 3 in [−1, 1]):
 *
 * | index | meaning (velocity mode) | meaning (position mode) | units |
 * |---|---|---|---|
 * | 0, 1, 2 | target joint velocity, × `maxJointSpeed` | target joint angle, × the joint's limit | rad/s or rad |
 *
 * **Reward**: dense (default) `−‖tip − target‖` (m); sparse: `1` when `info.success`, else `0`.
 * **Success**: the tip is within `targetTolerance` of the target. **Termination**: on success when
 * `terminateOnSuccess` (default). **Truncation**: the time limit (100 steps = 5 s).
 *
 * **Reset options**: `angles: [θ₁, θ₂, θ₃]` (rad, within the joint limits), `velocities: [θ̇₁, θ̇₂, θ̇₃]`
 * (rad/s) and `target: [x, z]` (m) place things exactly. Omitted ones are sampled: angles uniformly in
 * 80% of each limit, zero velocities, and a target that is the tip of another uniformly sampled pose
 * (so it is always reachable).
 */
export class ArmEnv extends PhysicsEnv<Float32Array, Float32Array, ArmTask> {
  readonly spec: EnvSpec;
  readonly observationSpace: Box;
  readonly actionSpace = new Box(-1, 1, [3]);
  override readonly metadata;
  readonly controlDt: number;
  /** The validated options (defaults filled in). */
  readonly config: Readonly<ArmConfig>;
  private readonly variant: string;
  private target: [number, number] = [0, 0];
  private world: World | undefined;
  private links: RigidBody[] = [];
  private joints: RevoluteImpulseJoint[] = [];
  private readonly q = { x: 0, y: 0, z: 0, w: 1 };
  private readonly v = { x: 0, y: 0, z: 0 };
  private readonly angles = new Float64Array(3);

  constructor(options: ArmOptions = {}) {
    super();
    this.config = Object.freeze(parseOptions(ArmOptionsSchema, options, 'Arm-v0 options'));
    this.variant = JSON.stringify(this.config);
    this.controlDt = this.config.physicsDt * this.config.substeps;
    const reach = this.config.linkLengths.reduce((a, b) => a + b, 0);
    const inf = Infinity;
    this.observationSpace = new Box([-1, -1, -1, -1, -1, -1, -inf, -inf, -inf, -reach, -reach, -reach, -reach], [1, 1, 1, 1, 1, 1, inf, inf, inf, reach, reach, reach, reach]);
    this.spec = { id: 'Arm-v0', maxEpisodeSteps: 100, kwargs: { ...options } };
    this.metadata = { renderModes: ['ansi', 'frame'], renderFps: 1 / this.controlDt };
  }

  protected resetEpisode(options: Record<string, unknown>): ResetResult<Float32Array> {
    const opts = parseOptions(ResetSchema, options, 'Arm-v0 reset options');
    const c = this.config;
    const lim = c.jointLimits;
    if (opts.angles) {
      opts.angles.forEach((a, i) => {
        if (Math.abs(a) > lim[i]!) throw new InvalidArgumentError(`Arm-v0 reset options: expected \`angles[${i}]\` within the joint limit ±${lim[i]}, got ${a}`);
      });
    }
    const reach = c.linkLengths[0] + c.linkLengths[1] + c.linkLengths[2];
    if (opts.target && (Math.abs(opts.target[0]) > reach || Math.abs(opts.target[1]) > reach)) {
      throw new InvalidArgumentError(`Arm-v0 reset options: expected \`target\` within the arm's reach (|x|, |z| <= ${reach}), got ${describeValue(opts.target)}`);
    }
    // Fixed draw order (pose, then target pose) so a seed always means the same episode.
    const pose = (): [number, number, number] => [0, 1, 2].map((i) => this.rng.uniformRange(-0.8 * lim[i]!, 0.8 * lim[i]!)) as [number, number, number];
    const angles = opts.angles ?? pose();
    const target = opts.target ?? armForwardKinematics(c.linkLengths, pose());
    this.target = [target[0], target[1]];
    this.scene = Scene.build(...this.sceneSpec(angles, opts.velocities ?? [0, 0, 0]));
    this.bind();
    // Hold still until the first action: a zero-velocity (or current-angle) motor target.
    for (let i = 0; i < 3; i++) this.driveJoint(i, c.controlMode === 'velocity' ? 0 : angles[i]!);
    const observation = this.observe();
    return { observation, info: { success: this.distance(observation) <= c.targetTolerance } };
  }

  /** Bodies (base, links 1–3), settings and joints for joint angles and velocities. */
  private sceneSpec(angles: readonly number[], rates: readonly number[]): Parameters<typeof Scene.build> {
    const c = this.config;
    const L = c.linkLengths;
    const bodies: BodySpec[] = [{ name: 'base', kind: 'fixed', shape: { type: 'box', halfExtents: [0.05, 0.05, 0.05] }, position: [0, 0, 0], collisionGroups: 0, tag: 'base' }];
    let phi = 0;
    let omega = 0;
    let jx = 0; // joint position and velocity, walking out from the base
    let jz = 0;
    let jvx = 0;
    let jvz = 0;
    for (let i = 0; i < 3; i++) {
      phi += angles[i]!;
      omega += rates[i]!;
      const hx = (L[i]! / 2) * Math.cos(phi);
      const hz = -(L[i]! / 2) * Math.sin(phi);
      bodies.push({
        name: LINKS[i]!,
        kind: 'dynamic',
        shape: { type: 'box', halfExtents: [L[i]! / 2, 0.02, 0.02] },
        position: [jx + hx, 0, jz + hz],
        rotation: quatFromYaw(phi),
        mass: c.linkMasses[i]!,
        canSleep: false,
        collisionGroups: 0,
        // ω × r for rotation about +y: (ω r_z, 0, −ω r_x).
        linearVelocity: [jvx + omega * hz, 0, jvz - omega * hx],
        angularVelocity: [0, omega, 0],
        tag: 'link',
      });
      jx += 2 * hx;
      jz += 2 * hz;
      jvx += omega * 2 * hz;
      jvz -= omega * 2 * hx;
    }
    const joints: JointSpec[] = [0, 1, 2].map((i) => ({
      name: JOINTS[i]!,
      type: 'revolute' as const,
      body1: i === 0 ? 'base' : LINKS[i - 1]!,
      body2: LINKS[i]!,
      anchor1: [i === 0 ? 0 : L[i - 1]! / 2, 0, 0] as const,
      anchor2: [-L[i]! / 2, 0, 0] as const,
      axis: [0, 1, 0] as const,
      limits: [-c.jointLimits[i]!, c.jointLimits[i]!] as const,
      contactsEnabled: false,
      // Force-based: Rapier's default acceleration-based motors were measured to track poorly here.
      motorModel: 'force' as const,
      motorMaxForce: c.maxTorque[i]!,
    }));
    return [bodies, { gravity: [0, -c.gravity, 0], timestep: c.physicsDt }, joints];
  }

  private bind(): void {
    const scene = this.liveScene;
    this.world = scene.world;
    this.links = LINKS.map((n) => scene.body(n));
    this.joints = JOINTS.map((n) => scene.joint(n) as RevoluteImpulseJoint);
  }

  private driveJoint(i: number, target: number): void {
    const c = this.config;
    if (c.controlMode === 'velocity') this.joints[i]!.configureMotorVelocity(target, c.velocityGain);
    else this.joints[i]!.configureMotorPosition(target, c.positionStiffness, c.positionDamping);
  }

  protected stepEpisode(action: Float32Array): StepResult<Float32Array> {
    const c = this.config;
    const scale = c.controlMode === 'velocity' ? c.maxJointSpeed : 0;
    for (let i = 0; i < 3; i++) this.driveJoint(i, action[i]! * (scale || c.jointLimits[i]!));
    const world = this.world!;
    for (let i = 0; i < c.substeps; i++) world.step();
    const observation = this.observe();
    const success = this.distance(observation) <= c.targetTolerance;
    return {
      observation,
      reward: c.sparse ? (success ? 1 : 0) : -this.distance(observation),
      terminated: success && c.terminateOnSuccess,
      truncated: false,
      info: { success },
    };
  }

  /** Current joint angles θ₁..θ₃ (rad), from the links' rotations. */
  jointAngles(): [number, number, number] {
    this.readAngles();
    return [this.angles[0]!, this.angles[1]!, this.angles[2]!];
  }

  private readAngles(): void {
    let prev = 0;
    for (let i = 0; i < 3; i++) {
      const phi = yawOf(this.links[i]!.rotation(this.q));
      this.angles[i] = wrapAngle(phi - prev);
      prev = phi;
    }
  }

  private observe(): Float32Array {
    const obs = new Float32Array(13);
    this.readAngles();
    let prevOmega = 0;
    let phi = 0;
    let x = 0;
    let z = 0;
    const L = this.config.linkLengths;
    for (let i = 0; i < 3; i++) {
      const theta = this.angles[i]!;
      obs[i] = Math.cos(theta);
      obs[3 + i] = Math.sin(theta);
      const omega = this.links[i]!.angvel(this.v).y;
      obs[6 + i] = omega - prevOmega;
      prevOmega = omega;
      phi += theta;
      x += L[i]! * Math.cos(phi);
      z -= L[i]! * Math.sin(phi);
    }
    // The tip in the plane from the measured angles (the links' small droop below the plane is ignored).
    obs[9] = x;
    obs[10] = z;
    obs[11] = this.target[0];
    obs[12] = this.target[1];
    return obs;
  }

  private distance(obs: Float32Array): number {
    return Math.hypot(obs[9]! - this.target[0], obs[10]! - this.target[1]);
  }

  protected captureTask(): ArmTask {
    return { variant: this.variant, target: this.target };
  }

  protected override checkTask(task: ArmTask): void {
    if (task?.variant !== this.variant) {
      throw new InvalidArgumentError(`Arm-v0.setState: expected a state saved by an environment with options ${this.variant}, got one with ${describeValue(task?.variant)}`);
    }
  }

  protected restoreTask(task: ArmTask): void {
    this.target = [task.target[0], task.target[1]];
    this.bind();
  }

  protected override frameMarkers(): FrameMarker[] {
    return [{ name: 'target', position: [this.target[0], 0, this.target[1]], radius: this.config.targetTolerance, tag: 'goal' }];
  }

  protected renderAnsi(): string {
    if (this.links.length === 0) throw new EnvStateError('Arm-v0: no scene yet; call reset() first');
    const L = this.config.linkLengths;
    const reach = L[0] + L[1] + L[2];
    const [t1, t2, t3] = this.jointAngles();
    // Top-down view with x to the right and −z up, so positive angles turn counter-clockwise on screen.
    const marks = [{ u: this.target[0], v: -this.target[1], glyph: 'T' }];
    let phi = 0;
    let x = 0;
    let z = 0;
    [t1, t2, t3].forEach((theta, i) => {
      phi += theta;
      for (let k = 1; k <= 6; k++) marks.push({ u: x + (L[i]! * k * Math.cos(phi)) / 6, v: -(z - (L[i]! * k * Math.sin(phi)) / 6), glyph: String(i + 1) });
      x += L[i]! * Math.cos(phi);
      z -= L[i]! * Math.sin(phi);
    });
    marks.push({ u: 0, v: 0, glyph: '#' }, { u: x, v: -z, glyph: '*' });
    const grid = plotGrid({ uMin: -reach, uMax: reach, vMin: -reach, vMax: reach }, marks);
    return `${grid}\nangles=(${fmt(t1)}, ${fmt(t2)}, ${fmt(t3)}) tip=(${fmt(x)}, ${fmt(z)}) target=(${fmt(this.target[0])}, ${fmt(this.target[1])}) step=${this.elapsedSteps}`;
  }
}
