/**
 * Entry point of a `WorkerVectorEnv` worker thread: imports the modules that register the environment,
 * builds its slice of sub-environments with `make`, then runs resets and steps on command, reading
 * actions from and writing results to the shared buffers.
 *
 * Errors that are {@link EmbodiedError}s (bad options, lifecycle misuse) are sent back and rethrown in
 * the main thread. Any other error (a WASM trap such as Rapier's `RuntimeError: unreachable`, a
 * TypeError in the env) leaves the environment in an unknown state, so it is rethrown here uncaught:
 * the thread dies and the main thread reports a `WorkerCrashError`.
 *
 * Not exported from the package index: it runs only as a worker.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EmbodiedError } from '../errors.js';
import type { Info } from '../env.js';
import { make } from '../registry.js';
import { assertBatchableActionSpace, assertBatchableObservationSpace, type VectorBuffers } from './batch.js';
import { Op, toPayload, type FromWorker, type ToWorker, type WorkerInit } from './protocol.js';
import { SubEnv } from './sub-env.js';

if (parentPort === null) throw new Error('src/vector/worker is a worker_threads entry point; WorkerVectorEnv starts it');
const port = parentPort;
const init = workerData as WorkerInit;
const progress = new Int32Array(init.progress);
let subs: SubEnv[] = [];
let buffers: VectorBuffers | undefined;

function mark(envIndex: number, op: number): void {
  Atomics.store(progress, 2 * init.workerIndex, envIndex);
  Atomics.store(progress, 2 * init.workerIndex + 1, op);
}

function post(message: FromWorker): void {
  port.postMessage(message);
}

function die(err: unknown): void {
  // Thrown outside any promise chain, so it is uncaught and ends this thread with an 'error' event.
  setImmediate(() => {
    throw err;
  });
}

async function initialize(): Promise<void> {
  mark(init.start, Op.init);
  for (const m of init.modules) await import(m);
  const built = [];
  for (let j = 0; j < init.count; j++) {
    mark(init.start + j, Op.init);
    built.push(make<Float32Array, unknown>(init.envId, init.kwargs, init.maxEpisodeSteps === undefined ? {} : { maxEpisodeSteps: init.maxEpisodeSteps }));
  }
  const obsSpace = assertBatchableObservationSpace(built[0]!.observationSpace, 'WorkerVectorEnv');
  const actSpace = assertBatchableActionSpace(built[0]!.actionSpace, 'WorkerVectorEnv');
  subs = built.map((env, j) => new SubEnv(init.start + j, env, init.autoresetMode, obsSpace, actSpace));
  mark(init.start, Op.idle);
  post({ type: 'ready', observationSpace: obsSpace.toJSON(), actionSpace: actSpace.toJSON(), spec: built[0]!.spec });
}

function reply(id: number, infos: Info[]): void {
  try {
    post({ type: 'result', id, infos });
  } catch (e) {
    post({
      type: 'error',
      id,
      error: toPayload(new EmbodiedError(`an info record could not be sent to the main thread (infos must be structured-clonable): ${(e as Error).message}`)),
    });
  }
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'attach') {
    const b = msg.buffers;
    buffers = {
      observations: new Float32Array(b.observations),
      actions: new Float32Array(b.actions),
      rewards: new Float32Array(b.rewards),
      terminated: new Uint8Array(b.terminated),
      truncated: new Uint8Array(b.truncated),
    };
    return;
  }
  try {
    const infos: Info[] = [];
    if (msg.type === 'reset') {
      for (let j = 0; j < subs.length; j++) {
        const sub = subs[j]!;
        if (!msg.mask[j]) {
          infos.push({});
          continue;
        }
        mark(sub.index, Op.reset);
        infos.push(await sub.reset(msg.seeds[j], msg.options[j], buffers!));
      }
    } else if (msg.type === 'step') {
      for (const sub of subs) {
        mark(sub.index, Op.step);
        infos.push(await sub.step(buffers!));
      }
    } else {
      let first: unknown;
      for (const sub of subs) {
        mark(sub.index, Op.close);
        await sub.close().catch((e: unknown) => (first ??= e));
      }
      if (first !== undefined) throw first;
    }
    mark(init.start, Op.idle);
    reply(msg.id, infos);
  } catch (e) {
    if (e instanceof EmbodiedError) post({ type: 'error', id: msg.id, error: toPayload(e) });
    else die(e);
  }
}

let chain: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  chain = chain.then(() => handle(msg));
});

initialize().catch((e: unknown) => post({ type: 'init-error', error: toPayload(e) }));
