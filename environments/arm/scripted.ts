/**
 * Scripted baseline for `Arm-v0`: analytic inverse kinematics + P control in joint space.
 *
 * The arm is redundant (3 joints, 2-D target), so the IK scans the heading of the last link over a
 * grid; for each heading the wrist point fixes a two-link problem with two elbow solutions. Of the
 * solutions inside the joint limits, the one closest to the current angles is the goal. Joint space
 * is a box, so moving straight toward a goal inside it never crosses a limit — a Jacobian method
 * can get stuck pushing into a limit when the target lies "behind" the arm.
 *
 * Velocity mode commands `gain · (θ* − θ)` (scaled to the speed limit); position mode commands an angle
 * target a bounded step from θ toward θ*.
 *
 * @module
 */
import type { Policy } from '../../src/policy.js';
import { parseOptions } from '../../src/options.js';
import { ArmOptionsSchema, type ArmOptions } from './arm-env.js';

/** Options of {@link armPolicy}. */
export interface ArmPolicyOptions {
  /** The environment's options (link lengths, limits, control mode). Default: the environment defaults. */
  readonly env?: ArmOptions;
  /** Proportional gain from joint error to joint velocity, 1/s. Default 5. */
  readonly gain?: number;
  /** Number of last-link headings the IK scans. Default 72 (every 5°). */
  readonly headings?: number;
  /** Position mode: largest step of the angle target away from the current angle, rad. Default 0.5. */
  readonly maxStep?: number;
}

function wrap(a: number): number {
  const t = 2 * Math.PI;
  let r = a % t;
  if (r <= -Math.PI) r += t;
  else if (r > Math.PI) r -= t;
  return r;
}

/**
 * All joint-angle solutions `[θ₁, θ₂, θ₃]` (inside `limits`) that put the tip of the arm at `[x, z]`,
 * for `headings` evenly spaced headings of the last link. Angles follow `Arm-v0` (right-handed about
 * +y), so in the plane coordinates (X, Y) = (x, −z) the tip is Σ Lᵢ (cos φᵢ, sin φᵢ).
 */
export function armInverseKinematics(
  lengths: readonly [number, number, number],
  limits: readonly [number, number, number],
  target: readonly [number, number],
  headings = 72,
): [number, number, number][] {
  const [L1, L2, L3] = lengths;
  const X = target[0];
  const Y = -target[1];
  const out: [number, number, number][] = [];
  for (let k = 0; k < headings; k++) {
    const phi = -Math.PI + (2 * Math.PI * k) / headings;
    const wx = X - L3 * Math.cos(phi);
    const wy = Y - L3 * Math.sin(phi);
    const c2 = (wx * wx + wy * wy - L1 * L1 - L2 * L2) / (2 * L1 * L2);
    if (c2 < -1 || c2 > 1) continue;
    for (const elbow of [1, -1]) {
      const t2 = elbow * Math.acos(c2);
      const t1 = wrap(Math.atan2(wy, wx) - Math.atan2(L2 * Math.sin(t2), L1 + L2 * Math.cos(t2)));
      const t3 = wrap(phi - t1 - t2);
      if (Math.abs(t1) <= limits[0] && Math.abs(t2) <= limits[1] && Math.abs(t3) <= limits[2]) out.push([t1, t2, t3]);
    }
  }
  return out;
}

/**
 * Analytic IK + joint-space P control for `Arm-v0`.
 *
 * @example
 * ```ts
 * const policy = armPolicy({ env: { controlMode: 'position' } });
 * ```
 */
export function armPolicy(options: ArmPolicyOptions = {}): Policy {
  const c = parseOptions(ArmOptionsSchema, options.env ?? {}, 'armPolicy env options');
  const gain = options.gain ?? 5;
  const headings = options.headings ?? 72;
  const maxStep = options.maxStep ?? 0.5;
  const lengths = c.linkLengths as [number, number, number];
  const limits = c.jointLimits as [number, number, number];
  return {
    name: `scripted:arm-ik-${c.controlMode}`,
    act(obs: Float32Array): Float32Array {
      const theta = [0, 1, 2].map((i) => Math.atan2(obs[3 + i]!, obs[i]!));
      const solutions = armInverseKinematics(lengths, limits, [obs[11]!, obs[12]!], headings);
      let goal = theta;
      let best = Infinity;
      for (const s of solutions) {
        const d = (s[0] - theta[0]!) ** 2 + (s[1] - theta[1]!) ** 2 + (s[2] - theta[2]!) ** 2;
        if (d < best) {
          best = d;
          goal = s;
        }
      }
      const out = new Float32Array(3);
      if (c.controlMode === 'velocity') {
        const rate = goal.map((g, j) => gain * (g - theta[j]!));
        const scale = Math.max(1, ...rate.map((r) => Math.abs(r) / c.maxJointSpeed));
        for (let j = 0; j < 3; j++) out[j] = rate[j]! / scale / c.maxJointSpeed;
      } else {
        // Step at most `maxStep` toward the goal: Rapier's position motor takes the shortest way
        // round (the error is wrapped), which for a far target could run through the joint limit.
        for (let j = 0; j < 3; j++) {
          const next = theta[j]! + Math.max(-maxStep, Math.min(maxStep, goal[j]! - theta[j]!));
          out[j] = Math.max(-1, Math.min(1, next / limits[j]!));
        }
      }
      return out;
    },
  };
}
