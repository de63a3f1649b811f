/**
 * `randomAgent`: uniform random actions, seeded.
 *
 * @module
 */
import { defer, map } from 'rxjs';
import { Rng, assertSeed } from '../src/rng.js';
import type { Space } from '../src/spaces.js';
import type { Agent } from './types.js';

/**
 * An agent that samples each action uniformly from `space`. Every episode (subscription) gets its
 * own generator: `Rng.fromSeed(seed).derive(episodeSeed)` for a seeded episode, `Rng.fromSeed(seed)`
 * otherwise — so the same (agent seed, episode seed) pair always gives the same actions, and two
 * agents with different seeds act differently in the same episode.
 *
 * @param space - the action space to sample
 * @param seed - the agent's seed. Default: `0`.
 */
export function randomAgent<A>(space: Space<A>, seed = 0): Agent<unknown, A> {
  assertSeed(seed, 'randomAgent seed');
  return (percepts) =>
    defer(() => {
      let rng: Rng | undefined;
      return percepts.pipe(
        map((percept) => {
          if (rng === undefined || percept.step === 0) {
            rng = percept.seed === undefined ? Rng.fromSeed(seed) : Rng.fromSeed(seed).derive(percept.seed);
          }
          return space.sample(rng);
        }),
      );
    });
}
