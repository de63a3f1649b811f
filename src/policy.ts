/**
 * Policies: anything that maps an observation to an action. Scripted baselines, random policies,
 * ONNX policies and data-collection code all speak this interface; RxJS agents adapt it.
 *
 * @module
 */
import type { Info } from './env.js';
import { Rng } from './rng.js';
import type { Space } from './spaces.js';

/** Maps observations to actions. `reset` is called at the start of every episode. */
export interface Policy<O = Float32Array, A = Float32Array> {
  /** Short name for logs and dataset provenance, e.g. `scripted:push-box`. */
  readonly name: string;
  /** Starts an episode; `seed` seeds any randomness the policy has. */
  reset?(seed: number): void;
  /** The action for `observation` (may be async, e.g. an ONNX policy). */
  act(observation: O, info?: Info): A | Promise<A>;
}

/** Wraps a plain function as a {@link Policy}. */
export function policyFromFunction<O, A>(name: string, fn: (observation: O, info?: Info) => A | Promise<A>): Policy<O, A> {
  return { name, act: fn };
}

/** A policy that samples uniformly from `space`, seeded per episode. */
export function randomPolicy<A>(space: Space<A>, seed = 0): Policy<unknown, A> {
  let rng = Rng.fromSeed(seed);
  return {
    name: 'random',
    reset(episodeSeed: number) {
      rng = Rng.fromSeed(episodeSeed);
    },
    act: () => space.sample(rng),
  };
}
