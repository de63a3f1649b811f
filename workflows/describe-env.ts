/**
 * `envDetails` and `formatEnvDetails`: what `embodied envs <id>` prints: one environment's time limit, its observation and action as
 * tables (field names from the card's validation spec where it has one, bounds from the spaces) and
 * its constructor options (keys, types, defaults) from the card's `optionsSchema`.
 *
 * @module
 */
import type { z } from 'zod';
import { environmentCard } from '../environments/cards.js';
import { make, registration } from '../src/registry.js';
import { Box, type Space } from '../src/spaces.js';

/** One row of a table: a name and its columns. */
export type DetailRow = Record<string, string>;

/** One environment described: what `embodied envs <id>` prints (`--json` prints this object). */
export interface EnvDetails {
  readonly id: string;
  readonly description: string;
  readonly maxEpisodeSteps: number | null;
  readonly observation: { readonly space: string; readonly rows: DetailRow[] };
  readonly action: { readonly space: string; readonly rows: DetailRow[] };
  /** Constructor options (`--env-options`); `null` when the environment's schema is not known. */
  readonly options: DetailRow[] | null;
}

const range = (a: number, b: number) => (a === b ? String(a) : `${a}…${b}`);
const bound = (v: Float32Array, from: number, size: number, pick: (a: number, b: number) => number) => {
  const x = v.subarray(from, from + size).reduce((a, b) => pick(a, b));
  return Number.isFinite(x) ? String(x) : x > 0 ? 'inf' : '-inf';
};

/** Rows of a space: one per named field when `fields` cover it, else one per entry (a Box), else one row. */
function spaceRows(space: Space<unknown>, fields: readonly { name: string; start: number; size: number; unit?: string }[]): DetailRow[] {
  if (!(space instanceof Box)) return [{ name: space.type, index: '-', low: '-', high: '-', unit: '', detail: JSON.stringify(space) }];
  const size = space.low.length;
  const named = fields.length > 0 && fields.every((f) => f.start + f.size <= size) ? fields : Array.from({ length: size }, (_, i) => ({ name: `[${i}]`, start: i, size: 1 }));
  return named.map((f) => ({
    name: f.name,
    index: range(f.start, f.start + f.size - 1),
    low: bound(space.low, f.start, f.size, Math.min),
    high: bound(space.high, f.start, f.size, Math.max),
    unit: 'unit' in f ? (f.unit ?? '') : '',
  }));
}

/** A zod schema's type in a few words (`number`, `integer`, `'lift' | 'push'`, `[number, number]`). */
function typeOf(schema: z.ZodType): string {
  const def = schema.def as { type: string; innerType?: z.ZodType; entries?: Record<string, string>; items?: z.ZodType[]; element?: z.ZodType; options?: z.ZodType[] };
  if (def.type === 'default' || def.type === 'optional' || def.type === 'nullable') return typeOf(def.innerType!);
  if (def.type === 'number') return (schema as z.ZodNumber).isInt ? 'integer' : 'number';
  if (def.type === 'enum')
    return Object.values(def.entries!)
      .map((v) => `'${v}'`)
      .join(' | ');
  if (def.type === 'tuple') return `[${def.items!.map(typeOf).join(', ')}]`;
  if (def.type === 'array') return `${typeOf(def.element!)}[]`;
  if (def.type === 'union') return def.options!.map(typeOf).join(' | ');
  return def.type;
}

/** The options table of a zod object schema: key, type and default (`-`: none, the option may be left out). */
export function optionRows(schema: z.ZodObject): DetailRow[] {
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, s]) => {
    const def = s.def as { type: string; defaultValue?: unknown };
    return { name, type: typeOf(s), default: def.type === 'default' ? JSON.stringify(def.defaultValue) : '-' };
  });
}

/** Describes a registered environment (made once with default options to read its spaces). */
export async function envDetails(id: string): Promise<EnvDetails> {
  const reg = registration(id);
  const env = make(id);
  try {
    const fields = environmentCard(id)?.validationSpec?.({}).fields ?? [];
    const describe = (space: Space<unknown>) => `${space.type} [${space.shape.join(', ')}]`;
    const schema = environmentCard(id)?.optionsSchema;
    return {
      id,
      description: reg.description ?? '',
      maxEpisodeSteps: reg.maxEpisodeSteps ?? null,
      observation: { space: describe(env.observationSpace as Space<unknown>), rows: spaceRows(env.observationSpace as Space<unknown>, fields) },
      action: { space: describe(env.actionSpace as Space<unknown>), rows: spaceRows(env.actionSpace as Space<unknown>, []) },
      options: schema ? optionRows(schema) : null,
    };
  } finally {
    await env.close();
  }
}

/** Rows as an aligned text table under a header of their keys. */
function table(rows: readonly DetailRow[]): string[] {
  const keys = Object.keys(rows[0] ?? {});
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => (r[k] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return [line(keys), ...rows.map((r) => line(keys.map((k) => r[k] ?? '')))];
}

/** The details as `embodied envs <id>` prints them. */
export function formatEnvDetails(d: EnvDetails): string {
  return [
    `${d.id} — ${d.description}`,
    `time limit  ${d.maxEpisodeSteps ?? 'none'} steps (--max-episode-steps changes it)`,
    '',
    `observation ${d.observation.space}`,
    ...table(d.observation.rows),
    '',
    `action ${d.action.space}`,
    ...table(d.action.rows),
    '',
    ...(d.options ? ['options (--env-options as JSON; a default of - means the option may be left out)', ...table(d.options)] : ['options: no schema known for this environment']),
  ].join('\n');
}
