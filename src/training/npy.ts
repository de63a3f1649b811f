/**
 * @deprecated The `.npy` codec moved to `src/codecs/npy.ts` (shared by training and world models); this
 * re-export keeps `src/training/index.ts` and other branches compiling until integration removes it.
 * @module
 */
export * from '../codecs/npy.js';
