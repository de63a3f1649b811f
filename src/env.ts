/**
 * The environment contract (Gymnasium's `Env`, to the letter, with objects instead of tuples)
 * and {@link BaseEnv}, which enforces the episode lifecycle and validates actions so that each
 * environment only writes its physics and task logic.
 *
 * @module
 */
import { EnvStateError, InvalidActionError, InvalidArgumentError, describeValue } from './errors.js';
import { Rng, assertSeed, type RngState } from './rng.js';
import type { Space } from './spaces.js';

/** Free-form per-step information. Task environments always set `success: boolean`. */
export type Info = Record<string, unknown>;

/** Static description of a registered environment. */
export interface EnvSpec {
  /** Versioned id, e.g. `PushBox-v0`. */
  readonly id: string;
  /** Episode length after which `make` truncates (via `TimeLimit`); `undefined` = no limit. */
  readonly maxEpisodeSteps?: number;
  /** Return at which the task counts as solved, when there is one. */
  readonly rewardThreshold?: number;
  /** True when the same seed may not reproduce the same episode (checkers then skip determinism). */
  readonly nondeterministic?: boolean;
  /** The constructor options this instance was made with. */
  readonly kwargs?: Readonly<Record<string, unknown>>;
}

/** Display and timing metadata (Gymnasium's `metadata`). */
export interface EnvMetadata {
  /** Modes accepted by `render`, e.g. `['ansi', 'frame']`. */
  readonly renderModes: readonly string[];
  /** Simulated frames per second of one `step` (1 / control timestep). */
  readonly renderFps?: number;
}

/** Arguments of `reset`. */
export interface ResetOptions {
  /** Reseeds the environment's generator. Omitted: keep the current stream (seeded from entropy the first time). */
  seed?: number;
  /** Environment-specific reset options (e.g. `{ prompt }` for a world model, `{ layout }` for a warehouse). */
  options?: Record<string, unknown>;
}

/** What `reset` returns. */
export interface ResetResult<O> {
  observation: O;
  info: Info;
}

/** What `step` returns: Gymnasium's five values, named. */
export interface StepResult<O> {
  observation: O;
  /** A finite number. */
  reward: number;
  /** The MDP reached a terminal state (task success or failure). */
  terminated: boolean;
  /** The episode was cut short from outside the MDP (time limit, leaving the bounds). */
  truncated: boolean;
  info: Info;
}

/**
 * A reinforcement-learning environment: Gymnasium's API with `async` reset/step and named results.
 *
 * @typeParam O - observation type (default `Float32Array`)
 * @typeParam A - action type (default `Float32Array`)
 */
export interface Env<O = Float32Array, A = Float32Array> {
  readonly spec: EnvSpec;
  readonly observationSpace: Space<O>;
  readonly actionSpace: Space<A>;
  readonly metadata: EnvMetadata;
  /** Starts an episode. `seed` reseeds; `options` are environment-specific. */
  reset(opts?: ResetOptions): Promise<ResetResult<O>>;
  /**
   * Advances one control step.
   * @throws {@link InvalidActionError} when `action` is not in `actionSpace`.
   * @throws {@link EnvStateError} before the first `reset`, after the episode ended, or after `close`.
   */
  step(action: A): Promise<StepResult<O>>;
  /** A view of the current state; modes are listed in `metadata.renderModes`. */
  render?(mode?: string): unknown;
  /** Releases resources (Rapier worlds, sessions, workers). Calling it twice has no effect. */
  close(): Promise<void>;
}

/**
 * An environment whose complete state can be saved and restored exactly: restoring a state and
 * applying the same actions reproduces the original continuation bit for bit.
 *
 * States are structured-clonable (they may cross `worker_threads`) and never alias live buffers.
 */
export interface Stateful<S = unknown> {
  /** The complete current state: a structured-clonable copy with no side effects on the environment. */
  getState(): S;
  /** Restores a state returned by `getState` (of this environment or an identical one). */
  setState(state: S): void;
}

/** Whether `env` implements {@link Stateful} (wrappers answer for the environment they wrap). */
export function isStateful<O, A>(env: Env<O, A>): env is Env<O, A> & Stateful {
  const probe = env as Partial<Stateful> & { isStateful?: () => boolean };
  if (typeof probe.isStateful === 'function') return probe.isStateful();
  return typeof probe.getState === 'function' && typeof probe.setState === 'function';
}

/** Lifecycle phase that {@link BaseEnv} tracks. */
export type EpisodePhase = 'needs-reset' | 'running' | 'ended' | 'closed';

/** Validates the argument of `reset` and returns its parts. */
export function parseResetOptions(opts: unknown, envId: string): { seed: number | undefined; options: Record<string, unknown> } {
  if (opts === undefined) return { seed: undefined, options: {} };
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new InvalidArgumentError(`${envId}.reset: expected an options object { seed?, options? }, got ${describeValue(opts)}`);
  }
  const o = opts as ResetOptions;
  if (o.seed !== undefined && o.seed !== null) assertSeed(o.seed, `${envId}.reset seed`);
  if (o.options !== undefined && o.options !== null && (typeof o.options !== 'object' || Array.isArray(o.options))) {
    throw new InvalidArgumentError(`${envId}.reset: expected \`options\` to be an object, got ${describeValue(o.options)}`);
  }
  return { seed: o.seed ?? undefined, options: o.options ?? {} };
}

/** The part of an environment's state that {@link BaseEnv} owns: its random stream and lifecycle. */
export interface LifecycleState {
  readonly rng: RngState;
  readonly phase: Exclude<EpisodePhase, 'closed'>;
  readonly seeded: boolean;
  readonly lastSeed: number | undefined;
}

/**
 * Base class for environments: seeds `this.rng` Gymnasium-style, enforces reset → step → … → end,
 * and rejects malformed actions with {@link InvalidActionError} before `onStep` sees them.
 *
 * Subclasses implement {@link BaseEnv.onReset}, {@link BaseEnv.onStep} and optionally {@link BaseEnv.onClose}.
 */
export abstract class BaseEnv<O = Float32Array, A = Float32Array> implements Env<O, A> {
  abstract readonly spec: EnvSpec;
  abstract readonly observationSpace: Space<O>;
  abstract readonly actionSpace: Space<A>;
  readonly metadata: EnvMetadata = { renderModes: [] };

  /** The episode's random stream; reseeded by `reset({ seed })`. */
  protected rng: Rng = Rng.fromSeed(0);
  /** The seed of the last seeded reset (or the entropy seed chosen for an unseeded first reset). */
  protected lastSeed: number | undefined;
  /** Where the episode lifecycle stands. */
  protected phase: EpisodePhase = 'needs-reset';
  private seeded = false;

  async reset(opts?: ResetOptions): Promise<ResetResult<O>> {
    if (this.phase === 'closed') throw new EnvStateError(`${this.spec.id}: reset() called after close()`);
    const { seed, options } = parseResetOptions(opts, this.spec.id);
    if (seed !== undefined) {
      this.rng = Rng.fromSeed(seed);
      this.lastSeed = seed;
      this.seeded = true;
    } else if (!this.seeded) {
      this.lastSeed = Rng.entropySeed();
      this.rng = Rng.fromSeed(this.lastSeed);
      this.seeded = true;
    }
    const result = await this.onReset(options);
    this.phase = 'running';
    return result;
  }

  async step(action: A): Promise<StepResult<O>> {
    this.assertCanStep();
    const why = this.actionSpace.explain(action);
    if (why !== undefined) throw new InvalidActionError(`${this.spec.id}.step: invalid action: ${why}`);
    const result = await this.onStep(action);
    if (result.terminated || result.truncated) this.phase = 'ended';
    return result;
  }

  async close(): Promise<void> {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    await this.onClose();
  }

  /** Saves the random stream and lifecycle phase, for a subclass's `getState`. */
  protected captureLifecycle(): LifecycleState {
    if (this.phase === 'closed') throw new EnvStateError(`${this.spec.id}: getState() called after close()`);
    return { rng: this.rng.getState(), phase: this.phase, seeded: this.seeded, lastSeed: this.lastSeed };
  }

  /** Restores what {@link BaseEnv.captureLifecycle} saved, for a subclass's `setState`. */
  protected restoreLifecycle(state: LifecycleState): void {
    if (this.phase === 'closed') throw new EnvStateError(`${this.spec.id}: setState() called after close()`);
    if (typeof state !== 'object' || state === null || !Array.isArray(state.rng)) {
      throw new InvalidArgumentError(`${this.spec.id}.setState: expected a lifecycle state with an \`rng\` field, got ${describeValue(state)}`);
    }
    this.rng = Rng.fromState(state.rng);
    this.phase = state.phase;
    this.seeded = state.seeded;
    this.lastSeed = state.lastSeed;
  }

  /** Throws the {@link EnvStateError} that explains why `step` cannot run now, if any. */
  protected assertCanStep(): void {
    switch (this.phase) {
      case 'running':
        return;
      case 'needs-reset':
        throw new EnvStateError(`${this.spec.id}: step() called before reset(); call reset() first`);
      case 'ended':
        throw new EnvStateError(`${this.spec.id}: step() called after the episode ended (terminated or truncated); call reset() first`);
      case 'closed':
        throw new EnvStateError(`${this.spec.id}: step() called after close()`);
    }
  }

  /** Starts an episode; `this.rng` is already seeded. */
  protected abstract onReset(options: Record<string, unknown>): ResetResult<O> | Promise<ResetResult<O>>;
  /** Advances one step; `action` is already validated against `actionSpace`. */
  protected abstract onStep(action: A): StepResult<O> | Promise<StepResult<O>>;
  /** Releases resources; called once. */
  protected onClose(): void | Promise<void> {}
}
