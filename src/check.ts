/**
 * `checkEnv`: the conformance checks every environment must pass — each check of Gymnasium's
 * `check_env` plus Embodied's own for {@link Stateful} environments (exact save/restore, clonable
 * states, side-effect-free `getState`). It never throws for a broken environment: it reports.
 *
 * Each check is one function in `src/check/` (as Gymnasium's `check_reset_seed_determinism`, …); this
 * file runs them in order and skips the ones an earlier failure makes meaningless.
 *
 * @module
 */
import { z } from 'zod';
import { checkClose, checkUseAfterClose } from './check/close-checks.js';
import { checkContext, isObject, type StateCheckContext, wrapperChain } from './check/context.js';
import { checkResetOptions, checkResetResult, checkResetSeedDeterminism, checkResetSeedDifferent } from './check/reset-checks.js';
import { CheckRunner } from './check/runner.js';
import { checkActionSpace, checkObservationSpace, checkSpec } from './check/space-checks.js';
import { checkStateClonable, checkStateNoSideEffects, checkStateRestore } from './check/state-checks.js';
import { checkRender, checkStepDeterminism, checkStepResult, declaredRenderModes } from './check/step-checks.js';
import { type Env, isStateful, type Stateful } from './env.js';
import { parseOptions } from './options.js';
import { Wrapper } from './wrappers/wrapper.js';

/** One check's outcome. */
export interface EnvCheckResult {
  /** The check's name, e.g. `'reset-seed-determinism'`. */
  readonly name: string;
  /** Whether it passed (skipped checks count as passed). */
  readonly passed: boolean;
  /** Why it failed, or why it was skipped. */
  readonly message?: string;
  /** True when the check did not run (nondeterministic env, not Stateful, an earlier failure). */
  readonly skipped?: boolean;
}

/** What {@link checkEnv} returns. */
export interface CheckReport {
  /** True when no check failed. */
  readonly passed: boolean;
  /** The failed checks and why. */
  readonly failures: { readonly check: string; readonly message: string }[];
  /** Advice that is not a failure (unbounded spaces, non-normalised actions, a wrapped env). */
  readonly warnings: string[];
  /** Every check, in the order run. */
  readonly checks: EnvCheckResult[];
}

/** Zod schema of {@link CheckEnvOptions}. */
export const CheckEnvOptionsSchema = z
  .object({
    /** Seed of the determinism checks; a second seed is `seed + 333`. Default 123 (as Gymnasium). */
    seed: z.number().int().nonnegative().default(123),
    /** Steps replayed by the state checks. Default 10. */
    stateSteps: z.number().int().positive().default(10),
    /** Skip rendering every declared mode. Default false. */
    skipRenderCheck: z.boolean().default(false),
    /** Skip closing the env (and the use-after-close check); the env stays usable. Default false. */
    skipCloseCheck: z.boolean().default(false),
    /** Longest time one call into the env may take before it counts as hung, ms. Default 10000. */
    timeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

/** Options of {@link checkEnv}. */
export type CheckEnvOptions = z.input<typeof CheckEnvOptionsSchema>;

/**
 * Runs the conformance checks on `env` and reports every failure. The env is reset and stepped many
 * times and, unless `skipCloseCheck`, closed at the end.
 *
 * @example
 * ```ts
 * const report = await checkEnv(new LineWorld());
 * if (!report.passed) console.error(report.failures);
 * ```
 * @throws only {@link InvalidArgumentError} for bad `options`; a broken env is reported, never thrown.
 */
export async function checkEnv(env: Env<unknown, unknown>, options: CheckEnvOptions = {}): Promise<CheckReport> {
  const opts = parseOptions(CheckEnvOptionsSchema, options, 'checkEnv options');
  const ctx = checkContext(env, opts);
  const runner = new CheckRunner();
  const nondeterministic = isObject(env.spec) && env.spec.nondeterministic === true ? 'spec.nondeterministic is true' : undefined;
  if (env instanceof Wrapper) {
    ctx.warnings.push(`checking a wrapped environment (${wrapperChain(env)}): the checks apply to the whole stack; pass env.unwrapped to check the environment alone`);
  }

  await runner.run('spec', () => checkSpec(ctx));
  await runner.run('observation-space', () => checkObservationSpace(ctx));
  await runner.run('action-space', () => checkActionSpace(ctx));
  const spacesBroken = runner.skipIfFailed(['observation-space', 'action-space'], 'a space is malformed');

  await runner.run('reset-result', () => checkResetResult(ctx), spacesBroken);
  const noReset = runner.skipIfFailed(['reset-result'], 'reset() is broken', spacesBroken);
  await runner.run('reset-seed-determinism', () => checkResetSeedDeterminism(ctx), noReset ?? nondeterministic);
  await runner.run('reset-seed-different', () => checkResetSeedDifferent(ctx), noReset ?? nondeterministic);
  await runner.run('reset-options', () => checkResetOptions(ctx), noReset);

  await runner.run('step-result', () => checkStepResult(ctx), noReset);
  const noStep = runner.skipIfFailed(['step-result'], 'step() is broken', noReset);
  await runner.run('step-determinism', () => checkStepDeterminism(ctx), noStep ?? nondeterministic);
  const renderModes = declaredRenderModes(ctx);
  await runner.run('render', () => checkRender(ctx, renderModes), opts.skipRenderCheck ? 'skipRenderCheck' : noReset);

  const stateful = isStateful(env) ? (env as Env<unknown, unknown> & Stateful) : undefined;
  const noState = stateful === undefined ? 'not Stateful' : noStep;
  const stateCtx: StateCheckContext = { ...ctx, stateful: stateful!, clonable: false };
  await runner.run('state-clonable', () => checkStateClonable(stateCtx), noState);
  await runner.run('state-restore', () => checkStateRestore(stateCtx), noState ?? nondeterministic);
  await runner.run('state-no-side-effects', () => checkStateNoSideEffects(stateCtx), noState ?? nondeterministic);

  await runner.run('close', () => checkClose(ctx), opts.skipCloseCheck ? 'skipCloseCheck' : undefined);
  const closeBroken = runner.skipIfFailed(['close'], 'close() is broken', noStep);
  await runner.run('use-after-close', () => checkUseAfterClose(ctx), opts.skipCloseCheck ? 'skipCloseCheck' : closeBroken);

  const checks: EnvCheckResult[] = runner.checks;
  const failures = checks.filter((c) => !c.passed).map((c) => ({ check: c.name, message: c.message ?? '' }));
  return { passed: failures.length === 0, failures, warnings: ctx.warnings, checks };
}
