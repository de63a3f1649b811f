/**
 * Loading and validating world-model bundles (`embodied.worldmodel/v1`): the manifest against its zod
 * schema, and every ONNX file's graph inputs and outputs (names, element types, shapes) against the
 * contract. The loader assumes nothing beyond the contract, so a bundle exported from PyTorch loads
 * as well as one trained here.
 *
 * Rules (documented in docs/world-models.md):
 * - Inputs must be exactly the contract's (no missing, no extra); outputs must include the contract's;
 *   extra outputs are allowed and ignored (PyTorch exports often expose intermediate values).
 * - Every tensor is float32. The batch axis (axis 0) must be dynamic: a named `dim_param` (any name)
 *   or an unnamed dynamic axis. Feature axes must be fixed and equal to the manifest's sizes.
 * - The horizon axis of `rollout` may be dynamic (any H) or fixed (that H only).
 * - Graph initializers that are also listed as inputs (IR < 4 style) are not counted as inputs.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { join, normalize, resolve } from 'node:path';
import pkg from 'onnx-proto';
import { NpyError, decodeNpy } from '../codecs/npy.js';
import { BundleError } from './bundle-error.js';
import { externalDataLocations } from './onnx-external-data.js';
import { MAX_MANIFEST_BYTES, MAX_ONNX_BYTES, bundleRealRoot, maxInitialObservationBytes, readBundleFile, readExternalData, type ExternalDataFile } from './bundle-read.js';
import { ManifestSchema, type Manifest } from './manifest.js';

const { onnx } = pkg;

export { BundleError };
export type { ExternalDataFile };

/** One dimension as declared in an ONNX graph: a size, a symbolic name, or unknown (`null`). */
export type OnnxDim = number | string | null;

/** A graph input or output as declared in an ONNX file. */
export interface OnnxTensorInfo {
  readonly name: string;
  /** ONNX element type name, e.g. `float32`, `int64` (or `type <n>` for exotic ones). */
  readonly dtype: string;
  /** Declared dimensions; `undefined` when the file declares no shape. */
  readonly dims: readonly OnnxDim[] | undefined;
}

/** The declared signature of an ONNX model. */
export interface OnnxSignature {
  readonly inputs: readonly OnnxTensorInfo[];
  readonly outputs: readonly OnnxTensorInfo[];
  /** Opset of the default domain, when declared. */
  readonly opset: number | undefined;
  readonly producer: string;
}

/** The role of a file in a bundle. */
export type BundleRole = 'encoder' | 'dynamics' | 'decoder' | 'rollout';

/** A validated ONNX file of a bundle. */
export interface BundleFile {
  readonly role: BundleRole;
  /** Path relative to the bundle directory, as the manifest names it. */
  readonly file: string;
  /** Absolute path. */
  readonly path: string;
  /** The model bytes (handed to onnxruntime). */
  readonly bytes: Uint8Array;
  /** The external data files the model names, read from the bundle (handed to onnxruntime with the bytes). */
  readonly externalData?: readonly ExternalDataFile[];
  readonly signature: OnnxSignature;
}

/** A loaded, validated bundle. */
export interface LoadedBundle {
  /** Absolute bundle directory. */
  readonly dir: string;
  readonly manifest: Manifest;
  readonly encoder: BundleFile;
  /** One per ensemble member. */
  readonly dynamics: readonly BundleFile[];
  readonly decoder?: BundleFile;
  readonly rollout?: BundleFile;
  /** Horizon of `rollout` when its graph fixes it; `undefined` when the horizon axis is dynamic. */
  readonly rolloutHorizon?: number;
  /** Whether `rollout` outputs `terminal_logits` [B, H]. */
  readonly rolloutHasTerminal: boolean;
  /** `N × obsDim` start observations, when the bundle has them. */
  readonly initialObservations?: Float32Array;
}

const ELEM_TYPES: Record<number, string> = { 1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64', 16: 'bfloat16' };

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

function tensorInfo(v: pkg.onnx.IValueInfoProto): OnnxTensorInfo {
  const tt = v.type?.tensorType;
  const dtype = tt?.elemType != null ? (ELEM_TYPES[tt.elemType] ?? `type ${tt.elemType}`) : 'not a tensor';
  const dims = tt?.shape?.dim?.map((d): OnnxDim => {
    const which = (d as { value?: string }).value;
    if (which === 'dimValue') return toNumber(d.dimValue);
    if (which === 'dimParam') return d.dimParam ?? null;
    return null;
  });
  return { name: v.name ?? '', dtype, dims: tt?.shape ? (dims ?? []) : undefined };
}

/**
 * Reads the declared inputs and outputs of an ONNX model.
 * @param where - names the file in error messages
 * @throws {@link BundleError} when the bytes are not an ONNX model with a graph.
 */
export function readOnnxSignature(bytes: Uint8Array, where: string): OnnxSignature {
  return signatureOf(decodeModel(bytes, where), where);
}

function decodeModel(bytes: Uint8Array, where: string): pkg.onnx.ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new BundleError(`${where}: not a valid ONNX model (protobuf decoding failed: ${(e as Error).message})`, { cause: e });
  }
}

function signatureOf(model: pkg.onnx.ModelProto, where: string): OnnxSignature {
  const graph = model.graph;
  if (!graph || toNumber(model.irVersion) <= 0 || !graph.output || graph.output.length === 0) {
    throw new BundleError(`${where}: not a valid ONNX model (no graph with outputs, or no IR version)`);
  }
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const opset = model.opsetImport?.find((o) => !o.domain || o.domain === 'ai.onnx');
  return {
    inputs: (graph.input ?? []).filter((i) => !initializers.has(i.name ?? '')).map(tensorInfo),
    outputs: graph.output.map(tensorInfo),
    opset: opset?.version != null ? toNumber(opset.version) : undefined,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
  };
}

/** An expected dimension: a fixed size (with what it is), the batch axis, or the horizon axis. */
type ExpectedDim = { size: number; what: string } | 'batch' | 'horizon';

interface ExpectedTensor {
  readonly name: string;
  readonly dims: readonly ExpectedDim[];
}

function describeDim(d: OnnxDim): string {
  return typeof d === 'number' ? `fixed ${d}` : typeof d === 'string' ? `symbolic '${d}'` : 'unknown';
}

function formatDims(dims: readonly OnnxDim[]): string {
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** Checks one declared tensor against its expectation; returns the fixed horizon if it has one. */
function checkTensor(where: string, kind: 'input' | 'output', got: OnnxTensorInfo, want: ExpectedTensor): number | undefined {
  const label = `${where}: ${kind} \`${want.name}\``;
  if (got.dtype !== 'float32') throw new BundleError(`${label}: expected dtype float32, got ${got.dtype}`);
  if (got.dims === undefined) throw new BundleError(`${label}: expected a declared shape of rank ${want.dims.length}, got none`);
  if (got.dims.length !== want.dims.length) {
    throw new BundleError(
      `${label}: expected rank ${want.dims.length} (${want.dims.map((d) => (typeof d === 'object' ? d.size : d === 'batch' ? 'B' : 'H')).join(' × ')}), got rank ${got.dims.length} ${formatDims(got.dims)}`,
    );
  }
  let horizon: number | undefined;
  want.dims.forEach((w, i) => {
    const d = got.dims![i]!;
    if (w === 'batch') {
      if (typeof d === 'number') {
        throw new BundleError(
          `${label}: expected axis ${i} (batch) to be dynamic, got fixed ${d}; export with a dynamic batch axis (torch.onnx.export(..., dynamic_axes={'${want.name}': {0: 'batch'}}))`,
        );
      }
    } else if (w === 'horizon') {
      if (typeof d === 'number') horizon = d;
    } else if (d !== w.size) {
      throw new BundleError(`${label}: expected axis ${i} to be ${w.size} (${w.what}), got ${describeDim(d)}`);
    }
  });
  return horizon;
}

function checkSignature(
  where: string,
  sig: OnnxSignature,
  inputs: readonly ExpectedTensor[],
  outputs: readonly ExpectedTensor[],
  optionalOutputs: readonly ExpectedTensor[] = [],
): { horizons: number[]; present: Set<string> } {
  const horizons: number[] = [];
  const inputNames = sig.inputs.map((i) => `\`${i.name}\``).join(', ') || 'none';
  for (const want of inputs) {
    const got = sig.inputs.find((i) => i.name === want.name);
    if (!got) throw new BundleError(`${where}: missing input \`${want.name}\` (the graph's inputs are ${inputNames})`);
    const h = checkTensor(where, 'input', got, want);
    if (h !== undefined) horizons.push(h);
  }
  for (const got of sig.inputs) {
    if (!inputs.some((w) => w.name === got.name)) {
      throw new BundleError(`${where}: unexpected input \`${got.name}\` (expected only ${inputs.map((w) => `\`${w.name}\``).join(', ')})`);
    }
  }
  const outputNames = sig.outputs.map((o) => `\`${o.name}\``).join(', ');
  const present = new Set<string>();
  for (const want of [...outputs, ...optionalOutputs]) {
    const got = sig.outputs.find((o) => o.name === want.name);
    if (!got) {
      if (outputs.includes(want)) throw new BundleError(`${where}: missing output \`${want.name}\` (the graph's outputs are ${outputNames})`);
      continue;
    }
    present.add(want.name);
    const h = checkTensor(where, 'output', got, want);
    if (h !== undefined) horizons.push(h);
  }
  return { horizons, present };
}

/**
 * Reads and validates `manifest.json` of a bundle directory (no ONNX files are read).
 * @throws {@link BundleError} naming the field and the problem.
 */
export async function readBundleManifest(dir: string): Promise<Manifest> {
  const root = resolve(dir);
  const realRoot = await bundleRealRoot(root);
  let read: { path: string; bytes: Uint8Array };
  try {
    read = await readBundleFile(root, realRoot, 'manifest.json', 'manifest', MAX_MANIFEST_BYTES);
  } catch (e) {
    if (e instanceof BundleError && (e.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
      throw new BundleError(`${root}: not a world-model bundle (missing manifest.json)`, { cause: e });
    throw e;
  }
  const { path } = read;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(read.bytes).toString('utf8'));
  } catch (e) {
    throw new BundleError(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  return parseBundleManifest(json, path);
}

/** Validates a manifest object with the zod schema. @throws {@link BundleError} listing each problem. */
export function parseBundleManifest(json: unknown, where = 'manifest.json'): Manifest {
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `\`${i.path.join('.') || '(root)'}\`: ${i.message}`);
    throw new BundleError(`${where}: invalid bundle manifest: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/**
 * Loads a bundle directory and validates everything: the manifest, that every file exists, and each
 * ONNX file's inputs and outputs against the contract table (see the module docs for the rules).
 *
 * @example
 * ```ts
 * const bundle = await loadBundle('models/pushbox');
 * console.log(bundle.manifest.latentDim, bundle.dynamics.length);
 * ```
 * @throws {@link BundleError} naming the file, the tensor and the mismatch.
 */
export async function loadBundle(dir: string): Promise<LoadedBundle> {
  const root = resolve(dir);
  const m = await readBundleManifest(root);
  const realRoot = await bundleRealRoot(root);
  const B = 'batch' as const;
  const H = 'horizon' as const;
  const obs = { size: m.obsDim, what: 'obsDim' };
  const lat = { size: m.latentDim, what: 'latentDim' };
  const act = { size: m.actionDim, what: 'actionDim' };
  const one = { size: 1, what: 'one value per row' };

  const load = async (role: BundleRole, file: string, field: string, inputs: ExpectedTensor[], outputs: ExpectedTensor[], optional: ExpectedTensor[] = []) => {
    const { path, bytes } = await readBundleFile(root, realRoot, file, field, MAX_ONNX_BYTES);
    checkFileHash(root, m, file, bytes);
    const model = decodeModel(bytes, file);
    const signature = signatureOf(model, file);
    const checked = checkSignature(file, signature, inputs, outputs, optional);
    const externalData = await readExternalData(root, realRoot, file, externalDataLocations(model));
    const folder = normalize(join(file, '..'));
    for (const d of externalData) checkFileHash(root, m, folder === '.' ? d.path : join(folder, d.path), d.data);
    return { file: { role, file, path, bytes, signature, ...(externalData.length > 0 && { externalData }) } satisfies BundleFile, ...checked };
  };

  const encoder = (await load('encoder', m.files.encoder, 'files.encoder', [{ name: 'obs', dims: [B, obs] }], [{ name: 'latent', dims: [B, lat] }])).file;
  const dynOutputs: ExpectedTensor[] = [
    { name: 'next_latent', dims: [B, lat] },
    { name: 'reward', dims: [B, one] },
  ];
  if (m.hasTerminal) dynOutputs.push({ name: 'terminal_logit', dims: [B, one] });
  const dynamics: BundleFile[] = [];
  for (const [i, f] of m.files.dynamics.entries()) {
    dynamics.push(
      (
        await load(
          'dynamics',
          f,
          `files.dynamics[${i}]`,
          [
            { name: 'latent', dims: [B, lat] },
            { name: 'action', dims: [B, act] },
          ],
          dynOutputs,
        )
      ).file,
    );
  }
  const decoder =
    m.files.decoder !== undefined
      ? (await load('decoder', m.files.decoder, 'files.decoder', [{ name: 'latent', dims: [B, lat] }], [{ name: 'obs', dims: [B, obs] }])).file
      : undefined;

  let rollout: BundleFile | undefined;
  let rolloutHorizon: number | undefined;
  let rolloutHasTerminal = false;
  if (m.files.rollout !== undefined) {
    const r = await load(
      'rollout',
      m.files.rollout,
      'files.rollout',
      [
        { name: 'latent', dims: [B, lat] },
        { name: 'actions', dims: [B, H, act] },
      ],
      [
        { name: 'latents', dims: [B, H, lat] },
        { name: 'rewards', dims: [B, H] },
      ],
      [{ name: 'terminal_logits', dims: [B, H] }],
    );
    const distinct = [...new Set(r.horizons)];
    if (distinct.length > 1)
      throw new BundleError(`${m.files.rollout}: expected one horizon H across \`actions\`, \`latents\` and \`rewards\`, got fixed sizes ${distinct.join(', ')}`);
    if (distinct.length === 1 && r.horizons.length < (r.present.has('terminal_logits') ? 4 : 3)) {
      throw new BundleError(`${m.files.rollout}: expected the horizon axis to be fixed (${distinct[0]}) in every tensor or dynamic in every tensor, got a mix`);
    }
    rollout = r.file;
    rolloutHorizon = distinct[0];
    rolloutHasTerminal = r.present.has('terminal_logits');
  }

  const initialObservations = await loadInitialObservations(root, realRoot, m);

  return {
    dir: root,
    manifest: m,
    encoder,
    dynamics,
    ...(decoder !== undefined && { decoder }),
    ...(rollout !== undefined && { rollout }),
    ...(rolloutHorizon !== undefined && { rolloutHorizon }),
    rolloutHasTerminal,
    ...(initialObservations !== undefined && { initialObservations }),
  };
}

/** The bundle's start observations (`files.initialObservations`, a float32 `[N ≥ 1, obsDim]` .npy), when it lists them. */
async function loadInitialObservations(root: string, realRoot: string, m: Manifest): Promise<Float32Array | undefined> {
  if (m.files.initialObservations === undefined) return undefined;
  const { bytes } = await readBundleFile(root, realRoot, m.files.initialObservations, 'files.initialObservations', maxInitialObservationBytes(m.obsDim));
  checkFileHash(root, m, m.files.initialObservations, bytes);
  let arr;
  try {
    arr = decodeNpy(bytes, m.files.initialObservations);
  } catch (e) {
    if (e instanceof NpyError) throw new BundleError(e.message, { cause: e });
    throw e;
  }
  if (arr.dtype !== 'float32' || arr.shape.length !== 2 || arr.shape[1] !== m.obsDim || arr.shape[0] === 0) {
    throw new BundleError(`${m.files.initialObservations}: expected a float32 array of shape [N ≥ 1, ${m.obsDim}] (obsDim), got ${arr.dtype} [${arr.shape.join(', ')}]`);
  }
  return arr.data as Float32Array;
}

/** SHA-256 of `bytes`, lowercase hex (what `manifest.fileHashes` records). */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Verifies `file` (relative to the bundle) against `manifest.fileHashes`, when the manifest records hashes.
 * @throws {@link BundleError} naming the file when its hash differs or it is not listed.
 */
function checkFileHash(root: string, m: Manifest, file: string, bytes: Uint8Array): void {
  if (m.fileHashes === undefined) return; // a bundle made before hashes were recorded
  const want = m.fileHashes[file] ?? m.fileHashes[normalize(file)];
  if (want === undefined) {
    throw new BundleError(`${root}: ${file} is not listed in manifest.json \`fileHashes\` (the manifest records a hash for every file of the bundle); re-export the bundle`);
  }
  const got = sha256Hex(bytes);
  if (got !== want) {
    throw new BundleError(`${root}: ${file} does not match its SHA-256 in manifest.json \`fileHashes\` (expected ${want}, got ${got}); the file was modified or is corrupt`);
  }
}
