/**
 * What loading a bundle may read: only regular files whose real path (symbolic links resolved) lies
 * inside the bundle's real directory, each under a size cap. ONNX external data (`location` entries of
 * tensors) is resolved against the bundle — never against the working directory — confined the same
 * way, and handed to onnxruntime in memory, so onnxruntime itself opens no file.
 *
 * Caps: 16 MiB for `manifest.json`, 2 GiB for each ONNX file (protobuf's own limit) and for each
 * external data file, and 64 KiB + 4 × obsDim × 1,000,000 bytes for `initial_observations.npy`
 * (a million float32 start observations).
 *
 * @module
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { readRegularFile } from '../safe-read.js';
import { BundleError } from './bundle-error.js';

/** Largest `manifest.json` read. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/** Largest ONNX file (and external data file) read: 2 GiB, protobuf's limit for one message. */
export const MAX_ONNX_BYTES = 2 * 1024 * 1024 * 1024;
/** Largest `initial_observations.npy` for observations of `obsDim` values: a 64 KiB header and a million rows. */
export function maxInitialObservationBytes(obsDim: number): number {
  return 64 * 1024 + 4 * obsDim * 1_000_000;
}

/** An external data file of an ONNX model, read from the bundle, as onnxruntime's `externalData` option takes it. */
export interface ExternalDataFile {
  /** The `location` the model's tensors name (relative to the model file). */
  readonly path: string;
  readonly data: Uint8Array;
}

/** The bundle directory `root` with symbolic links resolved. */
export async function bundleRealRoot(root: string): Promise<string> {
  try {
    return await realpath(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new BundleError(`${root}: not a world-model bundle (no such directory)`, { cause: e });
    throw new BundleError(`${root}: not a world-model bundle (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
}

/** A path the manifest (or a model) names: relative, without `..`. */
function checkRelative(where: string, file: string, field: string): void {
  if (typeof file !== 'string' || file === '' || file.includes('\0') || isAbsolute(file) || normalize(file).split(sep).includes('..')) {
    throw new BundleError(`${where}: \`${field}\` must be a path inside the bundle, got ${JSON.stringify(file)}`);
  }
}

/**
 * Reads `file` (relative to the bundle `root`, whose real path is `realRoot`) when it is a regular
 * file of at most `maxBytes` whose real path lies inside `realRoot`.
 * @param field - what names the file (`files.encoder`, `external data of encoder.onnx`), for messages
 * @throws {@link BundleError} naming the file and why it was not read.
 */
export async function readBundleFile(root: string, realRoot: string, file: string, field: string, maxBytes: number): Promise<{ path: string; bytes: Uint8Array }> {
  checkRelative(`${root}/manifest.json`, file, field);
  const path = join(root, file);
  let real: string;
  try {
    real = await realpath(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new BundleError(`${root}: missing file ${file} (named by \`${field}\`${field.startsWith('files.') ? ' in manifest.json' : ''})`, { cause: e });
    throw new BundleError(`${root}: cannot resolve ${file} (named by \`${field}\`): ${code ?? (e as Error).message}`, { cause: e });
  }
  if (!real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)) {
    throw new BundleError(`${root}: ${file} (named by \`${field}\`) resolves to ${real}, outside the bundle; a bundle may only read its own files`);
  }
  let read;
  try {
    read = await readRegularFile(real, maxBytes);
  } catch (e) {
    // The path changed between realpath and open (e.g. swapped for a link): refuse rather than follow.
    throw new BundleError(`${root}: cannot read ${file} (named by \`${field}\`): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  if ('problem' in read) throw new BundleError(`${root}: ${file} (named by \`${field}\`) is ${read.problem}`);
  return { path, bytes: read.bytes };
}

/**
 * Reads the external data files at `locations` (those the bundle file `file` names, from
 * `externalDataLocations`), each confined to the bundle and resolved relative to the model file's
 * folder, as onnxruntime resolves them.
 * @throws {@link BundleError} for a location outside the bundle, missing, special or too large.
 */
export async function readExternalData(root: string, realRoot: string, file: string, locations: readonly string[]): Promise<ExternalDataFile[]> {
  const folder = normalize(join(file, '..'));
  const files: ExternalDataFile[] = [];
  for (const location of locations) {
    const field = `external data of ${file}`;
    checkRelative(`${root}/${file}`, location, field);
    const { bytes } = await readBundleFile(root, realRoot, folder === '.' ? location : join(folder, location), field, MAX_ONNX_BYTES);
    files.push({ path: location, data: bytes });
  }
  return files;
}
