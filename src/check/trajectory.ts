/**
 * Recording and comparing what an env returns, bit for bit, for the determinism and state checks.
 *
 * @module
 */
import type { Env } from '../env.js';
import { describeValue } from '../errors.js';
import { clone, type Guard, isObject } from './context.js';

/** What one step returned, without `info`. */
export interface Step {
  observation: unknown;
  reward: unknown;
  terminated: unknown;
  truncated: unknown;
}

/** Steps with `actions` until the episode ends, recording clones of what each step returned. */
export async function rollout(env: Env<unknown, unknown>, guard: Guard, actions: unknown[], between?: () => Promise<void>): Promise<Step[]> {
  const out: Step[] = [];
  for (const a of actions) {
    await between?.();
    const r = await guard('step(action)', () => env.step(clone(a)));
    out.push(clone({ observation: r.observation, reward: r.reward, terminated: r.terminated, truncated: r.truncated }));
    if (r.terminated || r.truncated) break;
  }
  return out;
}

/** The reset observation after `reset({ seed })`, then the {@link rollout} of `actions`. */
export async function trajectory(env: Env<unknown, unknown>, guard: Guard, seed: number, actions: unknown[]): Promise<unknown[]> {
  const reset = clone((await guard('reset({ seed })', () => env.reset({ seed }))).observation);
  return [reset, ...(await rollout(env, guard, actions))];
}

/** Where two values differ bit for bit (typed arrays by bytes, numbers with Object.is), or undefined. */
export function difference(a: unknown, b: unknown, path = ''): string | undefined {
  const at = path === '' ? '' : ` at ${path}`;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) return typedArrayDifference(a, b, path, at);
  if (isObject(a) && isObject(b)) {
    if (Array.isArray(a) !== Array.isArray(b)) return `${describeValue(a)} vs ${describeValue(b)}${at}`;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = difference(a[k], b[k], Array.isArray(a) ? `${path}[${k}]` : path === '' ? k : `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${describeValue(a)} vs ${describeValue(b)}${at}`;
}

function typedArrayDifference(a: unknown, b: unknown, path: string, at: string): string | undefined {
  if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor || a.byteLength !== b.byteLength) {
    return `${describeValue(a)} vs ${describeValue(b)}${at}`;
  }
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) {
      const k = Math.floor(i / ((a as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1));
      return `${(a as unknown as ArrayLike<number>)[k]} vs ${(b as unknown as ArrayLike<number>)[k]} at ${path}[${k}]`;
    }
  }
  return undefined;
}
