/**
 * Task bookkeeping of the warehouse: targets, the shaping potential, and the saved task state.
 * Pure functions over flat arrays, so the step path allocates nothing here.
 *
 * **Potential** (dense reward): for robot i with target package p,
 * `Φᵢ = −(legᵢ + (1/N)·Σ_q 2·d(q, zone))`, where `legᵢ = d(p, zone)` when robot i carries p and
 * `d(robot, p) + d(p, zone)` otherwise (0 without target), the sum runs over packages that are
 * neither delivered, carried, nor anyone's target (a round trip each), and d(·, zone) is the planar
 * distance to the nearest drop-zone centre (with `shaping: 'path'` every d is a route length around
 * shelves, {@link PathDistances}). The dense reward of a step is `Φᵢ(s') − Φᵢ(s)` plus the
 * delivery bonus, so shaping never changes which policies are optimal (Ng et al., 1999), and a
 * delivery does not look like a loss to a short-horizon planner (the round-trip term hands the next
 * package's cost over smoothly).
 *
 * @module
 */
import type { PathDistances } from './path-distance.js';

/** The task state saved with the physics snapshot. Structured-clonable. */
export interface WarehouseTaskState {
  /** Options fingerprint: a state only restores into an environment built with the same options. */
  readonly variant: string;
  /** Per robot: carried package index or −1. */
  readonly attached: number[];
  /** Per robot: Rapier handle of the grip joint, or −1. */
  readonly joints: number[];
  /** Per package: 1 once delivered. */
  readonly delivered: number[];
  /** Per package: the robot that last released it, or −1 (delivery credit). */
  readonly lastCarrier: number[];
  /** Per robot: deliveries credited. */
  readonly deliveries: number[];
  /** Per robot: robot–robot collisions started. */
  readonly robotRobot: number[];
  /** Per robot: robot–shelf/wall collisions started. */
  readonly robotShelf: number[];
  /** Per robot: control steps spent (almost) still. */
  readonly idle: number[];
  /** Per robot: the potential Φᵢ of the current state. */
  readonly potential: number[];
  /** Robot–robot collisions of the team (each pair once). */
  readonly teamRobotRobot: number;
}

/** Index of the zone centre (pairs in `zones`) nearest to (`x`, `z`). */
export function nearestZone(zones: Float64Array, x: number, z: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let k = 0; k < zones.length; k += 2) {
    const dx = zones[k]! - x;
    const dz = zones[k + 1]! - z;
    const d = dx * dx + dz * dz;
    if (d < bestD) {
      bestD = d;
      best = k >> 1;
    }
  }
  return best;
}

/** Planar distance from (`x`, `z`) to the nearest zone centre. */
export function zoneDistance(zones: Float64Array, x: number, z: number): number {
  const k = nearestZone(zones, x, z) * 2;
  return Math.hypot(zones[k]! - x, zones[k + 1]! - z);
}

/** Distance from (x, z) to the nearest drop zone: along the route with `paths`, else in a straight line. */
function toZone(v: TaskView, x: number, z: number): number {
  return v.paths?.toZone(x, z) ?? zoneDistance(v.zones, x, z);
}

/** Live arrays the task functions read (positions are `[x, y, z]` triples). */
export interface TaskView {
  readonly robotPos: Float64Array;
  readonly packagePos: Float64Array;
  readonly attached: Int32Array;
  readonly delivered: Uint8Array;
  readonly zones: Float64Array;
  /** With `shaping: 'path'`: route lengths around shelves instead of straight lines. */
  readonly paths?: PathDistances | undefined;
}

/** Whether package `p` is held by some robot. */
export function isCarried(attached: Int32Array, p: number): boolean {
  for (let i = 0; i < attached.length; i++) if (attached[i] === p) return true;
  return false;
}

/**
 * Writes each robot's target package (or −1) into `targets`: the carried package, else the nearest
 * package that is neither delivered nor carried (lowest index on ties).
 */
export function computeTargets(v: TaskView, targets: Int32Array): void {
  const N = v.attached.length;
  const P = v.delivered.length;
  // One pass marks the carried packages: the search below is then O(N·P), not O(N²·P), for big fleets.
  const taken = new Uint8Array(P);
  for (let i = 0; i < N; i++) if (v.attached[i]! >= 0) taken[v.attached[i]!] = 1;
  for (let i = 0; i < N; i++) {
    if (v.attached[i]! >= 0) {
      targets[i] = v.attached[i]!;
      continue;
    }
    const rx = v.robotPos[3 * i]!;
    const rz = v.robotPos[3 * i + 2]!;
    let best = -1;
    let bestD = Infinity;
    for (let p = 0; p < P; p++) {
      if (v.delivered[p] || taken[p]) continue;
      const dx = v.packagePos[3 * p]! - rx;
      const dz = v.packagePos[3 * p + 2]! - rz;
      const d = dx * dx + dz * dz;
      if (d < bestD) {
        bestD = d;
        best = p;
      }
    }
    targets[i] = best;
  }
}

/** Writes Φᵢ for every robot into `out` (see the module docs); `targets` from {@link computeTargets}. */
export function computePotentials(v: TaskView, targets: Int32Array, out: Float64Array): void {
  const N = v.attached.length;
  const P = v.delivered.length;
  let spare = 0;
  for (let p = 0; p < P; p++) {
    if (v.delivered[p] || isCarried(v.attached, p)) continue;
    let targeted = false;
    for (let i = 0; i < N; i++) if (targets[i] === p) targeted = true;
    if (!targeted) spare += 2 * toZone(v, v.packagePos[3 * p]!, v.packagePos[3 * p + 2]!);
  }
  for (let i = 0; i < N; i++) {
    const p = targets[i]!;
    let leg = 0;
    if (p >= 0) {
      const px = v.packagePos[3 * p]!;
      const pz = v.packagePos[3 * p + 2]!;
      leg = toZone(v, px, pz);
      if (v.attached[i] !== p) {
        const rx = v.robotPos[3 * i]!;
        const rz = v.robotPos[3 * i + 2]!;
        leg += v.paths?.between(rx, rz, px, pz) ?? Math.hypot(px - rx, pz - rz);
      }
    }
    out[i] = -(leg + spare / N);
  }
}

/**
 * Every per-episode array of the warehouse task, allocated once per environment: live positions and
 * velocities (scratch, re-read from Rapier), the task state proper (grips, deliveries, counters,
 * potentials), and per-step scratch. Positions are `[x, y, z]` triples.
 */
export class TaskArrays implements TaskView {
  readonly robotPos: Float64Array;
  readonly robotVel: Float64Array;
  readonly packagePos: Float64Array;
  readonly packageVel: Float64Array;
  readonly attached: Int32Array;
  /** Per robot: grip joint handle or −1. */
  readonly joints: Float64Array;
  readonly delivered: Uint8Array;
  readonly lastCarrier: Int32Array;
  readonly deliveries: Int32Array;
  readonly robotRobot: Int32Array;
  readonly robotShelf: Int32Array;
  readonly idle: Int32Array;
  readonly potential: Float64Array;
  readonly nextPotential: Float64Array;
  readonly targets: Int32Array;
  readonly stepDeliveries: Int32Array;
  readonly stepCollisions: Int32Array;
  readonly stepRewards: Float64Array;
  teamRobotRobot = 0;

  constructor(
    readonly numRobots: number,
    readonly numPackages: number,
    /** Drop-zone centres, `[x, z]` pairs. */
    readonly zones: Float64Array,
    /** Route lengths for the potentials (`shaping: 'path'`); straight lines without. */
    readonly paths?: PathDistances,
  ) {
    const N = numRobots;
    const P = numPackages;
    this.robotPos = new Float64Array(3 * N);
    this.robotVel = new Float64Array(3 * N);
    this.packagePos = new Float64Array(3 * P);
    this.packageVel = new Float64Array(3 * P);
    this.attached = new Int32Array(N).fill(-1);
    this.joints = new Float64Array(N).fill(-1);
    this.delivered = new Uint8Array(P);
    this.lastCarrier = new Int32Array(P).fill(-1);
    this.deliveries = new Int32Array(N);
    this.robotRobot = new Int32Array(N);
    this.robotShelf = new Int32Array(N);
    this.idle = new Int32Array(N);
    this.potential = new Float64Array(N);
    this.nextPotential = new Float64Array(N);
    this.targets = new Int32Array(N).fill(-1);
    this.stepDeliveries = new Int32Array(N);
    this.stepCollisions = new Int32Array(N);
    this.stepRewards = new Float64Array(N);
  }

  /** Clears grips, deliveries and counters for a new episode. */
  clear(): void {
    this.attached.fill(-1);
    this.joints.fill(-1);
    this.delivered.fill(0);
    this.lastCarrier.fill(-1);
    this.deliveries.fill(0);
    this.robotRobot.fill(0);
    this.robotShelf.fill(0);
    this.idle.fill(0);
    this.stepRewards.fill(0);
    this.teamRobotRobot = 0;
  }

  /** Packages not yet delivered. */
  remaining(): number {
    let n = 0;
    for (let j = 0; j < this.numPackages; j++) if (!this.delivered[j]) n++;
    return n;
  }

  /** Recomputes targets and writes the potentials into `out` (the current or the next potential). */
  updateTargetsAndPotentials(out: Float64Array): void {
    computeTargets(this, this.targets);
    computePotentials(this, this.targets, out);
  }

  /** The task part of the saved state. */
  capture(variant: string): WarehouseTaskState {
    return {
      variant,
      attached: Array.from(this.attached),
      joints: Array.from(this.joints),
      delivered: Array.from(this.delivered),
      lastCarrier: Array.from(this.lastCarrier),
      deliveries: Array.from(this.deliveries),
      robotRobot: Array.from(this.robotRobot),
      robotShelf: Array.from(this.robotShelf),
      idle: Array.from(this.idle),
      potential: Array.from(this.potential),
      teamRobotRobot: this.teamRobotRobot,
    };
  }

  /** Restores what {@link TaskArrays.capture} returned (positions are re-read from the world by the caller). */
  restore(task: WarehouseTaskState): void {
    this.attached.set(task.attached);
    this.joints.set(task.joints);
    this.delivered.set(task.delivered);
    this.lastCarrier.set(task.lastCarrier);
    this.deliveries.set(task.deliveries);
    this.robotRobot.set(task.robotRobot);
    this.robotShelf.set(task.robotShelf);
    this.idle.set(task.idle);
    this.potential.set(task.potential);
    this.teamRobotRobot = task.teamRobotRobot;
  }

  /**
   * The `info` metrics after `steps` control steps of `controlDt` seconds: deliveries, throughput (per
   * simulated hour, and per robot-hour), collisions by kind, idle robot-steps and robot-seconds.
   */
  metrics(steps: number, controlDt: number): Record<string, number | boolean> {
    const simTime = steps * controlDt;
    let deliveries = 0;
    let shelf = 0;
    let idle = 0;
    for (let i = 0; i < this.numRobots; i++) {
      deliveries += this.deliveries[i]!;
      shelf += this.robotShelf[i]!;
      idle += this.idle[i]!;
    }
    const remaining = this.remaining();
    return {
      success: remaining === 0,
      deliveries,
      packagesRemaining: remaining,
      collisions: this.teamRobotRobot + shelf,
      robotRobotCollisions: this.teamRobotRobot,
      robotShelfCollisions: shelf,
      idleSteps: idle,
      idleTime: idle * controlDt,
      throughput: simTime > 0 ? (deliveries * 3600) / simTime : 0,
      deliveriesPerRobotHour: simTime > 0 ? (deliveries * 3600) / (simTime * this.numRobots) : 0,
      simTime,
    };
  }
}
