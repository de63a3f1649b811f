/**
 * The typed error hierarchy. Every error Embodied raises on bad input derives from {@link EmbodiedError}
 * and says what was expected and what it got. Domain modules (graph, world model, training, layouts)
 * add their own subclasses next to their code.
 *
 * @module
 */

/** Base class of every error Embodied raises on purpose. */
export class EmbodiedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An argument or option is malformed (wrong type, out of range, inconsistent with another). */
export class InvalidArgumentError extends EmbodiedError {}

/** An action handed to `step` is not in the action space (wrong shape, NaN/Infinity, out of bounds). */
export class InvalidActionError extends EmbodiedError {}

/**
 * An environment was used in the wrong lifecycle state: `step` before `reset`, `step` after the episode
 * ended without a `reset`, or any call after `close`.
 */
export class EnvStateError extends EmbodiedError {}

/** `make`/`spec` was given an id that is not registered. The message lists close matches. */
export class UnknownEnvError extends EmbodiedError {}

/** An environment id is registered twice, or does not follow the `Name-vN` form. */
export class RegistrationError extends EmbodiedError {}

/** A value handed to a space (`contains`, JSON round-trip, flatten) has the wrong structure. */
export class SpaceError extends EmbodiedError {}

/** A worker thread of a vector env died; the message names the sub-environment index and its seed. */
export class WorkerCrashError extends EmbodiedError {
  constructor(
    message: string,
    /** Index of the sub-environment whose worker died. */
    readonly envIndex: number,
    /** Seed of that sub-environment's last reset, when known. */
    readonly seed: number | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A worker thread of a vector env did not answer a `reset`/`step` within the vector env's `callTimeoutMs`
 * (a sub-environment stuck in a loop or on a promise that never settles). The worker was terminated; the
 * message names the worker, the sub-environment index, its seed and the limit.
 */
export class WorkerTimeoutError extends WorkerCrashError {
  constructor(
    message: string,
    envIndex: number,
    seed: number | undefined,
    /** The limit that was exceeded, ms. */
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(message, envIndex, seed, options);
  }
}

/** Formats a value for an error message: short, single line, never throws. */
export function describeValue(value: unknown, maxLength = 120): string {
  let text: string;
  try {
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      const arr = Array.from(value as unknown as ArrayLike<number>);
      text = `${value.constructor.name}(${arr.length}) [${arr.slice(0, 8).join(', ')}${arr.length > 8 ? ', …' : ''}]`;
    } else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
      text = String(value);
    } else if (value === undefined) {
      text = 'undefined';
    } else if (typeof value === 'function') {
      text = `function ${value.name || '(anonymous)'}`;
    } else {
      // JSON.stringify returns undefined for symbols (and objects whose toJSON does): fall back to String.
      text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) ?? String(value);
    }
  } catch {
    // A circular structure or throwing getter: fall back to the tag, the message must still be built.
    text = Object.prototype.toString.call(value);
  }
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
