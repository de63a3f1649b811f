/**
 * Random physical starts of `CartPole-v0` for data collection: the cart anywhere on the inner 80% of
 * the track moving at up to ±1.5 m/s; the pole at any angle the episode allows (balance: within 0.9 ×
 * the fail angle, where the validation uses a third of it; swing-up: any angle) turning at up to ±2 rad/s
 * (the validation's starts turn at ≤ 0.1 rad/s).
 *
 * @module
 */
import { parseOptions } from '../../src/options.js';
import type { Rng } from '../../src/rng.js';
import { CartPoleOptionsSchema } from './cart-pole-env.js';

/** A random start of `CartPole-v0` (reset options) for an environment built with `envOptions`. */
export function cartPoleExplorationStart(rng: Rng, envOptions: Record<string, unknown>): Record<string, unknown> {
  const c = parseOptions(CartPoleOptionsSchema, envOptions, 'cartPoleExplorationStart envOptions');
  const spread = c.swingUp ? Math.PI : 0.9 * c.failAngle;
  return { state: [rng.uniformRange(-0.8 * c.xLimit, 0.8 * c.xLimit), rng.uniformRange(-1.5, 1.5), rng.uniformRange(-spread, spread), rng.uniformRange(-2, 2)] };
}
