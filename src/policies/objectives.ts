/**
 * Training objectives of policies, for the SDK's {@link Trainer} (ONNX training graphs, Adam):
 *
 * - {@link BehaviorCloningObjective}: a deterministic policy regresses tanh(μ(o)) onto the demonstrated
 *   normalised action (mean squared error); a Gaussian one maximises the tanh-Gaussian likelihood.
 * - {@link PpoObjective}: PPO's clipped surrogate, clipped value loss and entropy bonus on one
 *   minibatch of a rollout.
 *
 * Observation statistics are data inputs (`obs_mean`, `obs_std`), so running normalisation can change
 * them without rebuilding the training graph; the exported policy bakes them in as constants.
 *
 * @module
 */
import type { ParamScope, Tensor } from '../graph/index.js';
import { add, div, exp, greater, abs, log, mul, reduceMean, square, sub, where } from '../graph/index.js';
import { parseOptions, z } from '../options.js';
import type { InputSpec, LossOutputs, Objective } from '../training/objective.js';
import type { PolicyConfig } from './config.js';
import { clippedValueLoss, gaussianEntropy, ppoClipLoss, tanhGaussianLogProb } from './losses.js';
import { PolicyNetwork } from './network.js';

/** Normalised actions are clipped to ±this before atanh in the Gaussian behaviour-cloning likelihood. */
export const BC_ACTION_LIMIT = 0.999;

function statsInputs(obsDim: number): InputSpec[] {
  return [
    { name: 'obs_mean', shape: [obsDim] },
    { name: 'obs_std', shape: [obsDim] },
  ];
}

/** Behaviour cloning on minibatches of `batchSize` (observation, normalised action) pairs. */
export class BehaviorCloningObjective implements Objective {
  readonly name = 'policy-bc';
  readonly inputs: readonly InputSpec[];
  /** The networks (shared with the exporter). */
  readonly network: PolicyNetwork;

  constructor(
    readonly config: PolicyConfig,
    readonly batchSize: number,
  ) {
    this.network = new PolicyNetwork(config);
    this.inputs = [{ name: 'obs', shape: [batchSize, config.obsDim] }, { name: 'actions', shape: [batchSize, config.actionDim] }, ...statsInputs(config.obsDim)];
  }

  build(params: ParamScope, data: Readonly<Record<string, Tensor>>): LossOutputs {
    const net = this.network;
    const obsN = net.normalizeObs(data.obs!, data.obs_mean!, data.obs_std!);
    const { mean, logStd } = net.actor(params, obsN);
    const target = data.actions!;
    const mse = reduceMean(square(sub(net.squash(mean), target)));
    if (!logStd) return { loss: mse, metrics: { mse } };
    // atanh(a) = ½ log((1 + a)/(1 − a)): the pre-tanh action whose likelihood is maximised.
    const u = mul(log(div(add(target, 1), sub(1, target))), 0.5);
    const nll = mul(reduceMean(tanhGaussianLogProb(u, mean, logStd)), -1);
    return { loss: nll, metrics: { mse, nll } };
  }
}

/** Zod schema of {@link PpoLossOptions}. */
export const PpoLossOptionsSchema = z
  .object({
    /** Clip range ε of the probability ratio. Default 0.2. */
    clip: z.number().gt(0).lt(1).default(0.2),
    /** Clip range of the value prediction around the old value (0 disables). Default 0.2 (in return units). */
    valueClip: z.number().nonnegative().default(0.2),
    /** Weight of the value loss. Default 0.5. */
    valueCoef: z.number().nonnegative().default(0.5),
    /** Weight of the entropy bonus. Default 0. */
    entropyCoef: z.number().nonnegative().default(0),
  })
  .strict();

/** PPO loss weights and clip ranges. */
export type PpoLossOptions = z.output<typeof PpoLossOptionsSchema>;

/**
 * PPO on minibatches of `batchSize` rollout rows: `pre_tanh` actions u `[B, A]`, `old_logp`, `advantages`
 * (normalised per minibatch by the caller), `returns` and `old_values` `[B]`.
 * Metrics: `policy`, `value`, `entropy`, `approx_kl` (mean of (ρ − 1) − log ρ), `clip_frac`.
 */
export class PpoObjective implements Objective {
  readonly name = 'policy-ppo';
  readonly inputs: readonly InputSpec[];
  readonly network: PolicyNetwork;
  readonly loss: PpoLossOptions;

  constructor(
    readonly config: PolicyConfig,
    readonly batchSize: number,
    loss: z.input<typeof PpoLossOptionsSchema> = {},
  ) {
    this.network = new PolicyNetwork(config);
    this.loss = parseOptions(PpoLossOptionsSchema, loss, 'PPO loss options');
    const B = batchSize;
    this.inputs = [
      { name: 'obs', shape: [B, config.obsDim] },
      { name: 'pre_tanh', shape: [B, config.actionDim] },
      { name: 'old_logp', shape: [B] },
      { name: 'advantages', shape: [B] },
      { name: 'returns', shape: [B] },
      { name: 'old_values', shape: [B] },
      ...statsInputs(config.obsDim),
    ];
  }

  build(params: ParamScope, data: Readonly<Record<string, Tensor>>): LossOutputs {
    const net = this.network;
    const o = this.loss;
    const obsN = net.normalizeObs(data.obs!, data.obs_mean!, data.obs_std!);
    const { mean, logStd } = net.actor(params, obsN);
    if (!logStd) throw new Error('unreachable: PPO needs a Gaussian policy (checked by the workflow)');
    const logp = tanhGaussianLogProb(data.pre_tanh!, mean, logStd);
    const policy = ppoClipLoss(logp, data.old_logp!, data.advantages!, o.clip);
    const value = clippedValueLoss(net.value(params, obsN), data.old_values!, data.returns!, o.valueClip);
    const entropy = gaussianEntropy(logStd);
    const loss = sub(add(policy, mul(value, o.valueCoef)), mul(entropy, o.entropyCoef));
    const logRatio = sub(logp, data.old_logp!);
    const ratio = exp(logRatio);
    const approxKl = reduceMean(sub(sub(ratio, 1), logRatio));
    const clipFrac = reduceMean(where(greater(abs(sub(ratio, 1)), o.clip), 1, 0));
    return { loss, metrics: { policy, value, entropy, approx_kl: approxKl, clip_frac: clipFrac } };
  }
}
