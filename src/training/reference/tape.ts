/**
 * A plain-TypeScript reverse-mode tape over row-major float32 matrices: the dependency-free reference
 * the graph version is checked against and benchmarked with. Every op writes its output and records a
 * closure that adds its input gradients; `backward` runs the closures in reverse.
 *
 * @module
 */

/** A row-major matrix value with a lazily allocated gradient. */
export class Mat {
  grad: Float32Array | undefined;
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly data: Float32Array = new Float32Array(rows * cols),
    /** Whether gradients should flow into this value. */
    readonly requiresGrad = true,
  ) {}

  /** The gradient buffer (allocated zeroed on first use). */
  g(): Float32Array {
    if (!this.grad) this.grad = new Float32Array(this.data.length);
    return this.grad;
  }
}

/** Records backward closures in forward order. */
export class Tape {
  private readonly ops: (() => void)[] = [];

  /** Records the backward step of the op just computed. */
  push(backward: () => void): void {
    this.ops.push(backward);
  }

  /** Runs every recorded backward step in reverse. */
  backward(): void {
    for (let i = this.ops.length - 1; i >= 0; i--) this.ops[i]!();
  }
}

/** C[M,N] (+)= A[M,K]·B[K,N]; i-k-j order with 4 rows at a time so each B row is reused from cache. */
export function matmulAcc(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const c0 = i * n;
    const c1 = c0 + n;
    const c2 = c1 + n;
    const c3 = c2 + n;
    for (let p = 0; p < k; p++) {
      const a0 = a[i * k + p]!;
      const a1 = a[(i + 1) * k + p]!;
      const a2 = a[(i + 2) * k + p]!;
      const a3 = a[(i + 3) * k + p]!;
      const bo = p * n;
      for (let j = 0; j < n; j++) {
        const bv = b[bo + j]!;
        c[c0 + j]! += a0 * bv;
        c[c1 + j]! += a1 * bv;
        c[c2 + j]! += a2 * bv;
        c[c3 + j]! += a3 * bv;
      }
    }
  }
  for (; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      const bo = p * n;
      const co = i * n;
      for (let j = 0; j < n; j++) c[co + j]! += av * b[bo + j]!;
    }
  }
}

/** C[K,N] += A[M,K]ᵀ·B[M,N] (weight gradients). */
export function matmulTransAAcc(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    const ao = i * k;
    const bo = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[ao + p]!;
      if (av === 0) continue;
      const co = p * n;
      for (let j = 0; j < n; j++) c[co + j]! += av * b[bo + j]!;
    }
  }
}

/** C[M,K] += A[M,N]·B[K,N]ᵀ (input gradients): dot products of contiguous rows. */
export function matmulTransBAcc(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++) {
    const ao = i * n;
    const co = i * k;
    for (let p = 0; p < k; p++) {
      const bo = p * n;
      let s0 = 0;
      let s1 = 0;
      let j = 0;
      for (; j + 2 <= n; j += 2) {
        s0 += a[ao + j]! * b[bo + j]!;
        s1 += a[ao + j + 1]! * b[bo + j + 1]!;
      }
      if (j < n) s0 += a[ao + j]! * b[bo + j]!;
      c[co + p]! += s0 + s1;
    }
  }
}
