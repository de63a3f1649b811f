/**
 * The demo's episode player: runs seeded episodes of an agent one after another, reporting every step
 * (for progress bars), reducing each episode to a {@link DemoEpisode}, and stopping cleanly on an
 * abort signal. Also a plan source wrapper that lets a caller wait for in-flight plans before closing
 * the model (an onnxruntime session must not be released while it runs).
 *
 * @module
 */
import { Subscription, from, lastValueFrom, type Observable } from 'rxjs';
import type { Env } from '../../src/env.js';
import { EmbodiedError } from '../../src/errors.js';
import type { PlanOutcome, PlanRequest, PlanSource } from '../../agents/plan-source.js';
import { runEpisode } from '../../agents/run-episode.js';
import type { Agent } from '../../agents/types.js';

/** One played episode. */
export interface DemoEpisode {
  readonly seed: number;
  readonly success: boolean;
  readonly return: number;
  readonly length: number;
  /** `info.deliveries` at the end (environments that count deliveries). */
  readonly deliveries?: number;
}

/** Options of {@link playEpisodes}. */
export interface PlayOptions {
  readonly seeds: readonly number[];
  /** Step limit per episode. Default: the environment's own. */
  readonly maxSteps?: number;
  /** After each step: episode index (0-based) and steps taken in it. */
  readonly onStep?: (episode: number, step: number) => void;
  /** After each episode. */
  readonly onEpisode?: (episode: number, result: DemoEpisode) => void;
  readonly signal?: AbortSignal;
}

/** The error an aborted demo rejects with when the signal gives no reason. */
export function stoppedError(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new EmbodiedError('stopped');
}

/**
 * Plays one episode per seed, in order, each in a fresh environment from `makeEnv(index)` (closed by
 * the runner). Rejects with the signal's reason when aborted (the running episode is unsubscribed).
 */
export async function playEpisodes(
  makeEnv: (episode: number) => Env<Float32Array, Float32Array>,
  agent: Agent<Float32Array, Float32Array>,
  options: PlayOptions,
): Promise<DemoEpisode[]> {
  const out: DemoEpisode[] = [];
  for (const [k, seed] of options.seeds.entries()) {
    if (options.signal?.aborted) throw stoppedError(options.signal);
    const result = await playOne(() => makeEnv(k), agent, seed, k, options);
    out.push(result);
    options.onEpisode?.(k, result);
  }
  return out;
}

function playOne(makeEnv: () => Env<Float32Array, Float32Array>, agent: Agent<Float32Array, Float32Array>, seed: number, k: number, o: PlayOptions): Promise<DemoEpisode> {
  return new Promise<DemoEpisode>((resolve, reject) => {
    const subscription = new Subscription();
    const onAbort = () => {
      subscription.unsubscribe();
      reject(stoppedError(o.signal));
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    subscription.add(() => o.signal?.removeEventListener('abort', onAbort));
    let ret = 0;
    let length = 0;
    let success = false;
    let deliveries: number | undefined;
    subscription.add(
      runEpisode(makeEnv, agent, { seed, ...(o.maxSteps !== undefined && { maxSteps: o.maxSteps }) }).subscribe({
        next: (t) => {
          ret += t.reward;
          length++;
          success = t.info.success === true;
          if (typeof t.info.deliveries === 'number') deliveries = t.info.deliveries;
          o.onStep?.(k, length);
        },
        error: (e: unknown) => {
          subscription.unsubscribe();
          reject(e);
        },
        complete: () => {
          subscription.unsubscribe();
          resolve({ seed, success, return: ret, length, ...(deliveries !== undefined && { deliveries }) });
        },
      }),
    );
  });
}

/** A plan source that counts its plans in flight, so its owner can wait for them before closing. */
export interface TrackedPlanSource<O = Float32Array> extends PlanSource<O> {
  /** Resolves once no plan is computing. */
  idle(): Promise<void>;
}

/**
 * Wraps `inner`, counting each plan from its request until it settles. The plan is awaited eagerly
 * (as `localPlanSource` computes it anyway), so unsubscribing does not cancel it: meant for sources
 * on this thread.
 */
export function trackPlans<O>(inner: PlanSource<O>): TrackedPlanSource<O> {
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  const settle = () => {
    inFlight--;
    if (inFlight === 0) {
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    }
  };
  return {
    horizon: inner.horizon,
    actionDim: inner.actionDim,
    actionLow: inner.actionLow,
    actionHigh: inner.actionHigh,
    plan(request: PlanRequest<O>): Observable<PlanOutcome> {
      inFlight++;
      // Called now: the request's state thunk is valid only synchronously (the oracle reads it).
      const outcome = lastValueFrom(from(inner.plan(request))).finally(settle);
      // A plan nobody waits for any more (the episode was stopped) must not become an unhandled rejection.
      outcome.catch(() => undefined);
      return from(outcome);
    },
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
  };
}
