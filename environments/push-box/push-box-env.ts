/**
 * `PushBox-v0`: a velocity-controlled cylindrical pusher on a table pushes a free box to a goal
 * position (and, with `orientation`, a goal heading). Contact-rich: the box slides with Coulomb
 * friction, turns when pushed off-centre, and can fall off the table.
 *
 * @module
 */
import type { RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { EnvStateError, InvalidArgumentError, describeValue } from '../../src/errors.js';
import type { EnvSpec, ResetResult, StepResult } from '../../src/env.js';
import { parseOptions, z } from '../../src/options.js';
import { PhysicsEnv } from '../../src/physics/physics-env.js';
import { Scene, type BodySpec, type FrameMarker } from '../../src/physics/scene.js';
import { Box } from '../../src/spaces.js';
import { fmt, plotGrid } from '../common/ansi.js';
import { finite, friction as frictionCoefficient, gravity as gravityField, length, mass, positive, speed, vec2, vec3 } from '../common/schemas.js';
import { quatFromYaw, yawOf } from '../common/math.js';

/** Constructor options of {@link PushBoxEnv}. */
export const PushBoxOptionsSchema = z
  .object({
    /** Also require a goal heading (adds two observation entries). Default `false`. */
    orientation: z.boolean().default(false),
    /** Reward 1 on success, 0 otherwise, instead of the dense reward. Default `false`. */
    sparse: z.boolean().default(false),
    /** End the episode (`terminated`) when the goal is reached. Default `true`. */
    terminateOnSuccess: z.boolean().default(true),
    /** Box mass, kg. Default 0.5. */
    boxMass: mass.default(0.5),
    /** Half the side of the cubic box, m. Default 0.05. */
    boxHalfSize: length.default(0.05),
    /** Friction coefficient of the box and the table (Rapier averages the two). Default 0.5. */
    friction: frictionCoefficient.default(0.5),
    /** Friction coefficient of the pusher (averaged with the box's). Default 0.2. */
    pusherFriction: frictionCoefficient.default(0.2),
    /** Pusher radius, m. Default 0.03. */
    pusherRadius: length.default(0.03),
    /** Largest pusher speed per axis, m/s (action 1 ↦ this). Default 0.5. */
    maxSpeed: speed.default(0.5),
    /** Half the side of the square table, m. Default 0.5. */
    tableHalfSize: length.default(0.5),
    /** Success radius for the box centre, m. Default 0.05. */
    goalTolerance: positive.default(0.05),
    /** Success tolerance on the heading (modulo 90°), rad, with `orientation`. Default 0.2. */
    yawTolerance: positive.default(0.2),
    /** Gravity, m/s² (downward). Default 9.81. */
    gravity: gravityField.default(9.81),
    /** Physics timestep, s. Default 0.01. */
    physicsDt: positive.max(0.1).default(0.01),
    /** Physics steps per control step. Default 5 (20 Hz control). */
    substeps: z.number().int().min(1).max(100).default(5),
  })
  .strict();

/** Options accepted by `make('PushBox-v0', options)` (see {@link PushBoxOptionsSchema} for defaults). */
export type PushBoxOptions = z.input<typeof PushBoxOptionsSchema>;
/** Fully resolved `PushBox-v0` options (after {@link PushBoxOptionsSchema} defaults are applied). */
export type PushBoxConfig = z.output<typeof PushBoxOptionsSchema>;

const ResetSchema = z
  .object({
    boxPosition: vec3.optional(),
    boxYaw: finite.optional(),
    boxVelocity: vec3.optional(),
    pusherPosition: vec2.optional(),
    goal: vec2.optional(),
    goalYaw: finite.optional(),
  })
  .strict();

/** `PushBox-v0` task state saved with the physics snapshot (see `captureTask`). */
export interface PushBoxTask {
  readonly variant: string;
  readonly goal: [number, number];
  readonly goalYaw: number;
}

/** Heading error of a cube, folded to [−π/4, π/4] (its four sides are alike). */
export function cubeYawError(yaw: number, goalYaw: number): number {
  const q = Math.PI / 2;
  let e = (yaw - goalYaw + Math.PI / 4) % q;
  if (e < 0) e += q;
  return e - Math.PI / 4;
}

/** Height of the pusher's centre above the table top, m (it hovers 5 mm above the table). */
const PUSHER_HALF_HEIGHT = 0.04;
const PUSHER_Y = PUSHER_HALF_HEIGHT + 0.005;

/**
 * `PushBox-v0`: a velocity-controlled cylindrical pusher on a table pushes a free box to a goal
 * position (and, with `orientation`, a goal heading). Contact-rich: the box slides with Coulomb
 * friction, turns when pushed off-centre, and can fall off the table.
 *
 * Geometry (y up): the table top is the plane y = 0 over |x|, |z| ≤ `tableHalfSize`. The pusher is a
 * kinematic (velocity-based) cylinder hovering 5 mm above the table, so it moves exactly as commanded
 * and is never pushed back; it is kept on the table by limiting the commanded velocity. The box is a
 * dynamic cube with explicit mass that never sleeps.
 *
 * Timing: control at 20 Hz (0.05 s), 5 physics substeps of 0.01 s by default; the commanded velocity is
 * held over the control period.
 *
 * Why the yaw rate is the step's mean: a 0.5 kg box with friction 0.5 stops spinning within two or three
 * substeps, so the angular velocity at the end of the last substep showed an off-centre push as a one-step
 * spike (up to ~4 rad/s between zeros) or not at all, depending on where in the 50 ms the contact fell —
 * something no 20 Hz observation carries. The mean over the substeps is what the heading did over the
 * step, which the observation can predict (docs/learn.md, "Controllability").
 *
 * **Observation** (`Box` of 13, or 15 with `orientation`, float32):
 *
 * | index | meaning | units |
 * |---|---|---|
 * | 0, 1, 2 | box centre x, y, z (y = half size when resting on the table) | m |
 * | 3, 4, 5 | box linear velocity vx, vy, vz | m/s |
 * | 6, 7 | cos, sin of the box heading (rotation about +y) | – |
 * | 8 | box yaw rate: angular velocity about +y, averaged over the control step's substeps (after reset: the instantaneous value) | rad/s |
 * | 9, 10 | pusher position x, z | m |
 * | 11, 12 | goal position x, z | m |
 * | 13, 14 | cos, sin of the goal heading (only with `orientation`) | – |
 *
 * **Action** (`Box` of 2 in [−1, 1]):
 *
 * | index | meaning | units |
 * |---|---|---|
 * | 0, 1 | pusher velocity vx, vz, × `maxSpeed` | m/s (after scaling) |
 *
 * **Reward**: dense (default) `−‖box − goal‖ − 0.1 ‖pusher − box‖` (m, planar), minus `0.1 |Δψ|` (rad,
 * the cube's heading error modulo 90°) with `orientation`; sparse: `1` when `info.success`, else `0`.
 * **Success**: the box centre is within `goalTolerance` of the goal (and, with `orientation`, its
 * heading within `yawTolerance` modulo 90°). **Termination**: on success when `terminateOnSuccess`
 * (default). **Truncation**: the box leaves the table (centre beyond the edge or below the top), or
 * the time limit (200 steps = 10 s).
 *
 * **Reset options**: `boxPosition: [x, y, z]`, `boxYaw` (rad), `boxVelocity: [vx, vy, vz]`,
 * `pusherPosition: [x, z]`, `goal: [x, z]`, `goalYaw` (rad) place things exactly (e.g. a box held
 * above the table with `y > half size` falls when stepped). Omitted ones are sampled: box within
 * ±0.25 m with heading in ±45°, goal within ±0.3 m at least 0.1 m from the box, pusher within ±0.4 m
 * at least 0.15 m from the box, goal heading in ±45° (only with `orientation`), velocity zero.
 */
export class PushBoxEnv extends PhysicsEnv<Float32Array, Float32Array, PushBoxTask> {
  readonly spec: EnvSpec;
  readonly observationSpace: Box;
  readonly actionSpace = new Box(-1, 1, [2]);
  override readonly metadata;
  readonly controlDt: number;
  /** The validated options (defaults filled in). */
  readonly config: Readonly<PushBoxConfig>;
  private readonly variant: string;
  private readonly obsDim: number;
  private readonly pusherLimit: number;
  private goal: [number, number] = [0, 0];
  private goalYaw = 0;
  private world: World | undefined;
  private box: RigidBody | undefined;
  private pusher: RigidBody | undefined;
  private readonly cmd = { x: 0, y: 0, z: 0 };
  private readonly v = { x: 0, y: 0, z: 0 };
  private readonly q = { x: 0, y: 0, z: 0, w: 1 };

  constructor(options: PushBoxOptions = {}) {
    super();
    this.config = Object.freeze(parseOptions(PushBoxOptionsSchema, options, 'PushBox-v0 options'));
    const c = this.config;
    if (c.tableHalfSize <= 4 * c.boxHalfSize) {
      throw new InvalidArgumentError(`PushBox-v0 options: expected \`tableHalfSize\` > 4 × boxHalfSize (${4 * c.boxHalfSize}), got ${c.tableHalfSize}`);
    }
    this.variant = JSON.stringify(c);
    this.controlDt = c.physicsDt * c.substeps;
    this.obsDim = c.orientation ? 15 : 13;
    this.pusherLimit = c.tableHalfSize - c.pusherRadius;
    const t = c.tableHalfSize;
    const inf = Infinity;
    const low = [-inf, -inf, -inf, -inf, -inf, -inf, -1, -1, -inf, -t, -t, -t, -t];
    const high = [inf, inf, inf, inf, inf, inf, 1, 1, inf, t, t, t, t];
    if (c.orientation) {
      low.push(-1, -1);
      high.push(1, 1);
    }
    this.observationSpace = new Box(low, high);
    this.spec = { id: 'PushBox-v0', maxEpisodeSteps: 200, kwargs: { ...options } };
    this.metadata = { renderModes: ['ansi', 'frame'], renderFps: 1 / this.controlDt };
  }

  protected resetEpisode(options: Record<string, unknown>): ResetResult<Float32Array> {
    const opts = parseOptions(ResetSchema, options, 'PushBox-v0 reset options');
    const c = this.config;
    const t = c.tableHalfSize;
    const check = (name: string, x: number, z: number, limit: number) => {
      if (Math.abs(x) > limit || Math.abs(z) > limit) {
        throw new InvalidArgumentError(`PushBox-v0 reset options: expected \`${name}\` over the table (|x|, |z| <= ${limit}), got ${describeValue([x, z])}`);
      }
    };
    if (opts.pusherPosition) check('pusherPosition', opts.pusherPosition[0], opts.pusherPosition[1], this.pusherLimit);
    if (opts.goal) check('goal', opts.goal[0], opts.goal[1], t);

    // Fixed draw order (box, yaw, goal, goal yaw, pusher) so a seed always means the same episode.
    const u = (a: number) => this.rng.uniformRange(-a, a);
    const box: [number, number, number] = opts.boxPosition ? [...opts.boxPosition] : [u(0.25), c.boxHalfSize, u(0.25)];
    const boxYaw = opts.boxYaw ?? u(Math.PI / 4);
    let goal = opts.goal;
    while (goal === undefined) {
      const g: [number, number] = [u(0.3), u(0.3)];
      if (Math.hypot(g[0] - box[0], g[1] - box[2]) >= 0.1) goal = g;
    }
    const goalYaw = c.orientation ? (opts.goalYaw ?? u(Math.PI / 4)) : (opts.goalYaw ?? 0);
    let pusher = opts.pusherPosition;
    while (pusher === undefined) {
      const p: [number, number] = [u(0.4), u(0.4)];
      if (Math.hypot(p[0] - box[0], p[1] - box[2]) >= 0.15) pusher = p;
    }
    this.goal = [goal[0], goal[1]];
    this.goalYaw = goalYaw;

    const bodies: BodySpec[] = [
      { name: 'table', kind: 'fixed', shape: { type: 'box', halfExtents: [t, 0.05, t] }, position: [0, -0.05, 0], friction: c.friction, tag: 'table' },
      {
        name: 'box',
        kind: 'dynamic',
        shape: { type: 'box', halfExtents: [c.boxHalfSize, c.boxHalfSize, c.boxHalfSize] },
        position: box,
        rotation: quatFromYaw(boxYaw),
        mass: c.boxMass,
        friction: c.friction,
        // Sleeping would freeze the box below a speed threshold: a discontinuity a world model cannot see.
        canSleep: false,
        ...(opts.boxVelocity && { linearVelocity: opts.boxVelocity }),
        tag: 'box',
      },
      {
        name: 'pusher',
        kind: 'kinematic-velocity',
        shape: { type: 'cylinder', halfHeight: PUSHER_HALF_HEIGHT, radius: c.pusherRadius },
        position: [pusher[0], PUSHER_Y, pusher[1]],
        friction: c.pusherFriction,
        canSleep: false,
        tag: 'robot',
      },
    ];
    this.scene = Scene.build(bodies, { gravity: [0, -c.gravity, 0], timestep: c.physicsDt });
    this.bind();
    const observation = this.observe();
    return { observation, info: { success: this.isSuccess(observation) } };
  }

  private bind(): void {
    this.world = this.liveScene.world;
    this.box = this.liveScene.body('box');
    this.pusher = this.liveScene.body('pusher');
  }

  protected stepEpisode(action: Float32Array): StepResult<Float32Array> {
    const c = this.config;
    const pusher = this.pusher!;
    const world = this.world!;
    // Limit the command so the pusher ends the control period on the table (it would otherwise fly off).
    const p = pusher.translation(this.v);
    const L = this.pusherLimit;
    const T = this.controlDt;
    const vx = action[0]! * c.maxSpeed;
    const vz = action[1]! * c.maxSpeed;
    this.cmd.x = Math.min((L - p.x) / T, Math.max((-L - p.x) / T, vx));
    this.cmd.z = Math.min((L - p.z) / T, Math.max((-L - p.z) / T, vz));
    pusher.setLinvel(this.cmd, true);
    const box = this.box!;
    let yawRate = 0;
    for (let i = 0; i < c.substeps; i++) {
      world.step();
      yawRate += box.angvel(this.v).y;
    }

    const observation = this.observe(yawRate / c.substeps);
    const success = this.isSuccess(observation);
    let reward: number;
    if (c.sparse) reward = success ? 1 : 0;
    else {
      reward =
        -Math.hypot(observation[0]! - this.goal[0], observation[2]! - this.goal[1]) - 0.1 * Math.hypot(observation[9]! - observation[0]!, observation[10]! - observation[2]!);
      if (c.orientation) reward -= 0.1 * Math.abs(cubeYawError(Math.atan2(observation[7]!, observation[6]!), this.goalYaw));
    }
    const t = c.tableHalfSize;
    const offTable = Math.abs(observation[0]!) > t || Math.abs(observation[2]!) > t || observation[1]! < 0;
    return { observation, reward, terminated: success && c.terminateOnSuccess, truncated: offTable, info: { success } };
  }

  /** The observation; `yawRate` is the step's mean (the instantaneous angular velocity after a reset). */
  private observe(yawRate = this.box!.angvel(this.v).y): Float32Array {
    const box = this.box!;
    const obs = new Float32Array(this.obsDim);
    const p = box.translation(this.v);
    obs[0] = p.x;
    obs[1] = p.y;
    obs[2] = p.z;
    const v = box.linvel(this.v);
    obs[3] = v.x;
    obs[4] = v.y;
    obs[5] = v.z;
    const yaw = yawOf(box.rotation(this.q));
    obs[6] = Math.cos(yaw);
    obs[7] = Math.sin(yaw);
    obs[8] = yawRate;
    const pp = this.pusher!.translation(this.v);
    obs[9] = pp.x;
    obs[10] = pp.z;
    obs[11] = this.goal[0];
    obs[12] = this.goal[1];
    if (this.obsDim === 15) {
      obs[13] = Math.cos(this.goalYaw);
      obs[14] = Math.sin(this.goalYaw);
    }
    return obs;
  }

  private isSuccess(obs: Float32Array): boolean {
    const c = this.config;
    if (Math.hypot(obs[0]! - this.goal[0], obs[2]! - this.goal[1]) > c.goalTolerance) return false;
    return !c.orientation || Math.abs(cubeYawError(Math.atan2(obs[7]!, obs[6]!), this.goalYaw)) <= c.yawTolerance;
  }

  protected captureTask(): PushBoxTask {
    return { variant: this.variant, goal: this.goal, goalYaw: this.goalYaw };
  }

  protected override checkTask(task: PushBoxTask): void {
    if (task?.variant !== this.variant) {
      throw new InvalidArgumentError(`PushBox-v0.setState: expected a state saved by an environment with options ${this.variant}, got one with ${describeValue(task?.variant)}`);
    }
  }

  protected restoreTask(task: PushBoxTask): void {
    this.goal = [task.goal[0], task.goal[1]];
    this.goalYaw = task.goalYaw;
    this.bind();
  }

  protected override frameMarkers(): FrameMarker[] {
    return [{ name: 'goal', position: [this.goal[0], 0, this.goal[1]], rotation: quatFromYaw(this.goalYaw), radius: this.config.goalTolerance, tag: 'goal' }];
  }

  protected renderAnsi(): string {
    if (this.box === undefined) throw new EnvStateError('PushBox-v0: no scene yet; call reset() first');
    const t = this.config.tableHalfSize;
    const b = this.box.translation();
    const p = this.pusher!.translation();
    // Screen up is −z, so the view matches a top-down plot with x to the right.
    const grid = plotGrid({ uMin: -t, uMax: t, vMin: -t, vMax: t }, [
      { u: this.goal[0], v: -this.goal[1], glyph: 'G' },
      { u: b.x, v: -b.z, glyph: 'B' },
      { u: p.x, v: -p.z, glyph: 'o' },
    ]);
    const d = Math.hypot(b.x - this.goal[0], b.z - this.goal[1]);
    return `${grid}\nbox=(${fmt(b.x)}, ${fmt(b.y)}, ${fmt(b.z)}) pusher=(${fmt(p.x)}, ${fmt(p.z)}) goal=(${fmt(this.goal[0])}, ${fmt(this.goal[1])}) d=${fmt(d)} step=${this.elapsedSteps}`;
  }
}
