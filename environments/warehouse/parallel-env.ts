/**
 * The multi-robot view of the warehouse, after PettingZoo's parallel API: every robot acts at once,
 * and observations, actions, rewards, terminations, truncations and infos are records keyed by robot
 * id (`robot_0`, `robot_1`, …, in the layout's reading order).
 *
 * It drives a {@link WarehouseEnv} underneath (same physics, options and state), splitting its flat
 * observation into per-robot blocks and reporting each robot's own reward (its potential change,
 * its delivery bonuses, its collision penalties). All robots terminate together when every package
 * is delivered, and are truncated together at `maxEpisodeSteps`; after either, `agents` is empty and
 * `step` throws until `reset`.
 *
 * @example
 * ```ts
 * const env = new WarehouseParallelEnv({ layout: 'small' });
 * const { observations } = await env.reset({ seed: 1 });
 * const actions = Object.fromEntries(env.agents.map((a) => [a, env.actionSpace(a).sample(rng)]));
 * const { rewards, terminations, truncations, infos } = await env.step(actions);
 * ```
 *
 * @module
 */
import { EnvStateError, InvalidActionError, InvalidArgumentError, describeValue } from '../../src/errors.js';
import type { Info, ResetOptions } from '../../src/env.js';
import type { PhysicsEnvState } from '../../src/physics/physics-env.js';
import type { Box } from '../../src/spaces.js';
import type { WarehouseOptions } from './config.js';
import { DEFAULT_MAX_EPISODE_STEPS, isBuiltinLayoutName } from './layouts.js';
import type { WarehouseTaskState } from './task.js';
import { WarehouseEnv } from './warehouse-env.js';

/** Options of {@link WarehouseParallelEnv}: the warehouse options plus the time limit. */
export interface WarehouseParallelOptions extends WarehouseOptions {
  /** Control steps before every robot is truncated. Default: 200 (tiny), 500 (small, custom), 1000 (medium). */
  readonly maxEpisodeSteps?: number;
}

/** What {@link WarehouseParallelEnv.reset} returns. */
export interface ParallelResetResult {
  observations: Record<string, Float32Array>;
  infos: Record<string, Info>;
}

/** What {@link WarehouseParallelEnv.step} returns. */
export interface ParallelStepResult {
  observations: Record<string, Float32Array>;
  rewards: Record<string, number>;
  terminations: Record<string, boolean>;
  truncations: Record<string, boolean>;
  infos: Record<string, Info>;
}

/** The saved state of a {@link WarehouseParallelEnv}. */
export interface WarehouseParallelState {
  readonly env: PhysicsEnvState<WarehouseTaskState>;
  readonly steps: number;
  readonly live: boolean;
}

/** Multi-robot warehouse with a PettingZoo-style parallel, per-robot dict API. */
export class WarehouseParallelEnv {
  /** Every robot id, in robot order. */
  readonly possibleAgents: readonly string[];
  /** The time limit, control steps. */
  readonly maxEpisodeSteps: number;
  /** The single-env view underneath (read its `config`, `layout`, `render`). */
  readonly env: WarehouseEnv;
  private live = false;
  private steps = 0;
  private readonly flat: Float32Array;

  /** @param options - warehouse options (see `WarehouseOptionsSchema`) plus `maxEpisodeSteps`. */
  constructor(options: WarehouseParallelOptions = {}) {
    const { maxEpisodeSteps, ...rest } = options;
    this.env = new WarehouseEnv(rest);
    const name = this.env.layout.name;
    this.maxEpisodeSteps = maxEpisodeSteps ?? DEFAULT_MAX_EPISODE_STEPS[isBuiltinLayoutName(name) ? name : 'custom'];
    if (!Number.isSafeInteger(this.maxEpisodeSteps) || this.maxEpisodeSteps <= 0) {
      throw new InvalidArgumentError(`WarehouseParallelEnv options: expected \`maxEpisodeSteps\` to be a positive integer, got ${describeValue(maxEpisodeSteps)}`);
    }
    this.possibleAgents = Object.freeze(Array.from({ length: this.env.numRobots }, (_, i) => `robot_${i}`));
    this.flat = new Float32Array(this.env.actionSpace.flatDim);
  }

  /** Robots still acting: all of them during an episode, none after it ended. */
  get agents(): string[] {
    return this.live ? [...this.possibleAgents] : [];
  }

  /** Control steps taken in this episode. */
  get elapsedSteps(): number {
    return this.steps;
  }

  /** The observation space of one robot (all robots share it). */
  observationSpace(agent: string): Box {
    this.index(agent);
    return this.env.robotObservationSpace;
  }

  /** The action space of one robot: `[vx, vz, grip]` (or `[vx, vz]` in push mode) in [−1, 1]. */
  actionSpace(agent: string): Box {
    this.index(agent);
    return this.env.robotActionSpace;
  }

  /** Starts an episode; `seed` and `options` as for `WarehouseEnv.reset`. */
  async reset(opts?: ResetOptions): Promise<ParallelResetResult> {
    const { observation } = await this.env.reset(opts);
    this.live = true;
    this.steps = 0;
    return { observations: this.split(observation), infos: this.infos() };
  }

  /**
   * Advances every robot one control step.
   * @throws {@link InvalidActionError} when an action is missing, unknown, or outside the robot's space.
   * @throws {@link EnvStateError} before `reset` or after the episode ended.
   */
  async step(actions: Record<string, Float32Array>): Promise<ParallelStepResult> {
    if (!this.live) throw new EnvStateError('WarehouseParallelEnv: step() called with no live agents (before reset() or after the episode ended); call reset() first');
    if (typeof actions !== 'object' || actions === null) {
      throw new InvalidActionError(`WarehouseParallelEnv.step: expected a record of actions keyed by ${this.possibleAgents.join(', ')}, got ${describeValue(actions)}`);
    }
    for (const key of Object.keys(actions)) {
      if (!this.possibleAgents.includes(key))
        throw new InvalidActionError(`WarehouseParallelEnv.step: unknown agent ${describeValue(key)} (agents: ${this.possibleAgents.join(', ')})`);
    }
    const space = this.env.robotActionSpace;
    const dim = space.flatDim;
    this.possibleAgents.forEach((agent, i) => {
      const a = actions[agent];
      if (a === undefined) throw new InvalidActionError(`WarehouseParallelEnv.step: missing action for ${agent}`);
      const why = space.explain(a);
      if (why !== undefined) throw new InvalidActionError(`WarehouseParallelEnv.step: invalid action for ${agent}: ${why}`);
      this.flat.set(a, i * dim);
    });
    const result = await this.env.step(this.flat);
    this.steps++;
    const rewards = this.env.robotRewards();
    const truncated = !result.terminated && this.steps >= this.maxEpisodeSteps;
    if (result.terminated || truncated) this.live = false;
    const record = <T>(f: (i: number) => T) => Object.fromEntries(this.possibleAgents.map((a, i) => [a, f(i)]));
    return {
      observations: this.split(result.observation),
      rewards: record((i) => rewards[i]!),
      terminations: record(() => result.terminated),
      truncations: record(() => truncated),
      infos: this.infos(result.info),
    };
  }

  /** The complete state (physics, task, step count): restoring and stepping reproduces bit for bit. */
  getState(): WarehouseParallelState {
    return { env: this.env.getState(), steps: this.steps, live: this.live };
  }

  /** Restores a state from {@link WarehouseParallelEnv.getState}. */
  setState(state: WarehouseParallelState): void {
    if (typeof state !== 'object' || state === null || !('env' in state)) {
      throw new InvalidArgumentError(`WarehouseParallelEnv.setState: expected a state from getState(), got ${describeValue(state)}`);
    }
    this.env.setState(state.env);
    this.steps = state.steps;
    this.live = state.live;
  }

  /** `'ansi'` or `'frame'`, as for the single-env view. */
  render(mode?: string): unknown {
    return this.env.render(mode);
  }

  /** Releases the Rapier world. Calling it twice has no effect. */
  close(): Promise<void> {
    this.live = false;
    return this.env.close();
  }

  private index(agent: string): number {
    const i = this.possibleAgents.indexOf(agent);
    if (i < 0) throw new InvalidArgumentError(`WarehouseParallelEnv: unknown agent ${describeValue(agent)} (agents: ${this.possibleAgents.join(', ')})`);
    return i;
  }

  private split(flat: Float32Array): Record<string, Float32Array> {
    const d = this.env.obsLayout.robotDim;
    return Object.fromEntries(this.possibleAgents.map((a, i) => [a, flat.slice(i * d, (i + 1) * d)]));
  }

  private infos(team?: Info): Record<string, Info> {
    return Object.fromEntries(
      this.possibleAgents.map((a, i) => {
        const own = this.env.robotInfo(i);
        return [
          a,
          {
            ...own,
            success: team?.success ?? false,
            teamDeliveries: team?.deliveries ?? 0,
            throughput: team?.throughput ?? 0,
            deliveriesPerRobotHour: team?.deliveriesPerRobotHour ?? 0,
          },
        ];
      }),
    );
  }
}
