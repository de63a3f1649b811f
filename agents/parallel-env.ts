/**
 * Multi-robot environments with a PettingZoo-style parallel API (per-agent records, e.g.
 * `WarehouseParallelEnv`) seen as one {@link Env} over records, so `runEpisode`, `controlLoop` and
 * `multiAgent` work on them unchanged.
 *
 * @module
 */
import type { Env, EnvMetadata, EnvSpec, Info, ResetOptions, ResetResult, StepResult } from '../src/env.js';
import { InvalidArgumentError, describeValue } from '../src/errors.js';
import { DictSpace, type Space } from '../src/spaces.js';

/** The parallel API: every agent acts at once; everything is a record keyed by agent id. */
export interface ParallelEnv<O = Float32Array, A = Float32Array> {
  /** Every agent id, in a fixed order. */
  readonly possibleAgents: readonly string[];
  /** The observation space of one agent. */
  observationSpace(agent: string): Space<O>;
  /** The action space of one agent. */
  actionSpace(agent: string): Space<A>;
  /** Starts an episode: every agent's first observation and info. */
  reset(opts?: ResetOptions): Promise<{ observations: Record<string, O>; infos: Record<string, Info> }>;
  /** Advances every agent one step with its action. */
  step(actions: Record<string, A>): Promise<{
    observations: Record<string, O>;
    rewards: Record<string, number>;
    terminations: Record<string, boolean>;
    truncations: Record<string, boolean>;
    infos: Record<string, Info>;
  }>;
  /** Releases the environment's resources. */
  close(): Promise<void>;
  /** The complete state, when the environment can save it. */
  getState?(): unknown;
  /** Restores a state from `getState`. */
  setState?(state: unknown): void;
}

/**
 * What the adapter puts in `info`: the team's `success` (every agent reports success), each agent's
 * reward and info.
 */
export interface TeamInfo extends Info {
  /** True when every agent's info says `success`. */
  success: boolean;
  /** Each agent's reward of this step (absent after `reset`). */
  rewards?: Record<string, number>;
  /** Each agent's own info. */
  perAgent: Record<string, Info>;
}

/**
 * A {@link ParallelEnv} as an `Env<Record<string, O>, Record<string, A>>`: the observation and action
 * are records, the reward is the team's (the sum over agents), `terminated` when every agent
 * terminated, `truncated` when any agent was truncated, and `info` is a {@link TeamInfo}. Stateful
 * when the parallel environment is. Closing it closes the parallel environment.
 */
export class ParallelEnvAdapter<O = Float32Array, A = Float32Array> implements Env<Record<string, O>, Record<string, A>> {
  readonly spec: EnvSpec;
  readonly observationSpace: Space<Record<string, O>>;
  readonly actionSpace: Space<Record<string, A>>;
  readonly metadata: EnvMetadata = { renderModes: [] };

  /**
   * @param env - the parallel environment (owned by the adapter from now on)
   * @param id - the id reported in `spec` (default `'Parallel-v0'`)
   */
  constructor(
    readonly env: ParallelEnv<O, A>,
    id = 'Parallel-v0',
  ) {
    if (typeof env !== 'object' || env === null || !Array.isArray(env.possibleAgents) || typeof env.step !== 'function') {
      throw new InvalidArgumentError(`ParallelEnvAdapter: expected a parallel environment { possibleAgents, reset, step, close }, got ${describeValue(env)}`);
    }
    this.spec = { id };
    const per = (f: (agent: string) => Space<unknown>) => Object.fromEntries(env.possibleAgents.map((a) => [a, f(a)]));
    this.observationSpace = new DictSpace(per((a) => env.observationSpace(a))) as unknown as Space<Record<string, O>>;
    this.actionSpace = new DictSpace(per((a) => env.actionSpace(a))) as unknown as Space<Record<string, A>>;
  }

  /** Agent ids, in order. */
  get agents(): readonly string[] {
    return this.env.possibleAgents;
  }

  async reset(opts?: ResetOptions): Promise<ResetResult<Record<string, O>>> {
    const { observations, infos } = await this.env.reset(opts);
    return { observation: observations, info: this.teamInfo(infos) };
  }

  async step(action: Record<string, A>): Promise<StepResult<Record<string, O>>> {
    const r = await this.env.step(action);
    const ids = this.env.possibleAgents;
    let reward = 0;
    for (const a of ids) reward += r.rewards[a] ?? 0;
    return {
      observation: r.observations,
      reward,
      terminated: ids.every((a) => r.terminations[a] === true),
      truncated: ids.some((a) => r.truncations[a] === true),
      info: { ...this.teamInfo(r.infos), rewards: { ...r.rewards } },
    };
  }

  close(): Promise<void> {
    return this.env.close();
  }

  /** Whether the parallel environment can save and restore its state. */
  isStateful(): boolean {
    return typeof this.env.getState === 'function' && typeof this.env.setState === 'function';
  }

  /** The parallel environment's state. @throws {@link InvalidArgumentError} when it has no `getState`. */
  getState(): unknown {
    if (!this.env.getState) throw new InvalidArgumentError(`${this.spec.id}: getState() called on a parallel environment without getState`);
    return this.env.getState();
  }

  /** Restores the parallel environment's state. @throws {@link InvalidArgumentError} when it has no `setState`. */
  setState(state: unknown): void {
    if (!this.env.setState) throw new InvalidArgumentError(`${this.spec.id}: setState() called on a parallel environment without setState`);
    this.env.setState(state);
  }

  private teamInfo(infos: Record<string, Info>): TeamInfo {
    const ids = this.env.possibleAgents;
    return { success: ids.length > 0 && ids.every((a) => infos[a]?.success === true), perAgent: { ...infos } };
  }
}
