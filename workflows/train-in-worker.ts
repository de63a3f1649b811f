/**
 * `trainWorldModelInWorker`: {@link trainWorldModel} in a worker thread, so training (one core) runs
 * beside work on the main thread — `learn` collects the next round's data while the model trains.
 * onnxruntime's `run` does not leave the calling thread free for other work, so a second core is only
 * used through a second thread.
 *
 * @module
 */
import { startModuleWorker } from '../src/module-worker.js';
import { EmbodiedError } from '../src/errors.js';
import type { TrainProgress, TrainWorldModelOptions, TrainWorldModelResult } from './train.js';

/** Main → worker. */
export type TrainWorkerRequest = { readonly type: 'abort' };
/** Worker → main. */
export type TrainWorkerReply =
  | { readonly type: 'progress'; readonly progress: TrainProgress }
  | { readonly type: 'done'; readonly result: TrainWorldModelResult }
  | { readonly type: 'error'; readonly error: { readonly name: string; readonly message: string; readonly stack: string | undefined } };

/** The training worker failed: its error (name, message, stack) is the `cause`. */
export class TrainWorkerError extends EmbodiedError {}

/** Options of {@link trainWorldModelInWorker}: those of `trainWorldModel` that cross a thread boundary, and the main-thread hooks. */
export type TrainInWorkerOptions = Omit<TrainWorldModelOptions, 'signal' | 'onLog' | 'onProgress'> & {
  /** Stops training after its current chunk; the checkpoint is saved and no bundle exported (as `trainWorldModel`). */
  readonly signal?: AbortSignal;
  /** Called when training starts and after every chunk of steps. */
  readonly onProgress?: (progress: TrainProgress) => void;
};

/**
 * Runs `trainWorldModel` in a worker thread and resolves with its result.
 * @throws {@link TrainWorkerError} wrapping the worker's error (its message repeated), or when the worker exits without a result.
 */
export function trainWorldModelInWorker(options: TrainInWorkerOptions): Promise<TrainWorldModelResult> {
  const { signal, onProgress, ...plain } = options;
  const worker = startModuleWorker(import.meta.url, './train-worker', plain);
  const abort = () => worker.postMessage({ type: 'abort' } satisfies TrainWorkerRequest);
  if (signal?.aborted) abort();
  signal?.addEventListener('abort', abort, { once: true });
  return new Promise<TrainWorldModelResult>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: TrainWorkerReply) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'done') {
        settled = true;
        resolve(m.result);
      } else {
        settled = true;
        const cause = Object.assign(new Error(m.error.message), { name: m.error.name, stack: m.error.stack });
        reject(new TrainWorkerError(`training (worker thread): ${m.error.message}`, { cause }));
      }
    });
    worker.on('error', (e) => {
      settled = true;
      reject(new TrainWorkerError(`training (worker thread) crashed: ${e.message}`, { cause: e }));
    });
    worker.on('exit', (code) => {
      signal?.removeEventListener('abort', abort);
      if (!settled) reject(new TrainWorkerError(`training (worker thread) exited with code ${code} before it finished`));
    });
  });
}
