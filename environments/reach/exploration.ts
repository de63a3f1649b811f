/**
 * Random physical starts of `Reach-v0` for data collection: the ball anywhere in the arena, at rest
 * or coasting at up to 1.5 m/s in any direction (the validation's coasting scenarios use 0.3–0.8 m/s
 * and its interventions ≤ 0.3 m/s near the centre), the goal anywhere.
 *
 * @module
 */
import { parseOptions } from '../../src/options.js';
import type { Rng } from '../../src/rng.js';
import { ReachOptionsSchema } from './reach-env.js';

/** A random start of `Reach-v0` (reset options) for an environment built with `envOptions`. */
export function reachExplorationStart(rng: Rng, envOptions: Record<string, unknown>): Record<string, unknown> {
  const c = parseOptions(ReachOptionsSchema, envOptions, 'reachExplorationStart envOptions');
  const lim = c.arenaHalfSize - c.radius;
  const speed = rng.uniform() < 0.25 ? 0 : rng.uniformRange(0, 1.5);
  const angle = rng.uniformRange(-Math.PI, Math.PI);
  return {
    start: [rng.uniformRange(-lim, lim), rng.uniformRange(-lim, lim)],
    velocity: [speed * Math.cos(angle), speed * Math.sin(angle)],
    goal: [rng.uniformRange(-0.9 * c.arenaHalfSize, 0.9 * c.arenaHalfSize), rng.uniformRange(-0.9 * c.arenaHalfSize, 0.9 * c.arenaHalfSize)],
  };
}
