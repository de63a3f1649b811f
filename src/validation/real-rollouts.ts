/**
 * Ground-truth trajectories: put the real environment at a reproducible start (a seeded reset,
 * optional reset options, then a few recorded warm-up actions), run an action sequence or a policy
 * for H steps, and record everything validation compares against. Starts are replayed rather than
 * restored, so this works for environments that are not `Stateful`; when they are, the exact start
 * state is captured for models that simulate.
 *
 * @module
 */
import { isStateful, type Env, type Stateful } from '../env.js';
import { InvalidArgumentError } from '../errors.js';
import type { Policy } from '../policy.js';
import { Rng } from '../rng.js';

/** A reproducible start: `reset({ seed, options })`, then the warm-up actions. */
export interface StartPoint {
  readonly seed: number;
  readonly resetOptions?: Record<string, unknown>;
  /** Warm-up actions, `k × actionDim` (k may be 0). */
  readonly warmup: Float32Array;
}

/** One row to run: a start and either fixed actions (`H × A`) or a policy. */
export interface RealRow {
  readonly start: StartPoint;
  readonly actions?: Float32Array;
  readonly policy?: Policy<Float32Array, Float32Array>;
}

/** B real trajectories of H steps (flat, batch-major). */
export interface RealBatch {
  readonly count: number;
  readonly horizon: number;
  readonly obsDim: number;
  readonly actionDim: number;
  /** Start observations, `B × D`. */
  readonly startObservations: Float32Array;
  /** Exact start states, when the environment is `Stateful`. */
  readonly startStates?: unknown[];
  /** Actions applied, `B × H × A` (after an episode ends: the idle action, never scored). */
  readonly actions: Float32Array;
  /** Observation after each step, `B × H × D` (after the end: the last one repeated). */
  readonly observations: Float32Array;
  /** `B × H`. */
  readonly rewards: Float32Array;
  /** `B × H`: 1 where step h really happened (the episode had not ended before it). */
  readonly valid: Uint8Array;
}

/** Flat size of a space's shape. */
export function flatSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Puts `env` at `start` and returns the observation there. */
export async function goToStart(env: Env<Float32Array, Float32Array>, start: StartPoint): Promise<{ observation: Float32Array; info: Record<string, unknown> }> {
  const A = flatSize(env.actionSpace.shape);
  const r = await env.reset({ seed: start.seed, ...(start.resetOptions && { options: start.resetOptions }) });
  let obs = r.observation;
  let info = r.info;
  for (let i = 0; i < start.warmup.length / A; i++) {
    const s = await env.step(start.warmup.slice(i * A, (i + 1) * A));
    if (s.terminated || s.truncated)
      throw new InvalidArgumentError(`goToStart: the episode of seed ${start.seed} ended during warm-up step ${i}; starts must leave the episode running`);
    obs = s.observation;
    info = s.info;
  }
  return { observation: obs, info };
}

/**
 * `count` seeded starts: seeds `seed, seed+1, …`, each followed by up to `maxWarmup` uniform random
 * actions (the number drawn per start), shortened when the episode would end during them.
 */
export async function sampleStarts(env: Env<Float32Array, Float32Array>, count: number, seed: number, maxWarmup: number): Promise<StartPoint[]> {
  const A = flatSize(env.actionSpace.shape);
  const rng = Rng.fromSeed(seed).derive(1);
  const starts: StartPoint[] = [];
  for (let i = 0; i < count; i++) {
    const k = maxWarmup > 0 ? rng.integer(0, maxWarmup) : 0;
    const actions: Float32Array[] = [];
    await env.reset({ seed: seed + i });
    for (let j = 0; j < k; j++) {
      const a = env.actionSpace.sample(rng) as Float32Array;
      const s = await env.step(a);
      if (s.terminated || s.truncated) break;
      actions.push(a);
    }
    const warmup = new Float32Array(actions.length * A);
    actions.forEach((a, j) => {
      warmup.set(a, j * A);
    });
    starts.push({ seed: seed + i, warmup });
  }
  return starts;
}

/** Runs every row in `env` for `horizon` steps. `idle` fills actions after an episode ends. */
export async function runRealRows(env: Env<Float32Array, Float32Array>, rows: readonly RealRow[], horizon: number, idle: Float32Array): Promise<RealBatch> {
  const D = flatSize(env.observationSpace.shape);
  const A = flatSize(env.actionSpace.shape);
  const B = rows.length;
  const H = horizon;
  const stateful = isStateful(env);
  const startObservations = new Float32Array(B * D);
  const startStates: unknown[] | undefined = stateful ? [] : undefined;
  const actions = new Float32Array(B * H * A);
  const observations = new Float32Array(B * H * D);
  const rewards = new Float32Array(B * H);
  const valid = new Uint8Array(B * H);
  for (let b = 0; b < B; b++) {
    const row = rows[b]!;
    if ((row.actions === undefined) === (row.policy === undefined)) throw new InvalidArgumentError('runRealRows: each row needs exactly one of `actions` or `policy`');
    if (row.actions && row.actions.length !== H * A) throw new InvalidArgumentError(`runRealRows: expected row actions of ${H} × ${A} values, got ${row.actions.length}`);
    const at = await goToStart(env, row.start);
    let obs = at.observation;
    let info = at.info;
    startObservations.set(obs, b * D);
    startStates?.push((env as unknown as Stateful).getState());
    row.policy?.reset?.(row.start.seed);
    let ended = false;
    for (let h = 0; h < H; h++) {
      const i = b * H + h;
      if (ended) {
        actions.set(idle, i * A);
        observations.set(obs, i * D);
        continue;
      }
      const a = row.actions ? row.actions.slice(h * A, (h + 1) * A) : Float32Array.from(await row.policy!.act(obs, info));
      actions.set(a, i * A);
      const s = await env.step(a);
      obs = s.observation;
      info = s.info;
      observations.set(obs, i * D);
      rewards[i] = s.reward;
      valid[i] = 1;
      ended = s.terminated || s.truncated;
    }
  }
  return { count: B, horizon: H, obsDim: D, actionDim: A, startObservations, ...(startStates && { startStates }), actions, observations, rewards, valid };
}

/** Uniform random action sequences `B × H × A` from `space.sample`. */
export function randomActionSequences(env: Env<Float32Array, Float32Array>, count: number, horizon: number, rng: Rng): Float32Array[] {
  const A = flatSize(env.actionSpace.shape);
  const out: Float32Array[] = [];
  for (let b = 0; b < count; b++) {
    const seq = new Float32Array(horizon * A);
    for (let h = 0; h < horizon; h++) seq.set(env.actionSpace.sample(rng) as Float32Array, h * A);
    out.push(seq);
  }
  return out;
}

/** A constant action held for `horizon` steps, `H × A`. */
export function heldAction(action: readonly number[], horizon: number): Float32Array {
  const A = action.length;
  const seq = new Float32Array(horizon * A);
  for (let h = 0; h < horizon; h++) for (let k = 0; k < A; k++) seq[h * A + k] = action[k]!;
  return seq;
}
