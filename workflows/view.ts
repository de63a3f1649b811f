/**
 * `embodied view`: the browser viewer. {@link viewData} turns the input (a replay file, a world-model
 * bundle, or an environment id) into the {@link ViewData} the page shows; {@link serveViewer} serves the
 * built page and that data from a small static server on 127.0.0.1 (node:http, nothing from outside);
 * {@link writeViewer} writes the same page as static files that open from disk (`file://`).
 *
 * The page itself is built by `npm run build` (viewer/build.mjs: three.js, Rapier, onnxruntime-web and
 * the SDK's own environment and world-model code, bundled with esbuild) into `dist/viewer/`, which the
 * package ships. Problems with the input (a missing file, a file that is not JSON) do not stop the
 * viewer: they travel to the page, which says what is wrong instead of drawing an empty canvas.
 *
 * @module
 */
import { mkdir, readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { demoTaskOf } from '../environments/demo-task.js';
import { environmentCard } from '../environments/cards.js';
import { writeFileAtomic } from '../src/atomic-write.js';
import { EmbodiedError, InvalidArgumentError } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { VIEWER_FORMAT, assertReplaceable } from '../src/output-dir.js';
import { spec as envSpec } from '../src/registry.js';
import { loadBundle, type BundleFile } from '../src/worldmodel/bundle.js';
import { packageRoot } from './demo/demo-tasks.js';
import { SHIPPED_MODELS, shippedModel, type ShippedModelName } from './shipped-models.js';
import { ORT_WASM_FILE, ORT_WASM_GLOBAL, VIEW_DATA_FORMAT, VIEW_DATA_GLOBAL, type ViewBundle, type ViewBundleFile, type ViewData } from './view-data.js';

export * from './view-data.js';

/** The page's own files in the built viewer folder (`dist/viewer/`). */
const PAGE_FILES = ['index.html', 'viewer.js'] as const;

/** Zod schema of {@link ViewInput}. */
export const ViewInputSchema = z
  .object({
    /** A replay file (`replay.json` from `embodied demo`) or a world-model bundle directory. */
    input: z.string().min(1).optional(),
    /** An environment id: its shipped world model (when there is one) for dream-vs-real and play. */
    envId: z.string().min(1).optional(),
    /** The built viewer folder. Default: `dist/viewer` of the installed package. */
    assets: z.string().min(1).optional(),
  })
  .strict();

/** What to view: `input` (a replay file or a bundle directory) or `envId`. */
export type ViewInput = z.input<typeof ViewInputSchema>;

/** Whether the viewer page is built (`dist/viewer/`, or `dir`): runs from a source checkout before `npm run build` have none. */
export function viewerBuilt(dir?: string): boolean {
  const at = dir ?? join(packageRoot(), 'dist', 'viewer');
  return PAGE_FILES.every((f) => existsSync(join(at, f)));
}

/** `embodied view <path>`, quoted for a shell when the path needs it. */
export function viewCommand(path: string): string {
  return `embodied view ${/^[\w./@+-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`}`;
}

/**
 * The built viewer folder: `dist/viewer/` of the package (written by `npm run build`).
 * @throws {@link EmbodiedError} when the page has not been built.
 */
export function viewerAssets(dir: string = join(packageRoot(), 'dist', 'viewer')): string {
  const missing = PAGE_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) throw new EmbodiedError(`the viewer page is not built: ${dir} lacks ${missing.join(', ')}; run \`npm run build\``);
  return resolve(dir);
}

/**
 * The data the page shows for `input`. A bundle is loaded and validated here (a {@link BundleError} is
 * thrown for a broken one, as every command does); a missing or unreadable replay file becomes
 * `problem`, which the page shows.
 * @throws {@link InvalidArgumentError} for an unknown environment id, or for neither/both of `input` and `envId`.
 */
export async function viewData(options: ViewInput, ortWasm: ViewData['ortWasm'] = { kind: 'fetch', src: ORT_WASM_FILE }): Promise<ViewData> {
  const o = parseOptions(ViewInputSchema, options, 'view options');
  if ((o.input === undefined) === (o.envId === undefined))
    throw new InvalidArgumentError('view options: expected exactly one of `input` (a replay file or a bundle directory) and `envId`');
  const base = { format: VIEW_DATA_FORMAT, ortWasm } as const;
  if (o.envId !== undefined) {
    envSpec(o.envId); // an unknown id fails here, listing close matches
    const shipped = (Object.keys(SHIPPED_MODELS) as ShippedModelName[]).find((name) => SHIPPED_MODELS[name] === o.envId);
    const bundle = shipped === undefined ? undefined : await viewBundle(shippedModel(shipped));
    return { ...base, title: o.envId, env: { id: o.envId, options: envOptionsFor(o.envId) }, ...(bundle && { bundle }) };
  }
  const path = resolve(o.input!);
  if (existsSync(path) && statSync(path).isDirectory()) {
    const bundle = await viewBundle(path);
    const id = bundle.manifest.envId;
    return { ...base, title: `${bundle.manifest.name} (${id})`, bundle, env: { id, options: envOptionsFor(id) } };
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return { ...base, title: 'Embodied viewer', problem: `Cannot read ${path}: ${why}. Expected a replay.json written by \`embodied demo\` or a world-model bundle directory.` };
  }
  try {
    return { ...base, title: `Replay ${path}`, replay: { path, json: JSON.parse(text) as unknown } };
  } catch (e) {
    return { ...base, title: 'Embodied viewer', problem: `${path} is not JSON (${(e as Error).message}). Expected a replay.json written by \`embodied demo\`.` };
  }
}

/** The environment options a bundle for `envId` was trained on: the card's demo task's, else none. */
function envOptionsFor(envId: string): Record<string, unknown> {
  const card = environmentCard(envId);
  const task = card && demoTaskOf(card);
  return { ...(task?.envOptions ?? {}) };
}

/** Loads (and so validates) a bundle and encodes its files for the page. */
async function viewBundle(dir: string): Promise<ViewBundle> {
  const b = await loadBundle(dir);
  const file = (f: BundleFile): ViewBundleFile => {
    if (f.externalData && f.externalData.length > 0)
      throw new InvalidArgumentError(`view: ${f.path} keeps its weights in external data files, which the browser viewer does not load`);
    return { file: f.file, base64: Buffer.from(f.bytes).toString('base64'), signature: f.signature };
  };
  const obs = b.initialObservations;
  return {
    dir: b.dir,
    manifest: b.manifest,
    encoder: file(b.encoder),
    dynamics: b.dynamics.map(file),
    ...(b.decoder && { decoder: file(b.decoder) }),
    ...(b.rollout && { rollout: file(b.rollout) }),
    ...(b.rolloutHorizon !== undefined && { rolloutHorizon: b.rolloutHorizon }),
    rolloutHasTerminal: b.rolloutHasTerminal,
    ...(obs && { initialObservations: Buffer.from(obs.buffer, obs.byteOffset, obs.byteLength).toString('base64') }),
  };
}

/** `data.js`: sets the page's data global. */
function dataScript(data: ViewData): string {
  return `window.${VIEW_DATA_GLOBAL} = ${JSON.stringify(data)};\n`;
}

/** Options of {@link serveViewer}. */
export interface ServeViewerOptions extends ViewInput {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default 0. */
  readonly port?: number;
}

/** A running viewer server. */
export interface ViewerServer {
  /** The page's address, e.g. `http://127.0.0.1:43117/`. */
  readonly url: string;
  /** What the page shows. */
  readonly data: ViewData;
  /** Stops the server. */
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'viewer.js': 'text/javascript; charset=utf-8',
  'data.js': 'text/javascript; charset=utf-8',
  [ORT_WASM_FILE]: 'application/wasm',
};

/**
 * Serves the viewer on 127.0.0.1: the page's files, `data.js` for `options`, and onnxruntime-web's WASM
 * (only these names; anything else is 404). Close it with {@link ViewerServer.close}.
 * @throws {@link EmbodiedError} when the page is not built; {@link InvalidArgumentError} for a bad port.
 */
export async function serveViewer(options: ServeViewerOptions): Promise<ViewerServer> {
  const { port = 0, ...input } = options;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`serveViewer: expected \`port\` in 0…65535, got ${port}`);
  const assets = viewerAssets(input.assets);
  const data = await viewData(input);
  const files = new Map<string, Buffer>();
  for (const f of [...PAGE_FILES, ORT_WASM_FILE]) files.set(f, await readFile(join(assets, f)));
  files.set('data.js', Buffer.from(dataScript(data)));
  const server: Server = createServer((req, res) => {
    const name = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.slice(1) || 'index.html';
    const body = req.method === 'GET' || req.method === 'HEAD' ? files.get(name) : undefined;
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: /${name}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPES[name]!, 'content-length': body.length, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}/`,
    data,
    // A browser keeps connections open (keep-alive, preconnects): end them too, or close() waits for them.
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/** Options of {@link writeViewer}. */
export interface WriteViewerOptions extends ViewInput {
  /** Output folder: absent, empty, or an earlier `--out` of the viewer (refused otherwise). */
  readonly out: string;
}

/** What {@link writeViewer} wrote. */
export interface WrittenViewer {
  /** The page to open, e.g. `/abs/out/index.html`. */
  readonly index: string;
  /** `file://` address of the page. */
  readonly url: string;
  readonly data: ViewData;
}

/**
 * Writes the page as static files that open from disk: `index.html`, `viewer.js`, `data.js`, and, when a
 * world model is included, `ort-wasm.js` (onnxruntime-web's WASM as base64: a page opened via `file://`
 * may not fetch files). Each file is written atomically; a `manifest.json` marks the folder as a viewer.
 * @throws `UnsafeOutputError` (an {@link InvalidArgumentError}) when `out` holds something else.
 */
export async function writeViewer(options: WriteViewerOptions): Promise<WrittenViewer> {
  const { out, ...input } = options;
  const dir = resolve(out);
  const assets = viewerAssets(input.assets);
  await assertReplaceable(dir, 'viewer', 'writeViewer');
  const data = await viewData(input, { kind: 'script', src: 'ort-wasm.js' });
  await mkdir(dir, { recursive: true });
  for (const f of PAGE_FILES) await writeFileAtomic(join(dir, f), await readFile(join(assets, f)));
  if (data.bundle) {
    const wasm = await readFile(join(assets, ORT_WASM_FILE));
    await writeFileAtomic(join(dir, 'ort-wasm.js'), `window.${ORT_WASM_GLOBAL} = "${wasm.toString('base64')}";\n`);
  }
  await writeFileAtomic(join(dir, 'data.js'), dataScript(data));
  await writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify({ format: VIEWER_FORMAT, title: data.title }, null, 2)}\n`);
  const index = join(dir, 'index.html');
  return { index, url: `file://${index}`, data };
}
