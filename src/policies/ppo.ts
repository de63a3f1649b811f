/**
 * PPO (Schulman et al. 2017) over a {@link VectorEnv}: rollouts of a tanh-squashed Gaussian policy
 * sampled by the {@link PolicySampler}, GAE(γ, λ), then epochs of minibatch updates of the
 * {@link PpoObjective} (clipped surrogate, clipped value loss, entropy bonus) in the SDK's
 * {@link Trainer}. Observations are normalised with running statistics (frozen during a rollout and its
 * update, so the stored log-probabilities stay exact); rewards are scaled by the running standard
 * deviation of the discounted return. Time-limit truncations bootstrap from V(final observation).
 *
 * One {@link PpoLearner.iterate} is one rollout plus one update; it reports the finished episodes, the
 * losses and where the time went (environment steps, policy inference, updates).
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import { parseOptions, z } from '../options.js';
import { Rng, type RngState } from '../rng.js';
import { Trainer } from '../training/trainer.js';
import type { VectorEnv } from '../vector/types.js';
import { RunningMeanStd, type RunningMeanStdJSON } from '../wrappers/running-mean-std.js';
import type { PolicyConfig } from './config.js';
import { computeGae } from './losses.js';
import type { ObservationStats } from './network.js';
import { PpoObjective } from './objectives.js';
import { PolicySampler } from './sampler.js';

/** Zod schema of {@link PpoOptions}. */
export const PpoOptionsSchema = z
  .object({
    /** Seed of initialisation, exploration noise, minibatch order and environment resets. Default 0. */
    seed: z.number().int().nonnegative().default(0),
    /** Steps per environment per rollout. Default 64. */
    rolloutSteps: z.number().int().positive().default(64),
    /** Passes over each rollout. Default 10. */
    epochs: z.number().int().positive().default(10),
    /** Rows per minibatch (at most rolloutSteps × numEnvs). Default 128. */
    minibatchSize: z.number().int().positive().default(128),
    /**
     * Discount γ. Default 0.97: with 0.99 (and λ 0.95) Reach-v0's dense distance reward taught PPO to hover
     * near the goal (15% success after 0.9 M steps); 0.97/0.9 solved it in 0.15 M (docs/policies.md).
     */
    gamma: z.number().gt(0).max(1).default(0.97),
    /** GAE λ. Default 0.9. */
    lambda: z.number().min(0).max(1).default(0.9),
    /** Adam learning rate (annealed linearly to 0 over `totalIterations` when given). Default 3e-4. */
    lr: z.number().positive().default(3e-4),
    /** Iterations the learning rate anneals over. Default: no annealing. */
    totalIterations: z.number().int().positive().optional(),
    /** Clip range of the probability ratio. Default 0.2. */
    clip: z.number().gt(0).lt(1).default(0.2),
    /** Clip range of the value prediction (0 disables). Default 0.2. */
    valueClip: z.number().nonnegative().default(0.2),
    /** Weight of the value loss. Default 0.5. */
    valueCoef: z.number().nonnegative().default(0.5),
    /** Weight of the entropy bonus. Default 0. */
    entropyCoef: z.number().nonnegative().default(0),
    /** Global gradient-norm clip. Default 0.5. */
    maxGradNorm: z.number().positive().default(0.5),
    /** Normalise observations with running statistics. Default true. */
    normalizeObservations: z.boolean().default(true),
    /** Scale rewards by the running std of the discounted return. Default true. */
    normalizeRewards: z.boolean().default(true),
    /** onnxruntime intra-op threads (the sampler and the trainer). Default 1. */
    threads: z.number().int().positive().max(64).default(1),
  })
  .strict();

/** PPO settings (validated). */
export type PpoOptions = z.output<typeof PpoOptionsSchema>;
/** PPO settings as a caller gives them. */
export type PpoOptionsInput = z.input<typeof PpoOptionsSchema>;

/** One finished training episode (stochastic policy, raw rewards). */
export interface PpoEpisode {
  readonly return: number;
  readonly length: number;
  readonly success: boolean;
}

/** What one {@link PpoLearner.iterate} did. */
export interface PpoIteration {
  /** Iterations done so far (1 after the first). */
  readonly iteration: number;
  /** Environment steps so far (all environments). */
  readonly envSteps: number;
  readonly episodes: readonly PpoEpisode[];
  /** Mean of each loss metric over the update's minibatches. */
  readonly losses: Readonly<Record<string, number>>;
  /** Milliseconds spent stepping the environments, in policy inference, and in updates. */
  readonly ms: { readonly env: number; readonly inference: number; readonly update: number };
}

/** The learner's state besides the trainer's weights (a checkpoint's `extra`). */
export interface PpoState {
  readonly iteration: number;
  readonly envSteps: number;
  readonly rng: RngState;
  readonly obsRms: RunningMeanStdJSON;
  readonly retRms: RunningMeanStdJSON;
}

interface Rollout {
  readonly obs: Float32Array;
  readonly preTanh: Float32Array;
  readonly logp: Float32Array;
  readonly values: Float32Array;
  readonly rewards: Float32Array;
  readonly dones: Float32Array;
}

/** PPO on a vector environment. Create with {@link PpoLearner.create}; close when done. */
export class PpoLearner {
  private iterations = 0;
  private steps = 0;
  private rng: Rng;
  private readonly obsRms: RunningMeanStd;
  private readonly retRms = new RunningMeanStd(1);
  private readonly discounted: Float64Array;
  private episodeReturn: Float64Array;
  private episodeLength: Int32Array;
  private obs: Float32Array | undefined;
  private lr: number;

  private constructor(
    readonly envs: VectorEnv,
    readonly config: PolicyConfig,
    readonly options: PpoOptions,
    /** The trainer holding the weights and Adam state. */
    readonly trainer: Trainer,
    private readonly sampler: PolicySampler,
    private readonly actionLow: readonly number[],
    private readonly actionHigh: readonly number[],
  ) {
    this.rng = Rng.fromSeed(options.seed).derive(1);
    this.obsRms = new RunningMeanStd(config.obsDim);
    this.discounted = new Float64Array(envs.numEnvs);
    this.episodeReturn = new Float64Array(envs.numEnvs);
    this.episodeLength = new Int32Array(envs.numEnvs);
    this.lr = options.lr;
  }

  /**
   * Builds the training graphs and the sampler for `config` (a Gaussian policy with a value head).
   * @throws `InvalidArgumentError` for a deterministic policy, one without a value head, sizes that differ
   * from the environments' or a minibatch larger than a rollout
   */
  static async create(envs: VectorEnv, config: PolicyConfig, options: PpoOptionsInput, actionLow: readonly number[], actionHigh: readonly number[]): Promise<PpoLearner> {
    const o = parseOptions(PpoOptionsSchema, options, 'PPO options');
    if (config.kind !== 'gaussian' || !config.value)
      throw new InvalidArgumentError(`PPO needs a Gaussian policy with a value head, got kind '${config.kind}', value ${config.value}`);
    const obsDim = envs.singleObservationSpace.low.length;
    const actionDim = envs.singleActionSpace.shape.reduce((a, b) => a * b, 1);
    if (obsDim !== config.obsDim || actionDim !== config.actionDim) {
      throw new InvalidArgumentError(`PPO: the policy maps ${config.obsDim} observation to ${config.actionDim} action values, the environments have ${obsDim} and ${actionDim}`);
    }
    const rows = o.rolloutSteps * envs.numEnvs;
    if (o.minibatchSize > rows) throw new InvalidArgumentError(`PPO: expected \`minibatchSize\` ≤ rolloutSteps × numEnvs = ${rows}, got ${o.minibatchSize}`);
    const objective = new PpoObjective(config, o.minibatchSize, { clip: o.clip, valueClip: o.valueClip, valueCoef: o.valueCoef, entropyCoef: o.entropyCoef });
    let learner: PpoLearner | undefined;
    const trainer = await Trainer.create(objective, {
      seed: o.seed,
      lr: () => learner!.lr,
      stepsPerRun: 4,
      intraOpNumThreads: o.threads,
      adam: { eps: 1e-5, gradClipNorm: o.maxGradNorm },
      divergenceFactor: 1e12,
    });
    const sampler = await PolicySampler.create(config, o.threads);
    learner = new PpoLearner(envs, config, o, trainer, sampler, actionLow, actionHigh);
    return learner;
  }

  /** Iterations done. */
  get iteration(): number {
    return this.iterations;
  }

  /** Environment steps taken. */
  get envSteps(): number {
    return this.steps;
  }

  /** The observation statistics the policy currently uses (what an exported bundle bakes in). */
  observationStats(): ObservationStats {
    const mean = new Float32Array(this.config.obsDim);
    const std = new Float32Array(this.config.obsDim);
    for (let j = 0; j < mean.length; j++) {
      mean[j] = this.options.normalizeObservations ? this.obsRms.mean[j]! : 0;
      std[j] = this.options.normalizeObservations ? Math.sqrt(this.obsRms.var[j]! + 1e-8) : 1;
    }
    return { mean, std };
  }

  /** The learner's state besides the weights (for checkpoints). */
  state(): PpoState {
    return { iteration: this.iterations, envSteps: this.steps, rng: this.rng.getState(), obsRms: this.obsRms.toJSON(), retRms: this.retRms.toJSON() };
  }

  /** Restores what {@link PpoLearner.state} returned (weights come from the trainer's checkpoint). The environments restart at the next iteration. */
  restore(state: PpoState): void {
    this.iterations = state.iteration;
    this.steps = state.envSteps;
    this.rng = Rng.fromState(state.rng);
    this.obsRms.load(state.obsRms);
    this.retRms.load(state.retRms);
    this.obs = undefined;
  }

  /** One rollout of `rolloutSteps` per environment, then the update. */
  async iterate(): Promise<PpoIteration> {
    const o = this.options;
    if (o.totalIterations !== undefined) this.lr = o.lr * Math.max(0.05, 1 - this.iterations / o.totalIterations);
    const ms = { env: 0, inference: 0, update: 0 };
    if (this.obs === undefined) {
      const t0 = performance.now();
      this.obs = Float32Array.from((await this.envs.reset({ seed: this.rng.derive(this.iterations).nextSeed() % 2 ** 31 })).observations);
      this.episodeReturn.fill(0);
      this.episodeLength.fill(0);
      this.discounted.fill(0);
      if (this.iterations === 0 && o.normalizeObservations) this.obsRms.update(this.obs, this.envs.numEnvs);
      ms.env += performance.now() - t0;
    }
    const stats = this.observationStats();
    this.sampler.setWeights(this.trainer.paramValues(), stats);
    const { rollout, episodes } = await this.rollout(ms);
    const t0 = performance.now();
    const losses = await this.update(rollout, stats);
    ms.update += performance.now() - t0;
    if (o.normalizeObservations) this.obsRms.update(rollout.obs, o.rolloutSteps * this.envs.numEnvs);
    this.iterations++;
    return { iteration: this.iterations, envSteps: this.steps, episodes, losses, ms };
  }

  private async rollout(ms: { env: number; inference: number }): Promise<{ rollout: Rollout; episodes: PpoEpisode[] }> {
    const { rolloutSteps: T, gamma } = this.options;
    const N = this.envs.numEnvs;
    const { obsDim: O, actionDim: A } = this.config;
    const r: Rollout = {
      obs: new Float32Array(T * N * O),
      preTanh: new Float32Array(T * N * A),
      logp: new Float32Array(T * N),
      values: new Float32Array((T + 1) * N),
      rewards: new Float32Array(T * N),
      dones: new Float32Array(T * N),
    };
    const episodes: PpoEpisode[] = [];
    const truncatedAt: { index: number; obs: Float32Array }[] = [];
    const actions = new Float32Array(N * A);
    for (let t = 0; t < T; t++) {
      let t0 = performance.now();
      const s = await this.sampler.sample(this.obs!, this.rng);
      ms.inference += performance.now() - t0;
      r.obs.set(this.obs!, t * N * O);
      r.preTanh.set(s.preTanh, t * N * A);
      r.logp.set(s.logp, t * N);
      r.values.set(s.value, t * N);
      this.toEnvActions(s.preTanh, actions);
      t0 = performance.now();
      const step = await this.envs.step(actions);
      ms.env += performance.now() - t0;
      for (let i = 0; i < N; i++) {
        const raw = step.rewards[i]!;
        const ended = step.terminated[i] === 1 || step.truncated[i] === 1;
        this.episodeReturn[i] += raw;
        this.episodeLength[i]! += 1;
        r.rewards[t * N + i] = this.scaleReward(raw, i);
        r.dones[t * N + i] = ended ? 1 : 0;
        if (!ended) continue;
        const info = step.infos[i]!;
        const final = info.finalInfo as { success?: unknown } | undefined;
        episodes.push({ return: this.episodeReturn[i]!, length: this.episodeLength[i]!, success: final?.success === true });
        this.episodeReturn[i] = 0;
        this.episodeLength[i] = 0;
        this.discounted[i] = 0;
        if (step.terminated[i] !== 1 && info.finalObservation instanceof Float32Array) truncatedAt.push({ index: t * N + i, obs: info.finalObservation });
      }
      this.obs = Float32Array.from(step.observations);
      this.steps += N;
    }
    const t0 = performance.now();
    r.values.set((await this.sampler.sample(this.obs!, false)).value, T * N);
    if (truncatedAt.length > 0) {
      const finals = new Float32Array(truncatedAt.length * O);
      truncatedAt.forEach((x, k) => {
        finals.set(x.obs, k * O);
      });
      const v = (await this.sampler.sample(finals, false)).value;
      truncatedAt.forEach((x, k) => {
        r.rewards[x.index] = r.rewards[x.index]! + gamma * v[k]!;
      });
    }
    ms.inference += performance.now() - t0;
    return { rollout: r, episodes };
  }

  /** Reward in the value function's units: divided by the running std of the discounted return, clipped to ±10. */
  private scaleReward(raw: number, env: number): number {
    if (!this.options.normalizeRewards) return raw;
    this.discounted[env] = this.discounted[env]! * this.options.gamma + raw;
    this.retRms.update([this.discounted[env]!], 1);
    const scaled = raw / Math.sqrt(this.retRms.var[0]! + 1e-8);
    return scaled > 10 ? 10 : scaled < -10 ? -10 : scaled;
  }

  /** Pre-tanh samples → actions in the bounds. */
  private toEnvActions(u: Float32Array, out: Float32Array): void {
    const A = this.config.actionDim;
    for (let k = 0; k < u.length; k++) {
      const i = k % A;
      const lo = this.actionLow[i]!;
      const hi = this.actionHigh[i]!;
      const a = lo + ((Math.tanh(u[k]!) + 1) / 2) * (hi - lo);
      out[k] = a < lo ? lo : a > hi ? hi : a;
    }
  }

  private async update(r: Rollout, stats: ObservationStats): Promise<Record<string, number>> {
    const { rolloutSteps: T, gamma, lambda, epochs, minibatchSize: B } = this.options;
    const N = this.envs.numEnvs;
    const { obsDim: O, actionDim: A } = this.config;
    const rows = T * N;
    const advantages = new Float32Array(rows);
    const returns = new Float32Array(rows);
    computeGae(r.rewards, r.values, r.dones, T, N, gamma, lambda, advantages, returns);
    const perEpoch = Math.floor(rows / B);
    const order: number[] = [];
    for (let e = 0; e < epochs; e++) {
      const perm = Array.from({ length: rows }, (_v, i) => i);
      this.rng.shuffle(perm);
      order.push(...perm.slice(0, perEpoch * B));
    }
    let cursor = 0;
    const fill = (b: Readonly<Record<string, Float32Array>>) => {
      let mean = 0;
      let sq = 0;
      for (let k = 0; k < B; k++) mean += advantages[order[cursor + k]!]!;
      mean /= B;
      for (let k = 0; k < B; k++) sq += (advantages[order[cursor + k]!]! - mean) ** 2;
      const std = Math.sqrt(sq / B) + 1e-8;
      for (let k = 0; k < B; k++) {
        const i = order[cursor + k]!;
        b.obs!.set(r.obs.subarray(i * O, (i + 1) * O), k * O);
        b.pre_tanh!.set(r.preTanh.subarray(i * A, (i + 1) * A), k * A);
        b.old_logp![k] = r.logp[i]!;
        b.advantages![k] = (advantages[i]! - mean) / std;
        b.returns![k] = returns[i]!;
        b.old_values![k] = r.values[i]!;
      }
      b.obs_mean!.set(stats.mean);
      b.obs_std!.set(stats.std);
      cursor += B;
    };
    const logs = await this.trainer.train(epochs * perEpoch, fill);
    const out: Record<string, number> = {};
    for (const l of logs) for (const [k, v] of Object.entries({ loss: l.loss, ...l.metrics })) out[k] = (out[k] ?? 0) + v / logs.length;
    return out;
  }

  /** Releases the trainer's and the sampler's sessions (not the environments). Idempotent. */
  async close(): Promise<void> {
    await this.sampler.close();
    await this.trainer.close();
  }
}
