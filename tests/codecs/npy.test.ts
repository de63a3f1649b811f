import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NpyAppender, NpyError, decodeNpy, encodeNpy, npyHeader, parseNpyHeader } from '../../src/codecs/npy.js';

/** A header as NumPy 2.x `np.save` writes it (checked against numpy 2.4 on this machine). */
function numpyHeader(dict: string): string {
  const growth = dict.endsWith('(), }') ? 0 : 21 - /'shape': \((\d+)/.exec(dict)![1]!.length;
  const body = dict + ' '.repeat(growth);
  const pad = 64 - ((10 + body.length + 1) % 64);
  return `${body + ' '.repeat(pad)}\n`;
}

function headerBytes(dict: string): number[] {
  const text = numpyHeader(dict);
  return [0x93, ...Buffer.from('NUMPY'), 1, 0, text.length & 0xff, text.length >> 8, ...Buffer.from(text, 'latin1')];
}

describe('npy headers', () => {
  it.each([
    ['float32', [3, 4], "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"],
    ['int32', [5], "{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }"],
    ['bool', [2], "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }"],
    ['float32', [0, 3], "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }"],
    ['float32', [], "{'descr': '<f4', 'fortran_order': False, 'shape': (), }"],
    ['uint8', [3], "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }"],
    ['int64', [2], "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }"],
  ] as const)('%s %j is byte-identical to numpy.save', (dtype, shape, dict) => {
    const h = npyHeader(dtype, shape);
    expect(Array.from(h)).toEqual(headerBytes(dict));
    expect(h.length % 64).toBe(0);
  });

  it('matches the literal 128-byte header numpy writes for a (3, 4) float32 array', () => {
    const literal = `\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }${' '.repeat(58)}\n`;
    expect(Buffer.from(npyHeader('float32', [3, 4])).toString('latin1')).toBe(literal);
  });

  it('keeps the header length when the first axis grows (room for 21 digits)', () => {
    expect(npyHeader('float32', [0, 7]).length).toBe(npyHeader('float32', [123456789012345, 7]).length);
  });
});

describe('encode/decode', () => {
  it('round-trips every dtype', () => {
    const cases = [
      new Float32Array([1.5, -2, 3.25, Number.MAX_VALUE > 0 ? 4 : 0]),
      new Float64Array([Math.PI, -1e300]),
      new Int32Array([-7, 2 ** 31 - 1]),
      new BigInt64Array([-5n, 2n ** 62n]),
      new Uint8Array([0, 255]),
      new Int8Array([-128, 127]),
      new Uint32Array([0, 2 ** 32 - 1]),
    ];
    for (const data of cases) {
      const back = decodeNpy(encodeNpy(data, [data.length]));
      expect(back.shape).toEqual([data.length]);
      expect(Array.from(back.data as ArrayLike<number | bigint>)).toEqual(Array.from(data as ArrayLike<number | bigint>));
      expect(back.data.constructor).toBe(data.constructor);
    }
    const b = decodeNpy(encodeNpy(new Uint8Array([1, 0, 1]), [3], 'bool'));
    expect(b.dtype).toBe('bool');
  });

  it('lays out data after a 64-byte aligned header', () => {
    const bytes = encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const h = parseNpyHeader(bytes);
    expect(h.dataOffset).toBe(128);
    expect(h.shape).toEqual([2, 3]);
    expect(new Float32Array(bytes.buffer.slice(128))).toEqual(new Float32Array([1, 2, 3, 4, 5, 6]));
  });

  it('reads format 2.0 headers', () => {
    const dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }";
    const text = `${dict + ' '.repeat(64 - ((12 + dict.length + 1) % 64))}\n`;
    const head = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([2, 0]), Buffer.from(new Uint32Array([text.length]).buffer), Buffer.from(text, 'latin1')]);
    const arr = decodeNpy(new Uint8Array(Buffer.concat([head, Buffer.from(new Int32Array([4, -4]).buffer)])));
    expect(Array.from(arr.data as Int32Array)).toEqual([4, -4]);
  });

  it('rejects bad input with precise messages', () => {
    expect(() => decodeNpy(new Uint8Array([1, 2, 3]), 'x.npy')).toThrow(/x\.npy: not a NumPy \.npy file/);
    const good = encodeNpy(new Float32Array(4), [4]);
    expect(() => decodeNpy(good.subarray(0, good.length - 2), 'y.npy')).toThrow(/y\.npy: expected 16 data bytes for shape \(4,\) of float32, got 14/);
    const fortran = Buffer.from(Buffer.from(good).toString('latin1').replace("'fortran_order': False", "'fortran_order': True "), 'latin1');
    expect(() => decodeNpy(fortran, 'f.npy')).toThrow(NpyError);
    expect(() => decodeNpy(fortran, 'f.npy')).toThrow(/f\.npy: Fortran-order arrays are not supported/);
    const bigEndian = Buffer.from(Buffer.from(good).toString('latin1').replace('<f4', '>f4'), 'latin1');
    expect(() => decodeNpy(bigEndian)).toThrow(/unsupported dtype '>f4'/);
    expect(() => encodeNpy(new Float32Array(3), [2, 2])).toThrow(/expected 4 values for shape \(2, 2\), got 3/);
    expect(() => encodeNpy(new Float32Array(2), [2], 'bool')).toThrow(/dtype bool does not match a Float32Array/);
  });

  it('reads shapes as numpy writes them: decimal integers only (issue 14)', () => {
    const good = Buffer.from(encodeNpy(new Float32Array(4), [4])).toString('latin1');
    for (const bad of ['4.0', '0x4', '4e0', '+4']) {
      // Same header length: the padding absorbs the extra characters.
      const edited = Buffer.from(good.replace("'shape': (4,), ", `'shape': (${bad},),`.padEnd("'shape': (4,), ".length)), 'latin1');
      expect(() => decodeNpy(edited, 's.npy'), bad).toThrow(new RegExp(`s\\.npy: malformed shape \\(${bad.replace(/[.+]/g, '\\$&')},\\); expected decimal integers`));
    }
  });
});

describe('NpyAppender', () => {
  it('appends rows and rewrites the header in place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    const path = join(dir, 'a.npy');
    const w = await NpyAppender.create(path, 'float32', [2]);
    await w.append(new Float32Array([1, 2, 3, 4]));
    await w.flushHeader();
    expect(decodeNpy(readFileSync(path)).shape).toEqual([2, 2]);
    await w.append(new Float32Array([5, 6]));
    await w.close();
    const arr = decodeNpy(readFileSync(path));
    expect(arr.shape).toEqual([3, 2]);
    expect(Array.from(arr.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(w.append(new Float32Array(2))).rejects.toThrow(/already closed/);
  });

  it('rejects partial rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    const w = await NpyAppender.create(join(dir, 'b.npy'), 'float32', [3]);
    await expect(w.append(new Float32Array(4))).rejects.toThrow(/expected a multiple of 12 bytes \(whole rows\), got 16/);
    await w.close();
  });
});

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasNumpy)('interoperability with NumPy (runs when python3 + numpy are installed)', () => {
  it('numpy reads what we write and we read what numpy writes, byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-np-'));
    writeFileSync(join(dir, 'ours.npy'), encodeNpy(new Float32Array([0.5, 1, 2, 3, 4, 5]), [2, 3]));
    const script = `
import numpy as np
a = np.load('${dir}/ours.npy'); assert a.dtype == np.float32 and a.shape == (2, 3), (a.dtype, a.shape)
assert a.tolist() == [[0.5, 1, 2], [3, 4, 5]]
np.save('${dir}/theirs.npy', np.arange(6, dtype=np.float32).reshape(2, 3))
np.save('${dir}/ours-again.npy', a)
`;
    const r = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const theirs = decodeNpy(readFileSync(join(dir, 'theirs.npy')));
    expect(theirs.shape).toEqual([2, 3]);
    expect(Array.from(theirs.data as Float32Array)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Buffer.compare(readFileSync(join(dir, 'ours-again.npy')), readFileSync(join(dir, 'ours.npy')))).toBe(0);
  });
});
