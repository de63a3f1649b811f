/**
 * The checks of `step` and `render`: the step result's shape and types, that a seed and an action
 * make a step repeat, and that every declared render mode renders.
 *
 * @module
 */
import { describeValue } from '../errors.js';
import { type CheckContext, clone, fail, isObject, isPlainRecord } from './context.js';
import { difference } from './trajectory.js';

const STEP_KEYS = ['observation', 'reward', 'terminated', 'truncated', 'info'];

/** `step(action)` returns `{ observation, reward, terminated, truncated, info }` of the right types. */
export async function checkStepResult({ env, guard, seed, sampleActions }: CheckContext): Promise<void> {
  await guard('reset({ seed })', () => env.reset({ seed }));
  const action = sampleActions(1, seed)[0];
  const result = await guard('step(action)', () => env.step(action));
  if (!isObject(result)) fail(`expected step() to return { observation, reward, terminated, truncated, info }, got ${describeValue(result)}`);
  for (const key of STEP_KEYS) {
    if (!(key in result)) fail(`expected step() result to have \`${key}\`, got keys [${Object.keys(result).join(', ')}]`);
  }
  if (typeof result.reward !== 'number' || !Number.isFinite(result.reward)) fail(`expected step() reward to be a finite number, got ${describeValue(result.reward)}`);
  if (typeof result.terminated !== 'boolean') fail(`expected step() terminated to be a boolean, got ${describeValue(result.terminated)}`);
  if (typeof result.truncated !== 'boolean') fail(`expected step() truncated to be a boolean, got ${describeValue(result.truncated)}`);
  if (!isPlainRecord(result.info)) fail(`expected step() info to be a plain object, got ${describeValue(result.info)}`);
  const why = env.observationSpace.explain(result.observation);
  if (why !== undefined) fail(`step() observation is not in observationSpace: ${why}`);
}

/** The same seed and action give the same step result, bit for bit. */
export async function checkStepDeterminism({ env, guard, seed, sampleActions }: CheckContext): Promise<void> {
  const action = sampleActions(1, seed)[0];
  const steps = [];
  for (let i = 0; i < 2; i++) {
    await guard('reset({ seed })', () => env.reset({ seed }));
    steps.push(clone(await guard('step(action)', () => env.step(clone(action)))));
  }
  const d = difference(steps[0], steps[1]);
  if (d) fail(`the same seed and action gave different step results: ${d}`);
}

/** `env.metadata.renderModes`, whatever it holds (the render check validates it). */
export function declaredRenderModes({ env }: CheckContext): unknown {
  return isObject(env.metadata) ? env.metadata.renderModes : undefined;
}

/** Every mode in `renderModes` (see {@link declaredRenderModes}) renders something. */
export async function checkRender({ env, guard, seed }: CheckContext, renderModes: unknown): Promise<string | undefined> {
  if (!Array.isArray(renderModes)) fail(`expected metadata.renderModes to be an array, got ${describeValue(renderModes)}`);
  if (renderModes.length === 0) return 'no render modes declared';
  if (typeof env.render !== 'function') fail(`metadata.renderModes declares [${renderModes.join(', ')}] but the env has no render() method`);
  await guard('reset({ seed })', () => env.reset({ seed }));
  for (const mode of renderModes) {
    const out = await guard(`render('${mode}')`, () => env.render!(mode));
    if (out === undefined || out === null) fail(`render('${mode}') returned ${String(out)}`);
  }
  return undefined;
}
