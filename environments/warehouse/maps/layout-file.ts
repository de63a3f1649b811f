/**
 * Layout files: an ASCII layout or a MovingAI / League of Robot Runners map in a file. The one reader
 * behind the `layoutFile` option of the warehouse environments and the CLI's `--layout-file`: it
 * recognises the format, resolves the layout with the fleet options, and turns a {@link LayoutError}
 * into an error that names the file's line and column.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../../src/errors.js';
import { type Layout, LayoutError } from '../layout.js';
import { resolveLayout } from '../layouts.js';
import type { FleetPlacementOptions } from './placement.js';

/** Where an ASCII map's row and column (as `parseLayout` counts them, after dropping blank edges and the common indent) are in its text. */
function asciiLocation(text: string, row: number, column: number): { line: number; column: number } {
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
 * The layout in `text` (an ASCII layout or a MovingAI-format map) with `fleet`'s robots, packages and
 * drop zones.
 * @param source - how to name the text in errors, e.g. `--layout-file maps/a.map`
 * @throws {@link InvalidArgumentError} `"<source>, line L, column C: <what>"` for a malformed map, and the
 * placement errors of {@link resolveLayout}.
 */
export function layoutFromText(text: string, source: string, fleet: FleetPlacementOptions = {}): Layout {
  try {
    return resolveLayout(text, fleet);
  } catch (e) {
    if (!(e instanceof LayoutError)) throw e;
    const at = e.line !== undefined ? { line: e.line, column: e.column } : asciiLocation(text, e.row, e.column);
    throw new InvalidArgumentError(`${source}, line ${at.line}, column ${at.column}: ${e.message.replace(/^(Warehouse layout|MovingAI map): /, '')}`, { cause: e });
  }
}

/**
 * Reads a layout file synchronously (environment constructors are synchronous) and resolves it.
 * @param source - how to name the file in errors (default `layoutFile <path>`)
 * @throws {@link InvalidArgumentError} when the file cannot be read or its map is malformed (line and column).
 */
export function readLayoutFile(path: string, fleet: FleetPlacementOptions = {}, source = `layoutFile ${path}`): { text: string; layout: Layout } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(`${source}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  return { text, layout: layoutFromText(text, source, fleet) };
}
