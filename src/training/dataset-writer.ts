/**
 * Writing transition datasets: episodes are recorded in an {@link EpisodeBuffer}, appended in chunks to
 * `.npy` files in a hidden staging directory next to the output, and published atomically (rename).
 * Checkpoints publish a complete, valid dataset of the episodes finished so far; a killed writer
 * therefore leaves at the output path either the last checkpoint or nothing — never a partial file.
 *
 * @module
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { constants as fsConstants } from 'node:fs';
import { writeFileAtomic } from '../atomic-write.js';
import { assertReplaceable } from '../output-dir.js';
import { EmbodiedError, InvalidArgumentError, describeValue } from '../errors.js';
import { readRegularFile } from '../safe-read.js';
import { parseEnvId } from '../registry.js';
import type { Space } from '../spaces.js';
import {
  DATASET_FIELDS,
  DATASET_FORMAT,
  DatasetError,
  FIELD_DTYPES,
  datasetContentHash,
  fieldRowShape,
  producerTag,
  type DatasetField,
  type DatasetManifest,
} from './dataset-manifest.js';
import { NpyAppender, typedArrayBytes, type NpyTypedArray } from '../codecs/npy.js';
import { processAlive } from '../process-alive.js';

/** Growable storage for the transitions of one episode. */
export class EpisodeBuffer {
  /** Steps recorded. */
  length = 0;
  private obs: Float32Array;
  private nextObs: Float32Array;
  private act: Float32Array;
  private rew: Float32Array;
  private term: Uint8Array;
  private trunc: Uint8Array;

  constructor(
    /** Length of one flattened observation. */
    readonly obsDim: number,
    /** Length of one flattened action. */
    readonly actionDim: number,
    /** The seed the episode was reset with. */
    readonly seed: number,
    capacity = 64,
  ) {
    this.obs = new Float32Array(capacity * obsDim);
    this.nextObs = new Float32Array(capacity * obsDim);
    this.act = new Float32Array(capacity * actionDim);
    this.rew = new Float32Array(capacity);
    this.term = new Uint8Array(capacity);
    this.trunc = new Uint8Array(capacity);
  }

  /** Records one transition (flattened observation before and after, flattened action). */
  push(observation: ArrayLike<number>, action: ArrayLike<number>, reward: number, nextObservation: ArrayLike<number>, terminated: boolean, truncated: boolean): void {
    if (observation.length !== this.obsDim || nextObservation.length !== this.obsDim) {
      throw new InvalidArgumentError(`EpisodeBuffer.push: expected observations of ${this.obsDim} values, got ${observation.length} and ${nextObservation.length}`);
    }
    if (action.length !== this.actionDim) throw new InvalidArgumentError(`EpisodeBuffer.push: expected an action of ${this.actionDim} values, got ${action.length}`);
    if (!Number.isFinite(reward)) throw new InvalidArgumentError(`EpisodeBuffer.push: expected a finite reward, got ${describeValue(reward)}`);
    if (this.length > 0 && (this.term[this.length - 1] || this.trunc[this.length - 1])) {
      throw new InvalidArgumentError('EpisodeBuffer.push: the episode already ended (terminated or truncated)');
    }
    if (this.length === this.rew.length) this.grow();
    const t = this.length++;
    this.obs.set(observation, t * this.obsDim);
    this.nextObs.set(nextObservation, t * this.obsDim);
    this.act.set(action, t * this.actionDim);
    this.rew[t] = reward;
    this.term[t] = terminated ? 1 : 0;
    this.trunc[t] = truncated ? 1 : 0;
  }

  /** Marks the last step truncated (a collector cutting an episode short at its step budget). */
  truncateHere(): void {
    if (this.length === 0) throw new InvalidArgumentError('EpisodeBuffer.truncateHere: the episode has no steps');
    if (!this.term[this.length - 1]) this.trunc[this.length - 1] = 1;
  }

  /** Keeps only the first `steps` transitions and marks the last one truncated (unless it terminated). */
  cut(steps: number): void {
    if (!Number.isSafeInteger(steps) || steps <= 0 || steps > this.length) {
      throw new InvalidArgumentError(`EpisodeBuffer.cut: expected 1..${this.length} steps, got ${describeValue(steps)}`);
    }
    this.length = steps;
    this.truncateHere();
  }

  /** Whether the last recorded step ended the episode. */
  get ended(): boolean {
    return this.length > 0 && (this.term[this.length - 1] === 1 || this.trunc[this.length - 1] === 1);
  }

  /** Views of the recorded data, trimmed to `length`, by field (the `episode` field excluded). */
  views(): Omit<Record<DatasetField, NpyTypedArray>, 'episode'> {
    const n = this.length;
    return {
      observations: this.obs.subarray(0, n * this.obsDim),
      next_observations: this.nextObs.subarray(0, n * this.obsDim),
      actions: this.act.subarray(0, n * this.actionDim),
      rewards: this.rew.subarray(0, n),
      terminated: this.term.subarray(0, n),
      truncated: this.trunc.subarray(0, n),
    };
  }

  private grow(): void {
    const cap = this.rew.length * 2;
    const resize = <T extends Float32Array | Uint8Array>(a: T, per: number): T => {
      const b = new (a.constructor as new (n: number) => T)(cap * per);
      b.set(a);
      return b;
    };
    this.obs = resize(this.obs, this.obsDim);
    this.nextObs = resize(this.nextObs, this.obsDim);
    this.act = resize(this.act, this.actionDim);
    this.rew = resize(this.rew, 1);
    this.term = resize(this.term, 1);
    this.trunc = resize(this.trunc, 1);
  }
}

/** Options of {@link DatasetWriter.create}. */
export interface DatasetWriterOptions {
  /** Output directory; must not exist unless `overwrite`. */
  readonly out: string;
  /** Versioned environment id, e.g. `PushBox-v0`. */
  readonly envId: string;
  /** Options the environment was made with (recorded). Default `{}`. */
  readonly envOptions?: Record<string, unknown>;
  readonly observationSpace: Space<unknown>;
  readonly actionSpace: Space<unknown>;
  /** The policy's name (recorded). */
  readonly policy: string;
  /** The collection seed (recorded). */
  readonly seed: number;
  readonly rapierPackage?: string;
  readonly rapierVersion?: string;
  /** Transitions buffered in memory before they are appended to the staging files. Default 4096. */
  readonly chunkSize?: number;
  /**
   * Publish a valid dataset at `out` after every this many new transitions; 0 = only at the end. Default 0.
   * A complete dataset already at `out` (replaced with `overwrite`) is never replaced by such a checkpoint:
   * it stays until the new dataset is finalized (or {@link DatasetWriter.checkpoint} is called explicitly).
   */
  readonly checkpointEvery?: number;
  /** Replace an existing directory at `out`. Default `false`. */
  readonly overwrite?: boolean;
  /** Extra provenance recorded under `extra`. */
  readonly extra?: Record<string, unknown>;
}

/**
 * Appends whole episodes to a dataset directory, atomically.
 *
 * @example
 * ```ts
 * const w = await DatasetWriter.create({ out: 'data/reach', envId: 'Reach-v0', observationSpace, actionSpace, policy: 'random', seed: 0 });
 * await w.appendEpisode(buffer);           // an EpisodeBuffer whose last step terminated or truncated
 * const manifest = await w.finalize();     // renames the staging directory to data/reach
 * ```
 */
export class DatasetWriter {
  private readonly files = new Map<DatasetField, NpyAppender>();
  private readonly hashes = new Map<DatasetField, Hash>();
  private pending: EpisodeBuffer[] = [];
  private pendingSteps = 0;
  private transitions = 0;
  private readonly seeds: number[] = [];
  private sinceCheckpoint = 0;
  private state: 'open' | 'finalized' | 'aborted' = 'open';
  private readonly obsDim: number;
  private readonly actionDim: number;
  private rapier: { pkg: string; version: string } | undefined;
  /** The file being written, for the message of a failed write. */
  private writing: string;
  /** Transitions in the last checkpoint this writer published at `out` (0: none). */
  private published = 0;

  private constructor(
    private readonly opts: DatasetWriterOptions,
    private readonly out: string,
    private readonly staging: string,
    /** What was at `out` when the writer was created: nothing, a dataset, or a complete dataset. */
    private readonly previous: 'none' | 'dataset' | 'complete',
  ) {
    this.writing = staging;
    this.obsDim = opts.observationSpace.flatDim;
    this.actionDim = opts.actionSpace.flatDim;
    if (opts.rapierPackage !== undefined && opts.rapierVersion !== undefined) this.rapier = { pkg: opts.rapierPackage, version: opts.rapierVersion };
  }

  /** Creates the staging directory (removing stale ones left by dead processes). */
  static async create(options: DatasetWriterOptions): Promise<DatasetWriter> {
    const out = resolve(options.out);
    parseEnvId(options.envId);
    for (const key of ['chunkSize', 'checkpointEvery'] as const) {
      const v = options[key];
      if (v !== undefined && (!Number.isSafeInteger(v) || v < (key === 'chunkSize' ? 1 : 0))) {
        throw new InvalidArgumentError(`DatasetWriter: expected \`${key}\` to be a ${key === 'chunkSize' ? 'positive' : 'non-negative'} integer, got ${describeValue(v)}`);
      }
    }
    await mkdir(dirname(out), { recursive: true });
    // First put back a dataset that a crash between the two publish renames left aside, so that it is
    // protected by the checks below like any existing dataset.
    await recoverStaleSiblings(out);
    if (!options.overwrite && (await exists(out))) {
      throw new DatasetError(`DatasetWriter: ${out} already exists; choose another output directory or pass overwrite: true`);
    }
    // Refused here, before any work, and again at each publish (the folder may change meanwhile).
    await assertReplaceable(out, 'dataset', 'DatasetWriter');
    const previous = !(await exists(out)) ? 'none' : (await holdsCompleteDataset(out)) ? 'complete' : 'dataset';
    const staging = siblingPath(out, 'staging');
    const w = new DatasetWriter(options, out, staging, previous);
    await w.guarded(async () => {
      await mkdir(staging);
      for (const f of DATASET_FIELDS) {
        w.writing = join(staging, `${f}.npy`);
        w.files.set(f, await NpyAppender.create(w.writing, FIELD_DTYPES[f], fieldRowShape(f, w.obsDim, w.actionDim)));
        w.hashes.set(f, createHash('sha256'));
      }
    });
    return w;
  }

  /** The output directory (absolute). */
  get path(): string {
    return this.out;
  }

  /** Records the Rapier package and version (known only after the first reset of a physics env). */
  setRapier(pkg: string, version: string): void {
    this.rapier = { pkg, version };
  }

  /** Episodes appended so far. */
  get episodes(): number {
    return this.seeds.length;
  }

  /** Transitions appended so far. */
  get size(): number {
    return this.transitions + this.pendingSteps;
  }

  /** Appends one finished episode (its last step terminated or truncated). The buffer must not be reused. */
  async appendEpisode(episode: EpisodeBuffer): Promise<void> {
    this.assertOpen();
    if (episode.obsDim !== this.obsDim || episode.actionDim !== this.actionDim) {
      throw new InvalidArgumentError(`DatasetWriter.appendEpisode: expected obsDim ${this.obsDim} and actionDim ${this.actionDim}, got ${episode.obsDim} and ${episode.actionDim}`);
    }
    if (!episode.ended) throw new InvalidArgumentError('DatasetWriter.appendEpisode: expected a finished episode (last step terminated or truncated)');
    this.pending.push(episode);
    this.seeds.push(episode.seed);
    this.pendingSteps += episode.length;
    this.sinceCheckpoint += episode.length;
    if (this.pendingSteps >= (this.opts.chunkSize ?? 4096)) await this.guarded(() => this.flushChunk());
    const every = this.opts.checkpointEvery ?? 0;
    if (every > 0 && this.sinceCheckpoint >= every) {
      // A complete dataset at `out` is kept until the new one is complete: no smaller checkpoint replaces it.
      if (this.previous === 'complete' && this.published === 0) this.sinceCheckpoint = 0;
      else await this.checkpoint();
    }
  }

  /**
   * Publishes the episodes appended so far as a valid (incomplete) dataset at the output path, replacing
   * whatever dataset is there — also a complete one (automatic checkpoints, `checkpointEvery`, never do).
   * @throws {@link DatasetError} when no episode was appended, or when writing failed (the disk is full):
   * the writer is then aborted (its staging folder removed) and the output path holds what it held before.
   */
  async checkpoint(): Promise<DatasetManifest> {
    this.assertOpen();
    await this.guarded(() => this.flushChunk());
    this.sinceCheckpoint = 0;
    if (this.transitions === 0) throw new DatasetError('DatasetWriter.checkpoint: no episode has been appended yet');
    const snapshot = siblingPath(this.out, 'tmp');
    return this.guarded(async () => {
      try {
        this.writing = snapshot;
        await mkdir(snapshot);
        for (const f of DATASET_FIELDS) {
          this.writing = join(this.staging, `${f}.npy`);
          await this.files.get(f)!.flushHeader();
          // A reflink where the filesystem supports it, a kernel copy otherwise.
          this.writing = join(snapshot, `${f}.npy`);
          await copyFile(join(this.staging, `${f}.npy`), this.writing, fsConstants.COPYFILE_FICLONE);
        }
        const manifest = this.manifest('checkpoint');
        this.writing = join(snapshot, 'manifest.json');
        await writeFileAtomic(this.writing, `${JSON.stringify(manifest, null, 2)}\n`);
        this.writing = this.out;
        await publish(snapshot, this.out);
        this.published = this.transitions;
        return manifest;
      } catch (e) {
        await rm(snapshot, { recursive: true, force: true });
        throw e;
      }
    });
  }

  /**
   * Writes the manifest and renames the staging directory to the output path.
   * @param stopReason - `'finished'` (default) or `'stopped'` when the caller ended collection early
   * @throws {@link DatasetError} when no episode was appended (nothing is written), or when writing failed
   * (the disk is full): the staging folder is removed and the output path holds what it held before.
   */
  async finalize(stopReason: 'finished' | 'stopped' = 'finished'): Promise<DatasetManifest> {
    this.assertOpen();
    await this.guarded(() => this.flushChunk());
    if (this.transitions === 0) {
      await this.abort();
      throw new DatasetError(`DatasetWriter.finalize: no episode was recorded, so nothing was written to ${this.out}`);
    }
    const manifest = await this.guarded(async () => {
      for (const f of DATASET_FIELDS) {
        this.writing = join(this.staging, `${f}.npy`);
        await this.files.get(f)!.close();
      }
      const m = this.manifest(stopReason);
      this.writing = join(this.staging, 'manifest.json');
      await writeFileAtomic(this.writing, `${JSON.stringify(m, null, 2)}\n`);
      this.writing = this.out;
      await publish(this.staging, this.out);
      return m;
    });
    this.state = 'finalized';
    return manifest;
  }

  /**
   * Discards the staging directory; a checkpoint already published stays. Idempotent. The staging files
   * are closed without flushing (they are deleted), so this also works when the disk is full.
   */
  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    try {
      for (const file of this.files.values()) await file.discard();
    } finally {
      await rm(this.staging, { recursive: true, force: true });
    }
  }

  /**
   * Runs a step that writes files; a file-system error (ENOSPC, EDQUOT, EIO, EACCES, …) aborts the writer
   * — its staging folder is removed — and is raised as a {@link DatasetError} saying what failed and where,
   * and what the output path now holds.
   */
  private async guarded<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (e instanceof EmbodiedError || typeof code !== 'string') throw e;
      await this.abort();
      const what = DISK_FULL.has(code) ? `the disk is full (${code})` : `a write failed (${code}: ${(e as Error).message})`;
      throw new DatasetError(`DatasetWriter: ${what} while writing ${this.writing}; the staging folder was removed and ${this.outputState()}`, { cause: e });
    }
  }

  /** What the output path holds after a failed write, in words. */
  private outputState(): string {
    if (this.published > 0)
      return `${this.out} holds the last checkpoint (${this.published} transitions, ${this.published === this.transitions ? 'all' : 'not all'} of this collection)`;
    if (this.previous !== 'none') return `the previous dataset at ${this.out} is unchanged`;
    return `nothing was written to ${this.out}`;
  }

  private async flushChunk(): Promise<void> {
    if (this.pending.length === 0) return;
    const base = this.seeds.length - this.pending.length;
    for (const f of DATASET_FIELDS) {
      const parts: NpyTypedArray[] = this.pending.map((ep, i) => (f === 'episode' ? new Int32Array(ep.length).fill(base + i) : ep.views()[f]));
      const data = concat(parts);
      this.hashes.get(f)!.update(typedArrayBytes(data));
      this.writing = join(this.staging, `${f}.npy`);
      await this.files.get(f)!.append(data);
    }
    this.transitions += this.pendingSteps;
    this.pending = [];
    this.pendingSteps = 0;
  }

  private manifest(stopReason: DatasetManifest['stopReason']): DatasetManifest {
    const fields = {} as DatasetManifest['fields'];
    for (const f of DATASET_FIELDS) {
      fields[f] = {
        file: `${f}.npy`,
        dtype: FIELD_DTYPES[f],
        shape: [this.transitions, ...fieldRowShape(f, this.obsDim, this.actionDim)],
        sha256: this.hashes.get(f)!.copy().digest('hex'),
      };
    }
    const o = this.opts;
    return {
      format: DATASET_FORMAT,
      layout: 'transitions',
      envId: o.envId,
      envVersion: parseEnvId(o.envId).version,
      envOptions: { ...(o.envOptions ?? {}) },
      observationSpace: o.observationSpace.toJSON(),
      actionSpace: o.actionSpace.toJSON(),
      obsDim: this.obsDim,
      actionDim: this.actionDim,
      policy: o.policy,
      seed: o.seed,
      episodeSeeds: [...this.seeds],
      ...(this.rapier !== undefined && { rapierPackage: this.rapier.pkg, rapierVersion: this.rapier.version }),
      producer: producerTag(),
      createdAt: new Date().toISOString(),
      complete: stopReason === 'finished',
      stopReason,
      counts: { transitions: this.transitions, episodes: this.seeds.length },
      fields,
      contentHash: datasetContentHash(fields),
      ...(o.extra !== undefined && { extra: { ...o.extra } }),
    };
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new DatasetError(`DatasetWriter: already ${this.state}`);
  }
}

/** Error codes of a full disk or an exhausted quota. */
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);

/** Whether `dir` holds a dataset whose manifest says it is complete (a finished collection). */
async function holdsCompleteDataset(dir: string): Promise<boolean> {
  let read;
  try {
    read = await readRegularFile(join(dir, 'manifest.json'), 64 * 1024 * 1024);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw e;
  }
  if ('problem' in read) return false;
  try {
    const json = JSON.parse(read.bytes.toString('utf8')) as { format?: unknown; complete?: unknown } | null;
    return json?.format === DATASET_FORMAT && json.complete === true;
  } catch {
    // Not JSON: not a complete dataset (assertReplaceable refuses to replace it anyway).
    return false;
  }
}

function concat(parts: NpyTypedArray[]): NpyTypedArray {
  if (parts.length === 1) return parts[0]!;
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new (parts[0]!.constructor as new (n: number) => NpyTypedArray)(total);
  let o = 0;
  for (const p of parts) {
    (out as Float32Array).set(p as Float32Array, o);
    o += p.length;
  }
  return out;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** `<parent>/.<name>.<kind>-<pid>-<random>`: hidden, on the same filesystem (so rename is atomic). */
function siblingPath(out: string, kind: 'staging' | 'tmp' | 'old'): string {
  return join(dirname(out), `.${basename(out)}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Cleans up after writers that died (killed collections): their staging and tmp siblings of `out` are
 * removed; an `old` sibling — the previous dataset, renamed aside by a publish that crashed before its
 * second rename — is put back at `out` when nothing took its place, and removed only when a newer dataset
 * did (the publish completed).
 */
async function recoverStaleSiblings(out: string): Promise<void> {
  const prefix = `.${basename(out)}.`;
  const pattern = /^(staging|tmp|old)-(\d+)-[0-9a-f]{8}$/;
  for (const name of await readdir(dirname(out))) {
    if (!name.startsWith(prefix)) continue;
    const m = pattern.exec(name.slice(prefix.length));
    if (!m || processAlive(Number(m[2]))) continue;
    const path = join(dirname(out), name);
    if (m[1] === 'old' && !(await exists(out))) await rename(path, out);
    else await rm(path, { recursive: true, force: true });
  }
}

/**
 * Moves the complete directory `from` to `to`. When `to` exists (a dataset: anything else is refused)
 * it is first renamed aside: a crash between the two renames leaves nothing at `to` and the old copy
 * hidden beside it, never a mix — and the next writer for `to` puts the old copy back
 * ({@link recoverStaleSiblings}).
 */
async function publish(from: string, to: string): Promise<void> {
  if (await assertReplaceable(to, 'dataset', 'DatasetWriter')) {
    const old = siblingPath(to, 'old');
    await rename(to, old);
    try {
      await rename(from, to);
    } catch (e) {
      // Put the previous dataset back: the output path holds what it held before.
      await rename(old, to);
      throw e;
    }
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(from, to);
  }
}
