/**
 * The policy's graphs: the exported inference graphs (weights and statistics baked in, raw units in and
 * out, symbolic batch `B`) and the sampling graph reinforcement learning runs during rollouts (weights
 * and statistics fed in, so one session serves every update).
 *
 * @module
 */
import type { GraphSpec, Tensor } from '../graph/index.js';
import { Graph, ParamScope, add, exp, mul } from '../graph/index.js';
import { WorldModelNetwork } from '../training/wm-network.js';
import type { PolicyConfig } from './config.js';
import { constantScope, type WorldModelWeights } from './imagination.js';
import { tanhGaussianLogProb } from './losses.js';
import type { ObservationStats } from './network.js';
import { PolicyNetwork } from './network.js';

/** Builds the inference graphs of one trained policy. */
export class PolicyGraphs {
  readonly network: PolicyNetwork;

  constructor(
    readonly config: PolicyConfig,
    readonly stats: ObservationStats,
    /** Trained parameter values by name. */
    readonly params: ReadonlyMap<string, Float32Array>,
    /** Action bounds the squashed action is scaled into. */
    readonly actionLow: readonly number[],
    readonly actionHigh: readonly number[],
    /**
     * A world model whose encoder turns observations into the actor's input (a policy trained in
     * imagination acts on latents): the graphs then take observations of the model's `obsDim` and run its
     * normalisation and encoder (weights baked in) before the actor; `stats` is not used. Default: none.
     */
    readonly encoder?: WorldModelWeights,
  ) {
    this.network = new PolicyNetwork(config);
  }

  private normalized(g: Graph): { obs: Tensor; obsN: Tensor } {
    if (this.encoder) {
      const wm = new WorldModelNetwork(this.encoder.config, this.encoder.stats);
      const obs = g.input('obs', ['B', this.encoder.config.obsDim]);
      return { obs, obsN: wm.encode(constantScope(g, this.encoder.params), wm.normalizeObs(obs)) };
    }
    const O = this.config.obsDim;
    const obs = g.input('obs', ['B', O]);
    return { obs, obsN: this.network.normalizeObs(obs, g.constant(this.stats.mean, [O]), g.constant(this.stats.std, [O])) };
  }

  /** `obs` → `action` (deterministic: tanh(μ) in the bounds), plus `mean` and `log_std` for a Gaussian policy. */
  policy(): GraphSpec {
    const g = new Graph();
    const { obs, obsN } = this.normalized(g);
    const { mean, logStd } = this.network.actor(new ParamScope(g), obsN);
    const outputs: Record<string, Tensor> = { action: this.network.toBounds(this.network.squash(mean), this.actionLow, this.actionHigh) };
    if (logStd) Object.assign(outputs, { mean, log_std: logStd });
    return { graph: g, inputs: [obs], outputs, paramValues: this.params, name: 'policy' };
  }

  /** `obs` → `value` [B]. */
  value(): GraphSpec {
    const g = new Graph();
    const { obs, obsN } = this.normalized(g);
    return { graph: g, inputs: [obs], outputs: { value: this.network.value(new ParamScope(g), obsN) }, paramValues: this.params, name: 'value' };
  }
}

/**
 * The rollout sampling graph of a Gaussian policy: inputs `obs` [B, obsDim], `noise` [B, actionDim]
 * (standard normal draws), `obs_mean`, `obs_std` [obsDim] and every parameter by name; outputs the
 * pre-tanh sample `pre_tanh` = μ + σ·noise, its log-probability `logp` [B] (the same
 * {@link tanhGaussianLogProb} the PPO loss differentiates), the deterministic `mean` and, with a
 * value head, `value` [B].
 */
export function samplerGraph(config: PolicyConfig): GraphSpec {
  const net = new PolicyNetwork(config);
  const g = new Graph();
  const obs = g.input('obs', ['B', config.obsDim]);
  const noise = g.input('noise', ['B', config.actionDim]);
  const mean = g.input('obs_mean', [config.obsDim]);
  const std = g.input('obs_std', [config.obsDim]);
  const params = new ParamScope(g);
  const obsN = net.normalizeObs(obs, mean, std);
  const actor = net.actor(params, obsN);
  const outputs: Record<string, Tensor> = { mean: actor.mean };
  if (actor.logStd) {
    const u = add(actor.mean, mul(noise, exp(actor.logStd)));
    Object.assign(outputs, { pre_tanh: u, logp: tanhGaussianLogProb(u, actor.mean, actor.logStd) });
  }
  if (config.value) outputs.value = net.value(params, obsN);
  return { graph: g, inputs: [obs, noise, mean, std], outputs, name: 'policy-sampler' };
}
