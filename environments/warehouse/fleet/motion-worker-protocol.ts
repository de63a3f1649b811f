/**
 * Messages between `FleetMotionWorker` (the caller's thread) and `motion-worker-host.ts` (its worker).
 *
 * @module
 */
import type { ErrorPayload } from '../../../src/vector/protocol.js';
import type { FleetMotionOptions, FleetMotionPlan, FleetMotionRequest, FleetMotionSetup } from './motion.js';

/**
 * Where the worker gets its model: a world-model bundle directory (an observation-space model trained on
 * ego-centric fleet data), or a module's factory `(options) => FleetModel | Promise<FleetModel>`.
 */
export type FleetMotionModelSpec =
  | {
      /** Bundle directory, loaded with `WorldModel.load`. */
      readonly bundle: string;
      /** onnxruntime intra-op threads of its sessions [1]. */
      readonly intraOpNumThreads?: number;
    }
  | {
      /** Module to import in the worker (a `file:` URL, an absolute path, or a package specifier). */
      readonly module: string;
      /** Its export to call [`'createFleetModel'`]. */
      readonly exportName?: string;
      /** Structured-clonable options for the factory. */
      readonly options?: unknown;
    };

/** What the worker starts with. */
export interface FleetMotionWorkerData {
  readonly setup: FleetMotionSetup;
  readonly motion: FleetMotionOptions;
  readonly model: FleetMotionModelSpec;
}

/** Caller → worker. `cancel` is a shared 1-element `Int32Array` buffer: 1 stops the plan after its current iteration. */
export type ToFleetMotionWorker =
  | { readonly type: 'plan'; readonly id: number; readonly request: FleetMotionRequest; readonly cancel: SharedArrayBuffer }
  | { readonly type: 'close' };

/** Worker → caller. */
export type FromFleetMotionWorker =
  | { readonly type: 'ready'; readonly horizon: number; readonly stateDim: number }
  | { readonly type: 'init-error'; readonly error: ErrorPayload }
  | { readonly type: 'plan'; readonly id: number; readonly plan: FleetMotionPlan }
  | { readonly type: 'error'; readonly id: number; readonly error: ErrorPayload }
  | { readonly type: 'closed'; readonly error?: ErrorPayload };
