/**
 * `controlLoop`: a real-time loop. A clock (`interval(dt)`) steps the environment whether or not the
 * agent has answered; a late agent's actuator holds its last command (zero-order hold), the way a
 * robot's motor controller does. Late actions, overruns and event-loop lag are measured.
 *
 * Planning on the main thread stalls this clock: `onnxruntime-node`'s `session.run` computes on the
 * calling thread, so a 50 ms plan is a 50 ms hole in the event loop. Real-time loops therefore plan in
 * a worker (`PlanWorker`), leaving this thread free to keep time.
 *
 * @module
 */
import { asyncScheduler, interval, Observable, Subject, type SchedulerLike, type Subscription } from 'rxjs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { isStateful, type Env, type Info } from '../src/env.js';
import { InvalidArgumentError } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { Box } from '../src/spaces.js';
import { boundsMidpoint } from './action-bounds.js';
import { AgentProtocolError } from './errors.js';
import type { EnvSource } from './run-episode.js';
import type { Agent, Percept, Transition } from './types.js';
import { reportUnhandledError } from './unhandled.js';

/** Options of {@link controlLoop}. */
export interface ControlLoopOptions<A = Float32Array> {
  /** Control period in milliseconds (one environment step per tick). Required. */
  readonly dt: number;
  /** Clock of the ticks. Default: `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Seed of `reset`. Default: none. */
  readonly seed?: number;
  /** Stop after this many steps (last transition `truncated`). Default: the environment's own limit. */
  readonly maxSteps?: number;
  /** Command held before the agent's first answer. Default: the midpoint of a `Box` action space (required otherwise). */
  readonly initialAction?: A;
  /**
   * Snapshot the environment's state with every percept (for oracle planners). The environment keeps
   * stepping while the agent thinks, so a lazy thunk would read the wrong state. Default: `false`.
   */
  readonly captureState?: boolean;
  /** Environment-specific `reset` options. Default: none. */
  readonly resetOptions?: Record<string, unknown>;
}

const ControlLoopOptionsSchema = z
  .object({
    dt: z.number().positive(),
    scheduler: z.custom<SchedulerLike>((v) => typeof v === 'object' && v !== null && typeof (v as SchedulerLike).schedule === 'function').optional(),
    seed: z.number().int().nonnegative().optional(),
    maxSteps: z.number().int().positive().optional(),
    initialAction: z.unknown().optional(),
    captureState: z.boolean().default(false),
    resetOptions: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Running counters of a control loop. */
export interface ControlLoopStats {
  /** Ticks of the clock so far. */
  readonly ticks: number;
  /** Steps taken. */
  readonly steps: number;
  /** Steps taken with a held command because the agent had not answered the latest percept. */
  readonly lateActions: number;
  /** Ticks skipped because the previous step had not finished. */
  readonly overruns: number;
  /** Percepts never shown to the agent because a newer one replaced them while it was busy. */
  readonly skippedPercepts: number;
  /** Event-loop delay while the loop ran (ms): median, 99th percentile, max. */
  readonly lag: { readonly p50: number; readonly p99: number; readonly max: number };
}

/** One step of a control loop: the transition plus timing. */
export interface ControlStep<O = Float32Array, A = Float32Array> extends Transition<O, A> {
  /** Tick that took the step (1 for the first). */
  readonly tick: number;
  /** Whether `action` is a held command (the agent was late). */
  readonly late: boolean;
  /** Counters at the moment this step was emitted (ticks that fell while it ran are included). */
  readonly stats: ControlLoopStats;
}

/**
 * Runs `agent` against `env` in real time: every `dt` ms the environment steps with the newest
 * action the agent has produced. The agent sees the newest observation whenever it is free (stale
 * ones are skipped and counted), answers in its own time, and its answer is applied at the next tick.
 *
 * Cold; completes when the episode ends. Ownership is as in `runEpisode`: a factory's environment is
 * closed when the loop ends or is unsubscribed; an environment passed in is left open.
 *
 * @example
 * ```ts
 * const steps = controlLoop(() => make('Reach-v0'), mpcAgent({ source: planWorker, deadlineMs: 15 }), { dt: 20, seed: 1 });
 * steps.subscribe((s) => s.late && console.warn(`late at tick ${s.tick}`));
 * ```
 */
export function controlLoop<O, A>(env: EnvSource<O, A>, agent: Agent<O, A>, options: ControlLoopOptions<A>): Observable<ControlStep<O, A>> {
  const opts = parseOptions(ControlLoopOptionsSchema, options, 'controlLoop options');
  const scheduler = opts.scheduler ?? asyncScheduler;
  const maxSteps = opts.maxSteps ?? Number.POSITIVE_INFINITY;
  return new Observable<ControlStep<O, A>>((subscriber) => {
    const owned = typeof env === 'function';
    let live: Env<O, A> | undefined;
    let stopped = false;
    let stepping: Promise<unknown> | undefined;
    let clock: Subscription | undefined;
    let agentSubscription: Subscription | undefined;
    const percepts = new Subject<Percept<O>>();
    let histogram: IntervalHistogram | undefined = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();

    let held: A | undefined = options.initialAction;
    let fresh: A | undefined; // answered since the last tick
    let current: { observation: O; info: Info; step: number } | undefined;
    let busy = false; // the agent owes an answer
    let queued: Percept<O> | undefined; // newest percept waiting for the agent
    let ticks = 0;
    let steps = 0;
    let lateActions = 0;
    let overruns = 0;
    let skippedPercepts = 0;

    const stats = (): ControlLoopStats => ({
      ticks,
      steps,
      lateActions,
      overruns,
      skippedPercepts,
      lag: histogram && histogram.count > 0 ? { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 } : { p50: 0, p99: 0, max: 0 },
    });

    let released: Promise<void> | undefined;
    const release = (): Promise<void> => {
      released ??= (async () => {
        clock?.unsubscribe();
        agentSubscription?.unsubscribe();
        histogram?.disable();
        histogram = undefined;
        if (stepping) await stepping.catch(() => undefined);
        if (owned && live) await live.close();
      })();
      return released;
    };
    const fail = (error: unknown): void => {
      if (stopped) return;
      stopped = true;
      void release().then(
        () => subscriber.error(error),
        () => subscriber.error(error),
      );
    };

    const offer = (percept: Percept<O>): void => {
      if (busy) {
        if (queued !== undefined) skippedPercepts++;
        queued = percept;
        return;
      }
      busy = true;
      percepts.next(percept);
    };

    const perceive = (observation: O, info: Info, step: number): void => {
      const e = live!;
      current = { observation, info, step };
      let state: (() => unknown) | undefined;
      if (opts.captureState && isStateful(e)) {
        const snapshot = e.getState();
        state = () => snapshot;
      }
      offer({ observation, info, step, seed: opts.seed, ...(state && { state }) });
    };

    const onAction = (action: A): void => {
      if (stopped) return;
      if (!busy) {
        fail(new AgentProtocolError('controlLoop: the agent emitted an action while no observation was waiting for one (an agent answers each percept with exactly one action)'));
        return;
      }
      busy = false;
      fresh = action;
      if (queued !== undefined) {
        const next = queued;
        queued = undefined;
        offer(next);
      }
    };

    const tick = (): void => {
      if (stopped) return;
      ticks++;
      if (stepping !== undefined) {
        overruns++;
        return;
      }
      const late = fresh === undefined;
      if (late) lateActions++;
      const action = fresh ?? held;
      fresh = undefined;
      if (action === undefined) {
        fail(new InvalidArgumentError('controlLoop: the agent was late for the first tick and there is no `initialAction` to hold (pass one for non-Box action spaces)'));
        return;
      }
      held = action;
      const from = current!;
      const thisTick = ticks;
      let step;
      try {
        step = live!.step(action);
      } catch (error) {
        step = Promise.reject(error);
      }
      stepping = step;
      step.then(
        (result) => {
          stepping = undefined;
          if (stopped) return;
          steps++;
          const truncated = result.truncated || steps >= maxSteps;
          subscriber.next({
            observation: from.observation,
            action,
            reward: result.reward,
            terminated: result.terminated,
            truncated,
            info: result.info,
            nextObservation: result.observation,
            step: from.step,
            tick: thisTick,
            late,
            stats: stats(),
          });
          if (stopped) return;
          if (result.terminated || truncated) {
            stopped = true;
            release().then(
              () => subscriber.complete(),
              (error: unknown) => subscriber.error(error),
            );
            return;
          }
          perceive(result.observation, result.info, from.step + 1);
        },
        (error: unknown) => {
          stepping = undefined;
          fail(error);
        },
      );
    };

    void (async () => {
      live = owned ? env() : env;
      if (held === undefined && live.actionSpace instanceof Box) held = boundsMidpoint(live.actionSpace.low, live.actionSpace.high) as A;
      const first = await live.reset({ ...(opts.seed !== undefined && { seed: opts.seed }), ...(opts.resetOptions && { options: opts.resetOptions }) });
      if (stopped) return;
      agentSubscription = percepts.pipe(agent).subscribe({
        next: onAction,
        error: fail,
        complete: () => fail(new AgentProtocolError('controlLoop: the agent completed before the episode ended')),
      });
      clock = interval(opts.dt, scheduler).subscribe(tick);
      perceive(first.observation, first.info, 0);
    })().catch(fail);

    return () => {
      if (stopped) return;
      stopped = true;
      release().catch(reportUnhandledError);
    };
  });
}
