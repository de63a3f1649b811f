/**
 * The one "is this ours?" decision before an output directory is replaced (`overwrite`): only an
 * Embodied dataset, an Embodied world-model bundle, a viewer page or an empty directory may be replaced, and only by
 * the writer of the same kind; anything else (a folder of someone's files, a plain file, a symbolic
 * link, the working directory) is refused with an error naming the path and what was found. Every
 * writer that renames an output aside and deletes it calls {@link assertReplaceable} first.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, parse, resolve, sep } from 'node:path';
import { InvalidArgumentError } from './errors.js';
import { readRegularFile } from './safe-read.js';
import { DATASET_FORMAT } from './training/dataset-manifest.js';
import { BUNDLE_FORMAT } from './worldmodel/manifest.js';

/** Format tag of the `manifest.json` that marks a folder written by `embodied view --out` (the static viewer). */
export const VIEWER_FORMAT = 'embodied.viewer/v1';

/** The format tag of policy bundles (`src/policies/manifest.ts` re-exports it). */
export const POLICY_BUNDLE_FORMAT = 'embodied.policy/v1';

/** What a writer produces: a transition dataset, a world-model bundle, a policy bundle or a static viewer page. */
export type OutputKind = 'dataset' | 'bundle' | 'policy' | 'viewer';

/** Refused to replace an output path that is not recognisably an Embodied output of the same kind. */
export class UnsafeOutputError extends InvalidArgumentError {}

const FORMATS: Record<OutputKind, string> = { dataset: DATASET_FORMAT, bundle: BUNDLE_FORMAT, policy: POLICY_BUNDLE_FORMAT, viewer: VIEWER_FORMAT };
const NAMES: Record<OutputKind, string> = {
  dataset: 'an Embodied dataset',
  bundle: 'an Embodied world-model bundle',
  policy: 'an Embodied policy bundle',
  viewer: 'an Embodied viewer page',
};
/** A manifest larger than this is no manifest of ours (ours are a few KiB; dataset seed lists stay far below). */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/**
 * What is at `path`, as far as replacing it goes: `'absent'`, `'empty'` (an empty directory), the
 * {@link OutputKind} its manifest declares, or a phrase describing something else.
 */
export async function inspectOutput(path: string): Promise<'absent' | 'empty' | OutputKind | { other: string }> {
  const target = resolve(path);
  let st;
  try {
    st = await lstat(target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'absent';
    if (code === 'ENOTDIR') throw new InvalidArgumentError(`${target} cannot be an output folder: a parent of it is not a directory`, { cause: e });
    throw e;
  }
  if (st.isSymbolicLink()) return { other: 'a symbolic link' };
  if (!st.isDirectory()) return { other: st.isFile() ? `a file of ${st.size} bytes` : 'a special file (not a directory)' };
  const cwd = process.cwd();
  if (target === cwd || cwd.startsWith(target.endsWith(sep) ? target : target + sep)) return { other: 'the working directory or a folder holding it' };
  if (target === parse(target).root) return { other: 'the root of the filesystem' };
  const entries = await readdir(target);
  if (entries.length === 0) return 'empty';
  const format = await manifestFormat(join(target, 'manifest.json'));
  if (format === DATASET_FORMAT) return 'dataset';
  if (format === BUNDLE_FORMAT) return 'bundle';
  if (format === VIEWER_FORMAT) return 'viewer';
  if (format === POLICY_BUNDLE_FORMAT) return 'policy';
  const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
  return { other: `${format === undefined ? 'no manifest.json' : `a manifest.json ${format}`} among its ${entries.length} entries (${shown})` };
}

/** The manifest's format string; a phrase when it has none; `undefined` when there is no regular manifest file. */
async function manifestFormat(path: string): Promise<string | undefined> {
  let read;
  try {
    // Never follows a symlinked manifest, never waits on a FIFO.
    read = await readRegularFile(path, MAX_MANIFEST_BYTES);
  } catch {
    return undefined;
  }
  if ('problem' in read) return read.problem.startsWith('not a regular file') ? undefined : `of ${read.problem}`;
  let json: unknown;
  try {
    json = JSON.parse(read.bytes.toString('utf8'));
  } catch {
    return 'that is not JSON';
  }
  const format = typeof json === 'object' && json !== null ? (json as { format?: unknown }).format : undefined;
  if (format === DATASET_FORMAT || format === BUNDLE_FORMAT || format === POLICY_BUNDLE_FORMAT || format === VIEWER_FORMAT) return format;
  return format === undefined ? 'without a format' : `of format ${JSON.stringify(format)}`;
}

/**
 * Throws unless the directory at `path` may be replaced by a new output of `kind`: it is absent, an
 * empty directory, or an Embodied output of the same kind (its `manifest.json` declares that format).
 * @param where - who asks, for the message (e.g. `DatasetWriter`)
 * @returns whether something exists at `path` (and will be replaced)
 * @throws {@link UnsafeOutputError} naming the path and what was found there.
 */
export async function assertReplaceable(path: string, kind: OutputKind, where: string): Promise<boolean> {
  const target = resolve(path);
  const found = await inspectOutput(target);
  if (found === 'absent') return false;
  if (found === 'empty' || found === kind) return true;
  const what = typeof found === 'object' ? found.other : `${NAMES[found]}, not ${NAMES[kind]}`;
  throw new UnsafeOutputError(
    `${where}: refusing to replace ${target}: it is not ${NAMES[kind]} (no manifest.json with format "${FORMATS[kind]}"); found ${what}; move it or choose another \`out\``,
  );
}

/**
 * Writes the files of an output directory (a bundle) atomically: into a temporary sibling folder, each
 * file flushed, then renamed into place — replacing an existing output only after
 * {@link assertReplaceable} allowed it — so a reader never sees a half-written directory.
 * @param files - file names (plain, inside the folder) and contents, written in order
 * @throws {@link UnsafeOutputError} when `path` holds something that is not an output of `kind`
 */
export async function writeOutputDirectory(path: string, files: readonly (readonly [string, string | Uint8Array])[], kind: OutputKind, where: string): Promise<void> {
  const target = resolve(path);
  await mkdir(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(tmp);
    for (const [name, data] of files) {
      const handle = await open(join(tmp, name), 'w');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    if (await assertReplaceable(target, kind, where)) {
      const old = `${tmp}.old`;
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
