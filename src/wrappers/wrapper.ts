/**
 * The wrapper base class. A wrapper is an environment around an environment; each concrete wrapper
 * overrides one hook (`observation`, `action`, `reward`, or `reset`/`step` when it must see both).
 *
 * Wrappers are {@link Stateful} exactly when the environment they wrap is: `getState` returns the inner
 * state plus the wrapper's own (`wrapperState`), so a saved state restores the whole stack.
 *
 * @module
 */
import { EnvStateError, InvalidArgumentError, describeValue } from '../errors.js';
import { isStateful, type Env, type EnvMetadata, type EnvSpec, type ResetOptions, type ResetResult, type StepResult } from '../env.js';
import type { Space } from '../spaces.js';

/** State of a wrapped stack: the inner environment's state and this wrapper's own. */
export interface WrappedState {
  readonly inner: unknown;
  readonly wrapper: unknown;
}

/**
 * Forwards everything to `env`. Subclasses override what they change.
 *
 * @typeParam O - observation type seen by the caller
 * @typeParam A - action type given by the caller
 * @typeParam IO - observation type of the wrapped env
 * @typeParam IA - action type of the wrapped env
 */
export class Wrapper<O = Float32Array, A = Float32Array, IO = O, IA = A> implements Env<O, A> {
  constructor(readonly env: Env<IO, IA>) {}

  get spec(): EnvSpec {
    return this.env.spec;
  }
  get observationSpace(): Space<O> {
    return this.env.observationSpace as unknown as Space<O>;
  }
  get actionSpace(): Space<A> {
    return this.env.actionSpace as unknown as Space<A>;
  }
  get metadata(): EnvMetadata {
    return this.env.metadata;
  }

  /** The innermost environment, below every wrapper. */
  get unwrapped(): Env<unknown, unknown> {
    let e: Env<unknown, unknown> = this.env as Env<unknown, unknown>;
    while (e instanceof Wrapper) e = e.env as Env<unknown, unknown>;
    return e;
  }

  async reset(opts?: ResetOptions): Promise<ResetResult<O>> {
    return (await this.env.reset(opts)) as unknown as ResetResult<O>;
  }

  async step(action: A): Promise<StepResult<O>> {
    return (await this.env.step(action as unknown as IA)) as unknown as StepResult<O>;
  }

  render(mode?: string): unknown {
    if (typeof this.env.render !== 'function') return undefined;
    return this.env.render(mode);
  }

  close(): Promise<void> {
    return this.env.close();
  }

  /** Whether the wrapped stack can save and restore its state. */
  isStateful(): boolean {
    return isStateful(this.env);
  }

  /** The inner environment's state plus this wrapper's own. @throws {@link EnvStateError} when the env is not Stateful. */
  getState(): WrappedState {
    if (!isStateful(this.env)) throw new EnvStateError(`${this.spec.id}: getState() called on a stack whose environment is not Stateful`);
    return { inner: this.env.getState(), wrapper: this.wrapperState() };
  }

  /** Restores what {@link Wrapper.getState} returned, inner environment first. */
  setState(state: WrappedState): void {
    if (!isStateful(this.env)) throw new EnvStateError(`${this.spec.id}: setState() called on a stack whose environment is not Stateful`);
    if (typeof state !== 'object' || state === null || !('inner' in state)) {
      throw new InvalidArgumentError(`${this.spec.id}.setState: expected the { inner, wrapper } object that getState() returned, got ${describeValue(state)}`);
    }
    this.env.setState(state.inner);
    this.restoreWrapperState(state.wrapper);
  }

  /** This wrapper's own state (structured-clonable); `undefined` for stateless wrappers. */
  protected wrapperState(): unknown {
    return undefined;
  }

  /** Restores what {@link Wrapper.wrapperState} returned. */
  protected restoreWrapperState(_state: unknown): void {}
}

/** Returns `env` with every {@link Wrapper} peeled off. */
export function unwrap<O, A>(env: Env<O, A>): Env<unknown, unknown> {
  return env instanceof Wrapper ? env.unwrapped : (env as Env<unknown, unknown>);
}

/** Finds the first wrapper of class `cls` in the stack, from the outside in. */
export function findWrapper<W>(env: Env<unknown, unknown>, cls: abstract new (...args: never[]) => W): W | undefined {
  let e: Env<unknown, unknown> = env;
  while (e instanceof Wrapper) {
    if (e instanceof cls) return e as W;
    e = e.env as Env<unknown, unknown>;
  }
  return undefined;
}
