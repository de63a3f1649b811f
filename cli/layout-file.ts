/**
 * `--layout-file <path>`: a warehouse layout (ASCII map) read from a file and passed as the `layout`
 * environment option, so a dataset's manifest records the map itself, not a path that may change.
 * A malformed map is refused before anything runs, naming the file's line and column.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { LayoutError, parseLayout } from '../environments/warehouse/layout.js';
import { InvalidArgumentError } from '../src/errors.js';

/** Where a map's row and column (as `parseLayout` counts them, after dropping blank edges and the common indent) are in the file. */
function fileLocation(text: string, row: number, column: number): { line: number; column: number } {
  const lines = text.replace(/\r/g, '').split('\n');
  const blank = (l: string) => l.trim().length === 0;
  const first = Math.max(
    0,
    lines.findIndex((l) => !blank(l)),
  );
  const indent = Math.min(...lines.filter((l) => !blank(l)).map((l) => /^ */.exec(l)![0].length), Number.MAX_SAFE_INTEGER);
  return { line: first + row, column: (indent === Number.MAX_SAFE_INTEGER ? 0 : indent) + column };
}

/**
 * `envOptions` with `layout` set to the map in the file at `path` (unchanged without a path).
 * @throws {@link InvalidArgumentError} when the file cannot be read, its map is malformed (naming line
 * and column), or `envOptions` already has a `layout`.
 */
export async function withLayoutFile(envOptions: Record<string, unknown> | undefined, path: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (path === undefined) return envOptions;
  if (envOptions?.layout !== undefined) throw new InvalidArgumentError(`give the layout once: --layout-file ${path} or "layout" in --env-options, not both`);
  let map: string;
  try {
    map = await readFile(path, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(`--layout-file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  try {
    parseLayout(map, basename(path));
  } catch (e) {
    if (!(e instanceof LayoutError)) throw e;
    const at = fileLocation(map, e.row, e.column);
    throw new InvalidArgumentError(`--layout-file ${path}, line ${at.line}, column ${at.column}: ${e.message.replace(/^Warehouse layout: /, '')}`, { cause: e });
  }
  return { ...envOptions, layout: map };
}
