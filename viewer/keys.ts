/**
 * The keyboard's action in play mode: arrows or WASD drive the first robot's planar velocity (x to the
 * right, z towards the viewer), space holds the grip. DOM-free.
 *
 * @module
 */
import type { Box } from '../src/spaces.js';

/** Keys and the (x, z) direction each pushes. */
export const DIRECTIONS: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
  a: [-1, 0],
  d: [1, 0],
  w: [0, -1],
  s: [0, 1],
};

/** The action for the held keys: planar velocity in dimensions 0 and 1, grip in dimension 2 (when the space has one). */
export function keyAction(held: ReadonlySet<string>, grip: boolean, space: Box): Float32Array {
  const a = new Float32Array(space.shape[0]!);
  for (const key of held) {
    const d = DIRECTIONS[key];
    if (d) {
      a[0] = a[0]! + d[0];
      a[1] = a[1]! + d[1];
    }
  }
  if (a.length > 2) a[2] = grip ? 1 : -1;
  for (let i = 0; i < a.length; i++) a[i] = Math.max(-1, Math.min(1, a[i]!)) * (a[i]! >= 0 ? space.high[i]! : -space.low[i]!);
  return a;
}
