/**
 * WorkerVectorEnv: sub-environments live in `worker_threads`, each worker hosting a contiguous slice.
 * Observations, actions, rewards and flags sit in `SharedArrayBuffer`s that both sides map, so a step
 * sends one tiny message per worker and copies no arrays. Workers rebuild the environments by importing
 * the registering modules and calling `make(id, kwargs)`.
 *
 * A worker that dies (an uncaught error such as a Rapier WASM `RuntimeError: unreachable`, or an exit)
 * rejects the pending call with a {@link WorkerCrashError} naming the env index and its last seed;
 * `close()` still works afterwards and any other call throws an `EnvStateError`. With `callTimeoutMs`, a
 * worker that does not answer a `reset`/`step` in time (a sub-environment stuck in a loop or on a promise
 * that never settles) is terminated and the call rejects with a {@link WorkerTimeoutError}.
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../module-worker.js';
import { z } from 'zod';
import { EmbodiedError, EnvStateError, WorkerCrashError, WorkerTimeoutError, describeValue } from '../errors.js';
import type { EnvSpec, Info } from '../env.js';
import { parseOptions } from '../options.js';
import { spaceFromJSON } from '../spaces.js';
import { allocateBuffers, assertBatchableActionSpace, assertBatchableObservationSpace, type VectorBuffers } from './batch.js';
import { Op, fromPayload, type FromWorker, type SharedBuffers, type ToWorker, type WorkerInit } from './protocol.js';
import { VectorEnvBase, VectorEnvOptionsSchema } from './vector-base.js';

/** Zod schema of {@link WorkerVectorEnvOptions} (with those of {@link VectorEnvOptionsSchema}). */
export const WorkerVectorEnvOptionsSchema = VectorEnvOptionsSchema.extend({
  /** Registered id of the environment, e.g. `'LineWorld-v0'`. */
  envId: z.string().min(1),
  /** Number of sub-environments. */
  numEnvs: z.number().int().positive(),
  /** Constructor options passed to `make` (structured-clonable). Default `{}`. */
  kwargs: z.record(z.string(), z.unknown()).default({}),
  /**
   * Modules each worker imports before `make` — those that register `envId` (URLs or absolute paths).
   * `makeVec` fills in the registration's `module`.
   */
  modules: z.array(z.string().min(1)).readonly().default([]),
  /** Passed to `make`: overrides the registered episode length; `false` adds no TimeLimit. */
  maxEpisodeSteps: z.union([z.number().int().positive(), z.literal(false)]).optional(),
  /** Worker threads. Default `min(numEnvs, os.availableParallelism())`. */
  numWorkers: z.number().int().positive().optional(),
  /** How long `close()` waits for a worker to close its envs before terminating it, ms. Default 5000. */
  closeTimeoutMs: z.number().int().positive().default(5000),
  /**
   * Longest a `reset()`/`step()` may take, ms: a worker that has not answered by then is terminated and the
   * call rejects with a {@link WorkerTimeoutError} naming the worker, the env index and its seed (the vector
   * env is then unusable, as after a crash: `close()` it). Default: no limit.
   */
  callTimeoutMs: z.number().int().positive().optional(),
}).strict();

/** Options of {@link WorkerVectorEnv.create}. */
export type WorkerVectorEnvOptions = z.input<typeof WorkerVectorEnvOptionsSchema>;

type Options = z.output<typeof WorkerVectorEnvOptionsSchema>;

const OP_NAMES: Record<number, string> = {
  [Op.idle]: 'idle between calls, last touching',
  [Op.init]: 'building',
  [Op.reset]: 'resetting',
  [Op.step]: 'stepping',
  [Op.close]: 'closing',
};

interface Pending {
  readonly id: number;
  readonly resolve: (infos: Info[]) => void;
  readonly reject: (err: Error) => void;
}

/** One worker thread and its slice of envs. */
class Slot {
  pending: Pending | undefined;
  dead = false;
  constructor(
    readonly index: number,
    readonly start: number,
    readonly count: number,
    readonly worker: Worker,
  ) {}
}

/** Starts a worker on `worker.ts` / `worker.js` (see {@link startModuleWorker}). */
function startWorker(workerData: WorkerInit): Worker {
  return startModuleWorker(import.meta.url, './worker', workerData);
}

function toModuleUrl(m: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(m) ? m : pathToFileURL(m).href;
}

/** Splits `n` envs into `w` contiguous slices, the first `n mod w` one larger. */
function slices(n: number, w: number): { start: number; count: number }[] {
  const base = Math.floor(n / w);
  const extra = n % w;
  const out: { start: number; count: number }[] = [];
  let start = 0;
  for (let i = 0; i < w; i++) {
    const count = base + (i < extra ? 1 : 0);
    out.push({ start, count });
    start += count;
  }
  return out;
}

/**
 * Sub-environments stepped in worker threads over shared memory.
 *
 * @example
 * ```ts
 * const envs = await WorkerVectorEnv.create({ envId: 'PushBox-v0', numEnvs: 8, modules: [pushBoxModuleUrl] });
 * // or simply: await makeVec('PushBox-v0', 8, 'worker')
 * ```
 */
export class WorkerVectorEnv extends VectorEnvBase {
  /** Number of worker threads. */
  readonly numWorkers: number;
  private readonly slots: Slot[];
  private readonly buf: VectorBuffers;
  private readonly progress: Int32Array;
  private readonly envId: string;
  private readonly closeTimeoutMs: number;
  private readonly callTimeoutMs: number | undefined;
  private crash: string | undefined;
  private nextId = 1;

  private constructor(opts: Options, spec: EnvSpec, slots: Slot[], progress: Int32Array, ready: Extract<FromWorker, { type: 'ready' }>) {
    const obs = assertBatchableObservationSpace(spaceFromJSON(ready.observationSpace), 'WorkerVectorEnv');
    const act = assertBatchableActionSpace(spaceFromJSON(ready.actionSpace), 'WorkerVectorEnv');
    super(opts.numEnvs, spec, obs, act, opts);
    this.envId = opts.envId;
    this.closeTimeoutMs = opts.closeTimeoutMs;
    this.callTimeoutMs = opts.callTimeoutMs;
    this.slots = slots;
    this.numWorkers = slots.length;
    this.progress = progress;
    this.buf = allocateBuffers(opts.numEnvs, obs.flatDim, act.flatDim, true);
    const shared: SharedBuffers = {
      observations: this.buf.observations.buffer as SharedArrayBuffer,
      actions: this.buf.actions.buffer as SharedArrayBuffer,
      rewards: this.buf.rewards.buffer as SharedArrayBuffer,
      terminated: this.buf.terminated.buffer as SharedArrayBuffer,
      truncated: this.buf.truncated.buffer as SharedArrayBuffer,
    };
    for (const slot of slots) {
      slot.worker.on('message', (msg: FromWorker) => this.onMessage(slot, msg));
      slot.worker.on('error', (err: Error) => this.onCrash(slot, `crashed with ${err.name}: ${err.message}`, err));
      slot.worker.on('exit', (code: number) => this.onCrash(slot, `exited with code ${code}`, undefined));
      slot.worker.postMessage({ type: 'attach', buffers: shared } satisfies ToWorker);
      slot.worker.unref();
    }
  }

  /**
   * Starts the workers, builds every sub-environment and returns once all are ready.
   * @throws {@link InvalidArgumentError} for bad options; the worker's own error (e.g. `UnknownEnvError`)
   *   when an env cannot be built; {@link WorkerCrashError} when a worker dies while building.
   */
  static async create(options: WorkerVectorEnvOptions): Promise<WorkerVectorEnv> {
    const opts = parseOptions(WorkerVectorEnvOptionsSchema, options, 'WorkerVectorEnv options');
    const numWorkers = Math.min(opts.numEnvs, opts.numWorkers ?? availableParallelism());
    const progress = new Int32Array(new SharedArrayBuffer(numWorkers * 2 * 4));
    const modules = opts.modules.map(toModuleUrl);
    const slots = slices(opts.numEnvs, numWorkers).map(({ start, count }, index) => {
      const workerData: WorkerInit = {
        workerIndex: index,
        start,
        count,
        envId: opts.envId,
        kwargs: opts.kwargs,
        modules,
        maxEpisodeSteps: opts.maxEpisodeSteps,
        autoresetMode: opts.autoresetMode,
        progress: progress.buffer as SharedArrayBuffer,
      };
      return new Slot(index, start, count, startWorker(workerData));
    });
    const readies = await Promise.allSettled(slots.map((slot) => waitReady(slot, opts.envId, progress)));
    const failed = readies.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const abort = async (err: unknown): Promise<never> => {
      for (const s of slots) s.worker.on('error', () => {}); // already reported; nothing may throw now
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw err;
    };
    if (failed) return abort(failed.reason);
    const ready = readies.map((r) => (r as PromiseFulfilledResult<Extract<FromWorker, { type: 'ready' }>>).value);
    const first = ready[0]!;
    const differs = ready.findIndex(
      (r) => JSON.stringify(r.observationSpace) !== JSON.stringify(first.observationSpace) || JSON.stringify(r.actionSpace) !== JSON.stringify(first.actionSpace),
    );
    if (differs >= 0) {
      return abort(new EmbodiedError(`WorkerVectorEnv: worker ${differs} built ${opts.envId} with other spaces than worker 0: ${describeValue(ready[differs]!.observationSpace)}`));
    }
    try {
      return new WorkerVectorEnv(opts, first.spec, slots, progress, first);
    } catch (e) {
      return abort(e);
    }
  }

  protected get buffers(): VectorBuffers {
    return this.buf;
  }

  protected get name(): string {
    return `WorkerVectorEnv(${this.envId})`;
  }

  protected override get crashed(): string | undefined {
    return this.crash;
  }

  protected async runReset(seeds: (number | undefined)[], options: (Record<string, unknown> | undefined)[], mask: boolean[]): Promise<Info[]> {
    const id = this.nextId++;
    return this.broadcast((s) => ({
      type: 'reset',
      id,
      seeds: seeds.slice(s.start, s.start + s.count),
      options: options.slice(s.start, s.start + s.count),
      mask: mask.slice(s.start, s.start + s.count),
    }));
  }

  protected runStep(): Promise<Info[]> {
    const id = this.nextId++;
    return this.broadcast(() => ({ type: 'step', id }));
  }

  protected async runClose(): Promise<void> {
    const id = this.nextId++;
    let firstError: unknown;
    await Promise.all(
      this.slots.map(async (slot) => {
        if (!slot.dead && slot.pending === undefined) {
          // Let the worker close its envs (Rapier worlds, sessions), but never wait forever.
          slot.worker.ref();
          const closed = this.call(slot, { type: 'close', id }).catch((e: unknown) => (firstError ??= e));
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, this.closeTimeoutMs)))]);
          clearTimeout(timer);
        }
        slot.pending?.reject(new EnvStateError(`${this.name}: closed while a call was still running`));
        slot.pending = undefined;
        slot.dead = true;
        await slot.worker.terminate();
      }),
    );
    if (firstError !== undefined) throw firstError;
  }

  private async broadcast(message: (slot: Slot) => ToWorker): Promise<Info[]> {
    for (const s of this.slots) s.worker.ref();
    try {
      // Wait for every worker, even after one failed, so no reply is still in flight when the next call starts.
      const settled = await Promise.allSettled(this.slots.map((s) => this.call(s, message(s), this.callTimeoutMs)));
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      return settled.flatMap((r) => (r as PromiseFulfilledResult<Info[]>).value);
    } finally {
      if (!this.closed) for (const s of this.slots) s.worker.unref();
    }
  }

  private call(slot: Slot, message: ToWorker, timeoutMs?: number): Promise<Info[]> {
    if (slot.dead) return Promise.reject(new EnvStateError(`${this.name}: worker ${slot.index} is no longer running`));
    return new Promise<Info[]>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      slot.pending = {
        id: message.type === 'attach' ? 0 : message.id,
        resolve: (infos) => {
          clearTimeout(timer);
          resolve(infos);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      if (timeoutMs !== undefined) timer = setTimeout(() => this.onTimeout(slot, message.type, timeoutMs), timeoutMs);
      slot.worker.postMessage(message);
    });
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    const pending = slot.pending;
    if (pending === undefined || !('id' in msg) || msg.id !== pending.id) return;
    if (msg.type === 'result') {
      slot.pending = undefined;
      pending.resolve(msg.infos);
    } else if (msg.type === 'error') {
      slot.pending = undefined;
      pending.reject(fromPayload(msg.error, `${this.name}: `));
    }
  }

  private onCrash(slot: Slot, what: string, cause: unknown): void {
    if (slot.dead) return; // terminated by close() or a timeout, or already reported ('error' is followed by 'exit')
    this.fail(slot, what, (message, envIndex, seed) => new WorkerCrashError(message, envIndex, seed, cause === undefined ? undefined : { cause }));
  }

  /** A call ran past `callTimeoutMs`: the worker is terminated and the call rejects with a {@link WorkerTimeoutError}. */
  private onTimeout(slot: Slot, op: ToWorker['type'], timeoutMs: number): void {
    if (slot.dead || slot.pending === undefined) return;
    this.fail(
      slot,
      `did not finish ${op}() within ${timeoutMs} ms (callTimeoutMs) and was terminated`,
      (message, envIndex, seed) => new WorkerTimeoutError(message, envIndex, seed, timeoutMs),
    );
    // Stops the thread even inside a synchronous loop; its 'exit' event finds the slot already dead.
    void slot.worker.terminate();
  }

  /** Marks the slot dead and rejects its pending call with the error `make` builds from a message naming the worker, env and seed. */
  private fail(slot: Slot, what: string, make: (message: string, envIndex: number, seed: number | undefined) => WorkerCrashError): void {
    slot.dead = true;
    const envIndex = Atomics.load(this.progress, 2 * slot.index);
    const op = OP_NAMES[Atomics.load(this.progress, 2 * slot.index + 1)] ?? 'running';
    const seed = this.lastSeeds[envIndex];
    const err = make(
      `${this.name}: worker ${slot.index} (envs ${slot.start}–${slot.start + slot.count - 1}) ${what} while ${op} env ${envIndex} (last reset seed ${seed ?? 'unknown'}); close() this vector env`,
      envIndex,
      seed,
    );
    this.crash ??= `env ${envIndex}, seed ${seed ?? 'unknown'}: ${what}`;
    const pending = slot.pending;
    slot.pending = undefined;
    pending?.reject(err);
  }
}

/** Resolves with the worker's 'ready' message, or rejects with its build error or crash. */
function waitReady(slot: Slot, envId: string, progress: Int32Array): Promise<Extract<FromWorker, { type: 'ready' }>> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      slot.worker.off('message', onMessage);
      slot.worker.off('error', onError);
      slot.worker.off('exit', onExit);
    };
    const crash = (what: string, cause?: unknown) => {
      cleanup();
      const envIndex = Atomics.load(progress, 2 * slot.index);
      reject(
        new WorkerCrashError(
          `WorkerVectorEnv(${envId}): worker ${slot.index} ${what} while building env ${envIndex}`,
          envIndex,
          undefined,
          cause === undefined ? undefined : { cause },
        ),
      );
    };
    const onMessage = (msg: FromWorker) => {
      if (msg.type === 'ready') {
        cleanup();
        resolve(msg);
      } else if (msg.type === 'init-error') {
        cleanup();
        reject(fromPayload(msg.error, `WorkerVectorEnv: worker ${slot.index} could not build ${envId}: `));
      }
    };
    const onError = (err: Error) => crash(`crashed with ${err.name}: ${err.message}`, err);
    const onExit = (code: number) => crash(`exited with code ${code}`);
    slot.worker.on('message', onMessage);
    slot.worker.on('error', onError);
    slot.worker.on('exit', onExit);
  });
}
