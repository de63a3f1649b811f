/**
 * Option validation with zod: every constructor that takes an options object parses it here, so bad
 * input always becomes an {@link InvalidArgumentError} naming the option path, what was expected and
 * what was given.
 *
 * @module
 */
import { z } from 'zod';
import { InvalidArgumentError, describeValue } from './errors.js';

/**
 * Parses `value` with `schema`; on failure throws an {@link InvalidArgumentError} whose message starts
 * with `where` and lists each problem as `path: expected …, got …`.
 *
 * @example
 * ```ts
 * const Options = z.object({ mass: z.number().positive().default(1) }).strict();
 * const opts = parseOptions(Options, userOptions, 'PushBox-v0 options');
 * ```
 */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    const got = valueAt(value, issue.path);
    return `\`${path}\`: ${issue.message}${got.found ? ` (got ${describeValue(got.value)})` : ''}`;
  });
  throw new InvalidArgumentError(`${where}: ${problems.join('; ')}`);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let cur: unknown = root;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || !(key in cur)) return { found: false };
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: cur };
}

export { z };
