/**
 * The world-model networks, written once and used by the training loss and by every exported graph:
 * encoder (obs → latent), dynamics members ((latent, action) → next latent), reward and terminal heads,
 * decoder (latent → obs), and the in-graph observation/reward normalisation.
 *
 * Hidden layers are Linear → LayerNorm → activation (TD-MPC2's NormedLinear). With SimNorm on, the
 * encoder and dynamics outputs are Linear → LayerNorm → SimNorm as in TD-MPC2; otherwise plain Linear.
 *
 * @module
 */
import type { ParamScope, Tensor } from '../graph/index.js';
import { activation, add, concat, div, gemm, init, layerNorm, matmul, mul, simNorm, simNormBounded, sub } from '../graph/index.js';
import type { NormalizationStats } from './batch.js';
import type { WorldModelConfig } from './wm-config.js';
import { worldFrameMatrix } from './world-frame.js';

/**
 * Output layer of {@link mlp}: `'linear'` (fan-in-uniform init), `'zero-linear'` (zero-initialised weights)
 * or `'simnorm'` (linear, then layer norm and SimNorm).
 */
export type OutKind = 'linear' | 'simnorm' | 'zero-linear';

/** The layer settings {@link mlp} reads: hidden activation, layer norm, SimNorm group size (world models and policies share them). */
export type MlpLayerSettings = Pick<WorldModelConfig, 'activation' | 'layerNorm' | 'simNormGroup'>;

/**
 * An MLP with the given hidden layers; parameters are named `<prefix>.l<i>.*` and `<prefix>.out.*`.
 * `boundedSimNorm`: the `'simnorm'` output may use {@link simNormBounded} (the caller proved its layer norm's
 * outputs lie within the bound).
 */
export function mlp(
  params: ParamScope,
  prefix: string,
  x: Tensor,
  hidden: readonly number[],
  outDim: number,
  config: MlpLayerSettings,
  out: OutKind = 'linear',
  boundedSimNorm = false,
): Tensor {
  let h = x;
  let inDim = x.shape[x.rank - 1] as number;
  hidden.forEach((width, i) => {
    const w = params.get(`${prefix}.l${i}.w`, [inDim, width], init.fanInUniform());
    const b = params.get(`${prefix}.l${i}.b`, [width], init.zeros());
    h = gemm(h, w, b);
    if (config.layerNorm) h = layerNorm(h, params.get(`${prefix}.l${i}.ln_scale`, [width], init.ones()), params.get(`${prefix}.l${i}.ln_bias`, [width], init.zeros()));
    h = activation(config.activation, h);
    inDim = width;
  });
  // A zero-initialised output layer starts the head at the mean (TD-MPC2 zero-inits its reward head).
  const w = params.get(`${prefix}.out.w`, [inDim, outDim], out === 'zero-linear' ? init.zeros() : init.fanInUniform());
  const b = params.get(`${prefix}.out.b`, [outDim], init.zeros());
  h = gemm(h, w, b);
  if (out === 'simnorm') {
    h = layerNorm(h, params.get(`${prefix}.out.ln_scale`, [outDim], init.ones()), params.get(`${prefix}.out.ln_bias`, [outDim], init.zeros()));
    h = boundedSimNorm ? simNormBounded(h, config.simNormGroup) : simNorm(h, config.simNormGroup);
  }
  return h;
}

/** The world model's building blocks for one configuration and one set of normalisation statistics. */
export class WorldModelNetwork {
  constructor(
    /** The validated configuration. */
    readonly config: WorldModelConfig,
    /** Statistics baked into the graphs as constants. */
    readonly stats: NormalizationStats,
    /**
     * MLP prefixes (`'encoder'`, `'dynamics<m>'`) whose SimNorm may be built as {@link simNormBounded}: the
     * inference graphs pass those whose trained layer-norm parameters prove the bound; training uses none.
     */
    readonly boundedSimNorm: ReadonlySet<string> = new Set(),
  ) {}

  private get latentOut(): OutKind {
    return this.config.simNormGroup > 0 ? 'simnorm' : 'linear';
  }

  /** (obs − mean)/std, per dimension; then, with a `worldFrame`, its relative entries in the world frame (src/training/world-frame.ts). */
  normalizeObs(obs: Tensor): Tensor {
    const g = obs.graph;
    const d = this.config.obsDim;
    const z = div(sub(obs, g.constant(this.stats.obsMean, [d])), g.constant(this.stats.obsStd, [d]));
    const frame = this.config.worldFrame;
    return frame.length > 0 ? matmul(z, g.constant(worldFrameMatrix(frame, this.stats.obsStd), [d, d])) : z;
  }

  /** Inverse of {@link normalizeObs}. */
  denormalizeObs(obsN: Tensor): Tensor {
    const g = obsN.graph;
    const d = this.config.obsDim;
    const frame = this.config.worldFrame;
    const z = frame.length > 0 ? matmul(obsN, g.constant(worldFrameMatrix(frame, this.stats.obsStd, true), [d, d])) : obsN;
    return add(mul(z, g.constant(this.stats.obsStd, [d])), g.constant(this.stats.obsMean, [d]));
  }

  /** (r − mean)/std. */
  normalizeReward(r: Tensor): Tensor {
    return div(sub(r, this.stats.rewardMean), this.stats.rewardStd);
  }

  /** Inverse of {@link normalizeReward}. */
  denormalizeReward(rN: Tensor): Tensor {
    return add(mul(rN, this.stats.rewardStd), this.stats.rewardMean);
  }

  /** Whether the latent is the standardised observation (`space: 'observation'`). */
  get observationSpace(): boolean {
    return this.config.space === 'observation';
  }

  /** Encoder on normalised observations `[N, obsDim]` → latents `[N, latentDim]` (the identity in observation space). */
  encode(params: ParamScope, obsN: Tensor): Tensor {
    if (this.observationSpace) return obsN;
    return mlp(params, 'encoder', obsN, this.config.encoderHidden, this.config.latentDim, this.config, this.latentOut, this.boundedSimNorm.has('encoder'));
  }

  /** Decoder latents → normalised observations (the identity in observation space). */
  decode(params: ParamScope, latent: Tensor): Tensor {
    if (this.observationSpace) return latent;
    return mlp(params, 'decoder', latent, this.config.decoderHidden, this.config.obsDim, this.config);
  }

  /** The joint input (latent, action) of the dynamics and heads. */
  joint(latent: Tensor, action: Tensor): Tensor {
    return concat([latent, action], -1);
  }

  /**
   * Dynamics member `m`: `latent` `[N, latentDim]` and its joint input `[N, latentDim + actionDim]` → next
   * latents. In observation space: `latent + mlp(joint) ⊙ scale`, the change in units of each entry's
   * root-mean-square change ({@link deltaScale}); the output layer starts at zero, so an untrained member
   * predicts "nothing changes".
   */
  dynamics(params: ParamScope, m: number, latent: Tensor, joint: Tensor): Tensor {
    const c = this.config;
    if (!this.observationSpace) return mlp(params, `dynamics${m}`, joint, c.dynamicsHidden, c.latentDim, c, this.latentOut, this.boundedSimNorm.has(`dynamics${m}`));
    let change = mlp(params, `dynamics${m}`, joint, c.dynamicsHidden, c.latentDim, c, 'zero-linear');
    if (c.linearSkip) change = add(change, matmul(joint, params.get(`dynamics${m}.skip.w`, [joint.shape[joint.rank - 1] as number, c.latentDim], init.zeros())));
    return add(latent, mul(change, latent.graph.constant(this.deltaScale(), [c.latentDim])));
  }

  /**
   * Per entry of the standardised observation: the data's root-mean-square one-step change over the
   * entry's standard deviation (1 where the statistics carry no `deltaRms`). An entry that never changes
   * within an episode gets 0 and is carried over exactly.
   */
  deltaScale(): Float32Array {
    const { obsStd, deltaRms } = this.stats;
    return Float32Array.from(obsStd, (sd, j) => (deltaRms ? deltaRms[j]! / sd : 1));
  }

  /** What the reward and terminal heads read: the joint (latent, action), and the next latent with `headInput: 'transition'`. */
  headInput(joint: Tensor, next: Tensor): Tensor {
    return this.config.headInput === 'transition' ? concat([joint, next], -1) : joint;
  }

  /** Reward head of member `m` on {@link headInput} → standardised reward `[N, 1]`. */
  reward(params: ParamScope, m: number, input: Tensor): Tensor {
    return mlp(params, `reward${m}`, input, this.config.rewardHidden, 1, this.config, 'zero-linear');
  }

  /** Terminal head of member `m` on {@link headInput} → logit `[N, 1]`. */
  terminalLogit(params: ParamScope, m: number, input: Tensor): Tensor {
    return mlp(params, `terminal${m}`, input, this.config.terminalHidden, 1, this.config);
  }
}
