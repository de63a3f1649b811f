/**
 * The world model in the browser: onnxruntime-web (WASM backend, one thread) running the very
 * `WorldModel` class Node runs — the page's bundle maps `onnxruntime-node` to onnxruntime-web, whose
 * API is the same — over the bundle's own ONNX files, which `embodied view` hands the page as base64.
 *
 * @module
 */
import * as ort from 'onnxruntime-node';
import type { BundleFile, BundleRole, LoadedBundle } from '../src/worldmodel/bundle.js';
import { WorldModel } from '../src/worldmodel/world-model.js';
import { ORT_WASM_GLOBAL, type ViewBundle, type ViewBundleFile, type ViewData } from '../workflows/view-data.js';

let ready: Promise<void> | undefined;

/** Bytes of a base64 string. */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Loads a classic script (works from `file://`, where `fetch` of local files is refused). */
function loadScript(src: string): Promise<void> {
  return new Promise((ok, fail) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = () => ok();
    s.onerror = () => fail(new Error(`could not load ${src} next to the page (written by \`embodied view --out\` when a world model is included)`));
    document.head.append(s);
  });
}

/** onnxruntime-web's WASM, fetched beside the page (http) or read from `ort-wasm.js` (file://). */
async function wasmBytes(source: ViewData['ortWasm']): Promise<Uint8Array> {
  if (source.kind === 'fetch') {
    const response = await fetch(source.src);
    if (!response.ok) throw new Error(`could not fetch ${source.src} (HTTP ${response.status}): onnxruntime-web's WASM file is missing from the viewer`);
    return new Uint8Array(await response.arrayBuffer());
  }
  await loadScript(source.src);
  const text = (window as unknown as Record<string, string | undefined>)[ORT_WASM_GLOBAL];
  if (typeof text !== 'string') throw new Error(`${source.src} did not set window.${ORT_WASM_GLOBAL}`);
  return fromBase64(text);
}

/** Initialises onnxruntime-web once: WASM bytes handed over (no fetch by onnxruntime itself), one thread, no proxy worker. */
export function initOrt(source: ViewData['ortWasm']): Promise<void> {
  ready ??= wasmBytes(source).then((bytes) => {
    ort.env.wasm.wasmBinary = bytes;
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
  });
  return ready;
}

/** The bundle as `WorldModel.load` takes it (what `loadBundle` returns in Node). */
export function loadedBundle(b: ViewBundle): LoadedBundle {
  const file = (role: BundleRole, f: ViewBundleFile): BundleFile => ({ role, file: f.file, path: `${b.dir}/${f.file}`, bytes: fromBase64(f.base64), signature: f.signature });
  const obs = b.initialObservations === undefined ? undefined : fromBase64(b.initialObservations);
  return {
    dir: b.dir,
    manifest: b.manifest,
    encoder: file('encoder', b.encoder),
    dynamics: b.dynamics.map((f) => file('dynamics', f)),
    ...(b.decoder && { decoder: file('decoder', b.decoder) }),
    ...(b.rollout && { rollout: file('rollout', b.rollout) }),
    ...(b.rolloutHorizon !== undefined && { rolloutHorizon: b.rolloutHorizon }),
    rolloutHasTerminal: b.rolloutHasTerminal,
    ...(obs && { initialObservations: new Float32Array(obs.buffer, obs.byteOffset, obs.byteLength / 4) }),
  };
}

/**
 * Loads the bundle into a `WorldModel` on onnxruntime-web (with the same load-time probe as Node).
 * The latest model is also `window.__embodiedViewer.model`, for tests that compare it with Node's.
 */
export async function loadBrowserModel(bundle: ViewBundle, ortWasm: ViewData['ortWasm']): Promise<WorldModel> {
  await initOrt(ortWasm);
  const model = await WorldModel.load(loadedBundle(bundle));
  const handle = (window as unknown as { __embodiedViewer?: Record<string, unknown> }).__embodiedViewer;
  if (handle) handle.model = model;
  return model;
}
