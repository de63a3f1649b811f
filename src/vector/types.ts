/**
 * The vector-environment contract: `numEnvs` copies of one environment stepped as a batch, with
 * batch-major `Float32Array` observations and actions and Gymnasium 1.x autoreset modes.
 *
 * Deviation from Gymnasium: `infos` is an array of per-env records (`infos[i]` is env `i`'s info), not a
 * dict of arrays with `_key` masks. Records keep each env's info intact (no padding of missing keys) and
 * cost nothing to build when envs report different keys.
 *
 * @module
 */
import type { EnvSpec, Info } from '../env.js';
import type { z } from 'zod';
import type { Box, Discrete, MultiDiscrete } from '../spaces.js';
import type { VectorEnvOptionsSchema } from './vector-base.js';

/**
 * When a sub-environment whose episode ended is reset (Gymnasium 1.x `AutoresetMode`):
 * - `'next-step'` (default): the step *after* the end resets it; that step ignores its action and
 *   returns the reset observation with reward 0 and both flags false.
 * - `'same-step'`: the step that ends the episode resets it at once and returns the reset observation;
 *   the final observation and info are in `info.finalObservation` / `info.finalInfo`.
 * - `'disabled'`: nothing resets automatically; reset ended envs with `reset({ mask })` before stepping them.
 */
export type AutoresetMode = 'next-step' | 'same-step' | 'disabled';

/** The autoreset modes, in documentation order. */
export const AUTORESET_MODES: readonly AutoresetMode[] = ['next-step', 'same-step', 'disabled'];

/** Action spaces a vector env can batch: each member flattens to a fixed number of float32 slots. */
export type VectorActionSpace = Box | Discrete | MultiDiscrete;

/** Arguments of {@link VectorEnv.reset}. */
export interface VectorResetOptions {
  /**
   * A number `s` seeds env `i` with `s + i` (as Gymnasium); an array gives one seed per env. Omitted:
   * keep each env's stream (the first reset of a vector env draws `s` from the OS entropy pool).
   */
  seed?: number | readonly number[];
  /**
   * Environment-specific reset options: one object passed to every reset env, or one per env (length
   * `numEnvs`; `undefined` entries reset with no options).
   */
  options?: Record<string, unknown> | readonly (Record<string, unknown> | undefined)[];
  /**
   * Which envs to reset (length `numEnvs`, truthy = reset). Omitted: all. Rows of envs not reset keep
   * their current observation; their info is `{}`.
   */
  mask?: ArrayLike<boolean | number>;
}

/** What {@link VectorEnv.reset} returns. */
export interface VectorResetResult {
  /** `numEnvs × obsDim`, row `i` for env `i`. */
  observations: Float32Array;
  /** One info record per env. */
  infos: Info[];
}

/** What {@link VectorEnv.step} returns. */
export interface VectorStepResult {
  /** `numEnvs × obsDim`. In `'same-step'` mode, rows of envs that ended hold the reset observation. */
  observations: Float32Array;
  /** `numEnvs` rewards. */
  rewards: Float32Array;
  /** `numEnvs` flags, 1 where the episode reached a terminal state. */
  terminated: Uint8Array;
  /** `numEnvs` flags, 1 where the episode was cut short (time limit, bounds). */
  truncated: Uint8Array;
  /** One info record per env. */
  infos: Info[];
}

/** Options shared by every vector env: those of {@link VectorEnvOptionsSchema}. */
export type VectorEnvOptions = z.input<typeof VectorEnvOptionsSchema>;

/**
 * `numEnvs` copies of one environment, stepped as a batch.
 *
 * @example
 * ```ts
 * const envs = await makeVec('LineWorld-v0', 8, 'worker');
 * let { observations } = await envs.reset({ seed: 42 });       // env i seeded with 42 + i
 * const actions = new Float32Array(envs.numEnvs * 1).fill(0.5);
 * const { rewards, terminated, truncated } = await envs.step(actions);
 * await envs.close();
 * ```
 */
export interface VectorEnv {
  /** Number of sub-environments. */
  readonly numEnvs: number;
  /** Spec of the sub-environments (of env 0). */
  readonly spec: EnvSpec;
  /** Observation space of one sub-environment (a Box). */
  readonly singleObservationSpace: Box;
  /** Action space of one sub-environment. */
  readonly singleActionSpace: VectorActionSpace;
  /** Space of the batched observations: shape `[numEnvs, ...singleShape]`. */
  readonly observationSpace: Box;
  /**
   * Space of the batched actions: a Box `[numEnvs, ...]` for Box actions, a MultiDiscrete of
   * `numEnvs × k` components for Discrete/MultiDiscrete ones (passed to `step` in float32 form).
   */
  readonly actionSpace: Box | MultiDiscrete;
  /** The autoreset mode in force. */
  readonly autoresetMode: AutoresetMode;
  /** Resets all envs (or those in `mask`). */
  reset(opts?: VectorResetOptions): Promise<VectorResetResult>;
  /**
   * Steps every env with its row of `actions` (`numEnvs × actDim`, float32 form of each action).
   * @throws `InvalidActionError` naming the env when a row is not in `singleActionSpace` (nothing is stepped).
   * @throws `EnvStateError` before `reset`, after `close`, or while another call is running.
   */
  step(actions: Float32Array): Promise<VectorStepResult>;
  /** Closes every sub-environment (and worker). Calling it twice has no effect. */
  close(): Promise<void>;
}
