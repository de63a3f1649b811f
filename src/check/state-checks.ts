/**
 * Embodied's checks of {@link Stateful} environments: states cross worker threads, `setState` restores
 * exactly, and `getState` neither disturbs the episode nor aliases live buffers.
 *
 * @module
 */
import { clone, describeError, fail, type StateCheckContext } from './context.js';
import { difference, rollout } from './trajectory.js';

/** `getState()` returns a structured-clonable state; records `ctx.clonable` for the checks after it. */
export async function checkStateClonable(ctx: StateCheckContext): Promise<void> {
  const { env, guard, seed, stateful } = ctx;
  await guard('reset({ seed })', () => env.reset({ seed }));
  const state = await guard('getState()', () => stateful.getState());
  try {
    structuredClone(state);
  } catch (e) {
    fail(`getState() returned a state that is not structured-clonable (it cannot cross worker threads): ${describeError(e)}`);
  }
  ctx.clonable = true;
}

/** `getState()` → steps → `setState()` → the same steps repeat bit for bit. */
export async function checkStateRestore({ env, guard, seed, seed2, stateful, clonable, options, sampleActions }: StateCheckContext): Promise<void> {
  const warm = sampleActions(3, seed);
  const actions = sampleActions(options.stateSteps, seed2);
  await guard('reset({ seed })', () => env.reset({ seed }));
  for (const a of warm) {
    const r = await guard('step(action)', () => env.step(clone(a)));
    if (r.terminated || r.truncated) await guard('reset({ seed })', () => env.reset({ seed: seed2 }));
  }
  const saved = await guard('getState()', () => stateful.getState());
  const state = clonable ? structuredClone(saved) : saved;
  const first = await rollout(env, guard, actions);
  await guard('setState(state)', () => stateful.setState(state));
  const second = await rollout(env, guard, actions);
  const d = difference(first, second);
  if (d) fail(`getState() → ${actions.length} steps → setState() → the same steps did not repeat bit for bit: ${d}`);
}

/** Calling `getState()` between steps changes nothing, and a saved state does not change as the env steps on. */
export async function checkStateNoSideEffects({ env, guard, seed, seed2, stateful, clonable, options, sampleActions }: StateCheckContext): Promise<string | undefined> {
  const actions = sampleActions(options.stateSteps, seed2);
  await guard('reset({ seed })', () => env.reset({ seed }));
  const plain = await rollout(env, guard, actions);
  await guard('reset({ seed })', () => env.reset({ seed }));
  const probed = await rollout(env, guard, actions, async () => {
    await guard('getState()', () => stateful.getState());
    await guard('getState()', () => stateful.getState());
  });
  const d = difference(plain, probed);
  if (d) fail(`calling getState() between steps changed the trajectory: ${d}`);
  if (!clonable) return 'aliasing not checked: the state is not clonable';
  await guard('reset({ seed })', () => env.reset({ seed }));
  const saved = await guard('getState()', () => stateful.getState());
  const copy = structuredClone(saved);
  await rollout(env, guard, actions.slice(0, 3));
  const changed = difference(copy, saved);
  if (changed) fail(`a saved state changed when the env stepped on (it aliases live buffers): ${changed}`);
  return undefined;
}
