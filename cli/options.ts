/**
 * What every `embodied` subcommand shares: commander option parsers (integers, numbers, JSON objects),
 * error reporting (an `EmbodiedError` becomes one line on stderr and exit code 1; anything else is a
 * bug and propagates), and Ctrl-C / SIGTERM handling (the first signal asks the running job to stop at its
 * next safe point, the second quits at once; exit code 130 after SIGINT, 143 after SIGTERM).
 *
 * @module
 */
import { InvalidArgumentError as CommanderArgumentError, type Command } from 'commander';
import { EmbodiedError, describeValue } from '../src/errors.js';

/** A commander option parser for integers ≥ `min` (commander prints its error and exits 1). */
export function integerOption(min: number): (v: string) => number {
  return (v: string): number => {
    // Decimal digits only: `Number` would also take `0x10`, `1e1` and `10.0`, which nobody means as a count.
    const n = /^[+-]?\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min) throw new CommanderArgumentError(`expected an integer ≥ ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
}

/** A commander option parser for finite numbers ≥ `min`. */
export function numberOption(min: number): (v: string) => number {
  return (v: string): number => {
    // Decimal notation with an optional exponent (`3e-4`); no hexadecimal or binary.
    const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v.trim()) ? Number(v) : Number.NaN;
    if (!Number.isFinite(n) || n < min) throw new CommanderArgumentError(`expected a number ≥ ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
}

/** A commander option parser for a JSON object (e.g. `--env-options '{"layout":"small"}'`). */
export function jsonObjectOption(v: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch (e) {
    throw new CommanderArgumentError(`expected a JSON object: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CommanderArgumentError(`expected a JSON object, got ${describeValue(parsed)}`);
  return parsed as Record<string, unknown>;
}

/**
 * A workflow's message in the command's terms, without the workflow's name: each option it names (`` `randomProb` ``, `` `oracle: true` ``)
 * becomes the flag that sets it (`--random-prob`, `--oracle`, `--policy mpc` for `` `policy: 'mpc'` ``).
 */
export function inFlagTerms(message: string, command: Command): string {
  const flags = new Map(command.options.filter((o) => o.long !== undefined).map((o) => [o.attributeName(), o.long!]));
  // Flags whose option has another name in the API: `--planner` sets `algorithm`, `--env` sets `envId`.
  for (const [flag, option] of [
    ['planner', 'algorithm'],
    ['env', 'envId'],
  ] as const) {
    const long = flags.get(flag);
    if (long !== undefined && !flags.has(option)) flags.set(option, long);
  }
  // The command's name is added once by reportErrors: a message that already carries it (or the
  // workflow's own name, `collectDataset options: …`, meaningless to someone who typed a command) loses it.
  const own = message.replace(/^(?:embodied(?: [\w-]+)?: )+/, '').replace(/^[a-z]\w*(?: options)?: /, '');
  // Writers below the workflows say `pass overwrite: true` without backticks: name the flag there too.
  const marked = own.replace(/\bpass (\w+): true\b/g, 'pass `$1: true`');
  return marked.replace(/`(\w+)(?:: (true|'[\w-]+'))?`/g, (text, name: string, value?: string) => {
    const flag = flags.get(name);
    if (flag === undefined) return text;
    return value === undefined || value === 'true' ? flag : `${flag} ${value.slice(1, -1)}`;
  });
}

/**
 * Runs `action`; an {@link EmbodiedError} is printed as `embodied <command>: <message>` (in flag terms)
 * with exit code 1.
 */
export async function reportErrors(command: Command, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (e) {
    if (!(e instanceof EmbodiedError)) throw e;
    console.error(`embodied ${command.name()}: ${inFlagTerms(e.message, command)}`);
    process.exitCode = 1;
  }
}

/** The exit code after a stop by each signal: 128 + its number, as shells report a death by it. */
const STOP_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Runs `action(signal)` under {@link reportErrors} with Ctrl-C and SIGTERM (kill, timeout, docker stop)
 * wired to `signal`: the first SIGINT or SIGTERM prints `stopping` and aborts the signal (with `reason`,
 * when given), so the job stops at its next safe point and keeps its finished work; a second one exits
 * at once. The exit code is then 130 after SIGINT and 143 after SIGTERM (1 when the action failed).
 * The handlers are removed when the action settles.
 */
export async function withCtrlC(command: Command, stopping: string, action: (signal: AbortSignal) => Promise<void>, reason?: unknown): Promise<AbortSignal> {
  const controller = new AbortController();
  let stoppedBy: keyof typeof STOP_EXIT_CODES | undefined;
  const onSignal = (name: keyof typeof STOP_EXIT_CODES) => {
    if (controller.signal.aborted) process.exit(STOP_EXIT_CODES[name]);
    stoppedBy = name;
    process.stderr.write(`\n${stopping} (${name === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to quit at once)…\n`);
    controller.abort(reason);
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    await reportErrors(command, () => action(controller.signal));
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
  if (stoppedBy !== undefined && process.exitCode !== 1) process.exitCode = STOP_EXIT_CODES[stoppedBy];
  return controller.signal;
}
