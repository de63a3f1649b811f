/**
 * `policyAgent`: adapts any {@link Policy} (scripted baselines, ONNX policies, …) or plain
 * `(observation, info) => action` function to an {@link Agent}.
 *
 * @module
 */
import { concatMap, defer, from, type Observable } from 'rxjs';
import type { Info } from '../src/env.js';
import { InvalidArgumentError, describeValue } from '../src/errors.js';
import type { Policy } from '../src/policy.js';
import type { Agent, Percept } from './types.js';

/** A plain policy function; it may be async. */
export type PolicyFunction<O, A> = (observation: O, info: Info) => A | Promise<A>;

/**
 * Turns a {@link Policy} or a function into an agent. Percepts are answered one at a time, in
 * order (an async `act` finishes before the next percept is handed to it). At the first percept of
 * each episode the policy's `reset(seed)` is called with the episode seed (0 for an unseeded episode),
 * so a seeded episode replays exactly.
 *
 * The policy object is shared by every subscription: a stateful policy should not run two episodes
 * at once (build one per episode with `defer`, as {@link randomAgent} does).
 *
 * Errors thrown or rejected by `act` go to the subscriber's `error`.
 *
 * @example
 * ```ts
 * const agent = policyAgent((obs) => obs.map((x) => -x));   // a proportional controller
 * ```
 */
export function policyAgent<O, A>(policy: Policy<O, A> | PolicyFunction<O, A>): Agent<O, A> {
  const p = toPolicy(policy);
  return (percepts: Observable<Percept<O>>) =>
    percepts.pipe(
      concatMap((percept) =>
        defer(() => {
          if (percept.step === 0) p.reset?.(percept.seed ?? 0);
          return from(Promise.resolve(p.act(percept.observation, percept.info)));
        }),
      ),
    );
}

function toPolicy<O, A>(policy: Policy<O, A> | PolicyFunction<O, A>): Policy<O, A> {
  if (typeof policy === 'function') return { name: policy.name || 'function', act: policy };
  if (typeof policy !== 'object' || policy === null || typeof policy.act !== 'function') {
    throw new InvalidArgumentError(`policyAgent: expected a Policy (an object with \`act(observation, info)\`) or a function, got ${describeValue(policy)}`);
  }
  return policy;
}
