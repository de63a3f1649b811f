/**
 * Actor-critic in imagination (Dreamer-style): a policy acting on a world model's latent state is trained
 * only inside the model. From a batch of start latents (encoded real observations) the actor imagines H
 * steps through the frozen dynamics, reward and terminal heads; the critic V(z) bootstraps λ-returns; the
 * actor maximises the λ-returns by backpropagating through the dynamics (the model's weights are graph
 * constants, so only the actor and the critic train), and the critic regresses onto the (stopped) λ-returns.
 *
 * - actor loss: `−mean_t,b R^λ_t − η·H(π)`, with the critic's parameters held (stop-gradient) in `R^λ`;
 * - critic loss: `½ mean_t,b (V(sg z_t) − sg R^λ_t)²`;
 * - continuation: `1 − σ(terminal logit)` discounts the returns, as Dreamer's learned discount.
 *
 * The exported policy reads observations: it runs the world model's encoder (weights baked in), then the
 * actor (see {@link PolicyGraphs} with an encoder).
 *
 * @module
 */
import pkg from 'onnx-proto';
import type { ParamScope, Shape, Tensor } from '../graph/index.js';
import { type Graph, ParamScope as Scope, add, concat, exp, mul, reduceMean, reshape, sigmoid, slice, square, stopGradient, sub } from '../graph/index.js';
import type { Initializer } from '../graph/index.js';
import { InvalidArgumentError } from '../errors.js';
import { parseOptions, z } from '../options.js';
import type { NormalizationStats } from '../training/batch.js';
import { statsFromJson } from '../training/export-bundle.js';
import type { InputSpec, LossOutputs, Objective } from '../training/objective.js';
import { type WorldModelConfig, parseWorldModelConfig } from '../training/wm-config.js';
import { WorldModelNetwork } from '../training/wm-network.js';
import type { LoadedBundle } from '../worldmodel/bundle.js';
import type { PolicyConfig } from './config.js';
import { gaussianEntropy, lambdaReturns } from './losses.js';
import { PolicyNetwork } from './network.js';

const { onnx } = pkg;

/** A world model's networks and weights, as graph pieces. */
export interface WorldModelWeights {
  readonly config: WorldModelConfig;
  readonly stats: NormalizationStats;
  /** Parameter values by name (encoder and dynamics member 0 with its heads; rewards in raw units). */
  readonly params: ReadonlyMap<string, Float32Array>;
  /** The bundle's name. */
  readonly name: string;
}

/**
 * Reads the weights of a loaded world-model bundle trained by Embodied (its manifest records the
 * configuration and normalisation): the initializers of `encoder.onnx` and `dynamics_0.onnx`.
 * @throws `InvalidArgumentError` for a bundle without that record (e.g. exported from PyTorch)
 */
export function worldModelWeights(bundle: LoadedBundle): WorldModelWeights {
  const recorded = bundle.manifest.provenance.config as (Record<string, unknown> & { normalization?: Parameters<typeof statsFromJson>[0] }) | undefined;
  if (!recorded?.normalization) throw new InvalidArgumentError(`${bundle.dir}: imagination needs a bundle trained by Embodied (its manifest records the config and normalisation)`);
  const { normalization, rolloutMode: _mode, ...rest } = recorded;
  const config = parseWorldModelConfig(rest as never);
  const params = new Map<string, Float32Array>();
  for (const file of [bundle.encoder, bundle.dynamics[0]!]) {
    for (const t of onnx.ModelProto.decode(file.bytes).graph?.initializer ?? []) {
      if (!t.name || !t.rawData || t.dataType !== onnx.TensorProto.DataType.FLOAT || !/\.(w|b|ln_scale|ln_bias)$/.test(t.name)) continue;
      const raw = t.rawData;
      params.set(t.name, new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
    }
  }
  return { config, stats: statsFromJson(normalization), params, name: bundle.manifest.name };
}

/** A scope whose parameters are graph constants (the frozen world model), cached per graph. */
export function constantScope(g: Graph, params: ReadonlyMap<string, Float32Array>): ParamScope {
  const consts = new Map<string, Tensor>();
  return new (class extends Scope {
    override get(name: string, shape: Shape, _init: Initializer): Tensor {
      const cached = consts.get(name);
      if (cached) return cached;
      const v = params.get(name);
      if (!v) throw new InvalidArgumentError(`world model: no weights for parameter '${name}'`);
      const t = g.constant(v, shape as number[]);
      consts.set(name, t);
      return t;
    }
  })(g);
}

/** A scope that hands out another scope's parameters behind a stop-gradient (the critic inside the actor's loss). */
class HeldScope extends Scope {
  constructor(private readonly inner: ParamScope) {
    super(inner.graph);
  }
  override get(name: string, shape: Shape, init: Initializer): Tensor {
    return stopGradient(this.inner.get(name, shape, init));
  }
}

/** Zod schema of {@link ImaginationSettings}. */
export const ImaginationSettingsSchema = z
  .object({
    /** H, imagined steps per start. Default 15. */
    horizon: z.number().int().positive().default(15),
    /** Start latents per minibatch. Default 256. */
    batchSize: z.number().int().positive().default(256),
    /** Discount γ. Default 0.97. */
    gamma: z.number().gt(0).max(1).default(0.97),
    /** λ of the returns. Default 0.95. */
    lambda: z.number().min(0).max(1).default(0.95),
    /** Weight of the entropy bonus. Default 1e-3. */
    entropyCoef: z.number().nonnegative().default(1e-3),
  })
  .strict();

/** Settings of imagination training. */
export type ImaginationSettings = z.output<typeof ImaginationSettingsSchema>;

/** The actor-critic objective in imagination. Inputs: `z0` [B, latentDim], `noise` [H, B, actionDim]. */
export class ImaginationObjective implements Objective {
  readonly name = 'policy-imagination';
  readonly inputs: readonly InputSpec[];
  readonly network: PolicyNetwork;
  readonly settings: ImaginationSettings;
  private readonly model: WorldModelNetwork;
  private readonly scopes = new WeakMap<Graph, ParamScope>();

  constructor(
    /** The policy on latents: `obsDim` = the model's latent size, a Gaussian actor with a value head. */
    readonly config: PolicyConfig,
    readonly worldModel: WorldModelWeights,
    settings: z.input<typeof ImaginationSettingsSchema> = {},
  ) {
    const wm = worldModel.config;
    if (config.obsDim !== wm.latentDim || config.actionDim !== wm.actionDim || config.kind !== 'gaussian' || !config.value) {
      throw new InvalidArgumentError(
        `ImaginationObjective: expected a Gaussian policy with a value head over ${wm.latentDim} latent and ${wm.actionDim} action values, got kind '${config.kind}', value ${config.value}, sizes ${config.obsDim} and ${config.actionDim}`,
      );
    }
    this.settings = parseOptions(ImaginationSettingsSchema, settings, 'Imagination settings');
    this.network = new PolicyNetwork(config);
    this.model = new WorldModelNetwork(wm, worldModel.stats);
    const { horizon: H, batchSize: B } = this.settings;
    this.inputs = [
      { name: 'z0', shape: [B, wm.latentDim] },
      { name: 'noise', shape: [H, B, wm.actionDim] },
    ];
  }

  build(params: ParamScope, data: Readonly<Record<string, Tensor>>): LossOutputs {
    const { horizon: H, batchSize: B, gamma, lambda, entropyCoef } = this.settings;
    const A = this.config.actionDim;
    const g = params.graph;
    const wm = this.scopes.get(g) ?? constantScope(g, this.worldModel.params);
    this.scopes.set(g, wm);
    const held = new HeldScope(params);
    const latents: Tensor[] = [data.z0!];
    const rewards: Tensor[] = [];
    const dones: Tensor[] = [];
    let logStd: Tensor | undefined;
    for (let t = 0; t < H; t++) {
      const zt = latents[t]!;
      const actor = this.network.actor(params, zt);
      logStd = actor.logStd!;
      const eps = reshape(slice(data.noise!, 0, t, t + 1), [B, A]);
      const action = this.network.squash(add(actor.mean, mul(eps, exp(actor.logStd!))));
      const joint = this.model.joint(zt, action);
      const next = this.model.dynamics(wm, 0, zt, joint);
      const heads = this.model.headInput(joint, next);
      rewards.push(reshape(this.model.reward(wm, 0, heads), [1, B]));
      dones.push(this.worldModel.config.terminal ? reshape(sigmoid(this.model.terminalLogit(wm, 0, heads)), [1, B]) : g.constant(new Array<number>(B).fill(0), [1, B]));
      latents.push(next);
    }
    const heldValues = concat(
      latents.map((zt) => reshape(this.network.value(held, zt), [1, B])),
      0,
    );
    const returns = lambdaReturns(concat(rewards, 0), heldValues, concat(dones, 0), gamma, lambda);
    const imagined = reduceMean(returns);
    const entropy = gaussianEntropy(logStd!);
    const actorLoss = sub(mul(imagined, -1), mul(entropy, entropyCoef));
    const states = stopGradient(concat(latents.slice(0, H), 0));
    const values = reshape(this.network.value(params, states), [H, B]);
    const critic = mul(reduceMean(square(sub(values, stopGradient(returns)))), 0.5);
    return { loss: add(actorLoss, critic), metrics: { imagined_return: imagined, critic, entropy } };
  }
}
