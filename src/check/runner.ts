/**
 * Runs named checks one after another and records each outcome: passed (with an optional note),
 * failed (with the {@link Failure}'s message, or what an unexpected error said), or skipped.
 *
 * @module
 */
import { describeError, Failure } from './context.js';

/** One check's outcome (re-exported as `EnvCheckResult`). */
export interface CheckOutcome {
  readonly name: string;
  readonly passed: boolean;
  readonly message?: string;
  readonly skipped?: boolean;
}

// biome-ignore lint/suspicious/noConfusingVoidType: a check body either returns a note or nothing
type CheckBody = () => Promise<string | void | undefined> | string | void | undefined;

/** Records the checks of one run, in order. */
export class CheckRunner {
  readonly checks: CheckOutcome[] = [];
  private readonly failed = new Set<string>();

  /** Runs `body` as check `name`, or records it as skipped when `skip` gives a reason. */
  async run(name: string, body: CheckBody, skip?: string): Promise<void> {
    if (skip !== undefined) {
      this.checks.push({ name, passed: true, skipped: true, message: `skipped: ${skip}` });
      return;
    }
    try {
      const note = await body();
      this.checks.push({ name, passed: true, ...(note ? { message: note } : {}) });
    } catch (e) {
      this.failed.add(name);
      this.checks.push({ name, passed: false, message: e instanceof Failure ? e.message : `threw ${describeError(e)}` });
    }
  }

  /** `reason` when any of `names` failed, else `otherwise` (the reason later checks are skipped). */
  skipIfFailed(names: readonly string[], reason: string, otherwise?: string): string | undefined {
    return names.some((n) => this.failed.has(n)) ? reason : otherwise;
  }
}
