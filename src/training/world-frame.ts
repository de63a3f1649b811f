/**
 * The world frame of an observation-space world model (`worldFrame`): observation entries measured
 * relative to another entry — a package's offset from the robot that observes it — are held in the
 * model's state as their sum with that entry (the package's own position), so a body at rest keeps its
 * state whatever the observer does and the dynamics need not predict two changes that cancel.
 *
 * Written on standardised observations z = (o − μ)/σ: for a pair (e, b), z'_e = z_e + (σ_b/σ_e)·z_b =
 * ((o_e + o_b) − (μ_e + μ_b))/σ_e — the world coordinate, centred and scaled by constants — a linear map
 * the graphs apply as one matrix product and invert exactly (no base is itself an entry).
 *
 * @module
 */

/** Pairs `[entry, base]`: observation entry `entry` is measured relative to entry `base` (entry = world − base). */
export type WorldFramePairs = readonly (readonly [number, number])[];

/**
 * The `[D, D]` matrix (row-major) that maps a row of standardised observations to the world frame
 * (`z' = z · M`), or back with `inverse` (`z = z' · M⁻¹`).
 */
export function worldFrameMatrix(pairs: WorldFramePairs, obsStd: ArrayLike<number>, inverse = false): Float32Array {
  const D = obsStd.length;
  const m = new Float32Array(D * D);
  for (let i = 0; i < D; i++) m[i * D + i] = 1;
  for (const [e, b] of pairs) m[b * D + e] = (inverse ? -1 : 1) * (obsStd[b]! / obsStd[e]!);
  return m;
}

/** Maps one standardised observation row to the world frame in place (what the graphs' matrix does). */
export function toWorldFrame(pairs: WorldFramePairs, obsStd: ArrayLike<number>, z: Float64Array | Float32Array): void {
  for (const [e, b] of pairs) z[e] = z[e]! + (obsStd[b]! / obsStd[e]!) * z[b]!;
}
