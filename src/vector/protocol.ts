/**
 * Messages between `WorkerVectorEnv` and its workers, and how errors cross the thread boundary.
 * Arrays never travel in messages: they live in `SharedArrayBuffer`s both sides map.
 *
 * @module
 */
import { EmbodiedError, EnvStateError, InvalidActionError, InvalidArgumentError, RegistrationError, SpaceError, UnknownEnvError } from '../errors.js';
import type { EnvSpec, Info } from '../env.js';
import type { SpaceJSON } from '../spaces.js';
import type { AutoresetMode } from './types.js';

/** What a worker is started with (`workerData`). */
export interface WorkerInit {
  readonly workerIndex: number;
  /** First env index of this worker's contiguous slice. */
  readonly start: number;
  /** Number of envs in the slice. */
  readonly count: number;
  readonly envId: string;
  readonly kwargs: Record<string, unknown>;
  /** Module URLs to import before `make` (they register the env). */
  readonly modules: readonly string[];
  readonly maxEpisodeSteps: number | false | undefined;
  readonly autoresetMode: AutoresetMode;
  /** `Int32Array` over a SharedArrayBuffer: per worker [env index, operation] being run, for crash reports. */
  readonly progress: SharedArrayBuffer;
}

/** The shared buffers, sent once the spaces (and so the sizes) are known. */
export interface SharedBuffers {
  readonly observations: SharedArrayBuffer;
  readonly actions: SharedArrayBuffer;
  readonly rewards: SharedArrayBuffer;
  readonly terminated: SharedArrayBuffer;
  readonly truncated: SharedArrayBuffer;
}

/** Operation codes written to the progress array. */
export const Op = { idle: 0, init: 1, reset: 2, step: 3, close: 4 } as const;

/** Messages to a worker. */
export type ToWorker =
  | { readonly type: 'attach'; readonly buffers: SharedBuffers }
  | { readonly type: 'reset'; readonly id: number; readonly seeds: (number | undefined)[]; readonly options: (Record<string, unknown> | undefined)[]; readonly mask: boolean[] }
  | { readonly type: 'step'; readonly id: number }
  | { readonly type: 'close'; readonly id: number };

/** An error as it crosses threads. */
export interface ErrorPayload {
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
}

/** Messages from a worker. */
export type FromWorker =
  | { readonly type: 'ready'; readonly observationSpace: SpaceJSON; readonly actionSpace: SpaceJSON; readonly spec: EnvSpec }
  | { readonly type: 'init-error'; readonly error: ErrorPayload }
  | { readonly type: 'result'; readonly id: number; readonly infos: Info[] }
  | { readonly type: 'error'; readonly id: number; readonly error: ErrorPayload };

const ERRORS: Record<string, new (message: string) => EmbodiedError> = {
  EmbodiedError,
  EnvStateError,
  InvalidActionError,
  InvalidArgumentError,
  RegistrationError,
  SpaceError,
  UnknownEnvError,
};

/** Serialises an error for `postMessage`. */
export function toPayload(err: unknown): ErrorPayload {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/** Rebuilds an error from a worker: the same Embodied class where there is one, else an EmbodiedError naming the original class. */
export function fromPayload(p: ErrorPayload, prefix: string): Error {
  const Ctor = ERRORS[p.name];
  const err = Ctor ? new Ctor(`${prefix}${p.message}`) : new EmbodiedError(`${prefix}${p.name}: ${p.message}`);
  if (p.stack) err.stack = `${err.name}: ${err.message}\n    --- in worker ---\n${p.stack}`;
  return err;
}
