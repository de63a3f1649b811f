/**
 * Transition datasets: a directory NumPy reads directly, and the {@link BatchSource} trainers sample.
 *
 * Layout (`embodied.dataset/v1`, layout `transitions`): `manifest.json` plus one `.npy` per field, one
 * row per transition, episodes stored contiguously in order:
 *
 * | file | dtype | shape |
 * |---|---|---|
 * | `observations.npy` | float32 | [N, obsDim] — observation before the action |
 * | `next_observations.npy` | float32 | [N, obsDim] — observation after it |
 * | `actions.npy` | float32 | [N, actionDim] (flattened action) |
 * | `rewards.npy` | float32 | [N] |
 * | `terminated.npy`, `truncated.npy` | bool | [N] — true only on an episode's last step |
 * | `episode.npy` | int32 | [N] — episode index 0..E-1, non-decreasing |
 *
 * Within an episode `observations[t+1] == next_observations[t]`, so a window of H+1 observations
 * starting at t is `observations[t..t+H-1]` followed by `next_observations[t+H-1]`.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeValue, InvalidArgumentError, RegistrationError, SpaceError } from '../errors.js';
import { parseEnvId } from '../registry.js';
import { Box, spaceFromJSON, type Space } from '../spaces.js';
import type { Rng } from '../rng.js';
import type { BatchSource, NormalizationStats, SequenceBatch } from './batch.js';
import {
  DATASET_FIELDS,
  DatasetError,
  DatasetManifestSchema,
  FIELD_DTYPES,
  datasetContentHash,
  fieldRowShape,
  type DatasetField,
  type DatasetManifest,
} from './dataset-manifest.js';
import { NpyError, decodeNpy, typedArrayBytes } from '../codecs/npy.js';

export * from './dataset-manifest.js';
export * from './dataset-writer.js';

/** The arrays of a dataset (flat, C order). */
export interface DatasetArrays {
  readonly obsDim: number;
  readonly actionDim: number;
  /** `N × obsDim`. */
  readonly observations: Float32Array;
  /** `N × obsDim`. */
  readonly nextObservations: Float32Array;
  /** `N × actionDim`. */
  readonly actions: Float32Array;
  /** `N`. */
  readonly rewards: Float32Array;
  /** `N`, 0 or 1. */
  readonly terminated: Uint8Array;
  /** `N`, 0 or 1. */
  readonly truncated: Uint8Array;
  /** `N`, episode index, non-decreasing from 0 in steps of 0 or 1. */
  readonly episode: Int32Array;
}

/** Options of {@link Dataset.load}. */
export interface DatasetLoadOptions {
  /** Recompute SHA-256 hashes of the data and compare with the manifest. Default `true`. */
  readonly verifyHashes?: boolean;
}

const STD_FLOOR = 1e-6;
/** A change smaller than this many standard deviations counts as none in `stats().changeRate` (solver jitter). */
const CHANGE_THRESHOLD = 1e-4;

/**
 * A transition dataset held in memory. Load one with {@link Dataset.load}, write one with
 * `DatasetWriter` or `collect`. It is a {@link BatchSource}: `sample(B, H, rng)` draws episode-aware
 * windows for multi-step training.
 */
export class Dataset implements BatchSource {
  readonly obsDim: number;
  readonly actionDim: number;
  /** Number of transitions N. */
  readonly size: number;
  /** Number of episodes E. */
  readonly numEpisodes: number;
  readonly observations: Float32Array;
  readonly nextObservations: Float32Array;
  readonly actions: Float32Array;
  readonly rewards: Float32Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly episode: Int32Array;
  /** `E + 1` offsets: episode k is transitions `[episodeStarts[k], episodeStarts[k+1])`. */
  readonly episodeStarts: Int32Array;
  private cachedStats: NormalizationStats | undefined;

  /**
   * Wraps arrays after validating them (see {@link Dataset.load} for what is checked).
   * @param manifest - the manifest they were loaded with, when there is one
   * @param where - names the source in error messages
   * @throws {@link DatasetError} naming the first inconsistency.
   */
  constructor(
    arrays: DatasetArrays,
    readonly manifest?: DatasetManifest,
    where = 'dataset',
  ) {
    const { obsDim, actionDim } = arrays;
    if (!Number.isSafeInteger(obsDim) || obsDim <= 0 || !Number.isSafeInteger(actionDim) || actionDim <= 0) {
      throw new InvalidArgumentError(`${where}: expected positive integer obsDim and actionDim, got ${describeValue(obsDim)} and ${describeValue(actionDim)}`);
    }
    const n = arrays.rewards.length;
    if (n === 0) throw new DatasetError(`${where}: the dataset is empty (0 transitions); collect some data first`);
    const expect = (field: string, got: number, want: number) => {
      if (got !== want) throw new DatasetError(`${where}: expected ${field} to hold ${want} values (N = ${n}), got ${got}`);
    };
    expect('observations', arrays.observations.length, n * obsDim);
    expect('next_observations', arrays.nextObservations.length, n * obsDim);
    expect('actions', arrays.actions.length, n * actionDim);
    expect('terminated', arrays.terminated.length, n);
    expect('truncated', arrays.truncated.length, n);
    expect('episode', arrays.episode.length, n);
    this.obsDim = obsDim;
    this.actionDim = actionDim;
    this.size = n;
    this.observations = arrays.observations;
    this.nextObservations = arrays.nextObservations;
    this.actions = arrays.actions;
    this.rewards = arrays.rewards;
    this.terminated = arrays.terminated;
    this.truncated = arrays.truncated;
    this.episode = arrays.episode;
    this.episodeStarts = validateEpisodes(arrays, where);
    this.numEpisodes = this.episodeStarts.length - 1;
    checkFinite(this.observations, 'observations', obsDim, where);
    checkFinite(this.nextObservations, 'next_observations', obsDim, where);
    checkFinite(this.actions, 'actions', actionDim, where);
    checkFinite(this.rewards, 'rewards', 1, where);
  }

  /**
   * Loads and validates a dataset directory: the manifest (zod), each `.npy` file's dtype and shape
   * against the manifest, data hashes, episode structure (contiguous, each ending in exactly one
   * terminated/truncated step), continuity (`observations[t+1] == next_observations[t]`), finiteness,
   * a versioned `envId`, recorded spaces of the recorded sizes, and every action inside the action space.
   * @throws {@link DatasetError} naming the file, field and problem.
   */
  static async load(dir: string, options: DatasetLoadOptions = {}): Promise<Dataset> {
    const root = resolve(dir);
    const manifest = await readDatasetManifest(root);
    const arrays: Partial<Record<DatasetField, Float32Array | Uint8Array | Int32Array>> = {};
    for (const f of DATASET_FIELDS) {
      const desc = manifest.fields[f];
      const path = join(root, desc.file);
      let bytes: Uint8Array;
      try {
        bytes = await readFile(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new DatasetError(`${root}: missing file ${desc.file} (field \`${f}\`)`, { cause: e });
        throw e;
      }
      let arr;
      try {
        arr = decodeNpy(bytes, `${root}/${desc.file}`);
      } catch (e) {
        if (e instanceof NpyError) throw new DatasetError(e.message, { cause: e });
        throw e;
      }
      const wantShape = [manifest.counts.transitions, ...fieldRowShape(f, manifest.obsDim, manifest.actionDim)];
      if (arr.dtype !== FIELD_DTYPES[f] || desc.dtype !== FIELD_DTYPES[f]) {
        throw new DatasetError(`${root}/${desc.file}: expected dtype ${FIELD_DTYPES[f]}, got ${arr.dtype} in the file and ${desc.dtype} in the manifest`);
      }
      if (arr.shape.join(',') !== wantShape.join(',') || desc.shape.join(',') !== wantShape.join(',')) {
        throw new DatasetError(
          `${root}/${desc.file}: expected shape [${wantShape.join(', ')}], got [${arr.shape.join(', ')}] in the file and [${desc.shape.join(', ')}] in the manifest`,
        );
      }
      if (options.verifyHashes ?? true) {
        const sha = createHash('sha256').update(typedArrayBytes(arr.data)).digest('hex');
        if (sha !== desc.sha256) throw new DatasetError(`${root}/${desc.file}: content hash mismatch (expected ${desc.sha256}, got ${sha}); the file was modified or is corrupt`);
      }
      arrays[f] = arr.data as Float32Array | Uint8Array | Int32Array;
    }
    if (datasetContentHash(manifest.fields) !== manifest.contentHash) {
      throw new DatasetError(`${root}/manifest.json: contentHash does not match the fields' hashes`);
    }
    const ds = new Dataset(
      {
        obsDim: manifest.obsDim,
        actionDim: manifest.actionDim,
        observations: arrays.observations as Float32Array,
        nextObservations: arrays.next_observations as Float32Array,
        actions: arrays.actions as Float32Array,
        rewards: arrays.rewards as Float32Array,
        terminated: arrays.terminated as Uint8Array,
        truncated: arrays.truncated as Uint8Array,
        episode: arrays.episode as Int32Array,
      },
      manifest,
      root,
    );
    if (ds.numEpisodes !== manifest.counts.episodes || manifest.episodeSeeds.length !== manifest.counts.episodes) {
      throw new DatasetError(
        `${root}: expected ${manifest.counts.episodes} episodes (manifest counts) with as many seeds, found ${ds.numEpisodes} episodes in episode.npy and ${manifest.episodeSeeds.length} seeds`,
      );
    }
    checkActionsInSpace(ds, manifest.actionSpace, `${root}/${manifest.fields.actions.file}`);
    return ds;
  }

  /** Transition range `[start, end)` of episode `k`. */
  episodeRange(k: number): { start: number; end: number } {
    if (!Number.isSafeInteger(k) || k < 0 || k >= this.numEpisodes) {
      throw new InvalidArgumentError(`Dataset.episodeRange: expected an episode index in [0, ${this.numEpisodes - 1}], got ${describeValue(k)}`);
    }
    return { start: this.episodeStarts[k]!, end: this.episodeStarts[k + 1]! };
  }

  /** The first observation of every episode, `E × obsDim` (what a world-model bundle stores to start imagination from). */
  initialObservations(): Float32Array {
    const out = new Float32Array(this.numEpisodes * this.obsDim);
    for (let k = 0; k < this.numEpisodes; k++) {
      const t = this.episodeStarts[k]!;
      out.set(this.observations.subarray(t * this.obsDim, (t + 1) * this.obsDim), k * this.obsDim);
    }
    return out;
  }

  /** A new in-memory dataset of the given episodes, renumbered 0.. in the order given (no manifest). */
  selectEpisodes(indices: readonly number[]): Dataset {
    if (indices.length === 0) throw new DatasetError('Dataset.selectEpisodes: expected at least one episode index, got none');
    const ranges = indices.map((k) => this.episodeRange(k));
    const n = ranges.reduce((s, r) => s + r.end - r.start, 0);
    const { obsDim: od, actionDim: ad } = this;
    const a = allocateArrays(n, od, ad);
    let o = 0;
    ranges.forEach(({ start, end }, i) => {
      const len = end - start;
      a.observations.set(this.observations.subarray(start * od, end * od), o * od);
      a.nextObservations.set(this.nextObservations.subarray(start * od, end * od), o * od);
      a.actions.set(this.actions.subarray(start * ad, end * ad), o * ad);
      a.rewards.set(this.rewards.subarray(start, end), o);
      a.terminated.set(this.terminated.subarray(start, end), o);
      a.truncated.set(this.truncated.subarray(start, end), o);
      a.episode.fill(i, o, o + len);
      o += len;
    });
    return new Dataset(a, undefined, 'Dataset.selectEpisodes');
  }

  /**
   * One in-memory dataset of several, episodes in the order given (no manifest): how data from
   * successive collection rounds — scripted demonstrations, then on-policy planner episodes — is trained
   * on together.
   * @throws {@link DatasetError} when there are none, or their observation/action sizes or environments differ.
   */
  static concat(parts: readonly Dataset[]): Dataset {
    const first = parts[0];
    if (first === undefined) throw new DatasetError('Dataset.concat: expected at least one dataset, got none');
    if (parts.length === 1) return first;
    parts.forEach((p, i) => {
      if (p.obsDim !== first.obsDim || p.actionDim !== first.actionDim) {
        throw new DatasetError(
          `Dataset.concat: expected every dataset to have obsDim ${first.obsDim} and actionDim ${first.actionDim} (those of dataset 0), got ${p.obsDim} and ${p.actionDim} in dataset ${i}`,
        );
      }
      const a = first.manifest?.envId;
      const b = p.manifest?.envId;
      if (a !== undefined && b !== undefined && a !== b) throw new DatasetError(`Dataset.concat: expected every dataset to come from ${a} (dataset 0), got ${b} in dataset ${i}`);
      // Data of one environment under other options (dense vs sparse reward, another layout) is another task.
      const optsA = first.manifest?.envOptions;
      const optsB = p.manifest?.envOptions;
      if (optsA !== undefined && optsB !== undefined && canonicalJson(optsA) !== canonicalJson(optsB)) {
        throw new DatasetError(
          `Dataset.concat: expected every dataset to use the environment options of dataset 0 (${canonicalJson(optsA)}), got ${canonicalJson(optsB)} in dataset ${i}`,
        );
      }
      const hash = p.manifest?.contentHash;
      const twin = hash === undefined ? -1 : parts.findIndex((q) => q.manifest?.contentHash === hash);
      if (twin !== i && twin >= 0) throw new DatasetError(`Dataset.concat: dataset ${i} is dataset ${twin} again (content hash ${hash!.slice(0, 12)}…); give each dataset once`);
    });
    const n = parts.reduce((s, p) => s + p.size, 0);
    const { obsDim: od, actionDim: ad } = first;
    const a = allocateArrays(n, od, ad);
    let o = 0;
    let episodes = 0;
    for (const p of parts) {
      a.observations.set(p.observations, o * od);
      a.nextObservations.set(p.nextObservations, o * od);
      a.actions.set(p.actions, o * ad);
      a.rewards.set(p.rewards, o);
      a.terminated.set(p.terminated, o);
      a.truncated.set(p.truncated, o);
      for (let t = 0; t < p.size; t++) a.episode[o + t] = p.episode[t]! + episodes;
      o += p.size;
      episodes += p.numEpisodes;
    }
    return new Dataset(a, undefined, 'Dataset.concat');
  }

  /**
   * Splits by episode: a shuffled `fraction` of the episodes (at least one) for `test`, the rest for `train`.
   * @throws {@link DatasetError} when there are fewer than two episodes.
   */
  splitEpisodes(fraction: number, rng: Rng): { train: Dataset; test: Dataset } {
    if (!(fraction > 0 && fraction < 1)) throw new InvalidArgumentError(`Dataset.splitEpisodes: expected a fraction in (0, 1), got ${describeValue(fraction)}`);
    if (this.numEpisodes < 2) throw new DatasetError(`Dataset.splitEpisodes: expected at least 2 episodes to split, got ${this.numEpisodes}`);
    const order = Array.from({ length: this.numEpisodes }, (_, i) => i);
    rng.shuffle(order);
    const nTest = Math.min(this.numEpisodes - 1, Math.max(1, Math.round(fraction * this.numEpisodes)));
    const test = order.slice(0, nTest).sort((x, y) => x - y);
    const train = order.slice(nTest).sort((x, y) => x - y);
    return { train: this.selectEpisodes(train), test: this.selectEpisodes(test) };
  }

  /**
   * Draws `batchSize` windows of `horizon` steps. Each window starts at a transition chosen uniformly;
   * steps past the end of its episode have mask 0, zero action/reward and repeat the episode's last
   * observation.
   */
  sample(batchSize: number, horizon: number, rng: Rng): SequenceBatch {
    for (const [name, v] of [
      ['batchSize', batchSize],
      ['horizon', horizon],
    ] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new InvalidArgumentError(`Dataset.sample: expected \`${name}\` to be a positive integer, got ${describeValue(v)}`);
    }
    const { obsDim: od, actionDim: ad } = this;
    const H = horizon;
    const observations = new Float32Array(batchSize * (H + 1) * od);
    const actions = new Float32Array(batchSize * H * ad);
    const rewards = new Float32Array(batchSize * H);
    const terminated = new Float32Array(batchSize * H);
    const mask = new Float32Array(batchSize * H);
    for (let b = 0; b < batchSize; b++) {
      const t0 = rng.integer(0, this.size - 1);
      const end = this.episodeStarts[this.episode[t0]! + 1]!;
      const valid = Math.min(H, end - t0);
      const obsBase = b * (H + 1) * od;
      observations.set(this.observations.subarray(t0 * od, (t0 + valid) * od), obsBase);
      const last = t0 + valid - 1;
      const lastObs = this.nextObservations.subarray(last * od, (last + 1) * od);
      for (let h = valid; h <= H; h++) observations.set(lastObs, obsBase + h * od);
      actions.set(this.actions.subarray(t0 * ad, (t0 + valid) * ad), b * H * ad);
      for (let h = 0; h < valid; h++) {
        rewards[b * H + h] = this.rewards[t0 + h]!;
        terminated[b * H + h] = this.terminated[t0 + h]!;
        mask[b * H + h] = 1;
      }
    }
    return { batchSize, horizon: H, obsDim: od, actionDim: ad, observations, actions, rewards, terminated, mask };
  }

  /**
   * Per-dimension mean and standard deviation of every observation in the data — each transition's
   * observation and each episode's final next-observation — and of the rewards (cached). The final
   * observations count because training windows encode them: a dimension that changes only when an
   * episode ends (e.g. "packages remaining" on success) would otherwise get σ ≈ 0 and blow up there.
   */
  stats(): NormalizationStats {
    if (this.cachedStats !== undefined) return this.cachedStats;
    const od = this.obsDim;
    const sum = new Float64Array(od);
    const sq = new Float64Array(od);
    const add = (row: Float32Array) => {
      for (let j = 0; j < od; j++) {
        const v = row[j]!;
        sum[j] += v;
        sq[j] += v * v;
      }
    };
    for (let t = 0; t < this.size; t++) add(this.observations.subarray(t * od, (t + 1) * od));
    for (let k = 0; k < this.numEpisodes; k++) {
      const last = this.episodeStarts[k + 1]! - 1;
      add(this.nextObservations.subarray(last * od, (last + 1) * od));
    }
    const count = this.size + this.numEpisodes;
    const obsMean = new Float32Array(od);
    const obsStd = new Float32Array(od);
    for (let j = 0; j < od; j++) {
      const m = sum[j]! / count;
      obsMean[j] = m;
      obsStd[j] = Math.max(STD_FLOOR, Math.sqrt(Math.max(0, sq[j]! / count - m * m)));
    }
    let rs = 0;
    let rq = 0;
    for (let t = 0; t < this.size; t++) {
      rs += this.rewards[t]!;
      rq += this.rewards[t]! * this.rewards[t]!;
    }
    const rm = rs / this.size;
    const dq = new Float64Array(od);
    const changed = new Float64Array(od);
    for (let t = 0; t < this.size; t++) {
      for (let j = 0; j < od; j++) {
        const d = this.nextObservations[t * od + j]! - this.observations[t * od + j]!;
        dq[j] += d * d;
        if (Math.abs(d) > CHANGE_THRESHOLD * obsStd[j]!) changed[j]++;
      }
    }
    const deltaRms = Float32Array.from(dq, (q) => Math.sqrt(q / this.size));
    const changeRate = Float32Array.from(changed, (k) => k / this.size);
    this.cachedStats = { obsMean, obsStd, rewardMean: rm, rewardStd: Math.max(STD_FLOOR, Math.sqrt(Math.max(0, rq / this.size - rm * rm))), deltaRms, changeRate };
    return this.cachedStats;
  }
}

/** Reads and validates `<dir>/manifest.json` only (cheap: for `embodied info`). */
export async function readDatasetManifest(dir: string): Promise<DatasetManifest> {
  const path = join(resolve(dir), 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new DatasetError(`${dir}: not a dataset directory (missing manifest.json)`, { cause: e });
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DatasetError(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const parsed = DatasetManifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `\`${i.path.join('.') || '(root)'}\`: ${i.message}`);
    throw new DatasetError(`${path}: invalid dataset manifest: ${problems.join('; ')}`);
  }
  const m = parsed.data;
  checkManifestMeaning(m, path);
  if (m.counts.transitions === 0) throw new DatasetError(`${dir}: the dataset is empty (0 transitions); collect some data first`);
  return m;
}

/**
 * What zod cannot check: `envId` is a versioned id matching `envVersion`, and each recorded space is a
 * space whose flat form has `obsDim` / `actionDim` values.
 */
function checkManifestMeaning(m: DatasetManifest, path: string): void {
  let version: number;
  try {
    version = parseEnvId(m.envId).version;
  } catch (e) {
    if (!(e instanceof RegistrationError)) throw e;
    throw new DatasetError(
      `${path}: invalid dataset manifest: \`envId\`: expected an environment id of the form \`Name-vN\` (e.g. \`PushBox-v0\`), got ${describeValue(m.envId)}`,
      { cause: e },
    );
  }
  if (version !== m.envVersion) throw new DatasetError(`${path}: invalid dataset manifest: \`envVersion\`: expected ${version} (the version of ${m.envId}), got ${m.envVersion}`);
  for (const [field, dim] of [
    ['observationSpace', 'obsDim'],
    ['actionSpace', 'actionDim'],
  ] as const) {
    let space: Space<unknown>;
    try {
      space = spaceFromJSON(m[field]);
    } catch (e) {
      if (!(e instanceof SpaceError)) throw e;
      throw new DatasetError(`${path}: invalid dataset manifest: \`${field}\`: ${e.message}`, { cause: e });
    }
    if (space.flatDim !== m[dim]) throw new DatasetError(`${path}: invalid dataset manifest: \`${field}\` has ${space.flatDim} flat values, expected ${m[dim]} (\`${dim}\`)`);
  }
}

/**
 * Refuses an action outside the recorded action space (out of a Box's bounds, a Discrete value that is
 * not one of its integers), naming the row, its episode and step.
 */
function checkActionsInSpace(ds: Dataset, json: unknown, where: string): void {
  const space = spaceFromJSON(json);
  const A = ds.actionDim;
  const flat = new Float32Array(A);
  for (let t = 0; t < ds.size; t++) {
    let why: string | undefined;
    if (space instanceof Box) {
      for (let j = 0; j < A && why === undefined; j++) {
        const v = ds.actions[t * A + j]!;
        if (!(v >= space.low[j]! && v <= space.high[j]!)) why = `expected dimension ${j} in [${space.low[j]}, ${space.high[j]}], got ${v}`;
      }
    } else {
      const member = space.unflatten(ds.actions, t * A);
      why = space.explain(member);
      if (why === undefined) {
        space.flatten(member, flat);
        for (let j = 0; j < A && why === undefined; j++) {
          const v = ds.actions[t * A + j]!;
          if (!Object.is(flat[j], v)) why = `expected an integer at dimension ${j}, got ${v}`;
        }
      }
    }
    if (why !== undefined) {
      const e = ds.episode[t]!;
      throw new DatasetError(`${where}: actions[${t}] (episode ${e}, step ${t - ds.episodeStarts[e]!}) is outside the recorded action space: ${why}`);
    }
  }
}

/** Zeroed arrays for `n` transitions. */
function allocateArrays(n: number, obsDim: number, actionDim: number) {
  return {
    obsDim,
    actionDim,
    observations: new Float32Array(n * obsDim),
    nextObservations: new Float32Array(n * obsDim),
    actions: new Float32Array(n * actionDim),
    rewards: new Float32Array(n),
    terminated: new Uint8Array(n),
    truncated: new Uint8Array(n),
    episode: new Int32Array(n),
  } satisfies DatasetArrays;
}

function validateEpisodes(a: DatasetArrays, where: string): Int32Array {
  const n = a.rewards.length;
  const starts: number[] = [0];
  if (a.episode[0] !== 0) throw new DatasetError(`${where}: expected episode[0] = 0, got ${a.episode[0]}`);
  for (let t = 0; t < n; t++) {
    const ended = a.terminated[t]! !== 0 || a.truncated[t]! !== 0;
    if (a.terminated[t]! > 1 || a.truncated[t]! > 1)
      throw new DatasetError(`${where}: expected terminated/truncated to be 0 or 1, got ${a.terminated[t]}/${a.truncated[t]} at transition ${t}`);
    const last = t === n - 1 || a.episode[t + 1] !== a.episode[t];
    if (t < n - 1 && a.episode[t + 1] !== a.episode[t] && a.episode[t + 1] !== a.episode[t]! + 1) {
      throw new DatasetError(`${where}: expected episode indices to increase by 0 or 1, got ${a.episode[t]} then ${a.episode[t + 1]} at transition ${t + 1}`);
    }
    if (last && !ended) throw new DatasetError(`${where}: episode ${a.episode[t]} ends at transition ${t} without terminated or truncated`);
    if (!last && ended) throw new DatasetError(`${where}: episode ${a.episode[t]} has terminated/truncated set at transition ${t}, before its last step`);
    if (last && t < n - 1) starts.push(t + 1);
    if (!last) {
      const od = a.obsDim;
      for (let j = 0; j < od; j++) {
        if (!Object.is(a.observations[(t + 1) * od + j], a.nextObservations[t * od + j])) {
          throw new DatasetError(`${where}: observations[${t + 1}] differs from next_observations[${t}] at dimension ${j} inside episode ${a.episode[t]}`);
        }
      }
    }
  }
  starts.push(n);
  return Int32Array.from(starts);
}

function checkFinite(data: Float32Array, field: string, width: number, where: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new DatasetError(`${where}: ${field}[${Math.floor(i / width)}] holds a non-finite value (${data[i]}) at dimension ${i % width}`);
  }
}

/** JSON with object keys sorted at every level: equal values, equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}
