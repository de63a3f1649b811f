/**
 * The vocabulary shared by every agent and runner: what an agent sees ({@link Percept}), what it is
 * ({@link Agent}: an RxJS operator from percepts to actions) and what an episode produces
 * ({@link Transition}).
 *
 * Why a percept and not a bare observation: policies take `info` as well (Gymnasium passes it), the
 * oracle planner needs the simulator's exact state at the moment of the observation, and stateful
 * agents want the step index and the episode seed. A percept carries all of them; an agent that
 * only needs the observation reads `percept.observation`.
 *
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import type { Info } from '../src/env.js';

/** What an agent receives once per control step. */
export interface Percept<O = Float32Array> {
  /** The environment's observation at this step. */
  readonly observation: O;
  /** The `info` that came with it (from `reset` at step 0, from `step` afterwards). */
  readonly info: Info;
  /** Index of this observation within the episode: 0 after `reset`, i after the i-th `step`. */
  readonly step: number;
  /** The seed the episode was reset with, when it was seeded. */
  readonly seed: number | undefined;
  /**
   * The environment's exact state at this observation, when the environment is `Stateful`.
   * A thunk so that agents that do not need it pay nothing; it is valid until the agent answers this
   * percept (the runner steps the environment only after that).
   */
  readonly state?: () => unknown;
}

/**
 * An agent: an RxJS operator that answers each {@link Percept} with exactly one action, in order
 * (action i answers percept i). Each subscription is one episode, so per-episode memory (a warm
 * start, a policy's RNG) lives inside the subscription and is released when it ends. Failures are
 * sent to the subscriber's `error`, never thrown.
 */
export type Agent<O = Float32Array, A = Float32Array> = OperatorFunction<Percept<O>, A>;

/** One step of an episode, as emitted by `runEpisode`. */
export interface Transition<O = Float32Array, A = Float32Array> {
  /** The observation the action answered. */
  readonly observation: O;
  /** The action applied. */
  readonly action: A;
  /** The reward of the step. */
  readonly reward: number;
  /** The MDP reached a terminal state. */
  readonly terminated: boolean;
  /** The episode was cut short (time limit, `maxSteps`, leaving the bounds). */
  readonly truncated: boolean;
  /** The step's `info`. */
  readonly info: Info;
  /** The observation after the step. */
  readonly nextObservation: O;
  /** Index of `observation` within the episode (0 for the first step). */
  readonly step: number;
}
