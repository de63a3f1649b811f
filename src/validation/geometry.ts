/**
 * Geometry for the plausibility checks: absolute body positions from an observation, and how deep
 * a body sits inside an obstacle or another body.
 *
 * Shapes are deliberately conservative so that real contact never reads as penetration: in the
 * horizontal plane a body is its inscribed circle (radius `min(hx, hz)`, whatever its heading) unless
 * it is `axisAligned`; vertically it spans `y ± hy`. Obstacles are axis-aligned boxes.
 *
 * @module
 */
import type { ObservedBody, ObstacleSpec, ValidationSpec } from './spec.js';

/**
 * Writes the absolute centre of `body` into `out` from the observation at `offset`. Unobserved axes
 * take `defaultPosition`; `positionOffset` is added; a `relativeTo` body's horizontal position (x, z)
 * is added to the observed x and z (robot-centric observations are planar offsets).
 */
export function bodyPosition(spec: ValidationSpec, body: ObservedBody, obs: ArrayLike<number>, offset: number, out: number[] = [0, 0, 0], depth = 0): number[] {
  for (let k = 0; k < 3; k++) {
    const i = body.position[k]!;
    out[k] = (i >= 0 ? obs[offset + i]! : (body.defaultPosition?.[k] ?? 0)) + (body.positionOffset?.[k] ?? 0);
  }
  if (body.relativeTo !== undefined && depth < 8) {
    const parent = spec.bodies.find((b) => b.name === body.relativeTo)!;
    const p = bodyPosition(spec, parent, obs, offset, [0, 0, 0], depth + 1);
    if (body.position[0]! >= 0) out[0] = out[0]! + p[0]!;
    if (body.position[2]! >= 0) out[2] = out[2]! + p[2]!;
  }
  return out;
}

/** Planar half sizes used for overlaps: the inscribed circle radius, or the box for axis-aligned bodies. */
function planarRadius(body: ObservedBody): number {
  return Math.min(body.halfExtents[0], body.halfExtents[2]);
}

/** Overlap length of [a0, a1] and [b0, b1] (negative when apart). */
function overlap1(a0: number, a1: number, b0: number, b1: number): number {
  return Math.min(a1, b1) - Math.max(a0, b0);
}

/** How deep `body` at centre `p` sits inside `obstacle`, m (≤ 0 when apart or touching). */
export function obstacleDepth(body: ObservedBody, p: readonly number[], obstacle: ObstacleSpec): number {
  const [hx, hy, hz] = body.halfExtents;
  const vertical = overlap1(p[1]! - hy, p[1]! + hy, obstacle.min[1], obstacle.max[1]);
  let planar: number;
  if (body.axisAligned) {
    planar = Math.min(overlap1(p[0]! - hx, p[0]! + hx, obstacle.min[0], obstacle.max[0]), overlap1(p[2]! - hz, p[2]! + hz, obstacle.min[2], obstacle.max[2]));
  } else {
    const r = planarRadius(body);
    const x = p[0]!;
    const z = p[2]!;
    const inside = x >= obstacle.min[0] && x <= obstacle.max[0] && z >= obstacle.min[2] && z <= obstacle.max[2];
    if (inside) {
      planar = r + Math.min(x - obstacle.min[0], obstacle.max[0] - x, z - obstacle.min[2], obstacle.max[2] - z);
    } else {
      const dx = Math.max(obstacle.min[0] - x, 0, x - obstacle.max[0]);
      const dz = Math.max(obstacle.min[2] - z, 0, z - obstacle.max[2]);
      planar = r - Math.hypot(dx, dz);
    }
  }
  return Math.min(vertical, planar);
}

/** How deep two bodies overlap, m (≤ 0 when apart or touching). */
export function bodyDepth(a: ObservedBody, pa: readonly number[], b: ObservedBody, pb: readonly number[]): number {
  const vertical = overlap1(pa[1]! - a.halfExtents[1], pa[1]! + a.halfExtents[1], pb[1]! - b.halfExtents[1], pb[1]! + b.halfExtents[1]);
  let planar: number;
  if (a.axisAligned && b.axisAligned) {
    planar = Math.min(
      overlap1(pa[0]! - a.halfExtents[0], pa[0]! + a.halfExtents[0], pb[0]! - b.halfExtents[0], pb[0]! + b.halfExtents[0]),
      overlap1(pa[2]! - a.halfExtents[2], pa[2]! + a.halfExtents[2], pb[2]! - b.halfExtents[2], pb[2]! + b.halfExtents[2]),
    );
  } else {
    planar = planarRadius(a) + planarRadius(b) - Math.hypot(pa[0]! - pb[0]!, pa[2]! - pb[2]!);
  }
  return Math.min(vertical, planar);
}

/** The deepest penetration in one observation: depth (m) and what penetrated what. */
export interface PenetrationProbe {
  readonly depth: number;
  readonly what: string;
}

/** Absolute positions of every body with a finite position in the observation at `offset`. */
export function bodyPositions(spec: ValidationSpec, obs: ArrayLike<number>, offset: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const body of spec.bodies) {
    const p = bodyPosition(spec, body, obs, offset);
    if (p.every(Number.isFinite)) out.set(body.name, p);
  }
  return out;
}

/** The deepest overlap among bodies at `positions`, the obstacles, and the contact pairs. */
export function penetrationAt(spec: ValidationSpec, positions: ReadonlyMap<string, readonly number[]>): PenetrationProbe {
  let depth = Number.NEGATIVE_INFINITY;
  let what = '';
  for (const body of spec.bodies) {
    const p = positions.get(body.name);
    if (!p) continue;
    for (const o of spec.obstacles) {
      const d = obstacleDepth(body, p, o);
      if (d > depth) {
        depth = d;
        what = `${body.name} in ${o.name}`;
      }
    }
  }
  for (const [an, bn] of spec.contactPairs ?? []) {
    const pa = positions.get(an);
    const pb = positions.get(bn);
    if (!pa || !pb) continue;
    const d = bodyDepth(spec.bodies.find((b) => b.name === an)!, pa, spec.bodies.find((b) => b.name === bn)!, pb);
    if (d > depth) {
      depth = d;
      what = `${an} in ${bn}`;
    }
  }
  return { depth, what };
}

/** The deepest overlap in one observation (bodies whose position is not finite are skipped). */
export function deepestPenetration(spec: ValidationSpec, obs: ArrayLike<number>, offset: number): PenetrationProbe {
  return penetrationAt(spec, bodyPositions(spec, obs, offset));
}

/**
 * The deepest overlap along the straight-line motion from one observation to the next, sampled
 * finely enough (a quarter of the smallest half extent per sample, at most 64 samples) that a body
 * cannot tunnel through an obstacle or another body between two steps unnoticed.
 */
export function sweptPenetration(spec: ValidationSpec, prev: ArrayLike<number>, prevOffset: number, cur: ArrayLike<number>, curOffset: number): PenetrationProbe {
  const a = bodyPositions(spec, prev, prevOffset);
  const b = bodyPositions(spec, cur, curOffset);
  let move = 0;
  let size = Number.POSITIVE_INFINITY;
  for (const body of spec.bodies) {
    const pa = a.get(body.name);
    const pb = b.get(body.name);
    size = Math.min(size, ...body.halfExtents);
    if (pa && pb) move = Math.max(move, Math.hypot(pb[0]! - pa[0]!, pb[1]! - pa[1]!, pb[2]! - pa[2]!));
  }
  const samples = Math.min(64, Math.max(1, Math.ceil(move / (size / 4))));
  let best = penetrationAt(spec, b);
  const mid = new Map<string, number[]>();
  for (let k = 1; k < samples; k++) {
    const t = k / samples;
    mid.clear();
    for (const [name, pb] of b) {
      const pa = a.get(name);
      if (pa) mid.set(name, [pa[0]! + t * (pb[0]! - pa[0]!), pa[1]! + t * (pb[1]! - pa[1]!), pa[2]! + t * (pb[2]! - pa[2]!)]);
    }
    const p = penetrationAt(spec, mid);
    if (p.depth > best.depth) best = p;
  }
  return best;
}
