/**
 * The warehouse environments: `Warehouse-v0` (flat view, registered by its card) and
 * {@link WarehouseParallelEnv} (per-robot dict API), layouts from ASCII maps, helpers, the greedy
 * scripted baseline and the validation spec.
 *
 * @module
 */
export * from './layout.js';
export * from './layouts.js';
export * from './config.js';
export * from './observation.js';
export { WarehouseResetSchema, type WarehouseResetOptions } from './reset-options.js';
export type { WarehouseTaskState } from './task.js';
export { Lidar } from './lidar.js';
export { cellCentre, warehouseHeights, type WarehousePlacement, type WarehouseHeights } from './world.js';
export * from './warehouse-env.js';
export * from './parallel-env.js';
export * from './scripted.js';
export * from './validation.js';
export * from './card.js';
export * from './maps/movingai.js';
export * from './maps/placement.js';
export * from './maps/layout-file.js';
export * from './maps/generate.js';
export * from './fleet/reservation.js';
export * from './fleet/prioritized.js';
export * from './fleet/ego.js';
export * from './fleet/robot-cost.js';
export * from './fleet/shelf-brake.js';
export * from './fleet/motion.js';
export * from './fleet/motion-worker.js';
export * from './fleet/mpc-policy.js';
export * from './fleet/oracle.js';
export * from './path-distance.js';
