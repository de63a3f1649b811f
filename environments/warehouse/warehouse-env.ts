/**
 * `Warehouse-v0`: mobile robots deliver packages to drop zones among static shelves, on Rapier.
 *
 * **Bodies.** Robots are hovering holonomic bases (0.5 m square, 30 kg; y and all rotations locked,
 * no floor contact) driven by a velocity servo: each physics step an impulse moves the robot's
 * velocity toward the command by at most `maxAcceleration·dt`, so a robot accelerates like a body
 * with a motor force limit of `robotMass·maxAcceleration`, and carrying or pushing slows it. Packages
 * are dynamic 0.3 m cubes (5 kg) on the floor; shelves, walls and the grid's boundary are fixed.
 *
 * **Grip** (`gripMode: 'lift'`, Kiva-style). While `grip > 0`, an empty robot attaches the nearest
 * package whose side is within `gripReach` of its own (planar, per axis) with a fixed impulse joint,
 * lifting it by `liftHeight`; while `grip ≤ 0`, a carrying robot releases it (the joint is removed and
 * the package drops). Grip is level-triggered and evaluated at the start of each step, before the
 * physics. In `'push'` mode there is no grip entry and packages move only by contact.
 *
 * **Delivery.** A package is delivered when it is not carried, its centre lies inside a drop-zone
 * cell, it rests on the floor (centre less than 5 cm above its resting height) and its planar speed is
 * below `deliverySpeed`. A delivered package is taken out of play at once (its body is disabled: it no
 * longer collides, is invisible to lidar, and is left out of frames). Credit goes to the robot that
 * last released it, else to the nearest robot. The episode terminates with `info.success = true` when
 * every package is delivered; the time limit (200 steps via `make`) truncates, never terminates.
 *
 * **Observation**: one block per robot (see {@link WAREHOUSE_OBS} for the index table), concatenated
 * in robot order. **Action**: `[vx, vz, grip]` per robot in [−1, 1] (`[vx, vz]` in push mode); the
 * velocity command is `maxSpeed × (vx, vz)`, clipped to norm `maxSpeed`.
 *
 * **Reward** (summed over robots): dense (default) `ΔΦ + deliveryBonus × deliveries − collisionPenalty ×
 * collisions` with the potential Φ of `task.ts`; sparse: `1 × deliveries − collisionPenalty × collisions`.
 *
 * **Info** (every step): `success`, `deliveries`, `packagesRemaining`, `collisions`,
 * `robotRobotCollisions`, `robotShelfCollisions` (collisions count contacts that start, robot–robot
 * pairs once), `idleSteps` (robot-steps slower than 0.05 m/s), `idleTime` (the same in robot-seconds),
 * `throughput` (deliveries per simulated hour), `deliveriesPerRobotHour` (throughput per robot),
 * `simTime` (s).
 *
 * @module
 */
import { PathDistances } from './path-distance.js';
import type { EventQueue, RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { EnvStateError, InvalidArgumentError, describeValue } from '../../src/errors.js';
import type { EnvSpec, Info, ResetResult, StepResult } from '../../src/env.js';
import { PhysicsEnv } from '../../src/physics/physics-env.js';
import { rapier } from '../../src/physics/rapier.js';
import type { Frame, FrameMarker } from '../../src/physics/scene.js';
import { Box } from '../../src/spaces.js';
import { resolveWarehouseOptions, type WarehouseConfig, type WarehouseOptions } from './config.js';
import { CellKind, type Layout } from './layout.js';
import { Lidar } from './lidar.js';
import { observationLayout, robotActionDim, robotObservationSpace, writeObservations, type ObservationLayout } from './observation.js';
import { renderWarehouseAnsi } from './render.js';
import { episodeStart } from './reset-options.js';
import { TaskArrays, computeTargets, isCarried, type WarehouseTaskState } from './task.js';
import { ColliderRole, buildWarehouseScene, cellCentre, colliderRoles, warehouseHeights } from './world.js';

const IDLE_SPEED = 0.05;
const RESTING_TOLERANCE = 0.05;

/** The warehouse delivery task on Rapier. See the module docs for bodies, grip, delivery, rewards. */
export class WarehouseEnv extends PhysicsEnv<Float32Array, Float32Array, WarehouseTaskState> {
  readonly spec: EnvSpec;
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  override readonly metadata;
  readonly controlDt: number;
  /** The validated options (defaults filled in). */
  readonly config: WarehouseConfig;
  /** The parsed layout. */
  readonly layout: Layout;
  /** Robots in the layout (observation and action blocks). */
  readonly numRobots: number;
  /** Packages in the layout. */
  readonly numPackages: number;
  /** One robot's observation block. */
  readonly robotObservationSpace: Box;
  /** One robot's action block. */
  readonly robotActionSpace: Box;
  /** Offsets inside a robot's observation block. */
  readonly obsLayout: ObservationLayout;

  private readonly variant: string;
  private readonly actDim: number;
  private readonly robotY: number;
  private readonly restY: number;
  private readonly t: TaskArrays;
  private lidar: Lidar | undefined;
  private queue: EventQueue | undefined;
  private world: World | undefined;
  private robots: RigidBody[] = [];
  private packages: RigidBody[] = [];
  private roles = new Map<number, number>();
  private readonly cmd: Float64Array;
  private readonly v = { x: 0, y: 0, z: 0 };
  private readonly impulse = { x: 0, y: 0, z: 0 };
  private readonly onCollision = (h1: number, h2: number, started: boolean): void => this.countCollision(h1, h2, started);

  /** @param options - see {@link WarehouseOptionsSchema}; validated here. */
  constructor(options: WarehouseOptions = {}) {
    super();
    const { config, layout } = resolveWarehouseOptions(options, 'Warehouse-v0 options');
    this.config = config;
    this.layout = layout;
    this.variant = JSON.stringify({ config, map: layout.lines });
    this.numRobots = layout.robots.length;
    this.numPackages = layout.packages.length;
    this.controlDt = config.physicsDt * config.substeps;
    this.spec = { id: 'Warehouse-v0', maxEpisodeSteps: 200, kwargs: { ...options } };
    this.metadata = { renderModes: ['ansi', 'frame'], renderFps: 1 / this.controlDt };
    this.obsLayout = observationLayout(this.numRobots, config.lidarRays);
    this.actDim = robotActionDim(config);
    this.robotObservationSpace = robotObservationSpace(layout, config);
    this.robotActionSpace = new Box(-1, 1, [this.actDim]);
    const N = this.numRobots;
    const P = this.numPackages;
    const tile = (a: Float32Array) => Float32Array.from({ length: N * a.length }, (_, k) => a[k % a.length]!);
    this.observationSpace = new Box(tile(this.robotObservationSpace.low), tile(this.robotObservationSpace.high));
    this.actionSpace = new Box(-1, 1, [N * this.actDim]);
    const h = warehouseHeights(config);
    this.robotY = h.robotY;
    this.restY = h.packageRestY;
    const zones = Float64Array.from(layout.dropZones.flatMap((d) => cellCentre(d.row, d.col, config.cellSize)));
    this.t = new TaskArrays(N, P, zones, config.shaping === 'path' ? new PathDistances(layout, config.cellSize) : undefined);
    this.cmd = new Float64Array(2 * N);
  }

  /** Per-robot rewards of the last step (a copy). */
  robotRewards(): Float64Array {
    return this.t.stepRewards.slice();
  }

  /** Per-robot counters and carried package, for the multi-robot view and tests. */
  robotInfo(i: number): { deliveries: number; robotRobotCollisions: number; robotShelfCollisions: number; idleSteps: number; idleTime: number; carrying: number } {
    return {
      deliveries: this.t.deliveries[i]!,
      robotRobotCollisions: this.t.robotRobot[i]!,
      robotShelfCollisions: this.t.robotShelf[i]!,
      idleSteps: this.t.idle[i]!,
      idleTime: this.t.idle[i]! * this.controlDt,
      carrying: this.t.attached[i]!,
    };
  }

  /**
   * Rapier rigid-body handles of the robots and packages (stable across `getState`/`setState`), for
   * code that works on a world restored from `getState().physics` directly.
   */
  bodyHandles(): { robots: number[]; packages: number[] } {
    const scene = this.liveScene;
    return {
      robots: Array.from({ length: this.numRobots }, (_, i) => scene.bodyHandle(`robot-${i}`)),
      packages: Array.from({ length: this.numPackages }, (_, j) => scene.bodyHandle(`package-${j}`)),
    };
  }

  /** Current centres `[x, y, z]` of robots and packages (metres), and which packages are delivered. */
  positions(): { robots: [number, number, number][]; packages: [number, number, number][]; delivered: boolean[] } {
    void this.liveScene;
    const triples = (a: Float64Array) => Array.from({ length: a.length / 3 }, (_, k) => [a[3 * k]!, a[3 * k + 1]!, a[3 * k + 2]!] as [number, number, number]);
    return { robots: triples(this.t.robotPos), packages: triples(this.t.packagePos), delivered: Array.from(this.t.delivered, (d) => d === 1) };
  }

  protected resetEpisode(options: Record<string, unknown>): ResetResult<Float32Array> {
    const start = episodeStart(this.layout, this.config, this.rng, options, 'Warehouse-v0 reset options');
    this.queue ??= new (rapier().EventQueue)(false);
    this.queue.clear();
    if (this.config.lidarRays > 0) this.lidar ??= new Lidar(this.config.lidarRays, this.config.lidarRange);
    this.scene = buildWarehouseScene(this.layout, this.config, start.placement);
    this.roles = colliderRoles(this.scene, this.numRobots);
    this.bind();
    // Scene queries (lidar) only see colliders after a step: take one of zero length, which moves
    // nothing, so the first observation's lidar is right. Its events are not collisions of the episode.
    const world = this.world!;
    const dt = world.timestep;
    world.timestep = 0;
    world.step();
    world.timestep = dt;
    this.t.clear();
    for (let j = 0; j < this.numPackages; j++) {
      this.t.delivered[j] = start.delivered[j]!;
      if (this.t.delivered[j]) this.packages[j]!.setEnabled(false);
    }
    this.readState();
    start.carrying.forEach((j, i) => {
      if (j >= 0) this.attach(i, j);
    });
    this.t.updateTargetsAndPotentials(this.t.potential);
    return { observation: this.observe(), info: this.info(0) };
  }

  protected stepEpisode(action: Float32Array): StepResult<Float32Array> {
    const c = this.config;
    const N = this.numRobots;
    const ad = this.actDim;
    this.t.stepDeliveries.fill(0);
    this.t.stepCollisions.fill(0);
    for (let i = 0; i < N; i++) {
      let vx = action[i * ad]! * c.maxSpeed;
      let vz = action[i * ad + 1]! * c.maxSpeed;
      const n = Math.hypot(vx, vz);
      if (n > c.maxSpeed) {
        vx *= c.maxSpeed / n;
        vz *= c.maxSpeed / n;
      }
      this.cmd[2 * i] = vx;
      this.cmd[2 * i + 1] = vz;
    }
    if (c.gripMode === 'lift') {
      for (let i = 0; i < N; i++) {
        if (action[i * ad + 2]! > 0) {
          if (this.t.attached[i]! < 0) this.tryGrip(i);
        } else if (this.t.attached[i]! >= 0) this.release(i);
      }
    }

    const world = this.world!;
    const queue = this.queue!;
    const dvMax = c.maxAcceleration * c.physicsDt;
    const m = c.robotMass;
    const v = this.v;
    const imp = this.impulse;
    for (let s = 0; s < c.substeps; s++) {
      for (let i = 0; i < N; i++) {
        const body = this.robots[i]!;
        body.linvel(v);
        let dx = this.cmd[2 * i]! - v.x;
        let dz = this.cmd[2 * i + 1]! - v.z;
        const n = Math.hypot(dx, dz);
        if (n === 0) continue;
        if (n > dvMax) {
          dx *= dvMax / n;
          dz *= dvMax / n;
        }
        imp.x = m * dx;
        imp.z = m * dz;
        body.applyImpulse(imp, true);
      }
      world.step(queue);
    }
    queue.drainCollisionEvents(this.onCollision);
    this.readState();
    this.detectDeliveries();

    this.t.updateTargetsAndPotentials(this.t.nextPotential);
    let reward = 0;
    for (let i = 0; i < N; i++) {
      const speed = Math.hypot(this.t.robotVel[3 * i]!, this.t.robotVel[3 * i + 2]!);
      if (speed < IDLE_SPEED) this.t.idle[i]!++;
      const base = c.sparse ? this.t.stepDeliveries[i]! : this.t.nextPotential[i]! - this.t.potential[i]! + c.deliveryBonus * this.t.stepDeliveries[i]!;
      const r = base - c.collisionPenalty * this.t.stepCollisions[i]!;
      this.t.stepRewards[i] = r;
      this.t.potential[i] = this.t.nextPotential[i]!;
      reward += r;
    }
    const info = this.info(this.elapsedSteps + 1);
    return { observation: this.observe(), reward, terminated: info.success as boolean, truncated: false, info };
  }

  /** Caches the live world and body wrappers (a restored world comes with new wrappers). */
  private bind(): void {
    const scene = this.liveScene;
    this.world = scene.world;
    this.robots = Array.from({ length: this.numRobots }, (_, i) => scene.body(`robot-${i}`));
    this.packages = Array.from({ length: this.numPackages }, (_, j) => scene.body(`package-${j}`));
  }

  private readState(): void {
    const v = this.v;
    for (let i = 0; i < this.numRobots; i++) {
      const b = this.robots[i]!;
      b.translation(v);
      this.t.robotPos[3 * i] = v.x;
      this.t.robotPos[3 * i + 1] = v.y;
      this.t.robotPos[3 * i + 2] = v.z;
      b.linvel(v);
      this.t.robotVel[3 * i] = v.x;
      this.t.robotVel[3 * i + 1] = v.y;
      this.t.robotVel[3 * i + 2] = v.z;
    }
    for (let j = 0; j < this.numPackages; j++) {
      const b = this.packages[j]!;
      b.translation(v);
      this.t.packagePos[3 * j] = v.x;
      this.t.packagePos[3 * j + 1] = v.y;
      this.t.packagePos[3 * j + 2] = v.z;
      if (this.t.delivered[j]) {
        // Disabled bodies keep their last velocity; out of play they are at rest.
        this.t.packageVel.fill(0, 3 * j, 3 * j + 3);
        continue;
      }
      b.linvel(v);
      this.t.packageVel[3 * j] = v.x;
      this.t.packageVel[3 * j + 1] = v.y;
      this.t.packageVel[3 * j + 2] = v.z;
    }
  }

  /** Attaches the nearest free package within reach of robot `i`, if any. */
  private tryGrip(i: number): void {
    const c = this.config;
    const half = (c.robotSize + c.packageSize) / 2;
    const rx = this.t.robotPos[3 * i]!;
    const rz = this.t.robotPos[3 * i + 2]!;
    let best = -1;
    let bestGap = Infinity;
    for (let j = 0; j < this.numPackages; j++) {
      if (this.t.delivered[j] || isCarried(this.t.attached, j)) continue;
      if (Math.abs(this.t.packagePos[3 * j + 1]! - this.restY) > c.packageSize / 2) continue; // not at robot level
      const gap = Math.max(Math.abs(this.t.packagePos[3 * j]! - rx), Math.abs(this.t.packagePos[3 * j + 2]! - rz)) - half;
      if (gap <= c.gripReach && gap < bestGap) {
        bestGap = gap;
        best = j;
      }
    }
    if (best >= 0) this.attach(i, best);
  }

  /** Creates the grip joint between robot `i` and package `j` at their current relative pose, lifted. */
  private attach(i: number, j: number): void {
    const R = rapier();
    const pkg = this.packages[j]!;
    const q = pkg.rotation();
    const anchor = {
      x: this.t.packagePos[3 * j]! - this.t.robotPos[3 * i]!,
      y: this.restY + this.config.liftHeight - this.robotY,
      z: this.t.packagePos[3 * j + 2]! - this.t.robotPos[3 * i + 2]!,
    };
    // Robots never rotate, so the robot frame is the world frame: keep the package's orientation.
    const data = R.JointData.fixed(anchor, { x: q.x, y: q.y, z: q.z, w: q.w }, { x: 0, y: 0, z: 0 }, { x: 0, y: 0, z: 0, w: 1 });
    const joint = this.world!.createImpulseJoint(data, this.robots[i]!, pkg, true);
    joint.setContactsEnabled(false);
    this.t.joints[i] = joint.handle;
    this.t.attached[i] = j;
    this.t.lastCarrier[j] = i;
  }

  private release(i: number): void {
    const world = this.world!;
    world.removeImpulseJoint(world.getImpulseJoint(this.t.joints[i]!), true);
    this.t.joints[i] = -1;
    this.t.attached[i] = -1;
  }

  private countCollision(h1: number, h2: number, started: boolean): void {
    if (!started) return;
    const a = this.roles.get(h1);
    const b = this.roles.get(h2);
    if (a === undefined || b === undefined) return;
    if (a >= 0 && b >= 0) {
      this.t.robotRobot[a]!++;
      this.t.robotRobot[b]!++;
      this.t.stepCollisions[a]!++;
      this.t.stepCollisions[b]!++;
      this.t.teamRobotRobot++;
    } else if (a >= 0 && b === ColliderRole.Static) {
      this.t.robotShelf[a]!++;
      this.t.stepCollisions[a]!++;
    } else if (b >= 0 && a === ColliderRole.Static) {
      this.t.robotShelf[b]!++;
      this.t.stepCollisions[b]!++;
    }
  }

  private detectDeliveries(): void {
    const c = this.config;
    const s = c.cellSize;
    const { rows, cols, cells } = this.layout;
    for (let j = 0; j < this.numPackages; j++) {
      if (this.t.delivered[j] || isCarried(this.t.attached, j)) continue;
      const x = this.t.packagePos[3 * j]!;
      const z = this.t.packagePos[3 * j + 2]!;
      const col = Math.floor(x / s);
      const row = Math.floor(z / s);
      if (row < 0 || row >= rows || col < 0 || col >= cols || cells[row * cols + col] !== CellKind.DropZone) continue;
      if (this.t.packagePos[3 * j + 1]! - this.restY > RESTING_TOLERANCE) continue;
      if (Math.hypot(this.t.packageVel[3 * j]!, this.t.packageVel[3 * j + 2]!) >= c.deliverySpeed) continue;
      this.t.delivered[j] = 1;
      this.packages[j]!.setEnabled(false);
      this.t.packageVel.fill(0, 3 * j, 3 * j + 3);
      let credit = this.t.lastCarrier[j]!;
      if (credit < 0) {
        let best = Infinity;
        for (let i = 0; i < this.numRobots; i++) {
          const d = Math.hypot(this.t.robotPos[3 * i]! - x, this.t.robotPos[3 * i + 2]! - z);
          if (d < best) {
            best = d;
            credit = i;
          }
        }
      }
      this.t.deliveries[credit]!++;
      this.t.stepDeliveries[credit]!++;
    }
  }

  private observe(): Float32Array {
    const D = this.obsLayout.robotDim;
    const obs = new Float32Array(this.numRobots * D);
    writeObservations(this.t, this.obsLayout, this.restY, obs);
    if (this.lidar !== undefined) {
      for (let i = 0; i < this.numRobots; i++) {
        this.lidar.scan(this.world!, this.robots[i]!, this.t.robotPos[3 * i]!, this.robotY, this.t.robotPos[3 * i + 2]!, obs, i * D + this.obsLayout.lidarOffset);
      }
    }
    return obs;
  }

  /** Episode metrics after `steps` control steps. */
  private info(steps: number): Info {
    return this.t.metrics(steps, this.controlDt);
  }

  protected captureTask(): WarehouseTaskState {
    return this.t.capture(this.variant);
  }

  protected restoreTask(task: WarehouseTaskState): void {
    if (task?.variant !== this.variant) {
      throw new InvalidArgumentError(
        `Warehouse-v0.setState: expected a state saved by an environment with the same options and layout, got one with ${describeValue(task?.variant)}`,
      );
    }
    this.t.restore(task);
    this.queue?.clear();
    this.bind();
    this.readState();
    computeTargets(this.t, this.t.targets);
  }

  protected override frameMarkers(): FrameMarker[] {
    const s = this.config.cellSize;
    return this.layout.dropZones.map((d, k) => {
      const [x, z] = cellCentre(d.row, d.col, s);
      return { name: `drop-zone-${k}`, position: [x, 0, z], radius: s / 2, tag: 'drop-zone' };
    });
  }

  /** `'frame'`: the JSON scene (delivered packages left out, drop zones as markers); `'ansi'`: the grid. */
  override render(mode = 'frame'): unknown {
    const out = super.render(mode);
    if (mode !== 'frame') return out;
    const frame = out as Frame;
    return { ...frame, bodies: frame.bodies.filter((b) => !(b.name.startsWith('package-') && this.t.delivered[Number(b.name.slice(8))])) };
  }

  protected renderAnsi(): string {
    if (this.world === undefined) throw new EnvStateError('Warehouse-v0: no scene yet; call reset() first');
    return renderWarehouseAnsi(this.layout, this.config.cellSize, {
      robotPos: this.t.robotPos,
      packagePos: this.t.packagePos,
      attached: this.t.attached,
      delivered: this.t.delivered,
      step: this.elapsedSteps,
      info: this.info(this.elapsedSteps),
    });
  }

  protected override onClose(): void {
    super.onClose();
    this.queue?.free();
    this.queue = undefined;
    this.world = undefined;
  }
}
