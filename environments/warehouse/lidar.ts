/**
 * A planar lidar: K horizontal rays from a robot's centre, cast with Rapier's `castRay`.
 *
 * Ray k points at angle 2πk/K from +x toward +z (robots never rotate, so the fan is fixed in the
 * world frame). The robot's own body and sensors are excluded; everything else — shelves, walls,
 * packages (a carried one too), other robots — is seen. Each reading is the distance to the first
 * hit, clipped to the range. `castRay` costs ~1–3 µs per ray, so lidar is off unless asked for.
 *
 * @module
 */
import type { Ray, RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { rapier } from '../../src/physics/rapier.js';

/** Casts a fixed fan of rays from a point; reuses its ray objects (no per-ray allocation of its own). */
export class Lidar {
  private readonly rays: Ray[];
  private readonly excludeFlags: number;

  /**
   * @param numRays - rays per scan (K ≥ 1)
   * @param range - largest reported distance, m
   */
  constructor(
    readonly numRays: number,
    readonly range: number,
  ) {
    const R = rapier();
    this.rays = [];
    for (let k = 0; k < numRays; k++) {
      const a = (2 * Math.PI * k) / numRays;
      this.rays.push(new R.Ray({ x: 0, y: 0, z: 0 }, { x: Math.cos(a), y: 0, z: Math.sin(a) }));
    }
    this.excludeFlags = R.QueryFilterFlags.EXCLUDE_SENSORS;
  }

  /**
   * Scans from (`x`, `y`, `z`), ignoring `self`, and writes K distances into `out` from `offset`.
   * Scene queries see colliders as of the last `world.step()`.
   */
  scan(world: World, self: RigidBody, x: number, y: number, z: number, out: Float32Array, offset: number): void {
    const range = this.range;
    for (let k = 0; k < this.rays.length; k++) {
      const ray = this.rays[k]!;
      ray.origin.x = x;
      ray.origin.y = y;
      ray.origin.z = z;
      const hit = world.castRay(ray, range, true, this.excludeFlags, undefined, undefined, self);
      // Directions are unit vectors, so time of impact is the distance.
      out[offset + k] = hit === null || hit === undefined ? range : Math.min(range, hit.timeOfImpact);
    }
  }
}
