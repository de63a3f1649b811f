/**
 * Built-in warehouse layouts (see {@link parseLayout} for the symbols).
 *
 * @module
 */
import { parseLayout, type Layout } from './layout.js';
import { isMovingAiMap, parseMovingAiMap } from './maps/movingai.js';
import { type FleetPlacementOptions, layoutFromGridMap, withFleetSize } from './maps/placement.js';

/**
 * `tiny`: one robot, one package, one drop zone on a 4×5 open floor inside a shelf border. The
 * greedy baseline delivers in about 50–70 control steps; the time limit is 200.
 */
export const TINY_MAP = `
#######
#R....#
#.....#
#....P#
#D....#
#######
`;

/** `small`: two robots, four packages, two drop zones, two rows of shelf blocks. */
export const SMALL_MAP = `
############
#R........R#
#.###..###.#
#.P.....P..#
#..........#
#.###..###.#
#..P....P..#
#D........D#
############
`;

/** `medium`: four robots, eight packages, three drop zones, three aisles of shelf blocks. */
export const MEDIUM_MAP = `
##################
#R..............R#
#.####.####.####.#
#..P......P....P.#
#.####.####.####.#
#...P.......P....#
#.####.####.####.#
#.P.....P......P.#
#.####.####.####.#
#R..............R#
#...D...D....D...#
##################
`;

/** Names of the built-in layouts. */
export const BUILTIN_LAYOUT_NAMES = ['tiny', 'small', 'medium'] as const;
/** A built-in layout name. */
export type BuiltinLayoutName = (typeof BUILTIN_LAYOUT_NAMES)[number];

const MAPS: Record<BuiltinLayoutName, string> = { tiny: TINY_MAP, small: SMALL_MAP, medium: MEDIUM_MAP };

/** Default episode lengths (control steps) of the built-in layouts; custom maps get 500. */
export const DEFAULT_MAX_EPISODE_STEPS: Record<BuiltinLayoutName | 'custom', number> = { tiny: 200, small: 500, medium: 1000, custom: 500 };

const cache = new Map<string, Layout>();

/** Whether `name` is a built-in layout name. */
export function isBuiltinLayoutName(name: string): name is BuiltinLayoutName {
  return (BUILTIN_LAYOUT_NAMES as readonly string[]).includes(name);
}

/**
 * A layout from a built-in name (`tiny`, `small`, `medium`), an ASCII map, a MovingAI / League of Robot
 * Runners map's text (recognised by its `type octile` header), or an already parsed {@link Layout}, with
 * the robots, packages and drop zones of `fleet` (see {@link layoutFromGridMap} and {@link withFleetSize}).
 * @throws {@link LayoutError} for a malformed map (a string that is neither a built-in name nor a
 * valid map; the message then also lists the built-in names).
 */
export function resolveLayout(layout: string | Layout, fleet: FleetPlacementOptions = {}): Layout {
  if (typeof layout === 'string' && isMovingAiMap(layout)) return layoutFromGridMap(parseMovingAiMap(layout), fleet);
  return withFleetSize(resolveAsciiLayout(layout), fleet);
}

function resolveAsciiLayout(layout: string | Layout): Layout {
  if (typeof layout !== 'string') return layout;
  if (isBuiltinLayoutName(layout)) {
    let parsed = cache.get(layout);
    if (parsed === undefined) {
      parsed = parseLayout(MAPS[layout], layout);
      cache.set(layout, parsed);
    }
    return parsed;
  }
  if (!layout.includes('\n') && /^[a-z][a-z0-9-]*$/i.test(layout.trim()) && !/^[#W.RPD]+$/.test(layout.trim())) {
    // A lone word that is not a map is almost certainly a misspelt layout name.
    try {
      return parseLayout(layout);
    } catch (e) {
      if (e instanceof Error) e.message += ` — or did you mean a built-in layout name (${BUILTIN_LAYOUT_NAMES.join(', ')})?`;
      throw e;
    }
  }
  if (!layout.includes('\n') && /[/\\]|\.\w+$/.test(layout.trim())) {
    // `layout` is a map's text, never a path: say so when it looks like one (`--layout-file` reads a file).
    try {
      return parseLayout(layout);
    } catch (e) {
      if (e instanceof Error) e.message += ` — "layout" takes a built-in name or the map's text, not a file path (read the file first; the CLI's --layout-file <path> does)`;
      throw e;
    }
  }
  return parseLayout(layout);
}
