/**
 * NumPy `.npy` files (format version 1.0 written; 1.0, 2.0 and 3.0 read), C order, little-endian.
 *
 * Headers are written byte for byte as NumPy ≥ 1.23 writes them: the dict in sorted key order, room
 * for the first axis to grow to 21 digits, padded with spaces and a final `\n` so the data starts on a
 * 64-byte boundary. That growth room is what lets {@link NpyAppender} append rows and rewrite the
 * header in place.
 *
 * @module
 */
import { open, type FileHandle } from 'node:fs/promises';
import { EmbodiedError, InvalidArgumentError, describeValue } from '../errors.js';

/** An `.npy` file that cannot be read or written (bad magic, header, dtype, size). */
export class NpyError extends EmbodiedError {}

/** The element types supported, by NumPy `descr`. */
export type NpyDtype = 'float32' | 'float64' | 'int8' | 'int32' | 'int64' | 'uint8' | 'uint32' | 'bool';

/** The typed array holding each dtype (`bool` is stored as one byte per element, 0 or 1). */
export interface NpyArrayTypes {
  float32: Float32Array;
  float64: Float64Array;
  int8: Int8Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  uint32: Uint32Array;
  bool: Uint8Array;
}

/** Any typed array an `.npy` file may hold. */
export type NpyTypedArray = NpyArrayTypes[NpyDtype];

/** A decoded array: dtype, shape and the flat C-order data. */
export interface NpyArray<D extends NpyDtype = NpyDtype> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: NpyArrayTypes[D];
}

interface DtypeInfo {
  readonly descr: string;
  readonly bytes: number;
  readonly ctor: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => NpyTypedArray;
}

const DTYPES: Record<NpyDtype, DtypeInfo> = {
  float32: { descr: '<f4', bytes: 4, ctor: Float32Array },
  float64: { descr: '<f8', bytes: 8, ctor: Float64Array },
  int8: { descr: '|i1', bytes: 1, ctor: Int8Array },
  int32: { descr: '<i4', bytes: 4, ctor: Int32Array },
  int64: { descr: '<i8', bytes: 8, ctor: BigInt64Array },
  uint8: { descr: '|u1', bytes: 1, ctor: Uint8Array },
  uint32: { descr: '<u4', bytes: 4, ctor: Uint32Array },
  bool: { descr: '|b1', bytes: 1, ctor: Uint8Array },
};

const DESCR_TO_DTYPE = new Map<string, NpyDtype>(
  Object.entries(DTYPES).flatMap(([dtype, info]) => {
    const d = dtype as NpyDtype;
    // NumPy writes one-byte types with `|`, but `<` and `=` are accepted spellings of the same thing.
    return info.bytes === 1
      ? [
          [info.descr, d],
          [`<${info.descr.slice(1)}`, d],
          [`=${info.descr.slice(1)}`, d],
        ]
      : [[info.descr, d]];
  }),
);

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

/** Bytes per element of `dtype`. */
export function npyItemSize(dtype: NpyDtype): number {
  return DTYPES[dtype].bytes;
}

function assertShape(shape: readonly number[], where: string): void {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new InvalidArgumentError(`${where}: expected a shape of non-negative integers, got ${describeValue(shape)}`);
  }
}

function product(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Python's `repr` of a shape tuple: `()`, `(3,)`, `(3, 4)`. */
function shapeRepr(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/**
 * The complete version 1.0 header (magic, version, length, dict, padding) for an array of `dtype`
 * and `shape`, exactly as `numpy.save` writes it. Its length does not depend on `shape[0]`.
 */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  assertShape(shape, 'npyHeader');
  let dict = `{'descr': '${DTYPES[dtype].descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  const hlen = dict.length + 1; // + the final newline
  const padlen = ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ALIGN);
  const total = hlen + padlen;
  if (total > 0xffff) throw new NpyError(`npyHeader: the header for shape ${shapeRepr(shape)} is too long for format 1.0`);
  const out = new Uint8Array(10 + total);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = total & 0xff;
  out[9] = total >> 8;
  const text = `${dict + ' '.repeat(padlen)}\n`;
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

function dtypeOf(data: NpyTypedArray): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint32Array) return 'uint32';
  throw new InvalidArgumentError(`encodeNpy: unsupported array type ${describeValue(data)}`);
}

/** The little-endian bytes of `data` (a view, no copy). */
export function typedArrayBytes(data: NpyTypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Encodes an array as a complete `.npy` file.
 *
 * @param data - flat C-order values; `Uint8Array` is written as `uint8` unless `dtype` says `bool`
 * @param shape - the array's shape; its product must equal `data.length`
 * @param dtype - overrides the dtype inferred from `data` (only `bool` for a `Uint8Array` makes sense)
 */
export function encodeNpy(data: NpyTypedArray, shape: readonly number[], dtype: NpyDtype = dtypeOf(data)): Uint8Array {
  assertShape(shape, 'encodeNpy');
  if (product(shape) !== data.length) {
    throw new InvalidArgumentError(`encodeNpy: expected ${product(shape)} values for shape ${shapeRepr(shape)}, got ${data.length}`);
  }
  const matches = dtype === 'bool' ? data instanceof Uint8Array : dtypeOf(data) === dtype;
  if (!matches) throw new InvalidArgumentError(`encodeNpy: dtype ${dtype} does not match a ${data.constructor.name}`);
  const header = npyHeader(dtype, shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(typedArrayBytes(data), header.length);
  return out;
}

/** What the header of an `.npy` file says. */
export interface NpyHeaderInfo {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  /** Byte offset at which the data starts. */
  readonly dataOffset: number;
  /** Format version, e.g. `[1, 0]`. */
  readonly version: readonly [number, number];
}

/**
 * Parses the header of an `.npy` file.
 * @param where - names the file in error messages
 * @throws {@link NpyError} naming what is wrong.
 */
export function parseNpyHeader(bytes: Uint8Array, where = '.npy'): NpyHeaderInfo {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new NpyError(`${where}: not a NumPy .npy file (expected the magic string \\x93NUMPY at the start)`);
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = bytes[8]! | (bytes[9]! << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError(`${where}: truncated header`);
    headerLen = (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16)) + bytes[11]! * 0x1000000;
    start = 12;
  } else {
    throw new NpyError(`${where}: unsupported .npy format version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`);
  }
  if (start + headerLen > bytes.length) throw new NpyError(`${where}: truncated header (expected ${headerLen} header bytes, file has ${bytes.length - start})`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyError(`${where}: malformed header ${describeValue(text.trim())} (expected keys 'descr', 'fortran_order' and 'shape')`);
  }
  const dtype = DESCR_TO_DTYPE.get(descr);
  if (dtype === undefined) {
    throw new NpyError(
      `${where}: unsupported dtype '${descr}' (expected one of ${Object.values(DTYPES)
        .map((d) => `'${d.descr}'`)
        .join(', ')})`,
    );
  }
  if (fortran === 'True') throw new NpyError(`${where}: Fortran-order arrays are not supported (save with numpy.ascontiguousarray first)`);
  const parts = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  // Python integer literals as numpy writes them (decimal, an old `L` suffix): `Number` would also take
  // `300.0`, `0x12c` or `3e2`, which no numpy header holds.
  const shape = parts.map((p) => (/^\d+L?$/.test(p) ? Number(p.replace(/L$/, '')) : Number.NaN));
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new NpyError(`${where}: malformed shape (${shapeText}); expected decimal integers`);
  return { dtype, shape, dataOffset: start + headerLen, version: [major, minor] };
}

/**
 * Decodes a complete `.npy` file. The data is copied into a fresh, aligned typed array.
 * @param where - names the file in error messages
 * @throws {@link NpyError} for a bad header or a data section of the wrong length.
 */
export function decodeNpy(bytes: Uint8Array, where = '.npy'): NpyArray {
  const header = parseNpyHeader(bytes, where);
  const info = DTYPES[header.dtype];
  const count = product(header.shape);
  const expected = count * info.bytes;
  const available = bytes.length - header.dataOffset;
  if (available !== expected) {
    throw new NpyError(`${where}: expected ${expected} data bytes for shape ${shapeRepr(header.shape)} of ${header.dtype}, got ${available}`);
  }
  const copy = new ArrayBuffer(expected);
  new Uint8Array(copy).set(bytes.subarray(header.dataOffset, header.dataOffset + expected));
  const data = new info.ctor(copy, 0, count);
  return { dtype: header.dtype, shape: header.shape, data } as NpyArray;
}

/**
 * Appends rows to an `.npy` file on disk: the header is written with shape `[0, ...rowShape]` and
 * rewritten in place (same length, thanks to the growth room) by {@link NpyAppender.flushHeader}.
 * Between flushes the file may hold more rows than its header says; a reader that trusts the header
 * then sees a shorter array, never garbage.
 */
export class NpyAppender {
  private rows = 0;
  private readonly rowBytes: number;

  private constructor(
    private handle: FileHandle | undefined,
    /** The file being written. */
    readonly path: string,
    /** Element type. */
    readonly dtype: NpyDtype,
    /** Shape of one row (the trailing axes). */
    readonly rowShape: readonly number[],
    private readonly headerLength: number,
  ) {
    this.rowBytes = product(rowShape) * DTYPES[dtype].bytes;
  }

  /** Creates (truncates) `path` and writes an empty header. */
  static async create(path: string, dtype: NpyDtype, rowShape: readonly number[]): Promise<NpyAppender> {
    assertShape(rowShape, `NpyAppender(${path})`);
    const header = npyHeader(dtype, [0, ...rowShape]);
    const handle = await open(path, 'w');
    await handle.write(header, 0, header.length, 0);
    return new NpyAppender(handle, path, dtype, rowShape, header.length);
  }

  /** Rows written so far. */
  get length(): number {
    return this.rows;
  }

  /** Appends whole rows (flat, C order); `data.length` must be a multiple of the row size. */
  async append(data: NpyTypedArray): Promise<void> {
    const handle = this.open();
    const bytes = typedArrayBytes(data);
    if (this.rowBytes === 0 ? bytes.length !== 0 : bytes.length % this.rowBytes !== 0) {
      throw new InvalidArgumentError(`NpyAppender(${this.path}): expected a multiple of ${this.rowBytes} bytes (whole rows), got ${bytes.length}`);
    }
    if (data.BYTES_PER_ELEMENT !== DTYPES[this.dtype].bytes) {
      throw new InvalidArgumentError(`NpyAppender(${this.path}): expected ${this.dtype} data, got a ${data.constructor.name}`);
    }
    const added = this.rowBytes === 0 ? 0 : bytes.length / this.rowBytes;
    let off = 0;
    const position = this.headerLength + this.rows * this.rowBytes;
    while (off < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, off, bytes.length - off, position + off);
      off += bytesWritten;
    }
    this.rows += added;
  }

  /** Rewrites the header to say how many rows there are, and flushes the file to disk. */
  async flushHeader(): Promise<void> {
    const handle = this.open();
    const header = npyHeader(this.dtype, [this.rows, ...this.rowShape]);
    if (header.length !== this.headerLength) throw new NpyError(`NpyAppender(${this.path}): the header grew past its reserved space`);
    await handle.write(header, 0, header.length, 0);
    await handle.sync();
  }

  /** Flushes the header and closes the file; idempotent. */
  async close(): Promise<void> {
    if (this.handle === undefined) return;
    await this.flushHeader();
    const h = this.handle;
    this.handle = undefined;
    await h.close();
  }

  /**
   * Closes the file without rewriting its header — for a file about to be deleted (a write failed,
   * e.g. the disk is full, so flushing the header would fail too). Idempotent.
   */
  async discard(): Promise<void> {
    if (this.handle === undefined) return;
    const h = this.handle;
    this.handle = undefined;
    await h.close();
  }

  private open(): FileHandle {
    if (this.handle === undefined) throw new NpyError(`NpyAppender(${this.path}): already closed`);
    return this.handle;
  }
}
