/**
 * File formats shared by every layer that reads or writes arrays (training datasets, world-model bundles).
 *
 * @module
 */
export * from './npy.js';
