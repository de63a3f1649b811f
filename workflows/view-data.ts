/**
 * What the browser viewer is given: the `embodied.view/v1` object that `embodied view` serves (or writes
 * with `--out`) as `data.js` beside the page. Types and constants only, so the page's bundle can import
 * them without pulling in Node code.
 *
 * @module
 */
import type { OnnxSignature } from '../src/worldmodel/bundle.js';
import type { Manifest } from '../src/worldmodel/manifest.js';

/** Format tag of {@link ViewData}. */
export const VIEW_DATA_FORMAT = 'embodied.view/v1';

/** The global the page's `data.js` sets: `window.EMBODIED_VIEW = {…}`. */
export const VIEW_DATA_GLOBAL = 'EMBODIED_VIEW';

/** The global `ort-wasm.js` sets (base64 of onnxruntime-web's WASM) where the page cannot fetch files (`file://`). */
export const ORT_WASM_GLOBAL = 'EMBODIED_ORT_WASM';

/** onnxruntime-web's WASM build that the page loads (the plain SIMD build; one thread, so no worker). */
export const ORT_WASM_FILE = 'ort-wasm-simd-threaded.wasm';

/** One ONNX file of a bundle, as the page receives it. */
export interface ViewBundleFile {
  /** The path the manifest names. */
  readonly file: string;
  /** The file's bytes, base64. */
  readonly base64: string;
  /** Its inputs and outputs as Node's loader read them. */
  readonly signature: OnnxSignature;
}

/** A world-model bundle as the page receives it: validated in Node (`loadBundle`), bytes base64. */
export interface ViewBundle {
  /** Where it was read from (shown on the page). */
  readonly dir: string;
  readonly manifest: Manifest;
  readonly encoder: ViewBundleFile;
  readonly dynamics: readonly ViewBundleFile[];
  readonly decoder?: ViewBundleFile;
  readonly rollout?: ViewBundleFile;
  readonly rolloutHorizon?: number;
  readonly rolloutHasTerminal: boolean;
  /** `N × obsDim` float32 start observations, base64 (little-endian). */
  readonly initialObservations?: string;
}

/** Everything the page shows; `data.js` sets it as `window.EMBODIED_VIEW`. */
export interface ViewData {
  readonly format: typeof VIEW_DATA_FORMAT;
  /** Heading of the page. */
  readonly title: string;
  /** A replay file's parsed JSON (checked by the page: `embodied.replay/v1`), with the path it came from. */
  readonly replay?: { readonly path: string; readonly json: unknown };
  /** The world model for dream-vs-real and play. */
  readonly bundle?: ViewBundle;
  /** The environment dream-vs-real and play simulate in Rapier, and its options. */
  readonly env?: { readonly id: string; readonly options: Record<string, unknown> };
  /** What went wrong reading the input (a missing file, a file that is not JSON): the page shows it. */
  readonly problem?: string;
  /** How the page gets onnxruntime-web's WASM: fetched beside the page (http), or from a script that sets {@link ORT_WASM_GLOBAL} (file://). */
  readonly ortWasm: { readonly kind: 'fetch' | 'script'; readonly src: string };
}
