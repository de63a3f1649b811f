/**
 * `FleetMotionWorker`: fleet MPC's motion layer ({@link FleetMotionPlanner}: the shared model, the
 * batched fleet planner and the costs) in a `worker_thread`. `onnxruntime-node` computes on the thread
 * that calls it, so a plan on the caller's thread blocks it for the whole plan; with the plan in a worker,
 * the caller's thread stays free — to step the simulation, serve other agents, or give up on a late plan
 * and answer with the previous one ({@link WarehouseFleetMpcPolicy}'s `waitMs`).
 *
 * The worker loads its own model (a bundle path, or a module's factory: workers share no objects with this
 * thread); requests travel as plain data and are served one at a time, in order. Aborting a request's
 * signal sets a flag the two threads share: the worker's optimisers stop after their current iteration
 * (the worker's event loop is busy while it plans, so a message would arrive too late).
 *
 * @module
 */
import type { Worker } from 'node:worker_threads';
import { EmbodiedError } from '../../../src/errors.js';
import { startModuleWorker } from '../../../src/module-worker.js';
import { fromPayload, type ErrorPayload } from '../../../src/vector/protocol.js';
import type { FleetMotionOptions, FleetMotionPlan, FleetMotionRequest, FleetMotionSetup, FleetMotionSource } from './motion.js';
import type { FleetMotionModelSpec, FleetMotionWorkerData, FromFleetMotionWorker, ToFleetMotionWorker } from './motion-worker-protocol.js';

export type { FleetMotionModelSpec } from './motion-worker-protocol.js';

/** The worker failed to start, crashed, exited, or was used after `close()`. A planner's own error in the worker is the `cause` of the request's rejection. */
export class FleetMotionWorkerError extends EmbodiedError {}

/** Options of {@link FleetMotionWorker.start}. */
export interface FleetMotionWorkerOptions {
  /** The map and fleet (plain data: `{ layout: env.layout, config: env.config, robots: env.numRobots }`). */
  readonly setup: FleetMotionSetup;
  /** The motion layer's options (`fleetMotionOptions(policyOptions)` gives the policy's defaults). */
  readonly motion: FleetMotionOptions;
  /** Where the worker gets its model. */
  readonly model: FleetMotionModelSpec;
  /** Milliseconds `close()` waits for the worker to release its model before terminating it [5000]. */
  readonly closeTimeoutMs?: number;
}

interface Pending {
  resolve(plan: FleetMotionPlan): void;
  reject(error: unknown): void;
}

/** Fleet MPC's motion layer in a worker thread (see the module docs). Start with {@link FleetMotionWorker.start}; `close()` when done. */
export class FleetMotionWorker implements FleetMotionSource, AsyncDisposable {
  readonly horizon: number;
  readonly stateDim: number;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private failure: FleetMotionWorkerError | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly worker: Worker,
    ready: Extract<FromFleetMotionWorker, { type: 'ready' }>,
    private readonly label: string,
    private readonly closeTimeoutMs: number,
  ) {
    this.horizon = ready.horizon;
    this.stateDim = ready.stateDim;
    worker.on('message', (reply: FromFleetMotionWorker) => this.onReply(reply));
    worker.on('error', (error) => this.fail(new FleetMotionWorkerError(`${label}: the worker crashed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => {
      if (this.closing === undefined) this.fail(new FleetMotionWorkerError(`${label}: the worker exited unexpectedly with code ${code}`));
    });
  }

  /**
   * Starts the worker, loads the model there and builds the motion planner.
   * @throws {@link FleetMotionWorkerError} when the model cannot be loaded or the planner refuses it (the worker is stopped;
   *   the worker's error, e.g. a `BundleError`, is the cause)
   */
  static async start(options: FleetMotionWorkerOptions): Promise<FleetMotionWorker> {
    const model = 'module' in options.model ? { ...options.model, module: moduleUrl(options.model.module) } : options.model;
    const data: FleetMotionWorkerData = { setup: options.setup, motion: options.motion, model };
    const worker = startModuleWorker(import.meta.url, './motion-worker-host', data);
    const label = `FleetMotionWorker(thread ${worker.threadId})`;
    let onMessage: (reply: FromFleetMotionWorker) => void = () => {};
    let onError: (error: Error) => void = () => {};
    let onExit: (code: number) => void = () => {};
    try {
      const ready = await new Promise<Extract<FromFleetMotionWorker, { type: 'ready' }>>((resolve, reject) => {
        onMessage = (reply) => {
          if (reply.type === 'ready') resolve(reply);
          else if (reply.type === 'init-error')
            reject(new FleetMotionWorkerError(`${label}: could not start the motion planner: ${reply.error.message}`, { cause: revive(reply.error) }));
        };
        onError = (error) => reject(new FleetMotionWorkerError(`${label}: the worker failed to start: ${error.message}`, { cause: error }));
        onExit = (code) => reject(new FleetMotionWorkerError(`${label}: the worker exited with code ${code} before it was ready`));
        worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      });
      return new FleetMotionWorker(worker, ready, label, options.closeTimeoutMs ?? 5000);
    } catch (error) {
      await worker.terminate();
      throw error;
    } finally {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    }
  }

  /**
   * Plans in the worker. Aborting `signal` stops the plan after its current iteration; the promise still
   * settles with what the worker computed (or its error).
   * @throws {@link FleetMotionWorkerError} after `close()` or once the worker has failed
   */
  plan(request: FleetMotionRequest, signal?: AbortSignal): Promise<FleetMotionPlan> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closing !== undefined) return Promise.reject(new FleetMotionWorkerError(`${this.label}: plan() called after close()`));
    const id = this.nextId++;
    const cancel = new SharedArrayBuffer(4);
    const flag = new Int32Array(cancel);
    const onAbort = () => Atomics.store(flag, 0, 1);
    if (signal?.aborted === true) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    return new Promise<FleetMotionPlan>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'plan', id, request, cancel } satisfies ToFleetMotionWorker);
    }).finally(() => signal?.removeEventListener('abort', onAbort));
  }

  /** Releases the worker's model and stops the thread; pending requests are rejected. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      let closed: FromFleetMotionWorker | undefined;
      if (this.failure === undefined) {
        closed = await new Promise<FromFleetMotionWorker | undefined>((resolve) => {
          const timer = setTimeout(() => resolve(undefined), this.closeTimeoutMs);
          this.worker.on('message', (reply: FromFleetMotionWorker) => {
            if (reply.type !== 'closed') return;
            clearTimeout(timer);
            resolve(reply);
          });
          this.worker.once('exit', () => {
            clearTimeout(timer);
            resolve(undefined);
          });
          this.worker.postMessage({ type: 'close' } satisfies ToFleetMotionWorker);
        });
      }
      await this.worker.terminate();
      for (const p of this.pending.values()) p.reject(new FleetMotionWorkerError(`${this.label}: closed before a plan arrived`));
      this.pending.clear();
      if (closed?.type === 'closed' && closed.error) {
        throw new FleetMotionWorkerError(`${this.label}: releasing the model failed: ${closed.error.message}`, { cause: revive(closed.error) });
      }
    })();
    return this.closing;
  }

  /** Same as {@link FleetMotionWorker.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private onReply(reply: FromFleetMotionWorker): void {
    if (reply.type !== 'plan' && reply.type !== 'error') return;
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    if (reply.type === 'plan') pending.resolve(reply.plan);
    else pending.reject(revive(reply.error));
  }

  private fail(error: FleetMotionWorkerError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}

/** The worker's error as this thread's: the same Embodied class where there is one (an `InvalidArgumentError` stays one). */
function revive(error: ErrorPayload): Error {
  return fromPayload(error, '');
}

/** A module reference the worker can import: absolute paths become `file:` URLs. */
function moduleUrl(module: string): string {
  return module.startsWith('/') ? new URL(`file://${module}`).href : module;
}
