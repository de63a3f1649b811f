/** Vector environments: SyncVectorEnv, WorkerVectorEnv (worker_threads), autoreset modes. @module */
export * from './types.js';
export * from './batch.js';
export * from './sub-env.js';
export * from './vector-base.js';
export * from './sync-vector-env.js';
export * from './worker-vector-env.js';
