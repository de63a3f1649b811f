/**
 * Policy wrappers for data collection: seeded Gaussian action noise and random excursions around a
 * {@link Policy} with a {@link Box} action space. Each keeps its own RNG stream per episode (derived
 * from the episode seed), so the same seeds give the same actions, whatever the inner policy draws.
 *
 * @module
 */
import type { Policy } from './policy.js';
import { Rng } from './rng.js';
import type { Box } from './spaces.js';

/** Adds Gaussian noise to a Box policy's actions (seeded per episode), clipped to the bounds. */
export function noisyPolicy(inner: Policy, space: Box, std: number): Policy {
  let rng = Rng.fromSeed(0);
  return {
    name: `${inner.name}+noise(${std})`,
    reset(seed: number) {
      inner.reset?.(seed);
      rng = Rng.fromSeed(seed).derive(2);
    },
    async act(observation, info) {
      const a = Float32Array.from((await inner.act(observation, info)) as Float32Array);
      for (let i = 0; i < a.length; i++) a[i] = a[i]! + rng.normal(0, std);
      return space.clip(a);
    },
  };
}

/**
 * Mixes random excursions into a Box policy: with probability `prob` per step (seeded per episode) it
 * holds one uniform random action for 1…`maxSteps` steps, then hands control back. Held actions carry
 * the system far from the policy's own path (per-step noise averages out under inertia), so a world
 * model trained on the data sees what other actions do in the states the policy visits.
 */
export function excursionPolicy(inner: Policy, space: Box, prob: number, maxSteps: number): Policy {
  return heldExcursionPolicy(inner, `${inner.name}+random(${prob}×${maxSteps})`, 3, prob, maxSteps, (rng, own) => {
    const held = space.clip(Float32Array.from(own, (_v, i) => rng.uniformRange(space.low[i]!, space.high[i]!)));
    return () => held.slice();
  });
}

/**
 * The excursion mechanism {@link excursionPolicy} and the contact excursions (src/contact-excursion-policy.ts)
 * share: with probability `prob` per step (RNG stream `stream` of the episode seed), when none is running,
 * `start` draws an excursion from that stream and the inner policy's own action; it then acts for 1…`maxSteps`
 * steps (drawn after it) before the inner policy takes over again. The inner policy still sees every step.
 */
export function heldExcursionPolicy(
  inner: Policy,
  name: string,
  stream: number,
  prob: number,
  maxSteps: number,
  start: (rng: Rng, own: Float32Array) => (observation: unknown) => Float32Array,
): Policy {
  let rng = Rng.fromSeed(0);
  let left = 0;
  let excursion: ((observation: unknown) => Float32Array) | undefined;
  return {
    name,
    reset(seed: number) {
      inner.reset?.(seed);
      rng = Rng.fromSeed(seed).derive(stream);
      left = 0;
    },
    async act(observation, info) {
      const own = (await inner.act(observation, info)) as Float32Array;
      if (left === 0 && rng.uniform() < prob) {
        excursion = start(rng, own);
        left = rng.integer(1, maxSteps);
      }
      if (left === 0) return own;
      left--;
      return excursion!(observation);
    },
  };
}

/**
 * Begins each episode with a passive phase: 0…`maxSteps` steps (uniform, seeded per episode) of the
 * `idle` action before `inner` takes over — the physics plays out uncontrolled: bodies fall, slide to a
 * stop, stay at rest. A world model must predict exactly that (the plausibility checks run idle), and a
 * controlling policy rarely shows it. The inner policy still sees every step (its state stays in sync).
 */
export function passiveStartPolicy(inner: Policy, idle: Float32Array, maxSteps: number): Policy {
  let left = 0;
  return {
    name: `${inner.name}+passive(${maxSteps})`,
    reset(seed: number) {
      inner.reset?.(seed);
      left = Rng.fromSeed(seed).derive(4).integer(0, maxSteps);
    },
    async act(observation, info) {
      const own = await inner.act(observation, info);
      if (left === 0) return own;
      left--;
      return idle.slice();
    },
  };
}
