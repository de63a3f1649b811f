/**
 * Rapier lifecycle: load and initialise the deterministic WASM build once per thread.
 *
 * Environment constructors are synchronous, so physics environments call {@link initRapier} from their
 * async `reset`; code that needs Rapier synchronously afterwards uses {@link rapier}.
 *
 * @module
 */
import RAPIER from '@dimforge/rapier3d-deterministic-compat';
import { setFlagsFromString } from 'node:v8';
import { EnvStateError } from '../errors.js';

/** The Rapier module (deterministic compat build). */
export type Rapier = typeof RAPIER;

/** Options of {@link initRapier}. */
export interface InitRapierOptions {
  /**
   * Compile the WASM with V8's optimising tier straight away (`--no-liftoff`): full speed after ~4k
   * steps instead of ~50k, at ~2 s of compile time per thread. Only effective on the first call in
   * a thread. Default: `false`; benchmarks and long CLI jobs turn it on.
   */
  readonly fastTierUp?: boolean;
}

let ready: Promise<Rapier> | undefined;
let loaded: Rapier | undefined;

/** Initialises Rapier in this thread (once; later calls return the same module). */
export function initRapier(options: InitRapierOptions = {}): Promise<Rapier> {
  if (ready === undefined) {
    if (options.fastTierUp) setFlagsFromString('--no-liftoff');
    ready = RAPIER.init().then(() => {
      loaded = RAPIER;
      return RAPIER;
    });
  }
  return ready;
}

/**
 * The initialised Rapier module.
 * @throws {@link EnvStateError} when {@link initRapier} has not completed in this thread.
 */
export function rapier(): Rapier {
  if (loaded === undefined) throw new EnvStateError('Rapier is not initialised in this thread: await initRapier() (environments do this in reset())');
  return loaded;
}

/** The Rapier package name and version, for provenance records. */
export const RAPIER_PACKAGE = '@dimforge/rapier3d-deterministic-compat';

/** Rapier's own version string (requires {@link initRapier}). */
export function rapierVersion(): string {
  return rapier().version();
}
