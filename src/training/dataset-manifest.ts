/**
 * The manifest of a transition dataset directory (`embodied.dataset/v1`) and the fixed list of its
 * fields. See {@link Dataset} for the layout.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { EmbodiedError } from '../errors.js';
import { Box, Discrete, MultiDiscrete, spaceFromJSON } from '../spaces.js';
import type { NpyDtype } from '../codecs/npy.js';

/** A dataset directory or its contents are missing, malformed or inconsistent. */
export class DatasetError extends EmbodiedError {}

/** The format tag of version 1 datasets. */
export const DATASET_FORMAT = 'embodied.dataset/v1';

/** The fields of a dataset, one `.npy` file each (`<name>.npy`), in the order they are hashed. */
export const DATASET_FIELDS = ['observations', 'next_observations', 'actions', 'rewards', 'terminated', 'truncated', 'episode'] as const;

/** A field name. */
export type DatasetField = (typeof DATASET_FIELDS)[number];

/** Element type of each field. */
export const FIELD_DTYPES: Record<DatasetField, NpyDtype> = {
  observations: 'float32',
  next_observations: 'float32',
  actions: 'float32',
  rewards: 'float32',
  terminated: 'bool',
  truncated: 'bool',
  episode: 'int32',
};

/** Shape of one row of each field, given the observation and action sizes. */
export function fieldRowShape(field: DatasetField, obsDim: number, actionDim: number): number[] {
  if (field === 'observations' || field === 'next_observations') return [obsDim];
  if (field === 'actions') return [actionDim];
  return [];
}

const FieldSchema = z
  .object({
    file: z.string().regex(/^[\w.-]+\.npy$/, 'expected a plain file name ending in .npy'),
    dtype: z.enum(['float32', 'float64', 'int8', 'int32', 'int64', 'uint8', 'uint32', 'bool']),
    shape: z.array(z.number().int().nonnegative()).min(1),
    /** SHA-256 (hex) of the array's data bytes (not the header). */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
  })
  .strict();

/** The manifest of a dataset directory. */
export const DatasetManifestSchema = z
  .object({
    format: z.literal(DATASET_FORMAT),
    /** Layout of the fields: one row per transition, episodes contiguous and in order. */
    layout: z.literal('transitions'),
    envId: z.string().min(1),
    /** The `vN` of the id. */
    envVersion: z.number().int().nonnegative(),
    /** Options the environment was made with. */
    envOptions: z.record(z.string(), z.unknown()),
    /** JSON forms of the spaces (see `spaceFromJSON`); data holds their flattened float32 forms. */
    observationSpace: z.unknown(),
    actionSpace: z.unknown(),
    obsDim: z.number().int().positive(),
    actionDim: z.number().int().positive(),
    /** The policy's `name`. */
    policy: z.string().min(1),
    /** The collection seed; episode k was reset with `episodeSeeds[k]`. */
    seed: z.number().int().nonnegative(),
    episodeSeeds: z.array(z.number().int().nonnegative()),
    rapierPackage: z.string().optional(),
    rapierVersion: z.string().optional(),
    /** `embodied@x.y.z`. */
    producer: z.string(),
    createdAt: z.string(),
    /** False for a checkpoint of a collection still running (or killed) and for a stopped one. */
    complete: z.boolean(),
    /** Why collection ended: the budget was reached, the caller stopped it, or this is a checkpoint. */
    stopReason: z.enum(['finished', 'stopped', 'checkpoint']),
    counts: z.object({ transitions: z.number().int().nonnegative(), episodes: z.number().int().nonnegative() }).strict(),
    fields: z.object(Object.fromEntries(DATASET_FIELDS.map((f) => [f, FieldSchema])) as Record<DatasetField, typeof FieldSchema>).strict(),
    /** SHA-256 over the fields' names, dtypes, shapes and data hashes: equal data, equal hash. */
    contentHash: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
    /** Free-form extra provenance (collector settings, notes). */
    extra: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** A parsed, validated dataset manifest. */
export type DatasetManifest = z.output<typeof DatasetManifestSchema>;

/** The content hash of a dataset from its field descriptions (see {@link DatasetManifestSchema}). */
export function datasetContentHash(fields: Record<DatasetField, { dtype: string; shape: readonly number[]; sha256: string }>): string {
  const h = createHash('sha256');
  for (const f of DATASET_FIELDS) {
    const d = fields[f];
    h.update(`${f}\t${d.dtype}\t${d.shape.join(',')}\t${d.sha256}\n`);
  }
  return h.digest('hex');
}

/** `embodied@<version>` read from the package's own package.json. */
export function producerTag(): string {
  const require = createRequire(import.meta.url);
  // The module sits at src/training (sources) or dist/src/training (compiled).
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = require(rel) as { name?: string; version?: string };
      if (pkg.name === 'embodied' && typeof pkg.version === 'string') return `embodied@${pkg.version}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  return 'embodied@unknown';
}

/** Per-dimension action bounds (what a world-model bundle records as `actionLow`/`actionHigh`). */
export interface ActionBounds {
  readonly low: number[];
  readonly high: number[];
}

/**
 * The action bounds of a dataset: those of the action space its manifest records (a bounded Box, a
 * Discrete or a MultiDiscrete), else — unbounded or unknown space — the range of the actions in the data.
 * @param data - the transitions (e.g. a `Dataset`, or several concatenated)
 * @param manifest - the manifest describing the action space (for concatenated data: the first part's)
 */
export function datasetActionBounds(
  data: { readonly actions: Float32Array; readonly actionDim: number; readonly size: number },
  manifest: DatasetManifest | undefined,
): ActionBounds {
  const json = manifest?.actionSpace;
  const space = json !== undefined ? spaceFromJSON(json) : undefined;
  if (space instanceof Box && space.isBounded()) return { low: Array.from(space.low), high: Array.from(space.high) };
  if (space instanceof Discrete) return { low: [space.start], high: [space.start + space.n - 1] };
  if (space instanceof MultiDiscrete) return { low: Array.from(space.start), high: Array.from(space.start, (s, i) => s + space.nvec[i]! - 1) };
  const A = data.actionDim;
  const low = new Array<number>(A).fill(Infinity);
  const high = new Array<number>(A).fill(-Infinity);
  for (let t = 0; t < data.size; t++) {
    for (let j = 0; j < A; j++) {
      const v = data.actions[t * A + j]!;
      if (v < low[j]!) low[j] = v;
      if (v > high[j]!) high[j] = v;
    }
  }
  return { low, high };
}
