/**
 * The checks of `close`: it may be called twice, and a closed env refuses to step.
 *
 * @module
 */
import { EnvStateError } from '../errors.js';
import { type CheckContext, describeError, fail } from './context.js';

/** `close()` settles, and a second `close()` does too. */
export async function checkClose({ env, guard }: CheckContext): Promise<void> {
  await guard('close()', () => env.close());
  await guard('close() (second call)', () => env.close());
}

/** `step()` after `close()` throws an {@link EnvStateError}. */
export async function checkUseAfterClose({ env, guard, seed, sampleActions }: CheckContext): Promise<void> {
  const action = sampleActions(1, seed)[0];
  try {
    await guard('step() after close()', () => env.step(action));
  } catch (e) {
    if (e instanceof EnvStateError) return;
    fail(`expected step() after close() to throw an EnvStateError, got ${describeError(e)}`);
  }
  fail('expected step() after close() to throw an EnvStateError, but it returned a result');
}
