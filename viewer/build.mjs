/**
 * Builds the browser viewer into `dist/viewer/` (run by `npm run build`, so the package ships it):
 * `viewer/main.ts` bundled by esbuild into one classic script (`viewer.js`, which also runs from
 * `file://`) with three.js, Rapier (its WASM embedded), onnxruntime-web and the SDK's own environment,
 * world-model and planning code; `index.html`; and the one onnxruntime-web WASM file the page loads.
 *
 * The SDK's Node-only imports (`node:*`) become stubs that throw if called: the code paths the page
 * runs never call them. `onnxruntime-node` becomes onnxruntime-web (same API), so the page runs the
 * very `WorldModel` class Node runs.
 *
 * Usage: `node viewer/build.mjs [outDir]`; `import { buildViewer } from './viewer/build.mjs'`.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
/** onnxruntime-web's WASM build with its glue code bundled in (no dynamic import of a `.mjs`). */
const ORT_WEB = dirname(require.resolve('onnxruntime-web'));
const ORT_WASM_FILE = 'ort-wasm-simd-threaded.wasm';

/** esbuild plugin: `node:*` modules become stubs whose functions throw; onnxruntime-node becomes onnxruntime-web. */
const browserShims = {
  name: 'embodied-browser-shims',
  setup(build) {
    build.onResolve({ filter: /^onnxruntime-node$/ }, () => ({ path: join(ORT_WEB, 'ort.wasm.bundle.min.mjs') }));
    build.onResolve({ filter: /^onnxruntime-web(\/wasm)?$/ }, () => ({ path: join(ORT_WEB, 'ort.wasm.bundle.min.mjs') }));
    build.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-stub' }));
    build.onLoad({ filter: /.*/, namespace: 'node-stub' }, (args) => ({
      loader: 'js',
      contents: `const fail = (name) => () => { throw new Error(${JSON.stringify(args.path)} + '.' + name + ' is not available in the browser'); };
module.exports = new Proxy({}, { get: (_, key) => (key === '__esModule' ? false : typeof key === 'string' ? fail(key) : undefined) });`,
    }));
  },
};

/**
 * Builds the viewer into `outDir` (default `dist/viewer`). Returns the files written.
 * @param {string} [outDir]
 * @param {{ minify?: boolean }} [options] minify (default true)
 */
export async function buildViewer(outDir = join(here, '..', 'dist', 'viewer'), options = {}) {
  const esbuild = await import('esbuild');
  const out = resolve(outDir);
  await mkdir(out, { recursive: true });
  await esbuild.build({
    entryPoints: [join(here, 'main.ts')],
    outfile: join(out, 'viewer.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? true,
    legalComments: 'none',
    logLevel: 'error',
    // The SDK's `import.meta.url` uses (worker entry points, lazy requires) never run in the page.
    define: { 'import.meta.url': 'document.baseURI' },
    plugins: [browserShims],
  });
  const html = await readFile(join(here, 'index.html'), 'utf8');
  await writeFile(join(out, 'index.html'), html);
  await copyFile(join(ORT_WEB, ORT_WASM_FILE), join(out, ORT_WASM_FILE));
  return ['index.html', 'viewer.js', ORT_WASM_FILE].map((f) => join(out, f));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await buildViewer(process.argv[2]);
  console.log(`viewer: built ${files.length} files into ${dirname(files[0])}`);
}
