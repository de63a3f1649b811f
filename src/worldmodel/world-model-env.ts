/**
 * `WorldModelEnv`: a learned world model behaving as an environment, Genie-style. `reset` starts
 * imagination from a prompt observation (or one sampled from the training data stored in the
 * bundle); `step` predicts the next observation, reward and termination; `fork` branches the imagined
 * world; `getState`/`setState` rewind it; `batch` runs B worlds as one environment.
 *
 * Spaces: without `batch`, observations are `[obsDim]` (decoded) or `[latentDim]` (bundles without a
 * decoder), actions `[actionDim]` with the manifest's bounds. With `batch: B`, both gain a leading
 * axis: observations `[B, obsDim]`, actions `[B, actionDim]` (flat, row-major); `reward` is the mean
 * over the worlds still running, and `info.rewards` / `info.terminated` give them per world.
 *
 * @module
 */
import { z } from 'zod';
import { BaseEnv, type EnvMetadata, type EnvSpec, type LifecycleState, type ResetResult, type StepResult, type Stateful } from '../env.js';
import { EmbodiedError, EnvStateError, InvalidArgumentError, describeValue } from '../errors.js';
import { parseOptions } from '../options.js';
import { Rng } from '../rng.js';
import { Box } from '../spaces.js';
import { WorldModel, type WorldModelOptions } from './world-model.js';

/** Decides termination from a predicted observation (one world): `true` ends that world's episode. */
export type TerminationFn = (observation: Float32Array, action: Float32Array) => boolean;

/** The saved state of a {@link WorldModelEnv}: the imagined worlds, their clocks and the random stream. */
export interface WorldModelEnvState {
  /** `B × latentDim` (B = 1 without `batch`). */
  readonly latent: Float32Array;
  /** Last observation returned, `B × observation size`. */
  readonly observation: Float32Array;
  /** TS∞ member of each world (`null` for other ensemble modes). */
  readonly members: Int32Array | null;
  /** 1 for worlds whose episode has terminated. */
  readonly done: Uint8Array;
  readonly elapsedSteps: number;
  readonly lifecycle: LifecycleState;
}

/** Zod schema of {@link WorldModelEnvOptions}. */
export const WorldModelEnvOptionsSchema = z
  .object({
    /** Number of imagined worlds run as one environment; omitted = one world with unbatched spaces. */
    batch: z
      .number()
      .int()
      .positive()
      .max(1 << 20)
      .optional(),
    /** Truncate after this many steps. Default: no limit. */
    maxEpisodeSteps: z.number().int().positive().optional(),
    /** Termination from the predicted observation; replaces the model's terminal head when given. */
    terminationFn: z.custom<TerminationFn>((v) => typeof v === 'function', { message: 'expected a function (observation, action) => boolean' }).optional(),
    /** Terminal-head probability at which a world terminates. Default 0.5. */
    terminalThreshold: z.number().gt(0).lt(1).default(0.5),
    /** Start observations (`N × obsDim`) to sample from when `reset` has no prompt. Default: the bundle's. */
    initialObservations: (z.instanceof(Float32Array) as z.ZodType<Float32Array, Float32Array>).optional(), // any backing buffer
  })
  .strict();

/** Options of {@link WorldModelEnv}. */
export type WorldModelEnvOptions = z.input<typeof WorldModelEnvOptionsSchema>;

const ResetOptionsSchema = z
  .object({
    prompt: z
      .custom<Float32Array | number[]>((v) => v instanceof Float32Array || (Array.isArray(v) && v.every((x) => typeof x === 'number')), {
        message: 'expected a Float32Array or an array of numbers (one observation, or one per world)',
      })
      .optional(),
  })
  .strict();

/**
 * The model produced a non-finite observation, latent or reward: the Env contract promises finite values,
 * so the episode cannot go on. Usually weights that diverged in training, or a start far outside the
 * training data.
 */
export class ModelOutputError extends EmbodiedError {}

/** Index and value of the first non-finite entry of `values`, or `undefined` when all are finite. */
function firstNonFinite(values: Float32Array): { index: number; value: number } | undefined {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return { index: i, value: values[i]! };
  return undefined;
}

/** A world model shared by an env and its forks (reference-counted): closed when the last of them closes, if the env owns it. */
export interface SharedModel {
  readonly model: WorldModel;
  readonly owned: boolean;
  refs: number;
}

/**
 * A world model as an environment.
 *
 * @example
 * ```ts
 * const env = await WorldModelEnv.load('models/reach', { maxEpisodeSteps: 100 });
 * let { observation } = await env.reset({ seed: 0, options: { prompt: realObservation } });
 * const branches = env.fork(4);                      // four copies of the imagined state
 * const saved = env.getState();                      // …and rewind later with env.setState(saved)
 * ```
 */
export class WorldModelEnv extends BaseEnv<Float32Array, Float32Array> implements Stateful<WorldModelEnvState> {
  readonly spec: EnvSpec;
  override readonly metadata: EnvMetadata;
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  /** The model (shared with forks). */
  readonly model: WorldModel;
  /** Number of worlds B (1 without `batch`). */
  readonly worlds: number;
  private readonly opts: z.output<typeof WorldModelEnvOptionsSchema>;
  private readonly shared: SharedModel;
  private readonly obsSize: number;
  private latent: Float32Array = new Float32Array(0);
  private lastObs: Float32Array = new Float32Array(0);
  private members: Int32Array | null = null;
  private done: Uint8Array = new Uint8Array(0);
  private elapsed = 0;
  private released = false;

  /**
   * Wraps a loaded model. The caller keeps ownership of `model` (close it yourself), unless the env
   * was made by {@link WorldModelEnv.load}.
   * @throws {@link InvalidArgumentError} for bad options.
   */
  constructor(model: WorldModel | SharedModel, options: WorldModelEnvOptions = {}) {
    super();
    this.opts = parseOptions(WorldModelEnvOptionsSchema, options, 'WorldModelEnv options');
    this.shared = model instanceof WorldModel ? { model, owned: false, refs: 0 } : model;
    this.shared.refs++;
    this.model = this.shared.model;
    const m = this.model.manifest;
    const init = this.opts.initialObservations;
    if (init !== undefined && (init.length === 0 || init.length % m.obsDim !== 0)) {
      throw new InvalidArgumentError(`WorldModelEnv options: expected \`initialObservations\` to hold N × ${m.obsDim} values (N ≥ 1), got ${init.length}`);
    }
    this.worlds = this.opts.batch ?? 1;
    this.obsSize = this.model.hasDecoder ? m.obsDim : m.latentDim;
    const lead = this.opts.batch !== undefined ? [this.worlds] : [];
    this.observationSpace = new Box(-Infinity, Infinity, [...lead, this.obsSize]);
    const low = new Float32Array(this.worlds * m.actionDim);
    const high = new Float32Array(this.worlds * m.actionDim);
    for (let b = 0; b < this.worlds; b++) {
      low.set(m.actionLow, b * m.actionDim);
      high.set(m.actionHigh, b * m.actionDim);
    }
    this.actionSpace = new Box(low, high, [...lead, m.actionDim]);
    this.spec = {
      id: `WorldModel/${m.envId}`,
      ...(this.opts.maxEpisodeSteps !== undefined && { maxEpisodeSteps: this.opts.maxEpisodeSteps }),
      kwargs: { bundle: this.model.dir, ...(this.opts.batch !== undefined && { batch: this.opts.batch }) },
    };
    this.metadata = { renderModes: [], ...(m.controlDt !== undefined && { renderFps: 1 / m.controlDt }) };
  }

  /** Loads a bundle and wraps it; the env owns the model and closes it (after its last fork). */
  static async load(dir: string, options: WorldModelEnvOptions & { model?: WorldModelOptions } = {}): Promise<WorldModelEnv> {
    const { model: modelOptions, ...envOptions } = options;
    const model = await WorldModel.load(dir, modelOptions);
    try {
      return new WorldModelEnv({ model, owned: true, refs: 0 }, envOptions);
    } catch (e) {
      await model.close();
      throw e;
    }
  }

  /** Steps taken in the current episode. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  /**
   * `n` independent environments starting from this one's current imagined state (same model, same
   * random stream unless `seed` is given: fork i then draws from `Rng.fromSeed(seed).derive(i)`).
   */
  fork(n: number, options: { seed?: number } = {}): WorldModelEnv[] {
    if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`WorldModelEnv.fork: expected a positive integer count, got ${describeValue(n)}`);
    if (this.phase === 'needs-reset') throw new EnvStateError(`${this.spec.id}: fork() called before reset(); there is no imagined state to copy yet`);
    const state = this.getState();
    return Array.from({ length: n }, (_, i) => {
      const child = new WorldModelEnv(this.shared, this.forkOptions());
      child.setState(state);
      if (options.seed !== undefined) child.rng = Rng.fromSeed(options.seed).derive(i);
      return child;
    });
  }

  getState(): WorldModelEnvState {
    const lifecycle = this.captureLifecycle();
    return {
      latent: this.latent.slice(),
      observation: this.lastObs.slice(),
      members: this.members?.slice() ?? null,
      done: this.done.slice(),
      elapsedSteps: this.elapsed,
      lifecycle,
    };
  }

  setState(state: WorldModelEnvState): void {
    const L = this.model.latentDim;
    if (typeof state !== 'object' || state === null || !(state.latent instanceof Float32Array) || state.latent.length !== this.worlds * L) {
      throw new InvalidArgumentError(`${this.spec.id}.setState: expected a WorldModelEnvState with a latent of ${this.worlds} × ${L} values, got ${describeValue(state)}`);
    }
    if (
      !(state.observation instanceof Float32Array) ||
      state.observation.length !== this.worlds * this.obsSize ||
      !(state.done instanceof Uint8Array) ||
      state.done.length !== this.worlds
    ) {
      throw new InvalidArgumentError(`${this.spec.id}.setState: expected \`observation\` (${this.worlds} × ${this.obsSize}) and \`done\` (${this.worlds}) arrays`);
    }
    for (const [what, values] of [
      ['latent', state.latent],
      ['observation', state.observation],
    ] as const) {
      const bad = firstNonFinite(values);
      if (bad) throw new InvalidArgumentError(`${this.spec.id}.setState: expected a finite \`${what}\`, got ${bad.value} at index ${bad.index}`);
    }
    this.restoreLifecycle(state.lifecycle);
    this.latent = state.latent.slice();
    this.lastObs = state.observation.slice();
    this.members = state.members ? state.members.slice() : null;
    this.done = state.done.slice();
    this.elapsed = state.elapsedSteps;
  }

  protected async onReset(options: Record<string, unknown>): Promise<ResetResult<Float32Array>> {
    const o = parseOptions(ResetOptionsSchema, options, `${this.spec.id}.reset options`);
    const m = this.model.manifest;
    const B = this.worlds;
    const prompts = new Float32Array(B * m.obsDim);
    if (o.prompt !== undefined) {
      const p = o.prompt instanceof Float32Array ? o.prompt : Float32Array.from(o.prompt);
      if (p.length === B * m.obsDim) prompts.set(p);
      else if (p.length === m.obsDim) for (let b = 0; b < B; b++) prompts.set(p, b * m.obsDim);
      else {
        throw new InvalidArgumentError(
          `${this.spec.id}.reset: expected options.prompt to hold ${m.obsDim} values (one observation)${B > 1 ? ` or ${B} × ${m.obsDim} (one per world)` : ''}, got ${p.length}`,
        );
      }
      for (const v of p) if (!Number.isFinite(v)) throw new InvalidArgumentError(`${this.spec.id}.reset: expected a finite options.prompt, got ${describeValue(p)}`);
    } else {
      const pool = this.opts.initialObservations ?? this.model.initialObservations;
      if (pool === undefined) {
        throw new InvalidArgumentError(
          `${this.spec.id}.reset: no options.prompt given and the bundle has no initial observations (files.initialObservations); pass reset({ options: { prompt } })`,
        );
      }
      const n = pool.length / m.obsDim;
      for (let b = 0; b < B; b++) {
        const i = this.rng.integer(0, n - 1);
        prompts.set(pool.subarray(i * m.obsDim, (i + 1) * m.obsDim), b * m.obsDim);
      }
    }
    this.latent = await this.model.encode(prompts);
    const bad = firstNonFinite(this.latent);
    if (bad) {
      const largest = prompts.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      throw new InvalidArgumentError(
        `${this.spec.id}.reset: the encoder turned the prompt into a non-finite latent (${bad.value} at index ${bad.index}); expected a prompt in the range the model was trained on, got values up to ${largest}`,
      );
    }
    this.members = this.model.ensembleSize > 1 && this.model.ensembleMode === 'tsinf' ? this.model.sampleMembers(B, this.rng) : null;
    this.done = new Uint8Array(B);
    this.elapsed = 0;
    this.lastObs = this.model.hasDecoder ? prompts : this.latent.slice();
    return { observation: this.lastObs.slice(), info: { latent: this.latent.slice(), prompt: prompts } };
  }

  protected async onStep(action: Float32Array): Promise<StepResult<Float32Array>> {
    const B = this.worlds;
    const L = this.model.latentDim;
    const A = this.model.actionDim;
    const members = this.members ?? (this.model.ensembleSize > 1 && this.model.ensembleMode === 'ts1' ? this.model.sampleMembers(B, this.rng) : undefined);
    const s = await this.model.step(this.latent, action, members ? { members } : {});
    const obs = this.model.hasDecoder ? await this.model.decode(s.nextLatent) : s.nextLatent;
    const rewards = new Float32Array(B);
    const terminated = new Uint8Array(B);
    let sum = 0;
    let active = 0;
    for (let b = 0; b < B; b++) {
      if (this.done[b]) {
        // A finished world stays frozen: its latent and observation no longer change.
        obs.set(this.lastObs.subarray(b * this.obsSize, (b + 1) * this.obsSize), b * this.obsSize);
        s.nextLatent.set(this.latent.subarray(b * L, (b + 1) * L), b * L);
        terminated[b] = 1;
        continue;
      }
      active++;
      rewards[b] = s.reward[b]!;
      sum += s.reward[b]!;
      const fn = this.opts.terminationFn;
      const ends = fn ? fn(obs.subarray(b * this.obsSize, (b + 1) * this.obsSize), action.subarray(b * A, (b + 1) * A)) : (s.terminalProb?.[b] ?? 0) > this.opts.terminalThreshold;
      if (ends) {
        terminated[b] = 1;
        this.done[b] = 1;
      }
    }
    this.checkOutputs(s.nextLatent, obs, rewards);
    this.latent = s.nextLatent;
    this.lastObs = obs;
    this.elapsed++;
    const allDone = terminated.every((t) => t === 1);
    const truncated = !allDone && this.opts.maxEpisodeSteps !== undefined && this.elapsed >= this.opts.maxEpisodeSteps;
    const batched = this.opts.batch !== undefined;
    const info: Record<string, unknown> = {
      latent: this.latent.slice(),
      ...(s.uncertainty && { uncertainty: batched ? s.uncertainty : s.uncertainty[0]! }),
      ...(s.terminalProb && { terminalProb: batched ? s.terminalProb : s.terminalProb[0]! }),
      ...(batched && { rewards, terminated }),
    };
    return { observation: obs.slice(), reward: active > 0 ? sum / active : 0, terminated: allDone, truncated, info };
  }

  /** Throws {@link ModelOutputError} naming the first non-finite output of this step (the env keeps its previous state). */
  private checkOutputs(latent: Float32Array, observation: Float32Array, rewards: Float32Array): void {
    for (const [what, values] of [
      ['latent', latent],
      ['observation', observation],
      ['reward', rewards],
    ] as const) {
      const bad = firstNonFinite(values);
      if (bad) {
        throw new ModelOutputError(
          `${this.spec.id}: the model (${this.model.manifest.name}) produced a non-finite ${what} at step ${this.elapsed + 1} (${bad.value} at index ${bad.index}); the Env contract promises finite values — check the bundle's weights (embodied validate) or the start state`,
        );
      }
    }
  }

  protected override async onClose(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.shared.refs--;
    if (this.shared.refs === 0 && this.shared.owned) await this.shared.model.close();
  }

  private forkOptions(): WorldModelEnvOptions {
    const o = this.opts;
    return {
      ...(o.batch !== undefined && { batch: o.batch }),
      ...(o.maxEpisodeSteps !== undefined && { maxEpisodeSteps: o.maxEpisodeSteps }),
      ...(o.terminationFn !== undefined && { terminationFn: o.terminationFn }),
      terminalThreshold: o.terminalThreshold,
      ...(o.initialObservations !== undefined && { initialObservations: o.initialObservations }),
    };
  }
}
