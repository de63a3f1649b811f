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
import { asyncScheduler, interval, Observable, Subject, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { isStateful, type Env, type Info, type StepResult } from '../src/env.js';
import { InvalidArgumentError } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { Box } from '../src/spaces.js';
import { boundsMidpoint } from './action-bounds.js';
import { AgentProtocolError } from './errors.js';
import type { EnvSource } from './run-episode.js';
import type { Agent, Percept, Transition } from './types.js';
import { reportUnhandledError } from './unhandled.js';

/** Zod schema of {@link ControlLoopOptions} (`initialAction` is not checked: its type depends on the environment). */
export const ControlLoopOptionsSchema = z
  .object({
    /** Control period in milliseconds (one environment step per tick). Required. */
    dt: z.number().positive(),
    /** Clock of the ticks. Default: `asyncScheduler`. */
    scheduler: z.custom<SchedulerLike>((v) => typeof v === 'object' && v !== null && typeof (v as SchedulerLike).schedule === 'function').optional(),
    /** Seed of `reset`. Default: none. */
    seed: z.number().int().nonnegative().optional(),
    /** Stop after this many steps (last transition `truncated`). Default: the environment's own limit. */
    maxSteps: z.number().int().positive().optional(),
    /** Command held before the agent's first answer. Default: the midpoint of a `Box` action space (required otherwise). */
    initialAction: z.unknown().optional(),
    /**
     * Snapshot the environment's state with every percept (for oracle planners). The environment keeps
     * stepping while the agent thinks, so a lazy thunk would read the wrong state. Default: `false`.
     */
    captureState: z.boolean().default(false),
    /** Environment-specific `reset` options. Default: none. */
    resetOptions: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Options of {@link controlLoop}: those of {@link ControlLoopOptionsSchema}, with `initialAction` typed by action. */
export type ControlLoopOptions<A = Float32Array> = Omit<z.input<typeof ControlLoopOptionsSchema>, 'initialAction'> & {
  /** Command held before the agent's first answer. Default: the midpoint of a `Box` action space (required otherwise). */
  readonly initialAction?: A;
};

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
  const settings: LoopSettings = { ...opts, scheduler: opts.scheduler ?? asyncScheduler, maxSteps: opts.maxSteps ?? Number.POSITIVE_INFINITY };
  return new Observable<ControlStep<O, A>>((subscriber) => {
    const run = new ControlLoopRun(env, agent, settings, options.initialAction, subscriber);
    run.start();
    return () => run.unsubscribe();
  });
}

type LoopSettings = Omit<z.output<typeof ControlLoopOptionsSchema>, 'scheduler' | 'maxSteps'> & { readonly scheduler: SchedulerLike; readonly maxSteps: number };

/** One subscription of {@link controlLoop}: the clock, the agent, the env, and the counters its stats report. */
class ControlLoopRun<O, A> {
  private readonly owned: boolean;
  private live: Env<O, A> | undefined;
  private stopped = false;
  private stepping: Promise<unknown> | undefined;
  private clock: Subscription | undefined;
  private agentSubscription: Subscription | undefined;
  private readonly percepts = new Subject<Percept<O>>();
  private histogram: IntervalHistogram | undefined = monitorEventLoopDelay({ resolution: 1 });
  private held: A | undefined;
  /** Answered since the last tick. */
  private fresh: A | undefined;
  private current: { observation: O; info: Info; step: number } | undefined;
  /** The agent owes an answer. */
  private busy = false;
  /** The newest percept waiting for the agent. */
  private queued: Percept<O> | undefined;
  private ticks = 0;
  private steps = 0;
  private lateActions = 0;
  private overruns = 0;
  private skippedPercepts = 0;
  private released: Promise<void> | undefined;

  constructor(
    private readonly env: EnvSource<O, A>,
    private readonly agent: Agent<O, A>,
    private readonly opts: LoopSettings,
    initialAction: A | undefined,
    private readonly subscriber: Subscriber<ControlStep<O, A>>,
  ) {
    this.owned = typeof env === 'function';
    this.histogram!.enable();
    this.held = initialAction;
  }

  /** Creates and resets the env, subscribes the agent, starts the clock and shows the first percept. */
  start(): void {
    void (async () => {
      const live = typeof this.env === 'function' ? this.env() : this.env;
      this.live = live;
      if (this.held === undefined && live.actionSpace instanceof Box) this.held = boundsMidpoint(live.actionSpace.low, live.actionSpace.high) as A;
      const { seed, resetOptions } = this.opts;
      const first = await live.reset({ ...(seed !== undefined && { seed }), ...(resetOptions && { options: resetOptions }) });
      if (this.stopped) return;
      this.agentSubscription = this.percepts.pipe(this.agent).subscribe({
        next: this.onAction,
        error: this.fail,
        complete: () => this.fail(new AgentProtocolError('controlLoop: the agent completed before the episode ended')),
      });
      this.clock = interval(this.opts.dt, this.opts.scheduler).subscribe(this.tick);
      this.perceive(first.observation, first.info, 0);
    })().catch(this.fail);
  }

  /** The consumer unsubscribed: stop and release, reporting a failure to close as unhandled. */
  unsubscribe(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.release().catch(reportUnhandledError);
  }

  private stats(): ControlLoopStats {
    const { ticks, steps, lateActions, overruns, skippedPercepts, histogram } = this;
    return {
      ticks,
      steps,
      lateActions,
      overruns,
      skippedPercepts,
      lag: histogram && histogram.count > 0 ? { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 } : { p50: 0, p99: 0, max: 0 },
    };
  }

  /** Stops the clock and the agent, waits for a step in flight, closes an owned env; once, whoever asks first. */
  private release(): Promise<void> {
    this.released ??= (async () => {
      this.clock?.unsubscribe();
      this.agentSubscription?.unsubscribe();
      this.histogram?.disable();
      this.histogram = undefined;
      if (this.stepping) await this.stepping.catch(() => undefined);
      if (this.owned && this.live) await this.live.close();
    })();
    return this.released;
  }

  private readonly fail = (error: unknown): void => {
    if (this.stopped) return;
    this.stopped = true;
    void this.release().then(
      () => this.subscriber.error(error),
      () => this.subscriber.error(error),
    );
  };

  /** Shows `percept` to the agent, or queues it (replacing, and counting, an older one) while the agent is busy. */
  private offer(percept: Percept<O>): void {
    if (this.busy) {
      if (this.queued !== undefined) this.skippedPercepts++;
      this.queued = percept;
      return;
    }
    this.busy = true;
    this.percepts.next(percept);
  }

  private perceive(observation: O, info: Info, step: number): void {
    const e = this.live!;
    this.current = { observation, info, step };
    let state: (() => unknown) | undefined;
    if (this.opts.captureState && isStateful(e)) {
      const snapshot = e.getState();
      state = () => snapshot;
    }
    this.offer({ observation, info, step, seed: this.opts.seed, ...(state && { state }) });
  }

  private readonly onAction = (action: A): void => {
    if (this.stopped) return;
    if (!this.busy) {
      this.fail(
        new AgentProtocolError('controlLoop: the agent emitted an action while no observation was waiting for one (an agent answers each percept with exactly one action)'),
      );
      return;
    }
    this.busy = false;
    this.fresh = action;
    if (this.queued !== undefined) {
      const next = this.queued;
      this.queued = undefined;
      this.offer(next);
    }
  };

  /** A clock tick: steps with the fresh action, or the held one when the agent is late; skips while a step runs. */
  private readonly tick = (): void => {
    if (this.stopped) return;
    this.ticks++;
    if (this.stepping !== undefined) {
      this.overruns++;
      return;
    }
    const late = this.fresh === undefined;
    if (late) this.lateActions++;
    const action = this.fresh ?? this.held;
    this.fresh = undefined;
    if (action === undefined) {
      this.fail(new InvalidArgumentError('controlLoop: the agent was late for the first tick and there is no `initialAction` to hold (pass one for non-Box action spaces)'));
      return;
    }
    this.held = action;
    const from = this.current!;
    const thisTick = this.ticks;
    let step: ReturnType<Env<O, A>['step']>;
    try {
      step = this.live!.step(action);
    } catch (error) {
      step = Promise.reject(error);
    }
    this.stepping = step;
    step.then(
      (result) => {
        this.stepping = undefined;
        this.stepped(from, action, result, thisTick, late);
      },
      (error: unknown) => {
        this.stepping = undefined;
        this.fail(error);
      },
    );
  };

  /** Emits the step, then ends the episode or perceives its new observation. */
  private stepped(from: { observation: O; step: number }, action: A, result: StepResult<O>, thisTick: number, late: boolean): void {
    if (this.stopped) return;
    this.steps++;
    const truncated = result.truncated || this.steps >= this.opts.maxSteps;
    this.subscriber.next({
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
      stats: this.stats(),
    });
    if (this.stopped) return;
    if (result.terminated || truncated) {
      this.stopped = true;
      this.release().then(
        () => this.subscriber.complete(),
        (error: unknown) => this.subscriber.error(error),
      );
      return;
    }
    this.perceive(result.observation, result.info, from.step + 1);
  }
}
