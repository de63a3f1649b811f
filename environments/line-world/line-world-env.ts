/**
 * `LineWorld-v0`: a point mass on a line that must reach a goal. Pure TypeScript, no physics engine:
 * the smallest complete environment (seeded, Stateful, renderable), used to test the environment API,
 * wrappers, vector envs and planners, and in the docs (the role MBRL-Lib's `MockLineEnv` plays there).
 *
 * Dynamics (semi-implicit Euler, float64 inside, float32 observations):
 * `v ← clip(v + (maxForce·u − damping·v)·dt, ±maxSpeed)`, `x ← x + v·dt`; walls at `±bound` stop the mass.
 *
 * @module
 */
import { z } from 'zod';
import { BaseEnv, type EnvMetadata, type EnvSpec, type LifecycleState, type ResetResult, type StepResult, type Stateful } from '../../src/env.js';
import { EnvStateError, InvalidArgumentError, describeValue } from '../../src/errors.js';
import { parseOptions } from '../../src/options.js';
import { Box } from '../../src/spaces.js';

/** Zod schema of {@link LineWorldOptions}. */
export const LineWorldOptionsSchema = z
  .object({
    /** Seconds per step [0.1]. */
    dt: z.number().positive().max(1).default(0.1),
    /** Force at action 1, for a unit mass [1]. */
    maxForce: z.number().positive().default(1),
    /** Linear drag per second [0.1]. */
    damping: z.number().nonnegative().default(0.1),
    /** Speed limit [2]. */
    maxSpeed: z.number().positive().default(2),
    /** Walls at ±bound [2]. */
    bound: z.number().positive().default(2),
    /** Goals are sampled with |goal| in [minGoalDistance, goalRange] [1]. */
    goalRange: z.number().positive().default(1),
    /** See `goalRange` [0.25]. */
    minGoalDistance: z.number().nonnegative().default(0.25),
    /** The episode terminates when |x − goal| ≤ goalTolerance [0.05]. */
    goalTolerance: z.number().positive().default(0.05),
  })
  .strict()
  .refine((o) => o.minGoalDistance < o.goalRange, { message: 'expected minGoalDistance < goalRange', path: ['minGoalDistance'] })
  .refine((o) => o.goalRange <= o.bound, { message: 'expected goalRange <= bound', path: ['goalRange'] });

/** Options of {@link LineWorld} (every field optional; defaults in brackets). */
export type LineWorldOptions = z.input<typeof LineWorldOptionsSchema>;

/** Resolved {@link LineWorldOptions}. */
export type LineWorldParams = Required<LineWorldOptions>;

/** The complete state of a {@link LineWorld}: structured-clonable, exact. */
export interface LineWorldState {
  readonly x: number;
  readonly v: number;
  readonly goal: number;
  readonly lifecycle: LifecycleState;
}

/** Options accepted by `reset({ options })`: fix the goal or the start instead of sampling them. */
const ResetOptionsSchema = z.object({ goal: z.number().finite().optional(), position: z.number().finite().optional() }).strict();

/**
 * One step of the dynamics (pure): the next position and velocity for force command `u ∈ [-1, 1]`.
 * Exposed so planners and tests can build exact batched models of LineWorld.
 */
export function lineWorldDynamics(p: LineWorldParams, x: number, v: number, u: number): { x: number; v: number } {
  let nv = v + (p.maxForce * u - p.damping * v) * p.dt;
  nv = Math.min(p.maxSpeed, Math.max(-p.maxSpeed, nv));
  let nx = x + nv * p.dt;
  if (nx > p.bound || nx < -p.bound) {
    nx = Math.min(p.bound, Math.max(-p.bound, nx));
    nv = 0;
  }
  return { x: nx, v: nv };
}

/**
 * A unit point mass on a line. Observation `[x, v, goal]`, action `[u]` ∈ [-1, 1] (force), reward
 * `−|x − goal|`, terminated with `info.success = true` when within `goalTolerance` of the goal.
 * The goal and a small start offset are sampled from the reset seed.
 *
 * @example
 * ```ts
 * import { make } from 'embodied';
 * const env = make('LineWorld-v0');
 * const { observation } = await env.reset({ seed: 1 });
 * const step = await env.step(Float32Array.of(1));
 * ```
 */
export class LineWorld extends BaseEnv<Float32Array, Float32Array> implements Stateful<LineWorldState> {
  readonly spec: EnvSpec;
  override readonly metadata: EnvMetadata;
  readonly observationSpace: Box;
  readonly actionSpace = new Box(-1, 1, [1]);
  /** The resolved options. */
  readonly params: LineWorldParams;
  private x = 0;
  private v = 0;
  private goal = 0;

  /** @param options - see {@link LineWorldOptions}. @throws {@link InvalidArgumentError} for bad options. */
  constructor(options: LineWorldOptions = {}) {
    super();
    this.params = parseOptions(LineWorldOptionsSchema, options, 'LineWorld-v0 options');
    const p = this.params;
    this.spec = { id: 'LineWorld-v0', maxEpisodeSteps: 200, kwargs: { ...options } };
    this.metadata = { renderModes: ['ansi'], renderFps: 1 / p.dt };
    this.observationSpace = new Box([-p.bound, -p.maxSpeed, -p.goalRange], [p.bound, p.maxSpeed, p.goalRange]);
  }

  protected onReset(options: Record<string, unknown>): ResetResult<Float32Array> {
    const p = this.params;
    const o = parseOptions(ResetOptionsSchema, options, 'LineWorld-v0.reset options');
    // Always draw both values so the stream advances the same way whatever the options say.
    const magnitude = this.rng.uniformRange(p.minGoalDistance, p.goalRange);
    const side = this.rng.uniform() < 0.5 ? -1 : 1;
    const start = this.rng.uniformRange(-0.05, 0.05);
    if (o.goal !== undefined && Math.abs(o.goal) > p.goalRange) {
      throw new InvalidArgumentError(`LineWorld-v0.reset: expected options.goal in [-${p.goalRange}, ${p.goalRange}], got ${o.goal}`);
    }
    if (o.position !== undefined && Math.abs(o.position) > p.bound) {
      throw new InvalidArgumentError(`LineWorld-v0.reset: expected options.position in [-${p.bound}, ${p.bound}], got ${o.position}`);
    }
    this.goal = o.goal ?? side * magnitude;
    this.x = o.position ?? start;
    this.v = 0;
    return { observation: this.observe(), info: { success: false, distance: Math.abs(this.x - this.goal) } };
  }

  protected onStep(action: Float32Array): StepResult<Float32Array> {
    const next = lineWorldDynamics(this.params, this.x, this.v, action[0]!);
    this.x = next.x;
    this.v = next.v;
    const distance = Math.abs(this.x - this.goal);
    const success = distance <= this.params.goalTolerance;
    return { observation: this.observe(), reward: -distance, terminated: success, truncated: false, info: { success, distance } };
  }

  getState(): LineWorldState {
    return { x: this.x, v: this.v, goal: this.goal, lifecycle: this.captureLifecycle() };
  }

  setState(state: LineWorldState): void {
    if (typeof state !== 'object' || state === null || ![state.x, state.v, state.goal].every((n) => typeof n === 'number' && Number.isFinite(n))) {
      throw new InvalidArgumentError(`LineWorld-v0.setState: expected { x, v, goal, lifecycle } with finite numbers, got ${describeValue(state)}`);
    }
    this.restoreLifecycle(state.lifecycle);
    this.x = state.x;
    this.v = state.v;
    this.goal = state.goal;
  }

  /** `'ansi'`: a one-line text picture, e.g. `|········o·····G·······| x=-0.031 v=0.000 goal=0.512`. */
  render(mode = 'ansi'): string {
    if (this.phase === 'closed') throw new EnvStateError('LineWorld-v0: render() called after close()');
    if (mode !== 'ansi') throw new InvalidArgumentError(`LineWorld-v0.render: expected mode 'ansi', got ${describeValue(mode)}`);
    const width = 41;
    const cell = (pos: number) => Math.round(((pos + this.params.bound) / (2 * this.params.bound)) * (width - 1));
    const track = Array.from({ length: width }, () => '·');
    track[cell(this.goal)] = 'G';
    track[cell(this.x)] = cell(this.x) === cell(this.goal) ? '@' : 'o';
    return `|${track.join('')}| x=${this.x.toFixed(3)} v=${this.v.toFixed(3)} goal=${this.goal.toFixed(3)}`;
  }

  private observe(): Float32Array {
    return Float32Array.of(this.x, this.v, this.goal);
  }
}
