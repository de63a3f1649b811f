/**
 * `runEpisode`: one episode as a cold `Observable<Transition>`.
 *
 * @module
 */
import { Observable, Subject, type Subscription } from 'rxjs';
import { isStateful, type Env, type Info, type StepResult } from '../src/env.js';
import { parseOptions, z } from '../src/options.js';
import { AgentProtocolError } from './errors.js';
import type { Agent, Percept, Transition } from './types.js';
import { reportUnhandledError } from './unhandled.js';

/** Zod schema of {@link RunEpisodeOptions}. */
export const RunEpisodeOptionsSchema = z
  .object({
    /** Seed of `reset`. Default: none (the environment keeps its current random stream). */
    seed: z.number().int().nonnegative().optional(),
    /**
     * Stop after this many steps, marking the last transition `truncated` as a time limit would.
     * Default: no limit of its own (the environment's `TimeLimit`, if any, ends the episode).
     */
    maxSteps: z.number().int().positive().optional(),
    /** Environment-specific `reset` options (e.g. `{ layout }`). Default: none. */
    resetOptions: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Options of {@link runEpisode}. */
export type RunEpisodeOptions = z.input<typeof RunEpisodeOptionsSchema>;

/** An environment, or a factory whose environment the runner owns and closes. */
export type EnvSource<O, A> = Env<O, A> | (() => Env<O, A>);

/**
 * Runs one episode of `env` under `agent`. Cold: nothing happens until subscription; each
 * subscription resets the environment and subscribes the agent afresh (a new episode).
 *
 * The agent sees percept 0 after `reset`, answers with action 0, the environment steps, percept 1
 * follows, and so on; each step is emitted as a {@link Transition}. The stream completes after the
 * step that terminates or truncates the episode (or the `maxSteps`-th step).
 *
 * Ownership: when `env` is a factory, the runner owns the environment it builds and closes it when
 * the episode ends, fails or is unsubscribed (after any step still in flight settles). An
 * environment passed directly belongs to the caller and is never closed here.
 *
 * Errors (a failing `reset`/`step`, an agent error, an agent that emits an action nobody asked for
 * or completes early) are sent to `error`.
 *
 * @example
 * ```ts
 * const transitions = await lastValueFrom(runEpisode(() => make('Reach-v0'), randomAgent(space), { seed: 1 }).pipe(toArray()));
 * ```
 */
export function runEpisode<O, A>(env: EnvSource<O, A>, agent: Agent<O, A>, options: RunEpisodeOptions = {}): Observable<Transition<O, A>> {
  const opts = parseOptions(RunEpisodeOptionsSchema, options, 'runEpisode options');
  const maxSteps = opts.maxSteps ?? Number.POSITIVE_INFINITY;
  return new Observable<Transition<O, A>>((subscriber) => {
    const owned = typeof env === 'function';
    let live: Env<O, A> | undefined;
    let stopped = false;
    let agentSubscription: Subscription | undefined;
    let inFlight: Promise<unknown> | undefined;
    let pending: Percept<O> | undefined;
    const percepts = new Subject<Percept<O>>();

    const fail = (error: unknown): void => {
      if (stopped) return;
      stopped = true;
      agentSubscription?.unsubscribe();
      void release().then(
        () => subscriber.error(error),
        () => subscriber.error(error),
      );
    };

    // Closing is asynchronous; `released` makes it happen once whoever asks first.
    let released: Promise<void> | undefined;
    const release = (): Promise<void> => {
      released ??= (async () => {
        if (inFlight) await inFlight.catch(() => undefined);
        if (owned && live) await live.close();
      })();
      return released;
    };

    const deliver = (observation: O, info: Info, step: number): void => {
      const e = live!;
      pending = {
        observation,
        info,
        step,
        seed: opts.seed,
        ...(isStateful(e) && { state: () => e.getState() }),
      };
      percepts.next(pending);
    };

    const onAction = (action: A): void => {
      if (stopped) return;
      const percept = pending;
      if (percept === undefined) {
        fail(new AgentProtocolError('runEpisode: the agent emitted an action while no observation was waiting for one (an agent answers each percept with exactly one action)'));
        return;
      }
      pending = undefined;
      const step = inFlightStep(live!, action);
      inFlight = step;
      step.then(
        (result) => {
          inFlight = undefined;
          if (stopped) return;
          const transition = transitionOf(percept, action, result, maxSteps);
          subscriber.next(transition);
          if (stopped) return; // the consumer unsubscribed inside `next`
          if (result.terminated || transition.truncated) {
            stopped = true;
            agentSubscription?.unsubscribe();
            release().then(
              () => subscriber.complete(),
              (error: unknown) => subscriber.error(error),
            );
            return;
          }
          deliver(result.observation, result.info, percept.step + 1);
        },
        (error: unknown) => {
          inFlight = undefined;
          fail(error);
        },
      );
    };

    void (async () => {
      live = owned ? env() : env;
      const first = await live.reset({ ...(opts.seed !== undefined && { seed: opts.seed }), ...(opts.resetOptions && { options: opts.resetOptions }) });
      if (stopped) return;
      agentSubscription = percepts.pipe(agent).subscribe({
        next: onAction,
        error: fail,
        complete: () => fail(new AgentProtocolError('runEpisode: the agent completed before the episode ended')),
      });
      if (!stopped) deliver(first.observation, first.info, 0);
    })().catch(fail);

    return () => {
      if (stopped) return;
      stopped = true;
      agentSubscription?.unsubscribe();
      release().catch(reportUnhandledError);
    };
  });
}

/** What one step did, from the percept the action answered; the step that reaches `maxSteps` counts as truncated. */
function transitionOf<O, A>(percept: Percept<O>, action: A, result: StepResult<O>, maxSteps: number): Transition<O, A> {
  return {
    observation: percept.observation,
    action,
    reward: result.reward,
    terminated: result.terminated,
    truncated: result.truncated || percept.step + 1 >= maxSteps,
    info: result.info,
    nextObservation: result.observation,
    step: percept.step,
  };
}

/** `env.step`, with a synchronous throw turned into a rejection so one error path handles both. */
function inFlightStep<O, A>(env: Env<O, A>, action: A): ReturnType<Env<O, A>['step']> {
  try {
    return env.step(action);
  } catch (error) {
    return Promise.reject(error);
  }
}
