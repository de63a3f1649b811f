/**
 * The neutral command of a bounded action space: what an actuator holds when there is no plan yet.
 *
 * @module
 */

/**
 * The midpoint of `[low, high]` per dimension; for a half-open or unbounded dimension, 0 clipped
 * into the bounds.
 */
export function boundsMidpoint(low: ArrayLike<number>, high: ArrayLike<number>): Float32Array {
  const out = new Float32Array(low.length);
  for (let i = 0; i < low.length; i++) {
    const lo = low[i]!;
    const hi = high[i]!;
    out[i] = Number.isFinite(lo) && Number.isFinite(hi) ? (lo + hi) / 2 : Math.min(hi, Math.max(lo, 0));
  }
  return out;
}
