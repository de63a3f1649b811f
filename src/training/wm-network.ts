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
import { activation, add, concat, div, gemm, init, layerNorm, mul, simNorm, simNormBounded, sub } from '../graph/index.js';
import type { NormalizationStats } from './batch.js';
import type { WorldModelConfig } from './wm-config.js';

/**
 * Output layer of {@link mlp}: `'linear'` (fan-in-uniform init), `'zero-linear'` (zero-initialised weights)
 * or `'simnorm'` (linear, then layer norm and SimNorm).
 */
export type OutKind = 'linear' | 'simnorm' | 'zero-linear';

/**
 * An MLP with the config's hidden layers; parameters are named `<prefix>.l<i>.*` and `<prefix>.out.*`.
 * `boundedSimNorm`: the `'simnorm'` output may use {@link simNormBounded} (the caller proved its layer norm's
 * outputs lie within the bound).
 */
export function mlp(
  params: ParamScope,
  prefix: string,
  x: Tensor,
  hidden: readonly number[],
  outDim: number,
  config: WorldModelConfig,
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

  /** (obs − mean)/std, per dimension. */
  normalizeObs(obs: Tensor): Tensor {
    const g = obs.graph;
    const d = this.config.obsDim;
    return div(sub(obs, g.constant(this.stats.obsMean, [d])), g.constant(this.stats.obsStd, [d]));
  }

  /** Inverse of {@link normalizeObs}. */
  denormalizeObs(obsN: Tensor): Tensor {
    const g = obsN.graph;
    const d = this.config.obsDim;
    return add(mul(obsN, g.constant(this.stats.obsStd, [d])), g.constant(this.stats.obsMean, [d]));
  }

  /** (r − mean)/std. */
  normalizeReward(r: Tensor): Tensor {
    return div(sub(r, this.stats.rewardMean), this.stats.rewardStd);
  }

  /** Inverse of {@link normalizeReward}. */
  denormalizeReward(rN: Tensor): Tensor {
    return add(mul(rN, this.stats.rewardStd), this.stats.rewardMean);
  }

  /** Encoder on normalised observations `[N, obsDim]` → latents `[N, latentDim]`. */
  encode(params: ParamScope, obsN: Tensor): Tensor {
    return mlp(params, 'encoder', obsN, this.config.encoderHidden, this.config.latentDim, this.config, this.latentOut, this.boundedSimNorm.has('encoder'));
  }

  /** Decoder latents → normalised observations. */
  decode(params: ParamScope, latent: Tensor): Tensor {
    return mlp(params, 'decoder', latent, this.config.decoderHidden, this.config.obsDim, this.config);
  }

  /** The joint input (latent, action) of the dynamics and heads. */
  joint(latent: Tensor, action: Tensor): Tensor {
    return concat([latent, action], -1);
  }

  /** Dynamics member `m` on joint inputs `[N, latentDim + actionDim]` → next latents. */
  dynamics(params: ParamScope, m: number, joint: Tensor): Tensor {
    return mlp(params, `dynamics${m}`, joint, this.config.dynamicsHidden, this.config.latentDim, this.config, this.latentOut, this.boundedSimNorm.has(`dynamics${m}`));
  }

  /** Reward head of member `m` → standardised reward `[N, 1]`. */
  reward(params: ParamScope, m: number, joint: Tensor): Tensor {
    return mlp(params, `reward${m}`, joint, this.config.rewardHidden, 1, this.config, 'zero-linear');
  }

  /** Terminal head of member `m` → logit `[N, 1]`. */
  terminalLogit(params: ParamScope, m: number, joint: Tensor): Tensor {
    return mlp(params, `terminal${m}`, joint, this.config.terminalHidden, 1, this.config);
  }
}
