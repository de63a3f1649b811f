/**
 * Scripted baseline for `PushBox-v0`: go behind the box (relative to the goal) without touching it,
 * then push toward the goal while steering the contact point back onto the goal line. When the box
 * drifts so that the pusher is no longer behind it, the policy falls back to re-approaching.
 *
 * Works in a frame attached to the box: `s` along the box→goal direction, `l` across it.
 *
 * @module
 */
import type { Policy } from '../../src/policy.js';
import { parseOptions } from '../../src/options.js';
import { PushBoxOptionsSchema, type PushBoxOptions } from './push-box-env.js';

/** Options of {@link pushBoxPolicy}. */
export interface PushBoxPolicyOptions {
  /** The environment's options (box size, pusher radius, speed limit). Default: the environment defaults. */
  readonly env?: PushBoxOptions;
  /** Largest pushing speed, m/s. Default 0.25. */
  readonly pushSpeed?: number;
  /** Gain from position error to approach velocity, 1/s. Default 8. */
  readonly approachGain?: number;
  /** Gain from lateral contact offset to lateral velocity while pushing, 1/s. Default 6. */
  readonly steerGain?: number;
}

/**
 * Go-behind-and-push controller for `PushBox-v0` (position goals; the heading is not controlled).
 *
 * @example
 * ```ts
 * const policy = pushBoxPolicy();
 * const action = policy.act(observation); // pusher velocity in [-1, 1]²
 * ```
 */
export function pushBoxPolicy(options: PushBoxPolicyOptions = {}): Policy {
  const c = parseOptions(PushBoxOptionsSchema, options.env ?? {}, 'pushBoxPolicy env options');
  const pushSpeed = Math.min(options.pushSpeed ?? 0.25, c.maxSpeed);
  const approachGain = options.approachGain ?? 8;
  const steerGain = options.steerGain ?? 6;
  const h = c.boxHalfSize;
  const r = c.pusherRadius;
  // Clear of the box whatever its heading (corner radius h√2), with a margin.
  const standoff = h * Math.SQRT2 + r + 0.02;
  const contact = h + r;

  return {
    name: 'scripted:push-box',
    act(obs: Float32Array): Float32Array {
      const bx = obs[0]!;
      const bz = obs[2]!;
      const px = obs[9]!;
      const pz = obs[10]!;
      const dx = obs[11]! - bx;
      const dz = obs[12]! - bz;
      const dist = Math.hypot(dx, dz);
      const out = new Float32Array(2);
      if (dist < 1e-6) return out;
      const ux = dx / dist;
      const uz = dz / dist;
      const nx = -uz;
      const nz = ux;
      const s = (px - bx) * ux + (pz - bz) * uz;
      const l = (px - bx) * nx + (pz - bz) * nz;

      let vs: number;
      let vl: number;
      if (s < -0.8 * contact && s > -standoff - 0.02 && Math.abs(l) < 0.6 * h) {
        // Behind the box: push along the goal line, steering the contact point back onto it.
        vs = Math.min(pushSpeed, 0.05 + 2 * dist);
        vl = -steerGain * l;
      } else {
        // Re-approach through waypoints that keep clear of the box: out to the side, back, then in.
        const side = l >= 0 ? 1 : -1;
        let ts: number;
        let tl: number;
        // Thresholds sit well inside the waypoints so that small overshoots do not flip the phase.
        if (s > -0.7 * standoff) {
          if (Math.abs(l) < 0.8 * standoff) {
            ts = s;
            tl = side * standoff;
          } else {
            ts = -standoff;
            tl = side * standoff;
          }
        } else {
          ts = -standoff;
          tl = 0;
        }
        vs = approachGain * (ts - s);
        vl = approachGain * (tl - l);
      }
      // Scale the whole vector (not each axis) into the limits so the direction is kept.
      const vx = vs * ux + vl * nx;
      const vz = vs * uz + vl * nz;
      const scale = Math.max(1, Math.abs(vx) / c.maxSpeed, Math.abs(vz) / c.maxSpeed);
      out[0] = vx / c.maxSpeed / scale;
      out[1] = vz / c.maxSpeed / scale;
      return out;
    },
  };
}
