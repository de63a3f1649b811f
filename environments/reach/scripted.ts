/**
 * Scripted baseline for `Reach-v0`: a PD controller on the ball's position, saturated at the
 * environment's force limit.
 *
 * @module
 */
import type { Policy } from '../../src/policy.js';
import { parseOptions } from '../../src/options.js';
import { ReachOptionsSchema, type ReachOptions } from './reach-env.js';

/** Options of {@link reachPolicy}. */
export interface ReachPolicyOptions {
  /** The environment's options (force limit and mass are read from them). Default: the environment defaults. */
  readonly env?: ReachOptions;
  /** Closed-loop natural frequency ω, rad/s: stiffness m ω², damping 2 m ω. Default 3. */
  readonly omega?: number;
}

/**
 * `F = m ω² (goal − p) − 2 m ω v`, per axis, clipped to the force limit.
 *
 * @example
 * ```ts
 * const policy = reachPolicy();
 * const action = policy.act(observation);
 * ```
 */
export function reachPolicy(options: ReachPolicyOptions = {}): Policy {
  const c = parseOptions(ReachOptionsSchema, options.env ?? {}, 'reachPolicy env options');
  const omega = options.omega ?? 3;
  const kp = c.mass * omega * omega;
  const kd = 2 * c.mass * omega;
  return {
    name: 'scripted:reach-pd',
    act(obs: Float32Array): Float32Array {
      const out = new Float32Array(2);
      for (let i = 0; i < 2; i++) {
        const force = kp * (obs[4 + i]! - obs[i]!) - kd * obs[2 + i]!;
        out[i] = Math.max(-1, Math.min(1, force / c.maxForce));
      }
      return out;
    },
  };
}
