/**
 * `PolicySampler`: runs the rollout sampling graph ({@link samplerGraph}) in onnxruntime-node with the
 * trainer's current weights — one session for the whole run; weights and statistics are fed per call.
 * Exploration noise comes from a seeded {@link Rng}, so a rollout replays bit for bit.
 *
 * @module
 */
import * as ort from 'onnxruntime-node';
import { serializeModel } from '../graph/index.js';
import { InvalidArgumentError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { PolicyConfig } from './config.js';
import { samplerGraph } from './graphs.js';
import type { ObservationStats } from './network.js';

/** One batch of samples. Arrays are fresh copies. */
export interface PolicySample {
  /** Pre-tanh actions u `[B × A]` (the environment gets tanh(u) scaled into its bounds). */
  readonly preTanh: Float32Array;
  /** log π(tanh u | o) `[B]`. */
  readonly logp: Float32Array;
  /** V(o) `[B]` (zeros without a value head). */
  readonly value: Float32Array;
  /** Pre-tanh means `[B × A]`. */
  readonly mean: Float32Array;
}

/** Samples actions of a Gaussian policy with given weights. */
export class PolicySampler {
  private feeds: Record<string, ort.Tensor> = {};
  private closed = false;

  private constructor(
    readonly config: PolicyConfig,
    private readonly session: ort.InferenceSession,
  ) {}

  /** Builds the sampling graph's session. */
  static async create(config: PolicyConfig, intraOpNumThreads = 1): Promise<PolicySampler> {
    const bytes = serializeModel(samplerGraph(config));
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads, interOpNumThreads: 1 });
    return new PolicySampler(config, session);
  }

  /** Sets the weights (by parameter name, as `trainer.paramValues()` returns them) and the observation statistics. */
  setWeights(params: ReadonlyMap<string, Float32Array>, stats: ObservationStats): void {
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of this.session.inputNames) {
      if (name === 'obs' || name === 'noise') continue;
      if (name === 'obs_mean') feeds[name] = new ort.Tensor('float32', stats.mean, [this.config.obsDim]);
      else if (name === 'obs_std') feeds[name] = new ort.Tensor('float32', stats.std, [this.config.obsDim]);
      else {
        const v = params.get(name);
        if (!v) throw new InvalidArgumentError(`PolicySampler.setWeights: no value for parameter '${name}'`);
        const shape = (this.session.inputMetadata.find((m) => m.name === name) as { shape?: readonly (number | string)[] } | undefined)?.shape;
        feeds[name] = new ort.Tensor('float32', v, shape ? (shape as number[]) : [v.length]);
      }
    }
    this.feeds = feeds;
  }

  /**
   * Samples actions for observations `[B × obsDim]`; `rng` draws the standard normal noise (`noise: false`
   * gives the deterministic mean as the sample).
   */
  async sample(observations: Float32Array, rng: Rng | false): Promise<PolicySample> {
    if (this.closed) throw new InvalidArgumentError('PolicySampler is closed');
    const { obsDim: O, actionDim: A } = this.config;
    const B = observations.length / O;
    if (!Number.isInteger(B) || B === 0) throw new InvalidArgumentError(`PolicySampler.sample: expected B × ${O} observation values, got ${observations.length}`);
    const noise = new Float32Array(B * A);
    if (rng) for (let i = 0; i < noise.length; i++) noise[i] = rng.normal();
    const out = await this.session.run({
      ...this.feeds,
      obs: new ort.Tensor('float32', observations, [B, O]),
      noise: new ort.Tensor('float32', noise, [B, A]),
    });
    const get = (name: string, n: number) => (out[name] ? Float32Array.from(out[name].data as Float32Array) : new Float32Array(n));
    const mean = get('mean', B * A);
    return { preTanh: out.pre_tanh ? get('pre_tanh', B * A) : mean, logp: get('logp', B), value: get('value', B), mean };
  }

  /** Releases the session. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}
