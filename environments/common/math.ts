/**
 * Small pose helpers shared by the Rapier environments: planar angles read from quaternions (Rapier
 * has no joint-angle getter) and quaternions built from planar angles. Plain numbers, no allocation
 * beyond the returned tuples.
 *
 * @module
 */

/** A quaternion-like object (Rapier's `Rotation`). */
export interface QuatLike {
  x: number;
  y: number;
  z: number;
  w: number;
}

/** Wraps an angle to (−π, π]. */
export function wrapAngle(a: number): number {
  const TWO_PI = 2 * Math.PI;
  let r = a % TWO_PI;
  if (r <= -Math.PI) r += TWO_PI;
  else if (r > Math.PI) r -= TWO_PI;
  return r;
}

/**
 * Heading about +y (y up) of the body's local x axis: 0 when it points along +x, π/2 along −z
 * (right-handed rotation about +y). Robust to small tilts, since it projects the axis on the floor.
 */
export function yawOf(q: QuatLike): number {
  const xx = 1 - 2 * (q.y * q.y + q.z * q.z);
  const xz = 2 * (q.x * q.z - q.w * q.y);
  return Math.atan2(-xz, xx);
}

/**
 * Angle about +z of the body's local x axis in the x–y plane: 0 along +x, π/2 along +y
 * (right-handed rotation about +z).
 */
export function angleZOf(q: QuatLike): number {
  const xx = 1 - 2 * (q.y * q.y + q.z * q.z);
  const xy = 2 * (q.x * q.y + q.w * q.z);
  return Math.atan2(xy, xx);
}

/** The rotation by `yaw` about +y, as `[x, y, z, w]`. */
export function quatFromYaw(yaw: number): [number, number, number, number] {
  return [0, Math.sin(yaw / 2), 0, Math.cos(yaw / 2)];
}

/** The rotation by `angle` about +z, as `[x, y, z, w]`. */
export function quatFromAngleZ(angle: number): [number, number, number, number] {
  return [0, 0, Math.sin(angle / 2), Math.cos(angle / 2)];
}

/** Clamps `v` to [lo, hi]. */
export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
