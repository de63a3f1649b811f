/**
 * `multiAgent`: one agent per robot, composed into one agent over records. Each robot's agent sees
 * only its own observation; their action streams are merged back into one record per step, and a
 * robot that misses its deadline is covered by its fallback so the others are never held up.
 *
 * @module
 */
import { asyncScheduler, Observable, Subject, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { InvalidArgumentError, describeValue } from '../src/errors.js';
import { AgentProtocolError } from './errors.js';
import type { Agent, Percept } from './types.js';

/** Options of {@link multiAgent}. */
export interface MultiAgentOptions<A = Float32Array> {
  /**
   * Milliseconds each robot has to answer after the step's percept arrives: one number for all, or
   * one per robot (robots not listed wait forever). Default: `Infinity` (always wait).
   */
  readonly deadlineMs?: number | Readonly<Record<string, number>>;
  /**
   * What a late robot does before it has ever answered. Afterwards it repeats its latest answer
   * (zero-order hold). Default: none — a robot late at its first step is then an error.
   */
  readonly initialActions?: Readonly<Record<string, A>>;
  /** Clock of the deadlines. Default: `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** A robot answered late: the step used its fallback, or a stale answer arrived and was dropped. */
export interface RobotTelemetry {
  readonly robot: string;
  /** The step the late answer belonged to. */
  readonly step: number;
  /** `fallback`: the deadline passed and the fallback was used; `stale`: the late answer arrived and was dropped. */
  readonly kind: 'fallback' | 'stale';
  /** For `fallback`: where the action came from. */
  readonly action?: 'held' | 'initial';
}

/** A team of agents: the operator plus its per-robot telemetry. */
export type MultiAgent<O = Float32Array, A = Float32Array> = Agent<Record<string, O>, Record<string, A>> & {
  /** Fallbacks and stale answers, hot (shared by all episodes). */
  readonly telemetry$: Observable<RobotTelemetry>;
};

/**
 * Composes per-robot agents into one agent over records (`{ robot_0: obs, … }` → `{ robot_0: action, … }`),
 * e.g. for `ParallelEnvAdapter(new WarehouseParallelEnv(...))`. Robot `r`'s percept carries
 * `observation[r]`, its own info (`info.perAgent[r]` when the info has per-agent entries, else the
 * whole info), and the shared step, seed and state.
 *
 * Each step emits one record with every robot's action, in the order of `agents`' keys. A robot whose
 * deadline passes first gets its fallback for that step (reported on `telemetry$`); its late answer
 * is dropped when it comes (its answers stay matched to its percepts, one each, in order).
 * Errors of any robot's agent end the team's stream.
 */
export function multiAgent<O, A>(agents: Readonly<Record<string, Agent<O, A>>>, options: MultiAgentOptions<A> = {}): MultiAgent<O, A> {
  if (typeof agents !== 'object' || agents === null || Object.keys(agents).length === 0) {
    throw new InvalidArgumentError(`multiAgent: expected a non-empty record of agents keyed by robot id, got ${describeValue(agents)}`);
  }
  const ids = Object.keys(agents);
  for (const id of ids) {
    if (typeof agents[id] !== 'function') throw new InvalidArgumentError(`multiAgent: expected the agent of ${id} to be an operator function, got ${describeValue(agents[id])}`);
  }
  const deadlines = resolveDeadlines(ids, options.deadlineMs);
  const scheduler = options.scheduler ?? asyncScheduler;
  const initial = options.initialActions ?? {};
  for (const id of Object.keys(initial)) {
    if (!ids.includes(id)) throw new InvalidArgumentError(`multiAgent options: \`initialActions\` names ${describeValue(id)}, which has no agent (robots: ${ids.join(', ')})`);
  }
  const team: Team<O, A> = { ids, agents, deadlines, scheduler, initial, telemetry: new Subject<RobotTelemetry>() };
  const operator = (percepts: Observable<Percept<Record<string, O>>>): Observable<Record<string, A>> =>
    new Observable<Record<string, A>>((subscriber) => {
      const run = new TeamRun(team, subscriber);
      run.subscribe(percepts);
      return () => run.unsubscribe();
    });
  return Object.assign(operator, { telemetry$: team.telemetry.asObservable() });
}

/** What every subscription of one {@link multiAgent} shares. */
interface Team<O, A> {
  readonly ids: readonly string[];
  readonly agents: Readonly<Record<string, Agent<O, A>>>;
  readonly deadlines: ReadonlyMap<string, number>;
  readonly scheduler: SchedulerLike;
  readonly initial: Readonly<Record<string, A>>;
  readonly telemetry: Subject<RobotTelemetry>;
}

/** One team step in progress: the actions gathered so far and the robots' deadline timers. */
interface TeamStep<A> {
  readonly index: number;
  readonly step: number;
  readonly actions: Map<string, A>;
  readonly timers: Subscription[];
}

/** One subscription of a {@link multiAgent}: fans each percept out to the robots and gathers their answers. */
class TeamRun<O, A> {
  private readonly inputs: Map<string, Subject<Percept<O>>>;
  private readonly answered: Map<string, number>;
  private readonly held = new Map<string, A>();
  /** Team steps started. */
  private index = 0;
  private current: TeamStep<A> | undefined;
  private readonly queue: Percept<Record<string, O>>[] = [];
  private upstreamDone = false;
  private readonly subscriptions: Subscription[] = [];
  /** Team index → percept step (for telemetry of stale answers). */
  private readonly stepOf = new Map<number, number>();

  constructor(
    private readonly team: Team<O, A>,
    private readonly subscriber: Subscriber<Record<string, A>>,
  ) {
    this.inputs = new Map(team.ids.map((id) => [id, new Subject<Percept<O>>()]));
    this.answered = new Map(team.ids.map((id) => [id, 0]));
  }

  /** Subscribes every robot's agent to its input, then the team to `percepts`. */
  subscribe(percepts: Observable<Percept<Record<string, O>>>): void {
    const { subscriber } = this;
    for (const id of this.team.ids) {
      this.subscriptions.push(
        this.inputs
          .get(id)!
          .pipe(this.team.agents[id]!)
          .subscribe({
            next: (action) => this.onAnswer(id, action),
            error: (error: unknown) => subscriber.error(error),
            complete: () => {
              if (!this.upstreamDone) subscriber.error(new AgentProtocolError(`multiAgent: the agent of ${id} completed before the episode ended`));
            },
          }),
      );
    }
    this.subscriptions.push(
      percepts.subscribe({
        next: (percept) => (this.current === undefined ? this.start(percept) : this.queue.push(percept)),
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          this.upstreamDone = true;
          if (this.current === undefined && this.queue.length === 0) subscriber.complete();
        },
      }),
    );
  }

  unsubscribe(): void {
    for (const s of this.subscriptions) s.unsubscribe();
    if (this.current) for (const t of this.current.timers) t.unsubscribe();
    this.current = undefined;
  }

  /** Emits the team's actions once every robot has one, then starts the next queued step or completes. */
  private finishIfComplete(): void {
    const ids = this.team.ids;
    if (this.current === undefined || this.current.actions.size < ids.length) return;
    const done = this.current;
    this.current = undefined;
    for (const t of done.timers) t.unsubscribe();
    this.subscriber.next(Object.fromEntries(ids.map((id) => [id, done.actions.get(id)!])));
    if (this.queue.length > 0) this.start(this.queue.shift()!);
    else if (this.upstreamDone) this.subscriber.complete();
  }

  private onAnswer(id: string, action: A): void {
    const k = this.answered.get(id)!;
    this.answered.set(id, k + 1);
    this.held.set(id, action);
    const current = this.current;
    if (current !== undefined && k === current.index && !current.actions.has(id)) {
      current.actions.set(id, action);
      this.finishIfComplete();
    } else if (k < this.index) {
      // The answer to a step that already went ahead with this robot's fallback.
      this.team.telemetry.next({ robot: id, step: this.stepOf.get(k) ?? k, kind: 'stale' });
    } else {
      this.subscriber.error(
        new AgentProtocolError(`multiAgent: the agent of ${id} emitted an action while no observation was waiting for one (an agent answers each percept with exactly one action)`),
      );
    }
  }

  /** Starts a team step: arms every robot's deadline, then shows each robot its percept. */
  private start(percept: Percept<Record<string, O>>): void {
    const me: TeamStep<A> = { index: this.index++, step: percept.step, actions: new Map<string, A>(), timers: [] };
    this.stepOf.set(me.index, percept.step);
    this.stepOf.delete(me.index - 64); // keep the map small: answers later than 64 steps are reported by index
    this.current = me;
    const perAgent = (percept.info as { perAgent?: Record<string, Percept<O>['info']> }).perAgent;
    for (const id of this.team.ids) {
      const deadline = this.team.deadlines.get(id)!;
      if (Number.isFinite(deadline)) me.timers.push(this.team.scheduler.schedule(() => this.onDeadline(me, id, percept.step, deadline), deadline));
    }
    for (const id of this.team.ids) {
      if (this.current !== me) break; // an error or completion inside a synchronous answer
      const observation = percept.observation[id];
      if (observation === undefined) {
        this.subscriber.error(new InvalidArgumentError(`multiAgent: the observation record has no entry for ${id} (keys: ${Object.keys(percept.observation).join(', ')})`));
        return;
      }
      this.inputs.get(id)!.next({
        observation,
        info: perAgent?.[id] ?? percept.info,
        step: percept.step,
        seed: percept.seed,
        ...(percept.state && { state: percept.state }),
      });
    }
  }

  /** Robot `id` missed its deadline in step `me`: its held (or initial) action stands in. */
  private onDeadline(me: TeamStep<A>, id: string, step: number, deadline: number): void {
    if (this.current !== me || me.actions.has(id)) return;
    const fallback = this.held.get(id) ?? this.team.initial[id];
    if (fallback === undefined) {
      this.subscriber.error(
        new AgentProtocolError(`multiAgent: ${id} missed its ${deadline} ms deadline at step ${step} and has no previous action to hold; pass \`initialActions\``),
      );
      return;
    }
    this.team.telemetry.next({ robot: id, step, kind: 'fallback', action: this.held.has(id) ? 'held' : 'initial' });
    me.actions.set(id, fallback);
    this.finishIfComplete();
  }
}

function resolveDeadlines(ids: readonly string[], deadline: MultiAgentOptions['deadlineMs']): Map<string, number> {
  const check = (v: unknown, where: string): number => {
    if (typeof v !== 'number' || !(v > 0)) throw new InvalidArgumentError(`multiAgent options: expected ${where} to be a positive number of milliseconds, got ${describeValue(v)}`);
    return v;
  };
  if (deadline === undefined) return new Map(ids.map((id) => [id, Number.POSITIVE_INFINITY]));
  if (typeof deadline === 'number') {
    const d = check(deadline, '`deadlineMs`');
    return new Map(ids.map((id) => [id, d]));
  }
  if (typeof deadline !== 'object' || deadline === null)
    throw new InvalidArgumentError(`multiAgent options: expected \`deadlineMs\` to be a number or a record per robot, got ${describeValue(deadline)}`);
  for (const id of Object.keys(deadline)) {
    if (!ids.includes(id)) throw new InvalidArgumentError(`multiAgent options: \`deadlineMs\` names ${describeValue(id)}, which has no agent (robots: ${ids.join(', ')})`);
  }
  return new Map(ids.map((id) => [id, deadline[id] === undefined ? Number.POSITIVE_INFINITY : check(deadline[id], `\`deadlineMs.${id}\``)]));
}
