/**
 * The worker side of `PlanWorker`: imports the module named in `workerData`, builds a
 * {@link PlanSource} with its factory, and answers plan requests one at a time. Runs inside a
 * `worker_thread`; never import it on the main thread.
 *
 * Messages (main → worker): `plan` (observation and warm start transferred), `cancel`, `close`.
 * Messages (worker → main): `ready` (the source's shape), `init-error`, `plan` (actions transferred),
 * `error`, `closed`.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { firstValueFrom, from } from 'rxjs';
import type { PlanSource } from './plan-source.js';
import type { PlanWorkerData, PlanWorkerReply, PlanWorkerRequest } from './plan-worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('plan-worker-host.ts runs inside a worker thread (started by PlanWorker)');

const data = workerData as PlanWorkerData;
const post = (reply: PlanWorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(reply, transfer);
const errorFields = (error: unknown) =>
  error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { name: 'Error', message: String(error), stack: undefined };

let source: (PlanSource & { close?: () => void | Promise<void> }) | undefined;
const cancelled = new Set<number>();
// Requests run in id order, so a cancel for an id at or below this one came too late to matter.
let lastStarted = -1;
let chain: Promise<void> = Promise.resolve();

async function start(): Promise<void> {
  try {
    const mod = (await import(data.module)) as Record<string, unknown>;
    const factory = mod[data.exportName];
    if (typeof factory !== 'function') {
      throw new TypeError(`expected module ${data.module} to export a function \`${data.exportName}(options)\` returning a PlanSource, got ${typeof factory}`);
    }
    source = (await factory(data.options)) as typeof source;
    if (source === undefined || source === null || typeof source.plan !== 'function') {
      throw new TypeError(`${data.exportName}(options) in ${data.module} did not return a PlanSource (an object with \`plan(request)\`)`);
    }
    post({
      type: 'ready',
      horizon: source.horizon,
      actionDim: source.actionDim,
      actionLow: Float32Array.from(source.actionLow),
      actionHigh: Float32Array.from(source.actionHigh),
    });
  } catch (error) {
    post({ type: 'init-error', error: errorFields(error) });
  }
}

async function plan(request: Extract<PlanWorkerRequest, { type: 'plan' }>): Promise<void> {
  lastStarted = request.id;
  if (cancelled.delete(request.id)) return;
  const started = performance.now();
  try {
    const outcome = await firstValueFrom(
      from(
        source!.plan({
          percept: {
            observation: request.observation,
            info: request.info,
            step: request.step,
            seed: request.episodeSeed,
            ...(request.state !== undefined && { state: () => request.state }),
          },
          warmStart: request.warmStart,
          shift: request.shift,
          seed: request.seed,
        }),
      ),
    );
    // A copy: the planner may keep its buffer, and a transferred buffer is detached on this side.
    const actions = Float32Array.from(outcome.actions);
    post({ type: 'plan', id: request.id, actions, iterations: outcome.iterations, bestCost: outcome.bestCost, nanCount: outcome.nanCount, workerMs: performance.now() - started }, [
      actions.buffer,
    ]);
  } catch (error) {
    post({ type: 'error', id: request.id, error: errorFields(error) });
  }
}

port.on('message', (message: PlanWorkerRequest) => {
  switch (message.type) {
    case 'plan':
      chain = chain.then(() => plan(message));
      break;
    case 'cancel':
      if (message.id > lastStarted) cancelled.add(message.id);
      break;
    case 'close':
      chain = chain.then(async () => {
        try {
          await source?.close?.();
          post({ type: 'closed' });
        } catch (error) {
          post({ type: 'closed', error: errorFields(error) });
        }
        port.close();
      });
      break;
  }
});

await start();
