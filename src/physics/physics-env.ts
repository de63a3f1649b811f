/**
 * The base of every Rapier environment: owns the {@link Scene}, initialises Rapier in `reset`, and
 * makes the environment {@link Stateful} exactly — state = snapshot bytes + task state + episode step +
 * random stream — so restoring a state and replaying actions reproduces the original bit for bit.
 *
 * @module
 */
import { BaseEnv, type LifecycleState, type ResetResult, type StepResult, type Stateful } from '../env.js';
import { EnvStateError, InvalidArgumentError, describeValue } from '../errors.js';
import { initRapier } from './rapier.js';
import type { FrameMarker, Scene } from './scene.js';

/** The saved state of a {@link PhysicsEnv}. Structured-clonable; never aliases live buffers. */
export interface PhysicsEnvState<T = unknown> {
  /** Rapier snapshot bytes of the whole world. */
  readonly physics: Uint8Array;
  /** The environment's task state (goals, counters, flags), as returned by `captureTask`. */
  readonly task: T;
  /** Random stream and lifecycle phase. */
  readonly lifecycle: LifecycleState;
  /** Steps taken in the current episode. */
  readonly elapsedSteps: number;
}

/**
 * Subclasses implement `resetEpisode` (build `this.scene` from `this.rng`, return the first
 * observation), `stepEpisode`, and `captureTask`/`restoreTask` for everything outside Rapier that
 * affects the future.
 *
 * @typeParam T - the task state type
 */
export abstract class PhysicsEnv<O = Float32Array, A = Float32Array, T = unknown> extends BaseEnv<O, A> implements Stateful<PhysicsEnvState<T>> {
  protected scene: Scene | undefined;
  /** Steps taken in the current episode. */
  protected elapsedSteps = 0;

  /** Simulated seconds per `step` (control period). */
  abstract readonly controlDt: number;

  protected async onReset(options: Record<string, unknown>): Promise<ResetResult<O>> {
    await initRapier();
    this.scene?.free();
    this.scene = undefined;
    this.elapsedSteps = 0;
    return this.resetEpisode(options);
  }

  protected onStep(action: A): StepResult<O> {
    const result = this.stepEpisode(action);
    this.elapsedSteps++;
    return result;
  }

  protected override onClose(): void {
    this.scene?.free();
    this.scene = undefined;
  }

  /** The live scene. @throws {@link EnvStateError} before the first reset. */
  protected get liveScene(): Scene {
    if (this.scene === undefined) {
      throw new EnvStateError(this.phase === 'closed' ? `${this.spec.id}: used after close(); make a new environment` : `${this.spec.id}: no scene yet; call reset() first`);
    }
    return this.scene;
  }

  getState(): PhysicsEnvState<T> {
    return {
      physics: this.liveScene.snapshot(),
      task: structuredClone(this.captureTask()),
      lifecycle: this.captureLifecycle(),
      elapsedSteps: this.elapsedSteps,
    };
  }

  setState(state: PhysicsEnvState<T>): void {
    if (typeof state !== 'object' || state === null || !(state.physics instanceof Uint8Array)) {
      throw new InvalidArgumentError(`${this.spec.id}.setState: expected a PhysicsEnvState with \`physics\` snapshot bytes, got ${describeValue(state)}`);
    }
    // Reject a foreign task state before the world is replaced, so a refused state changes nothing.
    this.checkTask(state.task);
    this.liveScene.restore(state.physics);
    this.restoreTask(structuredClone(state.task));
    this.restoreLifecycle(state.lifecycle);
    this.elapsedSteps = state.elapsedSteps;
  }

  /** `'frame'`: the JSON scene description; `'ansi'`: the subclass's text view. */
  render(mode = 'frame'): unknown {
    if (this.phase === 'closed') throw new EnvStateError(`${this.spec.id}: render() called after close()`);
    if (mode === 'frame') return this.liveScene.frame(this.elapsedSteps * this.controlDt, this.frameMarkers());
    if (mode === 'ansi') return this.renderAnsi();
    throw new InvalidArgumentError(`${this.spec.id}.render: expected mode 'frame' or 'ansi', got ${describeValue(mode)}`);
  }

  /** Builds `this.scene` for a new episode (sampling from `this.rng`) and returns the first observation. */
  protected abstract resetEpisode(options: Record<string, unknown>): ResetResult<O>;
  /** Applies `action` for one control period and returns the step result. */
  protected abstract stepEpisode(action: A): StepResult<O>;
  /** Everything outside Rapier that affects the future of the episode (structured-clonable). */
  protected abstract captureTask(): T;
  /** Restores what {@link PhysicsEnv.captureTask} returned. */
  protected abstract restoreTask(task: T): void;
  /** A short text view of the current state. */
  protected abstract renderAnsi(): string;
  /**
   * Throws (typically an {@link InvalidArgumentError}) when `task` cannot be restored into this
   * environment, e.g. it was saved by one built with other options. Called by `setState` before
   * anything changes. Accepts everything by default.
   */
  protected checkTask(_task: T): void {}
  /** Task markers (goals, targets) for `render('frame')`; none by default. */
  protected frameMarkers(): FrameMarker[] | undefined {
    return undefined;
  }
}
