/**
 * The checks of `reset`: its result, that a seed makes it repeat, that another seed changes it, and
 * that it accepts `options`.
 *
 * @module
 */
import { describeValue } from '../errors.js';
import { type CheckContext, clone, fail, isObject, isPlainRecord } from './context.js';
import { difference, trajectory } from './trajectory.js';

/** `reset({ seed })` returns `{ observation, info }` with the observation inside the observation space. */
export async function checkResetResult({ env, guard, seed }: CheckContext): Promise<void> {
  const result = await guard('reset({ seed })', () => env.reset({ seed }));
  if (!isObject(result) || !('observation' in result) || !('info' in result)) fail(`expected reset() to return { observation, info }, got ${describeValue(result)}`);
  if (!isPlainRecord(result.info)) fail(`expected reset() info to be a plain object, got ${describeValue(result.info)}`);
  const why = env.observationSpace.explain(result.observation);
  if (why !== undefined) fail(`reset() observation is not in observationSpace: ${why}`);
}

/** Two `reset({ seed })` give the same observation, and so do the unseeded resets that follow each. */
export async function checkResetSeedDeterminism({ env, guard, seed }: CheckContext): Promise<void> {
  const first = clone((await guard('reset({ seed })', () => env.reset({ seed }))).observation);
  const next1 = clone((await guard('reset()', () => env.reset())).observation);
  const second = clone((await guard('reset({ seed })', () => env.reset({ seed }))).observation);
  const next2 = clone((await guard('reset()', () => env.reset())).observation);
  const d1 = difference(first, second);
  if (d1) fail(`two reset({ seed: ${seed} }) calls gave different observations: ${d1}`);
  const d2 = difference(next1, next2);
  if (d2) fail(`an unseeded reset() right after reset({ seed: ${seed} }) did not repeat: ${d2}`);
}

/** Two different seeds give different episodes for the same actions: the seed is not ignored. */
export async function checkResetSeedDifferent({ env, guard, seed, seed2, sampleActions }: CheckContext): Promise<void> {
  const actions = sampleActions(5, seed);
  const a = await trajectory(env, guard, seed, actions);
  const b = await trajectory(env, guard, seed2, actions);
  if (difference(a, b) === undefined) {
    fail(`reset({ seed: ${seed} }) and reset({ seed: ${seed2} }) gave identical observations for the reset and ${actions.length} steps: the seed seems to be ignored`);
  }
}

/** `reset({ options: {} })` works, with and without a seed. */
export async function checkResetOptions({ env, guard, seed }: CheckContext): Promise<void> {
  const result = await guard('reset({ options: {} })', () => env.reset({ options: {} }));
  const why = env.observationSpace.explain(result?.observation);
  if (why !== undefined) fail(`reset({ options: {} }) observation is not in observationSpace: ${why}`);
  await guard('reset({ seed, options: {} })', () => env.reset({ seed, options: {} }));
}
