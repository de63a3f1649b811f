/**
 * `Reach-v0`: a ball on a flat floor, pushed by a horizontal force, must reach a goal point. The
 * simplest continuous-control task: a damped point mass in the plane, with real contact against the
 * floor (gravity holds it down; the floor is frictionless and the ball's rotations are locked, so it
 * slides like a point mass instead of rolling).
 *
 * @module
 */
import type { RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { EnvStateError, InvalidArgumentError, describeValue } from '../../src/errors.js';
import type { EnvSpec, ResetResult, StepResult } from '../../src/env.js';
import { parseOptions, z } from '../../src/options.js';
import { PhysicsEnv } from '../../src/physics/physics-env.js';
import { Scene, type FrameMarker } from '../../src/physics/scene.js';
import { Box } from '../../src/spaces.js';
import { fmt, plotGrid } from '../common/ansi.js';
import { force, gravity as gravityField, length, mass, nonNegative, positive, vec2 } from '../common/schemas.js';

/** Constructor options of {@link ReachEnv}. */
export const ReachOptionsSchema = z
  .object({
    /** Reward 1 on success, 0 otherwise, instead of the negative distance. Default `false`. */
    sparse: z.boolean().default(false),
    /** End the episode (`terminated`) when the goal is reached. Default `true`. */
    terminateOnSuccess: z.boolean().default(true),
    /** Ball mass, kg. Default 1. */
    mass: mass.default(1),
    /** Ball radius, m. Default 0.05. */
    radius: length.default(0.05),
    /** Largest force per axis, N (action 1 ↦ this). Default 2. */
    maxForce: force.default(2),
    /** Linear damping c, 1/s (`m a = F − m c v`). Default 0.5. */
    damping: nonNegative.default(0.5),
    /** Half the side of the square arena, m. Default 1. */
    arenaHalfSize: length.default(1),
    /** Success radius around the goal, m. Default 0.05. */
    goalTolerance: positive.default(0.05),
    /** Gravity, m/s² (downward). Default 9.81. */
    gravity: gravityField.default(9.81),
    /** Physics timestep, s. Default 0.01. */
    physicsDt: positive.max(0.1).default(0.01),
    /** Physics steps per control step. Default 5 (20 Hz control). */
    substeps: z.number().int().min(1).max(100).default(5),
  })
  .strict();

/** Options accepted by `make('Reach-v0', options)` (see {@link ReachOptionsSchema} for defaults). */
export type ReachOptions = z.input<typeof ReachOptionsSchema>;
/** Fully resolved `Reach-v0` options (after {@link ReachOptionsSchema} defaults are applied). */
export type ReachConfig = z.output<typeof ReachOptionsSchema>;

const ResetSchema = z.object({ start: vec2.optional(), velocity: vec2.optional(), goal: vec2.optional() }).strict();

/** `Reach-v0` task state saved with the physics snapshot (see `captureTask`). */
export interface ReachTask {
  readonly variant: string;
  readonly goal: [number, number];
}

/**
 * `Reach-v0`: a ball on a flat floor, pushed by a horizontal force, must reach a goal point. The
 * simplest continuous-control task: a damped point mass in the plane, with real contact against the
 * floor (gravity holds it down; the floor is frictionless and the ball's rotations are locked, so it
 * slides like a point mass instead of rolling).
 *
 * Geometry (y up): the floor is the x–z plane; the arena is the square |x|, |z| ≤ `arenaHalfSize`.
 * Timing: control at 20 Hz (0.05 s), 5 physics substeps of 0.01 s by default; the force is held over
 * the control period. Dynamics: `m a = F − m c v` with linear damping c (Rapier's damping, applied
 * per substep).
 *
 * **Observation** (`Box` of 6, float32):
 *
 * | index | meaning | units |
 * |---|---|---|
 * | 0, 1 | ball position x, z | m |
 * | 2, 3 | ball velocity vx, vz | m/s |
 * | 4, 5 | goal position x, z | m |
 *
 * **Action** (`Box` of 2 in [−1, 1]):
 *
 * | index | meaning | units |
 * |---|---|---|
 * | 0, 1 | horizontal force Fx, Fz, × `maxForce` | N (after scaling) |
 *
 * **Reward**: dense (default) `−‖ball − goal‖` (m); sparse: `1` when `info.success`, else `0`.
 * **Success**: the ball's centre is within `goalTolerance` of the goal. **Termination**: on success when
 * `terminateOnSuccess` (default). **Truncation**: the ball leaves the arena, or the time limit
 * (100 steps = 5 s).
 *
 * **Reset options**: `start: [x, z]`, `velocity: [vx, vz]`, `goal: [x, z]` place things exactly; each
 * one omitted is sampled (start and goal uniformly in 80% of the arena, at least 0.2 m apart;
 * velocity zero).
 */
export class ReachEnv extends PhysicsEnv<Float32Array, Float32Array, ReachTask> {
  readonly spec: EnvSpec;
  readonly observationSpace: Box;
  readonly actionSpace = new Box(-1, 1, [2]);
  override readonly metadata;
  readonly controlDt: number;
  /** The validated options (defaults filled in). */
  readonly config: Readonly<ReachConfig>;
  private readonly variant: string;
  private goal: [number, number] = [0, 0];
  private world: World | undefined;
  private ball: RigidBody | undefined;
  private readonly force = { x: 0, y: 0, z: 0 };
  private readonly v = { x: 0, y: 0, z: 0 };

  constructor(options: ReachOptions = {}) {
    super();
    this.config = Object.freeze(parseOptions(ReachOptionsSchema, options, 'Reach-v0 options'));
    this.variant = JSON.stringify(this.config);
    this.controlDt = this.config.physicsDt * this.config.substeps;
    const a = this.config.arenaHalfSize;
    // The ball may overshoot the arena on the step that truncates the episode, so its position is unbounded.
    this.observationSpace = new Box([-Infinity, -Infinity, -Infinity, -Infinity, -a, -a], [Infinity, Infinity, Infinity, Infinity, a, a]);
    this.spec = { id: 'Reach-v0', maxEpisodeSteps: 100, kwargs: { ...options } };
    this.metadata = { renderModes: ['ansi', 'frame'], renderFps: 1 / this.controlDt };
  }

  protected resetEpisode(options: Record<string, unknown>): ResetResult<Float32Array> {
    const opts = parseOptions(ResetSchema, options, 'Reach-v0 reset options');
    const c = this.config;
    const a = c.arenaHalfSize;
    for (const key of ['start', 'goal'] as const) {
      const p = opts[key];
      if (p !== undefined && (Math.abs(p[0]) > a || Math.abs(p[1]) > a)) {
        throw new InvalidArgumentError(`Reach-v0 reset options: expected \`${key}\` inside the arena |x|, |z| <= ${a}, got ${describeValue(p)}`);
      }
    }
    const span = 0.8 * a;
    const draw = (): [number, number] => [this.rng.uniformRange(-span, span), this.rng.uniformRange(-span, span)];
    // Draw in a fixed order (start, then goal) so a given seed always means the same episode.
    const start = opts.start ?? draw();
    let goal = opts.goal;
    while (goal === undefined) {
      const g = draw();
      if (Math.hypot(g[0] - start[0], g[1] - start[1]) >= 0.2) goal = g;
    }
    this.goal = [goal[0], goal[1]];
    const velocity = opts.velocity ?? [0, 0];
    this.scene = Scene.build(
      [
        { name: 'floor', kind: 'fixed', shape: { type: 'box', halfExtents: [a + 0.5, 0.05, a + 0.5] }, position: [0, -0.05, 0], friction: 0, tag: 'floor' },
        {
          name: 'ball',
          kind: 'dynamic',
          shape: { type: 'ball', radius: c.radius },
          position: [start[0], c.radius, start[1]],
          mass: c.mass,
          friction: 0,
          linearDamping: c.damping,
          enabledRotations: [false, false, false],
          canSleep: false,
          linearVelocity: [velocity[0], 0, velocity[1]],
          tag: 'robot',
        },
      ],
      { gravity: [0, -c.gravity, 0], timestep: c.physicsDt },
    );
    this.bind();
    const observation = this.observe();
    return { observation, info: { success: this.distance(observation) <= c.goalTolerance } };
  }

  private bind(): void {
    this.world = this.liveScene.world;
    this.ball = this.liveScene.body('ball');
  }

  protected stepEpisode(action: Float32Array): StepResult<Float32Array> {
    const c = this.config;
    const ball = this.ball!;
    const world = this.world!;
    // addForce persists until resetForces: replace it once per control step (zero-order hold).
    ball.resetForces(false);
    this.force.x = action[0]! * c.maxForce;
    this.force.z = action[1]! * c.maxForce;
    ball.addForce(this.force, true);
    for (let i = 0; i < c.substeps; i++) world.step();

    const observation = this.observe();
    const distance = this.distance(observation);
    const success = distance <= c.goalTolerance;
    const a = c.arenaHalfSize;
    const outside = Math.abs(observation[0]!) > a || Math.abs(observation[1]!) > a;
    return {
      observation,
      reward: c.sparse ? (success ? 1 : 0) : -distance,
      terminated: success && c.terminateOnSuccess,
      truncated: outside,
      info: { success },
    };
  }

  private observe(): Float32Array {
    const ball = this.ball!;
    const obs = new Float32Array(6);
    const p = ball.translation(this.v);
    obs[0] = p.x;
    obs[1] = p.z;
    const v = ball.linvel(this.v);
    obs[2] = v.x;
    obs[3] = v.z;
    obs[4] = this.goal[0];
    obs[5] = this.goal[1];
    return obs;
  }

  private distance(obs: Float32Array): number {
    return Math.hypot(obs[0]! - this.goal[0], obs[1]! - this.goal[1]);
  }

  protected captureTask(): ReachTask {
    return { variant: this.variant, goal: this.goal };
  }

  protected override checkTask(task: ReachTask): void {
    if (task?.variant !== this.variant) {
      throw new InvalidArgumentError(`Reach-v0.setState: expected a state saved by an environment with options ${this.variant}, got one with ${describeValue(task?.variant)}`);
    }
  }

  protected restoreTask(task: ReachTask): void {
    this.goal = [task.goal[0], task.goal[1]];
    this.bind();
  }

  protected override frameMarkers(): FrameMarker[] {
    return [{ name: 'goal', position: [this.goal[0], 0, this.goal[1]], radius: this.config.goalTolerance, tag: 'goal' }];
  }

  protected renderAnsi(): string {
    if (this.ball === undefined) throw new EnvStateError('Reach-v0: no scene yet; call reset() first');
    const a = this.config.arenaHalfSize;
    const p = this.ball.translation(this.v);
    const [px, pz] = [p.x, p.z];
    // Screen up is −z, so the view matches a top-down plot with x to the right.
    const grid = plotGrid({ uMin: -a, uMax: a, vMin: -a, vMax: a }, [
      { u: this.goal[0], v: -this.goal[1], glyph: 'G' },
      { u: px, v: -pz, glyph: 'o' },
    ]);
    return `${grid}\nball=(${fmt(px)}, ${fmt(pz)}) goal=(${fmt(this.goal[0])}, ${fmt(this.goal[1])}) d=${fmt(Math.hypot(px - this.goal[0], pz - this.goal[1]))} step=${this.elapsedSteps}`;
  }
}
