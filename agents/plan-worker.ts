/**
 * `PlanWorker`: a {@link PlanSource} whose planner (model, objective, optimiser) lives in a
 * `worker_thread`, so planning never blocks this thread's event loop. `onnxruntime-node`'s
 * `session.run` computes on the thread that calls it; a real-time `controlLoop` on the same thread
 * would stall for the whole plan.
 *
 * The worker imports a module you name and calls one of its exports to build the plan source there
 * (workers share no objects with this thread). Observations and warm starts travel by transfer.
 *
 * @module
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../src/module-worker.js';
import { Observable } from 'rxjs';
import { EmbodiedError, InvalidArgumentError, describeValue } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import type { PlanOutcome, PlanRequest, PlanSource } from './plan-source.js';
import type { PlanWorkerData, PlanWorkerReply, PlanWorkerRequest, SerializedError } from './plan-worker-protocol.js';

/** The worker failed to start, crashed, or was used after `close()`. */
export class PlanWorkerError extends EmbodiedError {}

/**
 * A plan request was not answered within the worker's `planTimeoutMs` (a planner stuck in a loop or on a
 * promise that never settles): the worker was terminated and every pending request rejected with this error.
 */
export class PlanTimeoutError extends PlanWorkerError {
  constructor(
    message: string,
    /** The limit that was exceeded, ms. */
    readonly timeoutMs: number,
  ) {
    super(message);
  }
}

/** Zod schema of {@link PlanWorkerOptions}. */
export const PlanWorkerOptionsSchema = z
  .object({
    /** Module to import in the worker (a `file:` URL, a path, or a package specifier). Required. */
    module: z.union([z.string().min(1), z.instanceof(URL)]),
    /** Export of that module to call: `(options) => PlanSource | Promise<PlanSource>`. Default: `'createPlanSource'`. */
    exportName: z.string().min(1).default('createPlanSource'),
    /** Structured-clonable options passed to the factory. Default: `{}`. */
    options: z.unknown().optional(),
    /**
     * Send each percept's environment state (`percept.state()`, read synchronously at request time)
     * to the worker, for planners that restore it (the physics oracle). Default: `false`.
     */
    sendState: z.boolean().default(false),
    /** Send each percept's `info` (must be structured-clonable). Default: `true`. */
    sendInfo: z.boolean().default(true),
    /** Milliseconds `close()` waits for the worker to release its resources before terminating it. Default: `5000`. */
    closeTimeoutMs: z.number().positive().default(5000),
    /**
     * Longest a plan request may go unanswered, ms, counted from the moment it is sent (time queued behind
     * other requests counts). Past it the worker is terminated and every pending request rejects with a
     * {@link PlanTimeoutError}; the PlanWorker is then unusable (`close()` it). An agent's `deadlineMs` is the
     * soft limit (it falls back and cancels); this is the hard one. Default: no limit.
     */
    planTimeoutMs: z.number().int().positive().optional(),
  })
  .strict();

/** Options of {@link PlanWorker.start}. */
export type PlanWorkerOptions = z.input<typeof PlanWorkerOptionsSchema>;

interface Pending {
  resolve(outcome: PlanOutcome & { workerMs: number }): void;
  reject(error: unknown): void;
}

/**
 * A plan source in a worker thread. Start one with {@link PlanWorker.start}, hand it to `mpcAgent`
 * as `source`, and `close()` it (or `await using`) when done. Requests are served one at a time in
 * order; several agents may share one worker.
 *
 * @example
 * ```ts
 * await using worker = await PlanWorker.start({ module: new URL('./my-planner.js', import.meta.url), options: { bundle: 'models/reach' } });
 * const agent = mpcAgent({ source: worker, deadlineMs: 15 });
 * ```
 */
export class PlanWorker implements PlanSource<Float32Array>, AsyncDisposable {
  /** Workers started and not yet closed, in this process (for leak checks). */
  static get live(): number {
    return liveWorkers;
  }

  readonly horizon: number;
  readonly actionDim: number;
  readonly actionLow: Float32Array;
  readonly actionHigh: Float32Array;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private failure: PlanWorkerError | undefined;
  private closing: Promise<void> | undefined;
  private exited = false;

  private constructor(
    private readonly worker: Worker,
    ready: Extract<PlanWorkerReply, { type: 'ready' }>,
    private readonly settings: { sendState: boolean; sendInfo: boolean; closeTimeoutMs: number; planTimeoutMs?: number | undefined; label: string },
  ) {
    this.horizon = ready.horizon;
    this.actionDim = ready.actionDim;
    this.actionLow = ready.actionLow;
    this.actionHigh = ready.actionHigh;
    worker.on('message', (reply: PlanWorkerReply) => this.onReply(reply));
    worker.on('error', (error) => this.crash(new PlanWorkerError(`PlanWorker: the worker crashed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => {
      this.exited = true;
      if (this.closing === undefined) this.crash(new PlanWorkerError(`PlanWorker: the worker exited unexpectedly with code ${code}`));
    });
  }

  /**
   * Starts a worker, imports `options.module` there and builds the plan source with its factory.
   * @throws {@link PlanWorkerError} when the module cannot be imported or the factory fails (the worker is stopped).
   */
  static async start(options: PlanWorkerOptions): Promise<PlanWorker> {
    const opts = parseOptions(PlanWorkerOptionsSchema, options, 'PlanWorker options');
    const data: PlanWorkerData = { module: toModuleUrl(opts.module), exportName: opts.exportName, options: opts.options ?? {} };
    const worker = spawnHost(data);
    liveWorkers++;
    const listeners: { message?: (reply: PlanWorkerReply) => void; error?: (error: Error) => void; exit?: (code: number) => void } = {};
    const ready = await new Promise<Extract<PlanWorkerReply, { type: 'ready' }>>((resolve, reject) => {
      listeners.message = (reply) => {
        if (reply.type === 'ready') resolve(reply);
        else if (reply.type === 'init-error') reject(new PlanWorkerError(`PlanWorker: could not build the plan source: ${reply.error.message}`, { cause: revive(reply.error) }));
      };
      listeners.error = (error) => reject(new PlanWorkerError(`PlanWorker: the worker failed to start: ${error.message}`, { cause: error }));
      listeners.exit = (code) => reject(new PlanWorkerError(`PlanWorker: the worker exited with code ${code} before it was ready`));
      worker.on('message', listeners.message).on('error', listeners.error).on('exit', listeners.exit);
    })
      .catch(async (error: unknown) => {
        liveWorkers--;
        await worker.terminate();
        throw error;
      })
      .finally(() => {
        // Only our own listeners: removeAllListeners() would also detach the worker's internal port.
        worker.off('message', listeners.message!).off('error', listeners.error!).off('exit', listeners.exit!);
      });
    return new PlanWorker(worker, ready, { ...opts, label: `PlanWorker(${opts.exportName} of ${data.module}, thread ${worker.threadId})` });
  }

  /** Sends the request to the worker; unsubscribing before the answer drops it (a queued request is skipped). */
  plan(request: PlanRequest<Float32Array>): Observable<PlanOutcome & { workerMs: number }> {
    // Everything the request needs from the percept is read now: its state thunk expires when this returns.
    if (this.failure) throw this.failure;
    if (this.closing) throw new PlanWorkerError('PlanWorker: plan() called after close()');
    const { percept } = request;
    if (!(percept.observation instanceof Float32Array)) {
      throw new InvalidArgumentError(`PlanWorker: expected a Float32Array observation, got ${describeValue(percept.observation)}`);
    }
    let state: unknown;
    if (this.settings.sendState) {
      if (percept.state === undefined)
        throw new InvalidArgumentError('PlanWorker: `sendState` is on but the percept has no `state` (the environment is not Stateful, or the loop did not capture it)');
      state = percept.state();
    }
    const id = this.nextId++;
    const observation = Float32Array.from(percept.observation);
    const warmStart = request.warmStart === undefined ? undefined : Float32Array.from(request.warmStart);
    const message: PlanWorkerRequest = {
      type: 'plan',
      id,
      observation,
      info: this.settings.sendInfo ? percept.info : {},
      step: percept.step,
      episodeSeed: percept.seed,
      state,
      warmStart,
      shift: request.shift,
      seed: request.seed,
    };
    return new Observable((subscriber) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      this.pending.set(id, {
        resolve: (outcome) => {
          done = true;
          clearTimeout(timer);
          subscriber.next(outcome);
          subscriber.complete();
        },
        reject: (error) => {
          done = true;
          clearTimeout(timer);
          subscriber.error(error);
        },
      });
      const limit = this.settings.planTimeoutMs;
      if (limit !== undefined) timer = setTimeout(() => this.timeOut(id, percept.step, limit), limit);
      try {
        this.worker.postMessage(message, [observation.buffer, ...(warmStart ? [warmStart.buffer] : [])]);
      } catch (error) {
        this.pending.delete(id);
        subscriber.error(
          new PlanWorkerError(`PlanWorker: could not send the request (is \`info\` or the state structured-clonable?): ${(error as Error).message}`, { cause: error }),
        );
        return undefined;
      }
      return () => {
        clearTimeout(timer);
        if (done || !this.pending.delete(id) || this.closing) return;
        this.worker.postMessage({ type: 'cancel', id } satisfies PlanWorkerRequest);
      };
    });
  }

  /** Releases the worker's plan source (its ONNX sessions, Rapier worlds) and stops the thread. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // A worker that died (or was terminated by a timeout) has nothing to release: do not wait for it.
      const alive = this.failure === undefined && !this.exited;
      const closedMessage = !alive
        ? Promise.resolve(undefined)
        : new Promise<PlanWorkerReply | undefined>((resolve) => {
            const timer = setTimeout(() => resolve(undefined), this.settings.closeTimeoutMs);
            this.worker.on('message', (reply: PlanWorkerReply) => {
              if (reply.type === 'closed') {
                clearTimeout(timer);
                resolve(reply);
              }
            });
            this.worker.once('exit', () => {
              clearTimeout(timer);
              resolve(undefined);
            });
          });
      if (alive) this.worker.postMessage({ type: 'close' } satisfies PlanWorkerRequest);
      const reply = await closedMessage;
      await this.worker.terminate();
      liveWorkers--;
      for (const p of this.pending.values()) p.reject(new PlanWorkerError('PlanWorker: closed before the plan arrived'));
      this.pending.clear();
      if (reply?.type === 'closed' && reply.error) throw new PlanWorkerError(`PlanWorker: closing the plan source failed: ${reply.error.message}`, { cause: revive(reply.error) });
    })();
    return this.closing;
  }

  /** Same as {@link PlanWorker.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private onReply(reply: PlanWorkerReply): void {
    if (reply.type !== 'plan' && reply.type !== 'error') return;
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return; // cancelled while it was computing
    this.pending.delete(reply.id);
    if (reply.type === 'plan')
      pending.resolve({ actions: reply.actions, iterations: reply.iterations, bestCost: reply.bestCost, nanCount: reply.nanCount, workerMs: reply.workerMs });
    else pending.reject(revive(reply.error));
  }

  /** Request `id` ran past `planTimeoutMs`: the worker is terminated and every pending request fails. */
  private timeOut(id: number, step: number, timeoutMs: number): void {
    if (!this.pending.has(id) || this.failure !== undefined) return;
    this.crash(
      new PlanTimeoutError(
        `${this.settings.label}: the plan request ${id} (step ${step}) was not answered within ${timeoutMs} ms (planTimeoutMs); the worker was terminated, close() this PlanWorker`,
        timeoutMs,
      ),
    );
    // Stops the thread even inside a synchronous loop; its 'exit' event finds the failure already recorded.
    void this.worker.terminate();
  }

  private crash(error: PlanWorkerError): void {
    if (this.failure) return;
    this.failure = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}

let liveWorkers = 0;

/** A module reference the worker can import: URLs and absolute paths become `file:` URLs. */
function toModuleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (module.startsWith('/')) return new URL(`file://${module}`).href;
  return module;
}

/**
 * Starts the host. From TypeScript sources (tests, `tsx`) the worker must load `.ts` files: Node 20
 * does not apply `--import tsx` from a worker's `execArgv` to its entry module, so a small bootstrap
 * registers tsx's loader inside the worker first and then imports the host.
 */
function spawnHost(data: PlanWorkerData): Worker {
  return startModuleWorker(import.meta.url, './plan-worker-host', data);
}

function revive(error: SerializedError): Error {
  const e = new Error(error.message);
  e.name = error.name;
  if (error.stack) e.stack = error.stack;
  return e;
}
