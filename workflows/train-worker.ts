/**
 * Worker-thread entry of {@link trainWorldModelInWorker}: runs `trainWorldModel` with the options in
 * `workerData`, posts its progress, stops (saving a checkpoint) on an `abort` message, and posts the
 * result or the error.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TrainWorkerReply, TrainWorkerRequest } from './train-in-worker.js';
import { trainWorldModel, type TrainWorldModelOptions } from './train.js';

const port = parentPort!;
const stop = new AbortController();
port.on('message', (m: TrainWorkerRequest) => {
  if (m.type === 'abort') stop.abort();
});
const post = (reply: TrainWorkerReply) => port.postMessage(reply);
try {
  const result = await trainWorldModel({
    ...(workerData as TrainWorldModelOptions),
    signal: stop.signal,
    onProgress: (progress) => post({ type: 'progress', progress }),
  });
  post({ type: 'done', result });
} catch (e) {
  const error = e instanceof Error ? e : new Error(String(e));
  post({ type: 'error', error: { name: error.name, message: error.message, stack: error.stack } });
} finally {
  port.close();
}
