/**
 * The worker side of `FleetMotionWorker`: loads the model named in `workerData`, builds a
 * {@link FleetMotionPlanner}, and answers plan requests one at a time, in order. Runs inside a
 * `worker_thread`; never import it on the main thread.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toPayload } from '../../../src/vector/protocol.js';
import { WorldModel } from '../../../src/worldmodel/world-model.js';
import { FleetMotionPlanner, type FleetModel } from './motion.js';
import type { FleetMotionWorkerData, FromFleetMotionWorker, ToFleetMotionWorker } from './motion-worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('motion-worker-host.ts runs inside a worker thread (started by FleetMotionWorker)');

const data = workerData as FleetMotionWorkerData;
const post = (reply: FromFleetMotionWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(reply, transfer);

let model: (FleetModel & { close?: () => void | Promise<void> }) | undefined;
let planner: FleetMotionPlanner | undefined;
let chain: Promise<void> = Promise.resolve();

async function loadModel(): Promise<FleetModel & { close?: () => void | Promise<void> }> {
  const spec = data.model;
  if ('bundle' in spec) return WorldModel.load(spec.bundle, { intraOpNumThreads: spec.intraOpNumThreads ?? 1 });
  const exportName = spec.exportName ?? 'createFleetModel';
  const mod = (await import(spec.module)) as Record<string, unknown>;
  const factory = mod[exportName];
  if (typeof factory !== 'function')
    throw new TypeError(`expected module ${spec.module} to export a function \`${exportName}(options)\` returning a FleetModel, got ${typeof factory}`);
  const made = (await factory(spec.options)) as FleetModel | undefined;
  if (made === undefined || made === null || typeof made.rollout !== 'function') {
    throw new TypeError(`${exportName}(options) in ${spec.module} did not return a FleetModel (an object with \`rollout\`, \`stateDim\`, \`actionDim\`)`);
  }
  return made;
}

async function start(): Promise<void> {
  try {
    model = await loadModel();
    planner = new FleetMotionPlanner(data.setup, model, data.motion);
    post({ type: 'ready', horizon: planner.horizon, stateDim: planner.stateDim });
  } catch (error) {
    await model?.close?.();
    post({ type: 'init-error', error: toPayload(error) });
  }
}

async function plan(message: Extract<ToFleetMotionWorker, { type: 'plan' }>): Promise<void> {
  const flag = new Int32Array(message.cancel);
  try {
    const result = await planner!.planUntil(message.request, () => Atomics.load(flag, 0) === 1);
    post({ type: 'plan', id: message.id, plan: result }, [result.actions.buffer as ArrayBuffer, result.predicted.buffer as ArrayBuffer]);
  } catch (error) {
    post({ type: 'error', id: message.id, error: toPayload(error) });
  }
}

port.on('message', (message: ToFleetMotionWorker) => {
  if (message.type === 'plan') {
    chain = chain.then(() => plan(message));
    return;
  }
  chain = chain.then(async () => {
    try {
      await model?.close?.();
      post({ type: 'closed' });
    } catch (error) {
      post({ type: 'closed', error: toPayload(error) });
    }
    port.close();
  });
});

await start();
