/**
 * The oracle: a {@link RolloutModel} that evaluates candidate action sequences in the real simulator.
 * For each candidate it restores the exact start state of a pool environment (`setState`: for Rapier
 * environments a leak-free snapshot restore) and steps it, returning true observations as states and
 * true rewards. Planning with it instead of a learned model gives the upper bound every learned model
 * is compared with.
 *
 * An observation cannot encode the full simulator state (contacts, solver warm starts, task state,
 * random stream), so the start is given explicitly: `setStart(env.getState(), observation)` with the
 * state and observation of the environment being controlled. `rollout(states, …)` then requires every
 * row of `states` to equal that observation (so a planner cannot silently plan from somewhere else).
 *
 * Episodes that end inside the horizon: after a `terminated` step the remaining rewards are 0 (the MDP
 * has ended), the states repeat the last observation, and `terminals` is 1 from that step on. After a
 * `truncated` step (time limit, leaving the arena) the states repeat too, and each remaining reward
 * repeats the last one by default (`afterTruncation: 'repeat-reward'`): the episode was cut from
 * outside the MDP, and scoring the rest as 0 would reward a planner for ending it early to escape a
 * dense penalty. `'zero'` scores it 0 instead.
 *
 * A rollout steps real environments on this thread, and an environment's `step` resolves as a microtask, so
 * a plan of many candidates would hold the event loop for its whole length (timers, Ctrl-C, deadlines never
 * run). The rollout therefore yields to the event loop (`setImmediate`) between candidates once
 * `yieldEveryMs` has passed since it last did; a model closed meanwhile stops the rollout with an error.
 *
 * @module
 */
import { isStateful, type Env, type Stateful } from '../env.js';
import { EnvStateError, InvalidArgumentError, describeValue } from '../errors.js';
import { parseOptions, z } from '../options.js';
import type { Space } from '../spaces.js';
import type { RolloutModel, RolloutResult } from './rollout-model.js';

/** Zod schema of {@link PhysicsRolloutOptions} (`factory` is checked to be a function). */
export const PhysicsRolloutOptionsSchema = z
  .object({
    /**
     * Builds one pool environment, e.g. `() => make('PushBox-v0')`. It must be {@link Stateful} and built
     * with the same options as the environment whose states you plan from (same scene, same spaces).
     */
    factory: z.custom<() => unknown>((v) => typeof v === 'function', 'expected a function returning an environment'),
    /**
     * Environments in the pool; candidates are split among them. On one thread this gives no speed-up
     * (it is the seam for a worker-thread pool). Default: `1`.
     */
    poolSize: z.number().int().positive().max(1024).default(1),
    /** Check that every row of `rollout`'s `states` equals the start observation. Default: `true`. */
    checkStates: z.boolean().default(true),
    /** Rewards after a truncation inside the horizon: repeat the last reward, or 0. Default: `'repeat-reward'`. */
    afterTruncation: z.enum(['repeat-reward', 'zero']).default('repeat-reward'),
    /** Seed of the one `reset` each pool environment gets before its first `setState`. Default: `0`. */
    resetSeed: z.number().int().nonnegative().default(0),
    /**
     * Longest a rollout computes without letting the event loop run (timers, signals, I/O), ms; checked
     * between candidates. Default: `10`.
     */
    yieldEveryMs: z.number().nonnegative().default(10),
  })
  .strict();

/** Options of {@link PhysicsRolloutModel.create}: those of {@link PhysicsRolloutOptionsSchema}, with `factory` typed by observation and action. */
export type PhysicsRolloutOptions<O = Float32Array, A = Float32Array> = Omit<z.input<typeof PhysicsRolloutOptionsSchema>, 'factory'> & {
  /**
   * Builds one pool environment, e.g. `() => make('PushBox-v0')`. It must be {@link Stateful} and built
   * with the same options as the environment whose states you plan from (same scene, same spaces).
   */
  readonly factory: () => Env<O, A> | Promise<Env<O, A>>;
};

/** Counters of the oracle's work since it was created. */
export interface PhysicsRolloutStats {
  /** Candidate sequences evaluated. */
  readonly candidates: number;
  /** Environment steps taken. */
  readonly steps: number;
  /** Candidates whose episode ended inside the horizon. */
  readonly endedEarly: number;
}

/** The Rapier (or any Stateful environment) oracle. See the module comment for its semantics. */
export class PhysicsRolloutModel<O = Float32Array, A = Float32Array> implements RolloutModel, AsyncDisposable {
  readonly stateDim: number;
  readonly actionDim: number;
  /** Lower action bounds of the environment's Box action space (plan within these). */
  readonly actionLow: Float32Array;
  /** Upper action bounds. */
  readonly actionHigh: Float32Array;
  private readonly pool: (Env<O, A> & Stateful)[];
  private readonly observationSpace: Space<O>;
  private readonly actionSpace: Space<A>;
  private readonly checkStates: boolean;
  private readonly repeatAfterTruncation: boolean;
  private startState: unknown;
  private startObservation: Float32Array | undefined;
  private closed = false;
  private readonly yieldEveryMs: number;
  private lastYield = 0;
  private counters = { candidates: 0, steps: 0, endedEarly: 0 };

  private constructor(pool: (Env<O, A> & Stateful)[], o: { checkStates: boolean; afterTruncation: string; yieldEveryMs: number }) {
    this.pool = pool;
    const first = pool[0]!;
    this.observationSpace = first.observationSpace;
    this.actionSpace = first.actionSpace;
    this.stateDim = this.observationSpace.flatDim;
    this.actionDim = this.actionSpace.flatDim;
    const box = this.actionSpace as unknown as { low: Float32Array; high: Float32Array };
    this.actionLow = Float32Array.from(box.low);
    this.actionHigh = Float32Array.from(box.high);
    this.checkStates = o.checkStates;
    this.repeatAfterTruncation = o.afterTruncation === 'repeat-reward';
    this.yieldEveryMs = o.yieldEveryMs;
  }

  /**
   * Builds the pool (each environment is reset once with `resetSeed`, so it has a scene to restore into).
   * @throws {@link InvalidArgumentError} when the factory's environments are not Stateful, have a
   *   non-Box action space, or disagree on their spaces.
   */
  static async create<O = Float32Array, A = Float32Array>(options: PhysicsRolloutOptions<O, A>): Promise<PhysicsRolloutModel<O, A>> {
    const o = parseOptions(PhysicsRolloutOptionsSchema, options, 'PhysicsRolloutModel options');
    const pool: (Env<O, A> & Stateful)[] = [];
    try {
      for (let i = 0; i < o.poolSize; i++) {
        const env = await options.factory();
        if (typeof env !== 'object' || env === null || typeof env.step !== 'function') {
          throw new InvalidArgumentError(`PhysicsRolloutModel: expected \`factory\` to return an environment, got ${describeValue(env)}`);
        }
        if (!isStateful(env)) {
          await env.close();
          throw new InvalidArgumentError(`PhysicsRolloutModel: expected a Stateful environment (getState/setState), got ${env.spec?.id ?? 'an environment'} without them`);
        }
        pool.push(env);
        if (env.actionSpace.type !== 'Box') {
          throw new InvalidArgumentError(`PhysicsRolloutModel: expected a Box action space (continuous actions to optimise), got ${env.actionSpace.type} for ${env.spec.id}`);
        }
        if (i > 0 && (!env.observationSpace.equals(pool[0]!.observationSpace) || !env.actionSpace.equals(pool[0]!.actionSpace))) {
          throw new InvalidArgumentError(`PhysicsRolloutModel: pool environment ${i} has different spaces from environment 0; the factory must build identical environments`);
        }
        await env.reset({ seed: o.resetSeed });
      }
    } catch (error) {
      for (const env of pool) await env.close();
      throw error;
    }
    return new PhysicsRolloutModel(pool, o);
  }

  /** Work done so far. */
  get stats(): PhysicsRolloutStats {
    return { ...this.counters };
  }

  /** Environments in the pool. */
  get poolSize(): number {
    return this.pool.length;
  }

  /**
   * Sets the state every rollout starts from: the exact state of the controlled environment
   * (`env.getState()`) and its current observation.
   */
  setStart(state: unknown, observation: O): void {
    if (this.closed) throw new EnvStateError('PhysicsRolloutModel: setStart() called after close()');
    const why = this.observationSpace.explain(observation);
    if (why !== undefined) throw new InvalidArgumentError(`PhysicsRolloutModel.setStart: invalid observation: ${why}`);
    // Fail now, not inside a plan, when the state does not fit the pool's environments.
    this.pool[0]!.setState(state);
    this.startState = structuredClone(state);
    this.startObservation = this.observationSpace.flatten(observation);
  }

  async rollout(states: Float32Array, actions: Float32Array, horizon: number): Promise<RolloutResult> {
    if (this.closed) throw new EnvStateError('PhysicsRolloutModel: rollout() called after close()');
    const start = this.startObservation;
    if (start === undefined) {
      throw new EnvStateError('PhysicsRolloutModel: rollout() called before setStart(); call setStart(env.getState(), observation) with the state to plan from');
    }
    if (!Number.isSafeInteger(horizon) || horizon <= 0) {
      throw new InvalidArgumentError(`PhysicsRolloutModel.rollout: expected \`horizon\` to be a positive integer, got ${describeValue(horizon)}`);
    }
    const s = this.stateDim;
    const a = this.actionDim;
    if (!(states instanceof Float32Array) || states.length === 0 || states.length % s !== 0) {
      throw new InvalidArgumentError(`PhysicsRolloutModel.rollout: expected \`states\` to be a non-empty Float32Array of B × ${s} values, got ${describeValue(states)}`);
    }
    const batch = states.length / s;
    if (!(actions instanceof Float32Array) || actions.length !== batch * horizon * a) {
      throw new InvalidArgumentError(
        `PhysicsRolloutModel.rollout: expected \`actions\` to be a Float32Array of B × H × A = ${batch} × ${horizon} × ${a} values, got ${describeValue(actions)}`,
      );
    }
    if (this.checkStates) this.checkStartRows(states, batch);
    const out = {
      states: new Float32Array(batch * horizon * s),
      rewards: new Float32Array(batch * horizon),
      terminals: new Float32Array(batch * horizon),
    };
    // Split the candidates into contiguous chunks, one per pool environment.
    const chunk = Math.ceil(batch / this.pool.length);
    this.lastYield = performance.now();
    await Promise.all(this.pool.map((env, p) => this.evaluateRange(env, actions, horizon, p * chunk, Math.min(batch, (p + 1) * chunk), out)));
    return out;
  }

  /** Closes every pool environment. Calling it twice has no effect. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const env of this.pool) await env.close();
    this.pool.length = 0;
  }

  /** Same as `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async evaluateRange(
    env: Env<O, A> & Stateful,
    actions: Float32Array,
    horizon: number,
    from: number,
    to: number,
    out: { states: Float32Array; rewards: Float32Array; terminals: Float32Array },
  ): Promise<void> {
    const s = this.stateDim;
    const a = this.actionDim;
    for (let b = from; b < to; b++) {
      await this.yieldIfDue();
      env.setState(this.startState);
      for (let t = 0; t < horizon; t++) {
        const base = (b * horizon + t) * a;
        const action = this.actionSpace.unflatten(actions.subarray(base, base + a));
        const step = await env.step(action);
        this.counters.steps++;
        const row = b * horizon + t;
        this.observationSpace.flatten(step.observation, out.states, row * s);
        out.rewards[row] = step.reward;
        if (step.terminated || step.truncated) {
          this.counters.endedEarly += t < horizon - 1 ? 1 : 0;
          const fill = step.terminated ? 0 : this.repeatAfterTruncation ? step.reward : 0;
          if (step.terminated) out.terminals[row] = 1;
          for (let u = t + 1; u < horizon; u++) {
            const r2 = b * horizon + u;
            out.states.copyWithin(r2 * s, row * s, (row + 1) * s);
            out.rewards[r2] = fill;
            out.terminals[r2] = step.terminated ? 1 : 0;
          }
          break;
        }
      }
      this.counters.candidates++;
    }
  }

  /** Lets the event loop run when `yieldEveryMs` has passed since the last time. */
  private async yieldIfDue(): Promise<void> {
    if (performance.now() - this.lastYield < this.yieldEveryMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastYield = performance.now();
    if (this.closed) throw new EnvStateError('PhysicsRolloutModel: closed while a rollout was running (the plan was abandoned)');
  }

  private checkStartRows(states: Float32Array, batch: number): void {
    const s = this.stateDim;
    const start = this.startObservation!;
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < s; j++) {
        const x = states[b * s + j]!;
        const y = start[j]!;
        if (!(Math.abs(x - y) <= 1e-6 * (1 + Math.abs(y)))) {
          throw new InvalidArgumentError(
            `PhysicsRolloutModel.rollout: states row ${b} differs from the start observation at index ${j} (${x} vs ${y}); the oracle rolls out only from the state given to setStart(env.getState(), observation)`,
          );
        }
      }
    }
  }
}
