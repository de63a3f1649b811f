/**
 * Checkpoint files (`embodied.checkpoint/v1`): one binary file written atomically — an 8-byte magic,
 * a little-endian uint32 header length, a JSON header (step, parameter names and shapes, caller data
 * such as the sampler's RNG state), padding to 4 bytes, then float32 values: for each parameter its
 * values, Adam m and Adam v. Restoring all of it continues training bit for bit.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-write.js';
import type { RngState } from '../rng.js';
import { CheckpointError } from './errors.js';
import type { WorldModelConfig } from './wm-config.js';

const MAGIC = 'EMBCKPT1';
/** The checkpoint format tag. */
export const CHECKPOINT_FORMAT = 'embodied.checkpoint/v1';

/** One parameter's state. */
export interface ParamState {
  readonly name: string;
  readonly shape: readonly number[];
  readonly value: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
}

/** Everything a checkpoint holds. */
export interface CheckpointData {
  /** Name of the objective trained. */
  readonly objective: string;
  /** Optimiser steps taken. */
  readonly step: number;
  readonly params: readonly ParamState[];
  /** Caller data (JSON): sampler RNG state, config, statistics, last losses, ... */
  readonly extra: Readonly<Record<string, unknown>>;
}

interface Header {
  format: string;
  objective: string;
  step: number;
  params: { name: string; shape: number[] }[];
  extra: Record<string, unknown>;
}

/** Encodes a checkpoint. */
export function encodeCheckpoint(data: CheckpointData): Uint8Array {
  const header: Header = {
    format: CHECKPOINT_FORMAT,
    objective: data.objective,
    step: data.step,
    params: data.params.map((p) => ({ name: p.name, shape: [...p.shape] })),
    extra: { ...data.extra },
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((12 + json.length) / 4) * 4;
  const floats = data.params.reduce((n, p) => n + 3 * p.value.length, 0);
  const bytes = new Uint8Array(start + 4 * floats);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint32(8, json.length, true);
  bytes.set(json, 12);
  const body = new Float32Array(bytes.buffer, start, floats);
  let off = 0;
  for (const p of data.params) {
    for (const arr of [p.value, p.m, p.v]) {
      body.set(arr, off);
      off += arr.length;
    }
  }
  return bytes;
}

/** Decodes a checkpoint. @throws {@link CheckpointError} on a malformed file */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): CheckpointData {
  const fail = (why: string) => new CheckpointError(`${source}: ${why}`);
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw fail(`not an Embodied checkpoint (expected magic ${MAGIC})`);
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  if (12 + len > bytes.length) throw fail(`truncated header (${len} bytes declared, ${bytes.length - 12} present)`);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len))) as Header;
  } catch (e) {
    throw fail(`unreadable header: ${(e as Error).message}`);
  }
  if (header.format !== CHECKPOINT_FORMAT) throw fail(`expected format ${CHECKPOINT_FORMAT}, got ${String(header.format)}`);
  const start = Math.ceil((12 + len) / 4) * 4;
  const sizes = header.params.map((p) => p.shape.reduce((a, b) => a * b, 1));
  const floats = sizes.reduce((a, b) => a + 3 * b, 0);
  if (bytes.length !== start + 4 * floats) throw fail(`expected ${start + 4 * floats} bytes for ${header.params.length} parameters, got ${bytes.length}`);
  // Copy into an aligned buffer: the file's bytes may sit at any offset.
  const body = new Float32Array(floats);
  new Uint8Array(body.buffer).set(bytes.subarray(start, start + 4 * floats));
  let off = 0;
  const take = (n: number) => {
    const a = body.slice(off, off + n);
    off += n;
    return a;
  };
  const params = header.params.map((p, i) => ({ name: p.name, shape: p.shape, value: take(sizes[i]!), m: take(sizes[i]!), v: take(sizes[i]!) }));
  return { objective: header.objective, step: header.step, params, extra: header.extra };
}

/** Writes a checkpoint atomically (temp file + rename). */
export async function writeCheckpoint(path: string, data: CheckpointData): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(data));
}

/** Reads a checkpoint. @throws {@link CheckpointError} when missing or malformed */
export async function readCheckpoint(path: string): Promise<CheckpointData> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new CheckpointError(`Cannot read checkpoint ${path}: ${(e as Error).message}`);
  }
  return decodeCheckpoint(bytes, path);
}

/** What a world-model checkpoint (written by `WorldModelTrainer`) holds in its `extra` data. */
export interface WorldModelCheckpointExtra {
  readonly kind: 'world-model';
  /** Seed of initialisation and sampling. */
  readonly seed: number;
  /** The minibatch sampler's RNG state. */
  readonly rng: RngState;
  /** The validated model configuration. */
  readonly config: WorldModelConfig;
  /** Normalisation statistics the model is trained with. */
  readonly stats: {
    readonly obsMean: number[];
    readonly obsStd: number[];
    readonly rewardMean: number;
    readonly rewardStd: number;
    readonly deltaRms?: number[];
    readonly changeRate?: number[];
  };
  /** Losses of the last steps (for `finalLosses`). */
  readonly recent: Record<string, number>[];
}

/** Reads a world-model checkpoint's `extra` data. @throws {@link CheckpointError} when missing, malformed or of another kind */
export async function readWorldModelCheckpoint(path: string): Promise<WorldModelCheckpointExtra> {
  const extra = (await readCheckpoint(path)).extra as unknown as WorldModelCheckpointExtra;
  if (extra.kind !== 'world-model') throw new CheckpointError(`${path} is not a world-model checkpoint`);
  return extra;
}
