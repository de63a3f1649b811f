/**
 * Helper bases for wrappers that change one thing: the observation, the action or the reward
 * (Gymnasium's `ObservationWrapper`, `ActionWrapper`, `RewardWrapper`). A concrete wrapper overrides
 * one method and, when it changes a space, the matching space getter.
 *
 * @module
 */
import { InvalidActionError } from '../errors.js';
import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import { Wrapper } from './wrapper.js';

/**
 * Transforms every observation (from `reset` and from `step`) with {@link ObservationWrapper.observation}.
 * Subclasses that change the observation's type, shape or bounds must also override `observationSpace`.
 *
 * @typeParam O - observation type seen by the caller
 * @typeParam A - action type
 * @typeParam IO - observation type of the wrapped env
 */
export abstract class ObservationWrapper<O = Float32Array, A = Float32Array, IO = Float32Array> extends Wrapper<O, A, IO, A> {
  constructor(env: Env<IO, A>) {
    super(env);
  }

  override async reset(opts?: ResetOptions): Promise<ResetResult<O>> {
    const { observation, info } = await this.env.reset(opts);
    return { observation: this.observation(observation), info };
  }

  override async step(action: A): Promise<StepResult<O>> {
    const result = await this.env.step(action);
    return { ...result, observation: this.observation(result.observation) };
  }

  /** Maps an observation of the wrapped env to the caller's observation. Must not keep `observation`. */
  protected abstract observation(observation: IO): O;
}

/**
 * Transforms every action with {@link ActionWrapper.action} before the wrapped env sees it. The action
 * is first checked against this wrapper's own `actionSpace`, so errors speak in the caller's terms.
 *
 * @typeParam O - observation type
 * @typeParam A - action type given by the caller
 * @typeParam IA - action type of the wrapped env
 */
export abstract class ActionWrapper<O = Float32Array, A = Float32Array, IA = Float32Array> extends Wrapper<O, A, O, IA> {
  constructor(env: Env<O, IA>) {
    super(env);
  }

  override async step(action: A): Promise<StepResult<O>> {
    const why = this.actionSpace.explain(action);
    if (why !== undefined) throw new InvalidActionError(`${this.spec.id}.step (${this.constructor.name}): invalid action: ${why}`);
    return this.env.step(this.action(action));
  }

  /** Maps the caller's action (already checked against `actionSpace`) to an action of the wrapped env. */
  protected abstract action(action: A): IA;
}

/**
 * Transforms every reward with {@link RewardWrapper.reward}.
 *
 * @typeParam O - observation type
 * @typeParam A - action type
 */
export abstract class RewardWrapper<O = Float32Array, A = Float32Array> extends Wrapper<O, A> {
  constructor(env: Env<O, A>) {
    super(env);
  }

  override async step(action: A): Promise<StepResult<O>> {
    const result = await this.env.step(action);
    return { ...result, reward: this.reward(result.reward) };
  }

  /** Maps a reward of the wrapped env to the caller's reward. */
  protected abstract reward(reward: number): number;
}
