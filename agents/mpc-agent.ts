/**
 * `mpcAgent`: model-predictive control as an RxJS operator — plan, execute the first action (or the
 * first k), replan from the next percept warm-started by the shifted plan, and keep acting when a
 * plan misses its deadline. The plan bookkeeping (plan, cursor, warm start, shift, seeds, plan
 * checks) is `mpcController`'s plan memory; this module adds only deadlines, fallbacks and telemetry.
 *
 * @module
 */
import { asyncScheduler, from, Observable, Subject, type SchedulerLike, type Subscriber, type Subscription, type TeardownLogic } from 'rxjs';
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { boundsMidpoint } from './action-bounds.js';
import { PlanningError } from '../src/planning/optimizer.js';
import { MpcControllerOptionsSchema, type MpcControllerOptions } from './mpc-controller.js';
import { PlanMemory } from './plan-memory.js';
import type { PlanOutcome, PlanSource } from './plan-source.js';
import type { Agent, Percept } from './types.js';

// The warm-start helper lived here before the plan memory was shared with `mpcController`.
export { shifted } from './plan-memory.js';

/** Zod schema of {@link MpcAgentOptions}: the controller's options plus timing. */
export const MpcAgentOptionsSchema = MpcControllerOptionsSchema.extend({
  /**
   * Milliseconds (on `scheduler`'s clock) within which every percept is answered. When its plan (or
   * an earlier late plan it waits for) has not landed by then, the agent answers with the previous
   * plan's next action (or `defaultAction` when there is none) and reports a fallback; the late plan
   * is adopted when it lands, shifted by the steps that passed meanwhile, and the next plan starts
   * from the newest waiting percept. Default: `Infinity` (always wait: deterministic, and then the
   * agent acts exactly like `mpcController` with the same options).
   */
  deadlineMs: z.number().positive().default(Number.POSITIVE_INFINITY),
  /** Answer when no plan has an action for this step. Default: the midpoint of the action bounds. */
  defaultAction: z.instanceof(Float32Array).optional(),
  /** Clock for deadlines and telemetry times. Default: `asyncScheduler` (timed with `performance.now()`). */
  scheduler: z.custom<SchedulerLike>((v) => typeof v === 'object' && v !== null && typeof (v as SchedulerLike).schedule === 'function').optional(),
}).strict();

/**
 * Options of {@link mpcAgent}: those of {@link MpcAgentOptionsSchema} — `source`, `replanEvery` and
 * `seed` as in {@link MpcControllerOptions}, plus `deadlineMs`, `defaultAction` and `scheduler`.
 */
export type MpcAgentOptions<O = Float32Array> = Omit<z.input<typeof MpcAgentOptionsSchema>, 'source'> & MpcControllerOptions<O>;

/** A plan that finished (on time or late). */
export interface PlanTelemetry {
  readonly kind: 'plan';
  /** Episode number of this agent (1 for its first subscription). */
  readonly episode: number;
  /** Step of the percept the plan started from. */
  readonly step: number;
  /** Milliseconds from the request to the plan. */
  readonly ms: number;
  readonly iterations: number;
  readonly bestCost: number;
  readonly nanCount: number;
  /** Whether the plan missed its deadline (a fallback answered its percept). */
  readonly fallbackUsed: boolean;
  /** Steps that passed between request and arrival; the plan is adopted from this index. */
  readonly shift: number;
}

/** A percept answered without a fresh plan. */
export interface FallbackTelemetry {
  readonly kind: 'fallback';
  readonly episode: number;
  readonly step: number;
  /** `deadline`: this percept's own plan was late; `plan-in-flight`: an earlier late plan was still computing. */
  readonly reason: 'deadline' | 'plan-in-flight';
  /** Where the action came from. */
  readonly action: 'previous-plan' | 'default-action';
}

/** One telemetry event of an {@link MpcAgent}. */
export type MpcTelemetry = PlanTelemetry | FallbackTelemetry;

/** An MPC agent: the operator plus its telemetry stream (shared by all its episodes). */
export type MpcAgent<O = Float32Array> = Agent<O, Float32Array> & {
  /** Per-plan and per-fallback events, hot: subscribe before running episodes. */
  readonly telemetry$: Observable<MpcTelemetry>;
};

/**
 * An MPC agent over `options.source`. Each subscription is an episode with its own plan memory.
 * Percepts are answered one at a time, in order; a percept that arrives while an earlier one waits
 * for its plan is queued. Planner errors, and plans with non-finite actions or the wrong length, go
 * to `error` (as {@link PlanningError}).
 *
 * @example
 * ```ts
 * const agent = mpcAgent({ source: localPlanSource({ planner }), deadlineMs: 40 });
 * agent.telemetry$.subscribe((t) => console.log(t));
 * await lastValueFrom(runEpisode(() => make('Reach-v0'), agent, { seed: 1 }));
 * ```
 */
export function mpcAgent<O = Float32Array>(options: MpcAgentOptions<O>): MpcAgent<O> {
  const opts = parseOptions(MpcAgentOptionsSchema, options, 'mpcAgent options');
  const source = options.source;
  const newMemory = () => PlanMemory.forSource(source, opts.replanEvery, opts.seed, 'mpcAgent');
  const { actionDim: A } = newMemory();
  const defaultAction = opts.defaultAction ? Float32Array.from(opts.defaultAction) : boundsMidpoint(source.actionLow, source.actionHigh);
  if (defaultAction.length !== A) {
    throw new InvalidArgumentError(`mpcAgent options: expected \`defaultAction\` of length ${A} (the action size), got ${defaultAction.length}`);
  }
  const scheduler = opts.scheduler ?? asyncScheduler;
  const telemetry = new Subject<MpcTelemetry>();
  const settings: EpisodeSettings<O> = {
    source,
    deadlineMs: opts.deadlineMs,
    defaultAction,
    scheduler,
    now: scheduler === asyncScheduler ? () => performance.now() : () => scheduler.now(),
    telemetry,
  };
  let episodes = 0;
  const operator = (percepts: Observable<Percept<O>>): Observable<Float32Array> =>
    new Observable<Float32Array>((subscriber) => new MpcEpisode(settings, ++episodes, newMemory(), subscriber).run(percepts));
  return Object.assign(operator, { telemetry$: telemetry.asObservable() });
}

/** What every episode of one agent shares. */
interface EpisodeSettings<O> {
  readonly source: PlanSource<O>;
  readonly deadlineMs: number;
  readonly defaultAction: Float32Array;
  readonly scheduler: SchedulerLike;
  readonly now: () => number;
  readonly telemetry: Subject<MpcTelemetry>;
}

/** A plan being computed, and the percept it was requested for. */
interface Flight<O> {
  readonly percept: Percept<O>;
  sub: Subscription | undefined;
}

/**
 * One subscription of an agent: answers percepts one at a time from `memory` (the plan bookkeeping
 * shared with `mpcController`), adding deadlines, fallbacks and telemetry.
 */
class MpcEpisode<O> {
  private answered = 0; // actions answered in this episode
  private inFlight: Flight<O> | undefined;
  private waiting: Percept<O> | undefined; // the percept that has not been answered yet
  private waitTimer: Subscription | undefined;
  private upstreamDone = false;
  private readonly queue: Percept<O>[] = [];

  constructor(
    private readonly settings: EpisodeSettings<O>,
    private readonly episode: number,
    private readonly memory: PlanMemory,
    private readonly subscriber: Subscriber<Float32Array>,
  ) {}

  /** Subscribes to `percepts`; returns the teardown. */
  run(percepts: Observable<Percept<O>>): TeardownLogic {
    const { subscriber } = this;
    const upstream = percepts.subscribe({
      next: (percept) => {
        if (this.waiting !== undefined) this.queue.push(percept);
        else this.handle(percept);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => {
        this.upstreamDone = true;
        this.drain();
      },
    });
    return () => {
      upstream.unsubscribe();
      this.waitTimer?.unsubscribe();
      this.inFlight?.sub?.unsubscribe();
      this.inFlight = undefined;
    };
  }

  private answer(action: Float32Array): void {
    this.waitTimer?.unsubscribe();
    this.waitTimer = undefined;
    this.waiting = undefined;
    this.memory.advance();
    this.answered++;
    this.subscriber.next(action);
  }

  private drain(): void {
    const { queue, subscriber } = this;
    while (this.waiting === undefined && queue.length > 0 && !subscriber.closed) this.handle(queue.shift()!);
    if (this.waiting === undefined && queue.length === 0 && this.upstreamDone) subscriber.complete();
  }

  private fallback(percept: Percept<O>): void {
    const fromPlan = this.memory.nextAction();
    const reason = this.inFlight !== undefined && this.inFlight.percept !== percept ? 'plan-in-flight' : 'deadline';
    this.settings.telemetry.next({ kind: 'fallback', episode: this.episode, step: percept.step, reason, action: fromPlan ? 'previous-plan' : 'default-action' });
    this.answer(fromPlan ?? this.settings.defaultAction.slice());
  }

  // Answers `waiting` from the current plan when it may, otherwise plans for it; while an earlier
  // (late) plan is still computing, waits for it — the deadline timer bounds every wait.
  private respond(percept: Percept<O>): void {
    if (!this.memory.planDue) {
      this.answer(this.memory.nextAction()!);
      return;
    }
    if (this.inFlight === undefined) this.startPlan(percept);
  }

  private handle(percept: Percept<O>): void {
    this.waiting = percept;
    this.respond(percept);
    const { deadlineMs, scheduler } = this.settings;
    if (this.waiting === percept && this.waitTimer === undefined && !this.subscriber.closed && Number.isFinite(deadlineMs)) {
      this.waitTimer = scheduler.schedule(() => {
        if (this.waiting !== percept || this.subscriber.closed) return;
        this.fallback(percept);
        this.drain();
      }, deadlineMs);
    }
  }

  private startPlan(percept: Percept<O>): void {
    if (percept.step === 0 || !this.memory.seeded) this.memory.seedEpisode(percept.seed ?? 0);
    const requestedAt = this.answered;
    const started = this.settings.now();
    const flight: Flight<O> = { percept, sub: undefined };
    this.inFlight = flight;
    let settled = false;
    let input;
    try {
      input = this.settings.source.plan(this.memory.request(percept));
    } catch (error) {
      this.subscriber.error(error);
      return;
    }
    flight.sub = from(input).subscribe({
      next: (outcome) => {
        if (settled) return;
        settled = true;
        flight.sub?.unsubscribe();
        this.inFlight = undefined;
        this.landed(percept, outcome, requestedAt, started);
      },
      error: (error: unknown) => this.subscriber.error(error),
      complete: () => {
        if (!settled) this.subscriber.error(new PlanningError(`mpcAgent: the plan source completed without a plan at step ${percept.step}`));
      },
    });
    if (settled) flight.sub.unsubscribe();
  }

  // A plan arrived: adopt it from the row of the steps answered meanwhile, and answer whatever waits.
  private landed(percept: Percept<O>, outcome: PlanOutcome, requestedAt: number, started: number): void {
    try {
      this.memory.check(outcome, percept.step, 'mpcAgent');
    } catch (error) {
      this.subscriber.error(error);
      return;
    }
    const onTime = this.waiting === percept;
    const shift = this.answered - requestedAt;
    this.settings.telemetry.next({
      kind: 'plan',
      episode: this.episode,
      step: percept.step,
      ms: this.settings.now() - started,
      iterations: outcome.iterations,
      bestCost: outcome.bestCost,
      nanCount: outcome.nanCount,
      fallbackUsed: !onTime,
      shift,
    });
    this.memory.adopt(outcome, percept.step, shift);
    if (onTime) this.answer(this.memory.nextAction()!);
    else if (this.waiting !== undefined) this.respond(this.waiting);
    this.drain();
  }
}
