/**
 * Messages between `PlanWorker` (main thread) and `plan-worker-host.ts` (worker thread).
 *
 * @module
 */
import type { Info } from '../src/env.js';

/** What the worker is started with. */
export interface PlanWorkerData {
  /** URL (or specifier) of the module to import in the worker. */
  readonly module: string;
  /** Name of its export: `(options) => PlanSource | Promise<PlanSource>`. */
  readonly exportName: string;
  /** Structured-clonable options for the factory. */
  readonly options: unknown;
}

/** An error carried across the thread boundary. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
}

/** Main → worker. */
export type PlanWorkerRequest =
  | {
      readonly type: 'plan';
      readonly id: number;
      readonly observation: Float32Array;
      readonly info: Info;
      readonly step: number;
      readonly episodeSeed: number | undefined;
      /** The environment state, when the worker was started with `sendState`. */
      readonly state: unknown;
      readonly warmStart: Float32Array | undefined;
      readonly shift: number | undefined;
      readonly seed: number;
    }
  | { readonly type: 'cancel'; readonly id: number }
  | { readonly type: 'close' };

/** Worker → main. */
export type PlanWorkerReply =
  | { readonly type: 'ready'; readonly horizon: number; readonly actionDim: number; readonly actionLow: Float32Array; readonly actionHigh: Float32Array }
  | { readonly type: 'init-error'; readonly error: SerializedError }
  | {
      readonly type: 'plan';
      readonly id: number;
      readonly actions: Float32Array;
      readonly iterations: number;
      readonly bestCost: number;
      readonly nanCount: number;
      /** Milliseconds the worker spent on this plan. */
      readonly workerMs: number;
    }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError }
  | { readonly type: 'closed'; readonly error?: SerializedError };
