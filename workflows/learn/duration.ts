/**
 * Durations as people write them on a command line: `90s`, `10m`, `1h`, `1.5h`, `250ms`.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../../src/errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds of a duration: a positive number with a unit `ms`, `s`, `m` or `h` (e.g. `90s`, `10m`,
 * `1h`), or a positive number of milliseconds.
 * @param name - the option's name, for the message
 * @throws {@link InvalidArgumentError} naming the option and its value when it is not a positive duration.
 */
export function parseDuration(value: string | number, name = 'budget'): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value > 0) return value;
    throw new InvalidArgumentError(`\`${name}\`: expected a positive duration, got ${describeValue(value)}`);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(value);
  const ms = m ? Number(m[1]) * UNITS[m[2]!]! : NaN;
  if (!(ms > 0)) throw new InvalidArgumentError(`\`${name}\`: expected a positive duration such as 90s, 10m or 1h, got ${describeValue(value)}`);
  return ms;
}

/** A duration for people: `2m 05s`, `48.3s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}
