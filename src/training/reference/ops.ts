/**
 * Plain-TypeScript ops with hand-written gradients, mirroring the graph ops the world model uses:
 * linear layers, LayerNorm, activations, SimNorm, row/column concatenation and slicing, the weighted
 * squared-error and BCE losses.
 *
 * @module
 */
import { InvalidArgumentError } from '../../errors.js';
import { Mat, type Tape, matmulAcc, matmulTransAAcc, matmulTransBAcc } from './tape.js';

/** y = x·W + b, W [in, out], b [1, out]. */
export function linear(tape: Tape, x: Mat, w: Mat, b: Mat): Mat {
  const y = new Mat(x.rows, w.cols);
  for (let i = 0; i < x.rows; i++) y.data.set(b.data, i * w.cols);
  matmulAcc(x.data, w.data, y.data, x.rows, x.cols, w.cols);
  tape.push(() => {
    const dy = y.grad;
    if (!dy) return;
    if (x.requiresGrad) matmulTransBAcc(dy, w.data, x.g(), x.rows, w.cols, x.cols);
    matmulTransAAcc(x.data, dy, w.g(), x.rows, x.cols, w.cols);
    const db = b.g();
    for (let i = 0; i < y.rows; i++) for (let j = 0; j < y.cols; j++) db[j]! += dy[i * y.cols + j]!;
  });
  return y;
}

/** LayerNorm over each row, with scale and bias [1, cols]. */
export function layerNorm(tape: Tape, x: Mat, scale: Mat, bias: Mat, eps = 1e-5): Mat {
  const { rows, cols } = x;
  const y = new Mat(rows, cols);
  const xhat = new Float32Array(rows * cols);
  const inv = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let mean = 0;
    for (let j = 0; j < cols; j++) mean += x.data[o + j]!;
    mean /= cols;
    let v = 0;
    for (let j = 0; j < cols; j++) v += (x.data[o + j]! - mean) ** 2;
    const is = 1 / Math.sqrt(v / cols + eps);
    inv[i] = is;
    for (let j = 0; j < cols; j++) {
      const h = (x.data[o + j]! - mean) * is;
      xhat[o + j] = h;
      y.data[o + j] = h * scale.data[j]! + bias.data[j]!;
    }
  }
  tape.push(() => {
    const dy = y.grad;
    if (!dy) return;
    const ds = scale.g();
    const db = bias.g();
    const dx = x.requiresGrad ? x.g() : undefined;
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      let mg = 0;
      let mgx = 0;
      for (let j = 0; j < cols; j++) {
        const g = dy[o + j]! * scale.data[j]!;
        mg += g;
        mgx += g * xhat[o + j]!;
        ds[j]! += dy[o + j]! * xhat[o + j]!;
        db[j]! += dy[o + j]!;
      }
      mg /= cols;
      mgx /= cols;
      if (dx) for (let j = 0; j < cols; j++) dx[o + j]! += inv[i]! * (dy[o + j]! * scale.data[j]! - mg - xhat[o + j]! * mgx);
    }
  });
  return y;
}

/** Activation names the reference implements (as the graph's `activation`). */
export type ReferenceActivation = 'mish' | 'silu' | 'relu' | 'elu' | 'tanh';

/** Elementwise activation with its derivative. */
export function activate(tape: Tape, name: ReferenceActivation, x: Mat): Mat {
  const n = x.data.length;
  const y = new Mat(x.rows, x.cols);
  const slope = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = x.data[i]!;
    switch (name) {
      case 'mish': {
        const e = Math.exp(Math.min(v, 20));
        const nn = e * (e + 2);
        const t = nn / (nn + 2);
        y.data[i] = v * t;
        slope[i] = t + v * (e / (e + 1)) * (1 - t * t);
        break;
      }
      case 'silu': {
        const s = 1 / (1 + Math.exp(-v));
        y.data[i] = v * s;
        slope[i] = s * (1 + v * (1 - s));
        break;
      }
      case 'relu':
        y.data[i] = v > 0 ? v : 0;
        slope[i] = v > 0 ? 1 : 0;
        break;
      case 'elu':
        y.data[i] = v > 0 ? v : Math.expm1(v);
        slope[i] = v > 0 ? 1 : y.data[i]! + 1;
        break;
      case 'tanh': {
        const t = Math.tanh(v);
        y.data[i] = t;
        slope[i] = 1 - t * t;
        break;
      }
      default:
        throw new InvalidArgumentError(`Unknown activation ${String(name)}`);
    }
  }
  tape.push(() => {
    if (!y.grad || !x.requiresGrad) return;
    const dx = x.g();
    for (let i = 0; i < n; i++) dx[i]! += y.grad[i]! * slope[i]!;
  });
  return y;
}

/** Softmax within consecutive groups of `group` columns. */
export function simNorm(tape: Tape, x: Mat, group: number): Mat {
  const y = new Mat(x.rows, x.cols);
  const n = x.data.length;
  for (let o = 0; o < n; o += group) {
    let max = -Infinity;
    for (let j = 0; j < group; j++) max = Math.max(max, x.data[o + j]!);
    let s = 0;
    for (let j = 0; j < group; j++) s += y.data[o + j] = Math.exp(x.data[o + j]! - max);
    for (let j = 0; j < group; j++) y.data[o + j]! /= s;
  }
  tape.push(() => {
    if (!y.grad || !x.requiresGrad) return;
    const dx = x.g();
    for (let o = 0; o < n; o += group) {
      let dot = 0;
      for (let j = 0; j < group; j++) dot += y.grad[o + j]! * y.data[o + j]!;
      for (let j = 0; j < group; j++) dx[o + j]! += y.data[o + j]! * (y.grad[o + j]! - dot);
    }
  });
  return y;
}

/** [a | b] column-wise. */
export function concatCols(tape: Tape, a: Mat, b: Mat): Mat {
  const y = new Mat(a.rows, a.cols + b.cols);
  for (let i = 0; i < a.rows; i++) {
    y.data.set(a.data.subarray(i * a.cols, (i + 1) * a.cols), i * y.cols);
    y.data.set(b.data.subarray(i * b.cols, (i + 1) * b.cols), i * y.cols + a.cols);
  }
  tape.push(() => {
    if (!y.grad) return;
    for (const [m, off] of [
      [a, 0],
      [b, a.cols],
    ] as const) {
      if (!m.requiresGrad) continue;
      const d = m.g();
      for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) d[i * m.cols + j]! += y.grad[i * y.cols + off + j]!;
    }
  });
  return y;
}

/** Rows of several matrices stacked. */
export function concatRows(tape: Tape, parts: readonly Mat[]): Mat {
  const cols = parts[0]!.cols;
  const y = new Mat(
    parts.reduce((n, p) => n + p.rows, 0),
    cols,
  );
  let off = 0;
  for (const p of parts) {
    y.data.set(p.data, off);
    off += p.data.length;
  }
  tape.push(() => {
    if (!y.grad) return;
    let o = 0;
    for (const p of parts) {
      if (p.requiresGrad) {
        const d = p.g();
        for (let i = 0; i < d.length; i++) d[i]! += y.grad[o + i]!;
      }
      o += p.data.length;
    }
  });
  return y;
}

/** Rows [start, end) (a view with its own gradient). */
export function sliceRows(tape: Tape, x: Mat, start: number, end: number, requiresGrad = x.requiresGrad): Mat {
  const y = new Mat(end - start, x.cols, x.data.slice(start * x.cols, end * x.cols), requiresGrad);
  tape.push(() => {
    if (!y.grad || !x.requiresGrad || !requiresGrad) return;
    const d = x.g();
    for (let i = 0; i < y.grad.length; i++) d[start * x.cols + i]! += y.grad[i]!;
  });
  return y;
}

/** Σ_rows w_r · Σ_cols (p − t)² / denom → a scalar [1, 1]; the target gets no gradient. */
export function weightedSquaredError(tape: Tape, pred: Mat, target: Float32Array, rowWeights: Float32Array, denom: number): Mat {
  const out = new Mat(1, 1);
  let s = 0;
  const { rows, cols } = pred;
  for (let i = 0; i < rows; i++) {
    let r = 0;
    for (let j = 0; j < cols; j++) r += (pred.data[i * cols + j]! - target[i * cols + j]!) ** 2;
    s += rowWeights[i]! * r;
  }
  out.data[0] = s / denom;
  tape.push(() => {
    const g = out.grad?.[0];
    if (g === undefined || !pred.requiresGrad) return;
    const d = pred.g();
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) d[i * cols + j]! += (g * 2 * rowWeights[i]! * (pred.data[i * cols + j]! - target[i * cols + j]!)) / denom;
  });
  return out;
}

/** Σ_rows w_r · BCE(logit_r, z_r) / denom for a [rows, 1] logit column. */
export function weightedBce(tape: Tape, logits: Mat, targets: Float32Array, rowWeights: Float32Array, denom: number): Mat {
  const out = new Mat(1, 1);
  let s = 0;
  for (let i = 0; i < logits.rows; i++) {
    const x = logits.data[i]!;
    s += rowWeights[i]! * (Math.max(x, 0) - x * targets[i]! + Math.log1p(Math.exp(-Math.abs(x))));
  }
  out.data[0] = s / denom;
  tape.push(() => {
    const g = out.grad?.[0];
    if (g === undefined) return;
    const d = logits.g();
    for (let i = 0; i < logits.rows; i++) d[i]! += (g * rowWeights[i]! * (1 / (1 + Math.exp(-logits.data[i]!)) - targets[i]!)) / denom;
  });
  return out;
}

/** Σ coef_i · x_i of scalars. */
export function weightedSum(tape: Tape, terms: readonly Mat[], coefs: readonly number[]): Mat {
  const out = new Mat(1, 1);
  out.data[0] = terms.reduce((s, t, i) => s + coefs[i]! * t.data[0]!, 0);
  tape.push(() => {
    const g = out.grad?.[0];
    if (g === undefined) return;
    terms.forEach((t, i) => {
      t.g()[0]! += g * coefs[i]!;
    });
  });
  return out;
}
