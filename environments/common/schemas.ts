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
