/**
 * Distributed runs on a BullMQ queue (Redis): job payloads, the worker, the coordinator of a collection
 * and of an evaluation sweep. See docs/distributed.md.
 *
 * @module
 */
export * from './jobs.js';
export * from './connection.js';
export * from './shared-folder.js';
export * from './process-job.js';
export * from './worker.js';
export * from './run-jobs.js';
export * from './assemble.js';
export * from './collect.js';
export * from './sweep.js';
export * from './validate.js';
