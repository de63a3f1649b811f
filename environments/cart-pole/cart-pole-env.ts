/**
 * `CartPole-v0`: a cart on a prismatic impulse joint with a pole on a revolute impulse joint, driven
 * by a continuous horizontal force. Balance the pole upright (default) or, with `swingUp`, swing it
 * up from hanging down and hold it there.
 *
 * @module
 */
import type { RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { EnvStateError, InvalidArgumentError, describeValue } from '../../src/errors.js';
import type { EnvSpec, ResetResult, StepResult } from '../../src/env.js';
import { parseOptions, z } from '../../src/options.js';
import { PhysicsEnv } from '../../src/physics/physics-env.js';
import { Scene, type BodySpec, type FrameMarker, type JointSpec } from '../../src/physics/scene.js';
import { Box } from '../../src/spaces.js';
import { fmt, plotGrid } from '../common/ansi.js';
import { finite, force, gravity as gravityField, length, mass, positive } from '../common/schemas.js';
import { wrapAngle, quatFromAngleZ } from '../common/math.js';

/** Constructor options of {@link CartPoleEnv}. */
export const CartPoleOptionsSchema = z
  .object({
    /** Start hanging down and swing up instead of balancing. Default `false`. */
    swingUp: z.boolean().default(false),
    /** Reward 1 on success steps, 0 otherwise, instead of the dense reward. Default `false`. */
    sparse: z.boolean().default(false),
    /** Cart mass, kg. Default 1.0. */
    cartMass: mass.default(1.0),
    /** Pole mass, kg (uniform rod). Default 0.1. */
    poleMass: mass.default(0.1),
    /** Full pole length, m (the pivot is at one end). Default 1.0. */
    poleLength: length.default(1.0),
    /** Largest force on the cart, N (action 1 ↦ this). Default 10. */
    maxForce: force.default(10),
    /** Half length of the track, m: leaving it truncates the episode. Default 2.4. */
    xLimit: length.default(2.4),
    /** Balance mode: |θ| beyond this (rad) terminates the episode. Default 0.2095 (12°). */
    failAngle: positive.default((12 * Math.PI) / 180),
    /** |θ| within this (rad) counts as upright for `info.success`. Default 0.2095 (12°). */
    successAngle: positive.default((12 * Math.PI) / 180),
    /** Gravity, m/s² (downward). Default 9.81. */
    gravity: gravityField.default(9.81),
    /** Physics timestep, s. Default 0.01. */
    physicsDt: positive.max(0.1).default(0.01),
    /** Physics steps per control step. Default 2 (50 Hz control). */
    substeps: z.number().int().min(1).max(100).default(2),
  })
  .strict();

/** Options accepted by `make('CartPole-v0', options)` (see {@link CartPoleOptionsSchema} for defaults). */
export type CartPoleOptions = z.input<typeof CartPoleOptionsSchema>;
/** Fully resolved `CartPole-v0` options (after {@link CartPoleOptionsSchema} defaults are applied). */
export type CartPoleConfig = z.output<typeof CartPoleOptionsSchema>;

const ResetSchema = z
  .object({
    /** `[x, ẋ, θ, θ̇]` in m, m/s, rad, rad/s. */
    state: z.tuple([finite, finite, finite, finite]).optional(),
  })
  .strict();

/** `CartPole-v0` task state saved with the physics snapshot (see `captureTask`). */
export interface CartPoleTask {
  readonly variant: string;
}

/**
 * `CartPole-v0`: a cart on a prismatic impulse joint with a pole on a revolute impulse joint, driven
 * by a continuous horizontal force. Balance the pole upright (default) or, with `swingUp`, swing it
 * up from hanging down and hold it there.
 *
 * Geometry (y up): the cart slides along x; the pole turns about z in the x–y plane. θ = 0 is
 * upright and θ > 0 means the tip leans toward +x (the convention of the classic cart-pole equations,
 * so pushing the cart toward +x makes θ fall). Nothing collides: only the joints act.
 *
 * Timing: control at 50 Hz (0.02 s, as in Gymnasium's CartPole), 2 physics substeps of 0.01 s each by
 * default; the force is held constant over the control period.
 *
 * **Observation** (`Box` of 5, float32):
 *
 * | index | meaning | units |
 * |---|---|---|
 * | 0 | cart position x | m |
 * | 1 | cart velocity ẋ | m/s |
 * | 2 | cos θ (pole angle from upright) | – |
 * | 3 | sin θ | – |
 * | 4 | pole angular velocity θ̇ (positive: tip moving toward +x) | rad/s |
 *
 * **Action** (`Box` of 1 in [−1, 1]):
 *
 * | index | meaning | units |
 * |---|---|---|
 * | 0 | horizontal force on the cart, × `maxForce` | N (after scaling) |
 *
 * **Reward**: dense (default) `(1 + cos θ)/2 − 0.1 (x / xLimit)²` (≈ 1 per step upright at the centre);
 * sparse: `1` when `info.success`, else `0`.
 *
 * **Success** (`info.success`, every step): the pole is within `successAngle` of upright and the cart
 * within the track. **Termination**: balance mode only, when |θ| > `failAngle` (failure). **Truncation**:
 * the cart leaves the track (|x| > `xLimit`), or the time limit (500 steps).
 *
 * **Reset options** (`reset({ options })`): `state: [x, ẋ, θ, θ̇]` places the system exactly
 * (θ in rad, any value; θ = π is hanging down). Otherwise every component is drawn uniformly from
 * ±0.05 (around θ = π with `swingUp`).
 */
export class CartPoleEnv extends PhysicsEnv<Float32Array, Float32Array, CartPoleTask> {
  readonly spec: EnvSpec;
  readonly observationSpace = new Box([-Infinity, -Infinity, -1, -1, -Infinity], [Infinity, Infinity, 1, 1, Infinity]);
  readonly actionSpace = new Box(-1, 1, [1]);
  override readonly metadata;
  readonly controlDt: number;
  /** The validated options (defaults filled in). */
  readonly config: Readonly<CartPoleConfig>;
  private readonly variant: string;
  private world: World | undefined;
  private cart: RigidBody | undefined;
  private pole: RigidBody | undefined;
  private readonly force = { x: 0, y: 0, z: 0 };
  private readonly q = { x: 0, y: 0, z: 0, w: 1 };
  private readonly v = { x: 0, y: 0, z: 0 };

  constructor(options: CartPoleOptions = {}) {
    super();
    this.config = Object.freeze(parseOptions(CartPoleOptionsSchema, options, 'CartPole-v0 options'));
    this.variant = JSON.stringify(this.config);
    this.controlDt = this.config.physicsDt * this.config.substeps;
    this.spec = { id: 'CartPole-v0', maxEpisodeSteps: 500, kwargs: { ...options } };
    this.metadata = { renderModes: ['ansi', 'frame'], renderFps: 1 / this.controlDt };
  }

  /** Half the pole length: the distance from the pivot to the pole's centre of mass, m. */
  get halfLength(): number {
    return this.config.poleLength / 2;
  }

  protected resetEpisode(options: Record<string, unknown>): ResetResult<Float32Array> {
    const opts = parseOptions(ResetSchema, options, 'CartPole-v0 reset options');
    const c = this.config;
    let state: readonly [number, number, number, number];
    if (opts.state !== undefined) state = opts.state;
    else {
      const r = () => this.rng.uniformRange(-0.05, 0.05);
      state = [r(), r(), (c.swingUp ? Math.PI : 0) + r(), r()];
    }
    this.scene = Scene.build(...this.sceneSpec(state));
    this.bind();
    return { observation: this.observe(), info: { success: this.isSuccess(this.readTheta()) } };
  }

  /** Bodies, world settings and joints for the state `[x, ẋ, θ, θ̇]` (canonical order: rail, cart, pole). */
  private sceneSpec(state: readonly [number, number, number, number]): Parameters<typeof Scene.build> {
    const c = this.config;
    const [x, xDot, theta, thetaDot] = state;
    const l = this.halfLength;
    const noContacts = 0; // membership 0, filter 0: the bodies touch nothing; only the joints act
    const bodies: BodySpec[] = [
      { name: 'rail', kind: 'fixed', shape: { type: 'box', halfExtents: [c.xLimit, 0.01, 0.01] }, position: [0, 0, 0], collisionGroups: noContacts, tag: 'track' },
      {
        name: 'cart',
        kind: 'dynamic',
        shape: { type: 'box', halfExtents: [0.2, 0.1, 0.1] },
        position: [x, 0, 0],
        mass: c.cartMass,
        canSleep: false,
        collisionGroups: noContacts,
        linearVelocity: [xDot, 0, 0],
        tag: 'cart',
      },
      {
        name: 'pole',
        kind: 'dynamic',
        shape: { type: 'box', halfExtents: [0.02, l, 0.02] },
        position: [x + l * Math.sin(theta), l * Math.cos(theta), 0],
        rotation: quatFromAngleZ(-theta),
        mass: c.poleMass,
        canSleep: false,
        collisionGroups: noContacts,
        linearVelocity: [xDot + l * thetaDot * Math.cos(theta), -l * thetaDot * Math.sin(theta), 0],
        angularVelocity: [0, 0, -thetaDot],
        tag: 'pole',
      },
    ];
    const joints: JointSpec[] = [
      { name: 'slider', type: 'prismatic', body1: 'rail', body2: 'cart', anchor1: [0, 0, 0], anchor2: [0, 0, 0], axis: [1, 0, 0], contactsEnabled: false },
      { name: 'hinge', type: 'revolute', body1: 'cart', body2: 'pole', anchor1: [0, 0, 0], anchor2: [0, -l, 0], axis: [0, 0, 1], contactsEnabled: false },
    ];
    return [bodies, { gravity: [0, -c.gravity, 0], timestep: c.physicsDt }, joints];
  }

  /** Caches the live world and bodies (restored worlds come with new wrappers). */
  private bind(): void {
    const scene = this.liveScene;
    this.world = scene.world;
    this.cart = scene.body('cart');
    this.pole = scene.body('pole');
  }

  protected stepEpisode(action: Float32Array): StepResult<Float32Array> {
    const cart = this.cart!;
    const world = this.world!;
    // addForce persists until resetForces: replace it once per control step (zero-order hold).
    cart.resetForces(false);
    this.force.x = action[0]! * this.config.maxForce;
    cart.addForce(this.force, true);
    for (let i = 0; i < this.config.substeps; i++) world.step();

    const observation = this.observe();
    const x = observation[0]!;
    const theta = Math.atan2(observation[3]!, observation[2]!);
    const success = this.isSuccess(theta, x);
    const c = this.config;
    const reward = c.sparse ? (success ? 1 : 0) : (1 + observation[2]!) / 2 - 0.1 * (x / c.xLimit) ** 2;
    const terminated = !c.swingUp && Math.abs(theta) > c.failAngle;
    const truncated = Math.abs(x) > c.xLimit;
    return { observation, reward, terminated, truncated, info: { success } };
  }

  /** The pole angle θ from upright (rad, in (−π, π]). */
  readTheta(): number {
    const q = this.pole!.rotation(this.q);
    // The pole's local up axis in world coordinates: (2(xy − wz), 1 − 2(x² + z²)).
    return Math.atan2(2 * (q.x * q.y - q.w * q.z), 1 - 2 * (q.x * q.x + q.z * q.z));
  }

  private observe(): Float32Array {
    const cart = this.cart!;
    const obs = new Float32Array(5);
    obs[0] = cart.translation(this.v).x;
    obs[1] = cart.linvel(this.v).x;
    const theta = this.readTheta();
    obs[2] = Math.cos(theta);
    obs[3] = Math.sin(theta);
    obs[4] = -this.pole!.angvel(this.v).z;
    return obs;
  }

  private isSuccess(theta: number, x = this.cart!.translation(this.v).x): boolean {
    return Math.abs(wrapAngle(theta)) <= this.config.successAngle && Math.abs(x) <= this.config.xLimit;
  }

  protected captureTask(): CartPoleTask {
    return { variant: this.variant };
  }

  protected override checkTask(task: CartPoleTask): void {
    if (task?.variant !== this.variant) {
      throw new InvalidArgumentError(`CartPole-v0.setState: expected a state saved by an environment with options ${this.variant}, got one with ${describeValue(task?.variant)}`);
    }
  }

  protected restoreTask(_task: CartPoleTask): void {
    this.bind();
  }

  protected override frameMarkers(): FrameMarker[] {
    const c = this.config;
    return [
      { name: 'track-left', position: [-c.xLimit, 0, 0], radius: 0.02, tag: 'limit' },
      { name: 'track-right', position: [c.xLimit, 0, 0], radius: 0.02, tag: 'limit' },
    ];
  }

  protected renderAnsi(): string {
    if (this.cart === undefined) throw new EnvStateError('CartPole-v0: no scene yet; call reset() first');
    const c = this.config;
    const x = this.cart.translation(this.v).x;
    const theta = this.readTheta();
    const l = c.poleLength;
    const marks = [];
    for (let i = 1; i <= 8; i++) marks.push({ u: x + (l * i * Math.sin(theta)) / 8, v: (l * i * Math.cos(theta)) / 8, glyph: 'o' });
    marks.push({ u: x, v: 0, glyph: 'C' });
    const grid = plotGrid({ uMin: -c.xLimit, uMax: c.xLimit, vMin: -l, vMax: l, columns: 49, rows: 11 }, marks);
    return `${grid}\nx=${fmt(x)} m  theta=${fmt(theta)} rad  step=${this.elapsedSteps}`;
  }
}
