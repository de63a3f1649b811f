/**
 * zod building blocks shared by the environments' option schemas.
 *
 * @module
 */
import { z } from '../../src/options.js';

/** A finite number. */
export const finite = z.number().finite();
/** A finite, strictly positive number. */
export const positive = z.number().finite().positive();
/** A finite, non-negative number. */
export const nonNegative = z.number().finite().nonnegative();
/** A planar point or vector `[x, z]` (or `[x, y]` for vertical-plane tasks). */
export const vec2 = z.tuple([finite, finite]);
/** A 3-D point or vector `[x, y, z]`. */
export const vec3 = z.tuple([finite, finite, finite]);

// Physical quantities, bounded to what Rapier simulates faithfully at the environments' time steps: far
// outside these ranges (a 1e-30 kg box, a 1e30 N force, gravity 1e300) the solver freezes or explodes
// silently, so an option there is refused instead.
/** A body's mass, kg: 1 g … 10 t. */
export const mass = positive.min(1e-3).max(1e4);
/** A size (radius, half-extent, length), m: 1 mm … 100 m. */
export const length = positive.min(1e-3).max(100);
/** Gravity, m/s² (downward): 0 … 100 (ten times Earth's). */
export const gravity = nonNegative.max(100);
/** A force, N: up to 100 kN. */
export const force = positive.max(1e5);
/** A speed limit, m/s or rad/s: up to 100. */
export const speed = positive.max(100);
/** A friction coefficient: 0 … 10. */
export const friction = nonNegative.max(10);
