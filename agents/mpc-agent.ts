/**
 * `mpcAgent`: model-predictive control as an RxJS operator — plan, execute the first action (or the
 * first k), replan from the next percept warm-started by the shifted plan, and keep acting when a
 * plan misses its deadline.
 *
 * @module
 */
import { asyncScheduler, from, Observable, Subject, type SchedulerLike, type Subscription } from 'rxjs';
import { performance } from 'node:perf_hooks';
import { InvalidArgumentError, describeValue } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { Rng } from '../src/rng.js';
import { boundsMidpoint } from './action-bounds.js';
import { PlanError } from './errors.js';
import type { PlanOutcome, PlanSource } from './plan-source.js';
import type { Agent, Percept } from './types.js';

/** Options of {@link mpcAgent}. */
export interface MpcAgentOptions<O = Float32Array> {
  /** Computes plans: `localPlanSource(...)` on this thread, or a `PlanWorker`. Required. */
  readonly source: PlanSource<O>;
  /** Actions executed from one plan before replanning (1 = replan every step). Default: `1`. */
  readonly replanEvery?: number;
  /**
   * Milliseconds (on `scheduler`'s clock) within which every percept is answered. When its plan (or
   * an earlier late plan it waits for) has not landed by then, the agent answers with the previous
   * plan's next action (or `defaultAction` when there is none) and reports a fallback; the late plan
   * is adopted when it lands, shifted by the steps that passed meanwhile, and the next plan starts
   * from the newest waiting percept. Default: `Infinity` (always wait: deterministic).
   */
  readonly deadlineMs?: number;
  /** Answer when no plan has an action for this step. Default: the midpoint of the action bounds. */
  readonly defaultAction?: Float32Array;
  /** Seed from which each plan's seed is derived (with the episode seed and step). Default: `0`. */
  readonly seed?: number;
  /** Clock for deadlines and telemetry times. Default: `asyncScheduler` (timed with `performance.now()`). */
  readonly scheduler?: SchedulerLike;
}

const MpcAgentOptionsSchema = z
  .object({
    source: z.custom<PlanSource<unknown>>((v) => typeof v === 'object' && v !== null && typeof (v as PlanSource).plan === 'function', {
      message: 'expected a PlanSource (an object with `plan(request)`, e.g. localPlanSource(...) or a PlanWorker)',
    }),
    replanEvery: z.number().int().positive().default(1),
    deadlineMs: z.number().positive().default(Number.POSITIVE_INFINITY),
    defaultAction: z.instanceof(Float32Array).optional(),
    seed: z.number().int().nonnegative().default(0),
    scheduler: z.custom<SchedulerLike>((v) => typeof v === 'object' && v !== null && typeof (v as SchedulerLike).schedule === 'function').optional(),
  })
  .strict();

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
 * to `error` (as {@link PlanError}).
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
  const { horizon: H, actionDim: A } = source;
  if (!Number.isSafeInteger(H) || H <= 0) throw new InvalidArgumentError(`mpcAgent: expected the plan source's \`horizon\` to be a positive integer, got ${describeValue(H)}`);
  if (opts.replanEvery > H) throw new InvalidArgumentError(`mpcAgent options: \`replanEvery\` (${opts.replanEvery}) must not exceed the horizon (${H})`);
  const defaultAction = opts.defaultAction ? Float32Array.from(opts.defaultAction) : boundsMidpoint(source.actionLow, source.actionHigh);
  if (defaultAction.length !== A) {
    throw new InvalidArgumentError(`mpcAgent options: expected \`defaultAction\` of length ${A} (the action size), got ${defaultAction.length}`);
  }
  const scheduler = opts.scheduler ?? asyncScheduler;
  const now = scheduler === asyncScheduler ? () => performance.now() : () => scheduler.now();
  const telemetry = new Subject<MpcTelemetry>();
  let episodes = 0;

  const operator = (percepts: Observable<Percept<O>>): Observable<Float32Array> =>
    new Observable<Float32Array>((subscriber) => {
      const episode = ++episodes;
      let plan: Float32Array | undefined; // H × A
      let cursor = 0; // index in `plan` of the next action
      let sinceReplan = 0; // actions answered since the plan's percept
      let answered = 0; // actions answered in this episode
      let inFlight: { percept: Percept<O>; sub: Subscription | undefined } | undefined;
      let waiting: Percept<O> | undefined; // the percept that has not been answered yet
      let waitTimer: Subscription | undefined;
      let upstreamDone = false;
      const queue: Percept<O>[] = [];
      let episodeRng: Rng | undefined;
      let lastPlanStep: number | undefined; // percept step of the last plan that completed

      const planAction = (): Float32Array | undefined => (plan !== undefined && cursor < H ? plan.slice(cursor * A, (cursor + 1) * A) : undefined);

      const answer = (action: Float32Array): void => {
        waitTimer?.unsubscribe();
        waitTimer = undefined;
        waiting = undefined;
        cursor++;
        sinceReplan++;
        answered++;
        subscriber.next(action);
      };

      const drain = (): void => {
        while (waiting === undefined && queue.length > 0 && !subscriber.closed) handle(queue.shift()!);
        if (waiting === undefined && queue.length === 0 && upstreamDone) subscriber.complete();
      };

      const fallback = (percept: Percept<O>): void => {
        const fromPlan = planAction();
        const reason = inFlight !== undefined && inFlight.percept !== percept ? 'plan-in-flight' : 'deadline';
        telemetry.next({ kind: 'fallback', episode, step: percept.step, reason, action: fromPlan ? 'previous-plan' : 'default-action' });
        answer(fromPlan ?? defaultAction.slice());
      };

      // Answers `waiting` from the current plan when it may, otherwise plans for it; while an earlier
      // (late) plan is still computing, waits for it — the deadline timer bounds every wait.
      const respond = (percept: Percept<O>): void => {
        if (plan !== undefined && sinceReplan < opts.replanEvery && cursor < H) {
          answer(planAction()!);
          return;
        }
        if (inFlight === undefined) startPlan(percept);
      };

      const handle = (percept: Percept<O>): void => {
        waiting = percept;
        respond(percept);
        if (waiting === percept && waitTimer === undefined && !subscriber.closed && Number.isFinite(opts.deadlineMs)) {
          waitTimer = scheduler.schedule(() => {
            if (waiting !== percept || subscriber.closed) return;
            fallback(percept);
            drain();
          }, opts.deadlineMs);
        }
      };

      const startPlan = (percept: Percept<O>): void => {
        if (percept.step === 0 || episodeRng === undefined) {
          episodeRng = Rng.fromSeed(opts.seed).derive(percept.seed ?? 0);
        }
        const warmStart = plan === undefined ? undefined : shifted(plan, cursor, H, A);
        const requestedAt = answered;
        const started = now();
        const flight: { percept: Percept<O>; sub: Subscription | undefined } = { percept, sub: undefined };
        inFlight = flight;
        let settled = false;
        let input;
        try {
          const shift = lastPlanStep === undefined ? undefined : percept.step - lastPlanStep;
          input = source.plan({ percept, warmStart, shift, seed: episodeRng.derive(percept.step).nextSeed() });
        } catch (error) {
          subscriber.error(error);
          return;
        }
        flight.sub = from(input).subscribe({
          next: (outcome) => {
            if (settled) return;
            settled = true;
            flight.sub?.unsubscribe();
            inFlight = undefined;
            const why = explainOutcome(outcome, H, A);
            if (why !== undefined) {
              subscriber.error(new PlanError(`mpcAgent: the planner returned an unusable plan at step ${percept.step}: ${why}`));
              return;
            }
            const onTime = waiting === percept;
            const shift = answered - requestedAt;
            telemetry.next({
              kind: 'plan',
              episode,
              step: percept.step,
              ms: now() - started,
              iterations: outcome.iterations,
              bestCost: outcome.bestCost,
              nanCount: outcome.nanCount,
              fallbackUsed: !onTime,
              shift,
            });
            plan = outcome.actions;
            lastPlanStep = percept.step;
            cursor = shift;
            sinceReplan = shift;
            if (onTime) answer(planAction()!);
            else if (waiting !== undefined) respond(waiting);
            drain();
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            if (!settled) subscriber.error(new PlanError(`mpcAgent: the plan source completed without a plan at step ${percept.step}`));
          },
        });
        if (settled) flight.sub.unsubscribe();
      };

      const upstream = percepts.subscribe({
        next: (percept) => {
          if (waiting !== undefined) queue.push(percept);
          else handle(percept);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          upstreamDone = true;
          drain();
        },
      });

      return () => {
        upstream.unsubscribe();
        waitTimer?.unsubscribe();
        inFlight?.sub?.unsubscribe();
        inFlight = undefined;
      };
    });

  return Object.assign(operator, { telemetry$: telemetry.asObservable() });
}

/** The plan from row `from` on, padded to H rows by repeating its last row. */
export function shifted(plan: Float32Array, from: number, horizon: number, actionDim: number): Float32Array {
  const out = new Float32Array(horizon * actionDim);
  const keep = Math.max(0, Math.min(horizon, horizon - from));
  if (keep > 0) out.set(plan.subarray(from * actionDim, horizon * actionDim), 0);
  const last = plan.subarray((horizon - 1) * actionDim, horizon * actionDim);
  for (let h = keep; h < horizon; h++) out.set(last, h * actionDim);
  return out;
}

function explainOutcome(outcome: PlanOutcome, H: number, A: number): string | undefined {
  if (typeof outcome !== 'object' || outcome === null || !(outcome.actions instanceof Float32Array)) {
    return `expected { actions: Float32Array, … }, got ${describeValue(outcome)}`;
  }
  if (outcome.actions.length !== H * A) return `expected ${H * A} action values (H=${H} × A=${A}), got ${outcome.actions.length}`;
  for (let i = 0; i < outcome.actions.length; i++) {
    if (!Number.isFinite(outcome.actions[i]!)) return `expected finite actions, got ${outcome.actions[i]} at index ${i} (step ${Math.floor(i / A)}, dimension ${i % A})`;
  }
  return undefined;
}
