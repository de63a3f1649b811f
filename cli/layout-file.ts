/**
 * `--layout-file <path>`: a warehouse layout read from a file — an ASCII map or a MovingAI / League of
 * Robot Runners `.map` — passed as the `layout` environment option, so a dataset's manifest records the
 * map itself, not a path that may change. The file is read and checked by the same reader as the
 * environments' `layoutFile` option (`readLayoutFile`, with the `robots`, `packages`, `dropZones` and
 * `mapSeed` of `--env-options`), so a malformed map is refused before anything runs, naming the file's
 * line and column.
 *
 * @module
 */
import { readLayoutFile } from '../environments/warehouse/maps/layout-file.js';
import type { FleetPlacementOptions } from '../environments/warehouse/maps/placement.js';
import { InvalidArgumentError } from '../src/errors.js';

/**
 * `envOptions` with `layout` set to the map in the file at `path` (unchanged without a path).
 * @throws {@link InvalidArgumentError} when the file cannot be read, its map is malformed (naming line
 * and column), or `envOptions` already has a `layout` or a `layoutFile`.
 */
export async function withLayoutFile(envOptions: Record<string, unknown> | undefined, path: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (path === undefined) return envOptions;
  if (envOptions?.layout !== undefined || envOptions?.layoutFile !== undefined) {
    throw new InvalidArgumentError(`give the layout once: --layout-file ${path} or "layout"/"layoutFile" in --env-options, not both`);
  }
  const { text } = readLayoutFile(path, (envOptions ?? {}) as FleetPlacementOptions, `--layout-file ${path}`);
  return { ...envOptions, layout: text };
}
