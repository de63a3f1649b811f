/**
 * The scripted baselines of the demo's environments, built from the environment's options.
 *
 * @module
 */
import type { Policy } from '../../src/policy.js';
import { pushBoxPolicy } from '../scripted/push-box.js';
import { WarehouseGreedyPolicy } from '../scripted/warehouse.js';

const BUILDERS: Readonly<Record<string, (envOptions: Record<string, unknown>) => Policy<Float32Array, Float32Array>>> = {
  'Warehouse-v0': (env) => new WarehouseGreedyPolicy(env),
  'PushBox-v0': (env) => pushBoxPolicy({ env }) as Policy<Float32Array, Float32Array>,
};

/** A fresh scripted baseline for `envId`, or `undefined` when the demo has none for it. */
export function scriptedPolicyFor(envId: string, envOptions: Record<string, unknown>): Policy<Float32Array, Float32Array> | undefined {
  return BUILDERS[envId]?.(envOptions);
}
