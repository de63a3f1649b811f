/**
 * The warehouse environments: `Warehouse-v0` (flat view, registered) and
 * {@link WarehouseParallelEnv} (per-robot dict API), layouts from ASCII maps, and helpers.
 *
 * @module
 */
import { register } from '../../src/registry.js';
import type { WarehouseOptions } from './config.js';
import { WarehouseEnv } from './warehouse-env.js';

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

register({
  id: 'Warehouse-v0',
  entryPoint: (options) => new WarehouseEnv(options as WarehouseOptions),
  module: import.meta.url,
  maxEpisodeSteps: 200,
  description: 'Holonomic robots grip packages and deliver them to drop zones among shelves (ASCII layouts; tiny by default, 10 Hz).',
});
