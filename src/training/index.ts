export * from './batch.js';
export * from './npy.js';
export * from './dataset.js';
export * from './collect.js';
