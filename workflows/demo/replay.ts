/**
 * Episode replays: a wrapper that records `render('frame')` after `reset` and after every step, with
 * the actions, rewards and infos, and the `embodied.replay/v1` JSON file it becomes. A viewer draws
 * frame k, then frame k + 1 after action k.
 *
 * @module
 */
import type { Env, ResetOptions, ResetResult, StepResult } from '../../src/env.js';
import { writeFileAtomic } from '../../src/atomic-write.js';
import { EmbodiedError, InvalidArgumentError } from '../../src/errors.js';
import type { Frame } from '../../src/physics/scene.js';
import { Wrapper } from '../../src/wrappers/wrapper.js';

/** Format tag of replay files. */
export const REPLAY_FORMAT = 'embodied.replay/v1';

/** One recorded episode: `frames.length === actions.length + 1`. */
export interface Replay {
  readonly format: typeof REPLAY_FORMAT;
  readonly envId: string;
  readonly envOptions: Record<string, unknown>;
  /** The seed the episode was reset with. */
  readonly seed: number;
  /** Who acted, e.g. `learned MPC (models/warehouse-tiny)`. */
  readonly agent: string;
  /** Seconds between frames (the environment's control period), when known. */
  readonly controlDt?: number;
  /** Scene after reset, then after each step (`render('frame')`). */
  readonly frames: Frame[];
  /** Action k moved frame k to frame k + 1. */
  readonly actions: number[][];
  readonly rewards: number[];
  /** Info k came with reward k (optional: replays written before it was recorded lack it). */
  readonly infos?: Record<string, unknown>[];
  /** Plan telemetry of the agent, when it planned (MPC): one entry per plan, by the step it started from. */
  readonly plans?: ReplayPlan[];
  readonly terminated: boolean;
  readonly truncated: boolean;
  /** The `info` of the last step (or of the reset when no step was taken). */
  readonly finalInfo: Record<string, unknown>;
}

/** One plan of a replay's agent: the step it started from and what it cost. */
export interface ReplayPlan {
  readonly step: number;
  /** Milliseconds from request to plan. */
  readonly ms: number;
  /** Optimiser iterations. */
  readonly iterations: number;
  /** The best candidate's cost (negative predicted return for reward objectives). */
  readonly bestCost: number;
  /** Whether the plan missed its deadline and a fallback acted. */
  readonly fallbackUsed: boolean;
}

/**
 * Records frames and actions of the episodes run through it. Each `reset` starts a new recording;
 * {@link RecordFrames.replay} returns the current one. The wrapped environment must render `'frame'`.
 */
export class RecordFrames extends Wrapper<Float32Array, Float32Array> {
  /** @throws {@link InvalidArgumentError} when `env` does not list `'frame'` among its render modes. */
  constructor(env: Env<Float32Array, Float32Array>) {
    super(env);
    if (!(env.metadata?.renderModes ?? []).includes('frame')) {
      throw new InvalidArgumentError(
        `RecordFrames: expected an environment that renders 'frame' scenes, ${env.spec.id} renders ${JSON.stringify(env.metadata?.renderModes ?? [])}`,
      );
    }
  }

  private frames: Frame[] = [];
  private actions: number[][] = [];
  private rewards: number[] = [];
  private infos: Record<string, unknown>[] = [];
  private seed = 0;
  private ended = { terminated: false, truncated: false };
  private finalInfo: Record<string, unknown> = {};

  override async reset(opts?: ResetOptions): Promise<ResetResult<Float32Array>> {
    const r = await super.reset(opts);
    this.seed = opts?.seed ?? 0;
    this.frames = [this.frame()];
    this.actions = [];
    this.rewards = [];
    this.infos = [];
    this.ended = { terminated: false, truncated: false };
    this.finalInfo = { ...r.info };
    return r;
  }

  override async step(action: Float32Array): Promise<StepResult<Float32Array>> {
    const r = await super.step(action);
    this.frames.push(this.frame());
    this.actions.push(Array.from(action));
    this.rewards.push(r.reward);
    this.infos.push({ ...r.info });
    this.ended = { terminated: r.terminated, truncated: r.truncated };
    this.finalInfo = { ...r.info };
    return r;
  }

  /** The episode recorded since the last reset. `controlDt` defaults to `1 / metadata.renderFps`; `plans` is the agent's plan telemetry, if any. */
  replay(meta: { agent: string; envOptions?: Record<string, unknown>; controlDt?: number; plans?: ReplayPlan[] }): Replay {
    const fps = this.metadata.renderFps;
    const controlDt = meta.controlDt ?? (typeof fps === 'number' && fps > 0 ? 1 / fps : undefined);
    return {
      format: REPLAY_FORMAT,
      envId: this.spec.id,
      envOptions: meta.envOptions ?? {},
      seed: this.seed,
      agent: meta.agent,
      ...(controlDt !== undefined && { controlDt }),
      frames: this.frames.slice(),
      actions: this.actions.slice(),
      rewards: this.rewards.slice(),
      infos: this.infos.slice(),
      ...(meta.plans && { plans: meta.plans.slice() }),
      terminated: this.ended.terminated,
      truncated: this.ended.truncated,
      finalInfo: this.finalInfo,
    };
  }

  private frame(): Frame {
    const f = this.render('frame') as Frame | undefined;
    if (f === undefined || typeof f !== 'object' || !Array.isArray(f.bodies)) throw new EmbodiedError(`RecordFrames: ${this.spec.id} does not render 'frame' scenes`);
    return f;
  }
}

/** Writes a replay as JSON, atomically. */
export async function writeReplay(path: string, replay: Replay): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(replay)}\n`);
}
