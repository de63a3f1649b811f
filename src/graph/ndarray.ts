/**
 * Float64 n-dimensional arrays and the reference kernels behind every op's `evaluate`. They follow the
 * ONNX semantics (numpy broadcasting, row-major layout) and favour clarity over speed: they run the
 * gradient checks and the tests, never a training loop.
 *
 * @module
 */

/** A dense row-major float64 array. Booleans are 0/1, int64 values are exact integers. */
export interface NDArray {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Makes an array; `data` defaults to zeros. */
export function nd(shape: readonly number[], data?: ArrayLike<number>): NDArray {
  const n = sizeOf(shape);
  const out = new Float64Array(n);
  if (data !== undefined) {
    if (data.length !== n) throw new RangeError(`nd: shape [${shape.join(', ')}] needs ${n} values, got ${data.length}`);
    out.set(data);
  }
  return { shape: [...shape], data: out };
}

/** Row-major strides. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Numpy broadcast of several shapes; throws on a mismatch. */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i]!;
      if (d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else if (out[o] !== d) throw new RangeError(`cannot broadcast [${shapes.map((x) => x.join(', ')).join('] with [')}]`);
    }
  }
  return out;
}

/** Applies `f` elementwise over broadcast operands. */
export function broadcastMap(arrays: readonly NDArray[], f: (...v: number[]) => number): NDArray {
  const shape = broadcastShapes(...arrays.map((a) => a.shape));
  const rank = shape.length;
  const out = nd(shape);
  const bstrides = arrays.map((a) => {
    const st = stridesOf(a.shape);
    return shape.map((_d, i) => {
      const ai = i - (rank - a.shape.length);
      return ai < 0 || a.shape[ai] === 1 ? 0 : st[ai]!;
    });
  });
  const idx = new Array<number>(rank).fill(0);
  const args = new Array<number>(arrays.length);
  for (let k = 0; k < out.data.length; k++) {
    for (let j = 0; j < arrays.length; j++) {
      let off = 0;
      const bs = bstrides[j]!;
      for (let i = 0; i < rank; i++) off += idx[i]! * bs[i]!;
      args[j] = arrays[j]!.data[off]!;
    }
    out.data[k] = f(...args);
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
  return out;
}

/** Elementwise map of one array. */
export function mapArray(a: NDArray, f: (v: number) => number): NDArray {
  const out = nd(a.shape);
  for (let i = 0; i < a.data.length; i++) out.data[i] = f(a.data[i]!);
  return out;
}

/** Sum or mean over `axes` (all when empty and `reduceAllWhenEmpty`). */
export function reduce(a: NDArray, axes: readonly number[], keepdims: boolean, kind: 'sum' | 'mean' | 'max'): NDArray {
  const rank = a.shape.length;
  const red = new Set(axes.map((x) => (x < 0 ? x + rank : x)));
  const keptShape = a.shape.map((d, i) => (red.has(i) ? 1 : d));
  const out = nd(keptShape);
  if (kind === 'max') out.data.fill(-Infinity);
  const ost = stridesOf(keptShape);
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < a.data.length; k++) {
    let off = 0;
    for (let i = 0; i < rank; i++) if (!red.has(i)) off += idx[i]! * ost[i]!;
    const v = a.data[k]!;
    out.data[off] = kind === 'max' ? Math.max(out.data[off]!, v) : out.data[off]! + v;
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i]! < a.shape[i]!) break;
      idx[i] = 0;
    }
  }
  if (kind === 'mean') {
    let count = 1;
    for (const i of red) count *= a.shape[i]!;
    for (let i = 0; i < out.data.length; i++) out.data[i]! /= count;
  }
  return keepdims ? out : { shape: a.shape.filter((_d, i) => !red.has(i)), data: out.data };
}

/** Permutes axes. */
export function transposeArray(a: NDArray, perm: readonly number[]): NDArray {
  const shape = perm.map((p) => a.shape[p]!);
  const out = nd(shape);
  const ist = stridesOf(a.shape);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < out.data.length; k++) {
    let off = 0;
    for (let i = 0; i < rank; i++) off += idx[i]! * ist[perm[i]!]!;
    out.data[k] = a.data[off]!;
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i]! < shape[i]!) break;
      idx[i] = 0;
    }
  }
  return out;
}

/** `alpha · op(A) op(B)` for 2-D arrays, `op` being an optional transpose. */
export function matmul2d(a: NDArray, b: NDArray, transA = false, transB = false, alpha = 1): NDArray {
  const [ar, ac] = a.shape as [number, number];
  const [br, bc] = b.shape as [number, number];
  const m = transA ? ac : ar;
  const k = transA ? ar : ac;
  const n = transB ? br : bc;
  const out = nd([m, n]);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a.data[p * ac + i]! : a.data[i * ac + p]!;
        const bv = transB ? b.data[j * bc + p]! : b.data[p * bc + j]!;
        s += av * bv;
      }
      out.data[i * n + j] = alpha * s;
    }
  }
  return out;
}

/** Slice `[start, end)` along one axis. */
export function sliceArray(a: NDArray, axis: number, start: number, end: number): NDArray {
  const shape = [...a.shape];
  shape[axis] = end - start;
  const out = nd(shape);
  const outer = sizeOf(a.shape.slice(0, axis));
  const inner = sizeOf(a.shape.slice(axis + 1));
  const len = a.shape[axis]!;
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (let j = start; j < end; j++) {
      const base = (o * len + j) * inner;
      for (let i = 0; i < inner; i++) out.data[k++] = a.data[base + i]!;
    }
  }
  return out;
}

/** Concatenation along one axis. */
export function concatArrays(list: readonly NDArray[], axis: number): NDArray {
  const first = list[0]!;
  const shape = [...first.shape];
  shape[axis] = list.reduce((s, a) => s + a.shape[axis]!, 0);
  const out = nd(shape);
  const outer = sizeOf(first.shape.slice(0, axis));
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (const a of list) {
      const chunk = sizeOf(a.shape.slice(axis));
      out.data.set(a.data.subarray(o * chunk, (o + 1) * chunk), k);
      k += chunk;
    }
  }
  return out;
}

/** Zero padding: `pads` = ONNX layout [begin_0 … begin_n, end_0 … end_n]. */
export function padArray(a: NDArray, pads: readonly number[]): NDArray {
  const rank = a.shape.length;
  const shape = a.shape.map((d, i) => d + pads[i]! + pads[i + rank]!);
  const out = nd(shape);
  const ost = stridesOf(shape);
  const idx = new Array<number>(rank).fill(0);
  for (let k = 0; k < a.data.length; k++) {
    let off = 0;
    for (let i = 0; i < rank; i++) off += (idx[i]! + pads[i]!) * ost[i]!;
    out.data[off] = a.data[k]!;
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i]! < a.shape[i]!) break;
      idx[i] = 0;
    }
  }
  return out;
}

/** Broadcasts `a` to `shape`. */
export function expandArray(a: NDArray, shape: readonly number[]): NDArray {
  return broadcastMap([a, nd(shape)], (x) => x);
}

/** Same data, another shape. */
export function reshapeArray(a: NDArray, shape: readonly number[]): NDArray {
  if (sizeOf(shape) !== a.data.length) throw new RangeError(`reshape: [${a.shape.join(', ')}] to [${shape.join(', ')}]`);
  return { shape: [...shape], data: a.data };
}
