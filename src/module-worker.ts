/**
 * Starting a worker thread on one of the SDK's own modules, from compiled JavaScript or from the
 * TypeScript sources alike. From `dist/` the worker runs the sibling `.js` file. From the sources
 * (tests, `tsx`, a checkout's `bin/embodied.mjs`) Node 20 does not apply `--import tsx` to a worker's
 * own entry, so a one-line bootstrap registers tsx's ESM hooks inside the worker, then imports the
 * `.ts` file. Every worker of the SDK (vector environments, plan workers, training) starts here.
 *
 * @module
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker on `entry` (a module URL relative to `from`, without extension: `'./worker'`), with
 * `workerData`. `from` is the caller's `import.meta.url`: its extension says whether the sources run.
 */
export function startModuleWorker(from: string, entry: string, workerData: unknown): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`${entry}.js`, from), { workerData });
  // tsx's ESM API as an ES module (the `require` condition resolves to its .cjs twin).
  const api = createRequire(from)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const url = new URL(`${entry}.ts`, from).href;
  const bootstrap = `import(${JSON.stringify(pathToFileURL(api).href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
