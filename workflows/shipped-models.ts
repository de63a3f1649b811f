/**
 * The world-model bundles that ship inside the `embodied` package (`models/` at the package root), found
 * wherever the package lives: a clone, the built `dist/`, or `node_modules/embodied` in a user's project.
 * `shippedModel('pushbox')` is the path to hand to `WorldModelEnv.load` or `createPlanSource`; the same
 * files are also exported as `embodied/models/*` for tools that resolve package subpaths.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from '../src/errors.js';
import { packageRoot } from './demo/demo-tasks.js';

/** The bundles under `models/`, each with the environment it models. */
export const SHIPPED_MODELS = { pushbox: 'PushBox-v0', 'warehouse-tiny': 'Warehouse-v0' } as const;

/** The name of a shipped bundle: a directory under the package's `models/`. */
export type ShippedModelName = keyof typeof SHIPPED_MODELS;

/** The names of the shipped bundles, in a stable order. */
export function shippedModelNames(): ShippedModelName[] {
  return Object.keys(SHIPPED_MODELS) as ShippedModelName[];
}

/**
 * Absolute path of the shipped bundle `name` (a directory with `manifest.json` and its ONNX graphs).
 *
 * @throws {@link InvalidArgumentError} when `name` is not a shipped bundle (the message lists them), or its
 * directory is missing from the installed package.
 */
export function shippedModel(name: ShippedModelName): string {
  if (!Object.hasOwn(SHIPPED_MODELS, name)) {
    throw new InvalidArgumentError(`shippedModel: expected \`name\` ${shippedModelNames().join(' or ')}, got ${JSON.stringify(name)}`);
  }
  const dir = join(packageRoot(), 'models', name);
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new InvalidArgumentError(`shippedModel: \`name\` ${JSON.stringify(name)} has no bundle at ${dir} (is the package's models/ folder installed?)`);
  }
  return dir;
}
