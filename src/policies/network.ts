/**
 * The policy networks, written once and used by every training objective and every exported graph:
 * observation normalisation, the actor (pre-tanh mean μ(o) and a state-independent log σ), the value
 * head V(o), and the map from the squashed action in [−1, 1] to the environment's bounds. Layers come
 * from the world model's {@link mlp}, so policies and world models share one MLP.
 *
 * Units: the actor works in *normalised action units* — tanh(u) ∈ [−1, 1] per dimension —
 * and only the exported graph scales to `[low, high]`; datasets' actions are mapped the other way
 * with {@link toUnitActions}.
 *
 * @module
 */
import type { ParamScope, Tensor } from '../graph/index.js';
import { add, clip, div, init, mul, reshape, sub, tanh } from '../graph/index.js';
import { InvalidArgumentError } from '../errors.js';
import { mlp } from '../training/wm-network.js';
import type { PolicyConfig } from './config.js';

/** Observation statistics baked into (or fed to) the graphs: `(o − mean) / std`. */
export interface ObservationStats {
  /** `obsDim` means. */
  readonly mean: Float32Array;
  /** `obsDim` positive standard deviations. */
  readonly std: Float32Array;
}

/** Checks that `stats` fits `obsDim` (lengths, finite, positive standard deviations). */
export function checkObservationStats(stats: ObservationStats, obsDim: number, where: string): void {
  if (stats.mean.length !== obsDim || stats.std.length !== obsDim) {
    throw new InvalidArgumentError(`${where}: expected observation mean and std of length ${obsDim}, got ${stats.mean.length} and ${stats.std.length}`);
  }
  for (let i = 0; i < obsDim; i++) {
    if (!Number.isFinite(stats.mean[i]!)) throw new InvalidArgumentError(`${where}: expected a finite observation mean, got mean[${i}] = ${stats.mean[i]}`);
    if (!(stats.std[i]! > 0) || !Number.isFinite(stats.std[i]!))
      throw new InvalidArgumentError(`${where}: expected a positive finite observation std, got std[${i}] = ${stats.std[i]}`);
  }
}

/** The actor's outputs for a batch: pre-tanh mean `[N, A]` and (Gaussian) log σ `[A]`. */
export interface ActorOutputs {
  readonly mean: Tensor;
  /** Clipped to [minLogStd, maxLogStd]; absent for a deterministic policy. */
  readonly logStd?: Tensor;
}

/** The policy's building blocks for one configuration. Parameters: `actor.*`, `actor.log_std`, `value.*`. */
export class PolicyNetwork {
  constructor(
    /** The validated configuration. */
    readonly config: PolicyConfig,
  ) {}

  /** `(obs − mean) / std` with the statistics as tensors `[obsDim]` (graph inputs while training, constants when exported). */
  normalizeObs(obs: Tensor, mean: Tensor, std: Tensor): Tensor {
    return div(sub(obs, mean), std);
  }

  /** The actor on normalised observations `[N, obsDim]`. The mean's output layer starts at zero (actions start at the bounds' midpoint). */
  actor(params: ParamScope, obsN: Tensor): ActorOutputs {
    const c = this.config;
    const mean = mlp(params, 'actor', obsN, c.hidden, c.actionDim, { ...c, simNormGroup: 0 }, 'zero-linear');
    if (c.kind === 'deterministic') return { mean };
    const logStd = clip(params.get('actor.log_std', [c.actionDim], init.constant(c.initLogStd)), c.minLogStd, c.maxLogStd);
    return { mean, logStd };
  }

  /** The value head on normalised observations → `[N]`. */
  value(params: ParamScope, obsN: Tensor): Tensor {
    const c = this.config;
    if (!c.value) throw new InvalidArgumentError('PolicyNetwork.value: this policy was configured without a value head (`value: false`)');
    const v = mlp(params, 'value', obsN, c.valueHidden ?? c.hidden, 1, { ...c, simNormGroup: 0 });
    return reshape(v, [obsN.shape[0]!]);
  }

  /** tanh(u): pre-tanh actions to normalised actions in [−1, 1]. */
  squash(u: Tensor): Tensor {
    return tanh(u);
  }

  /** Normalised actions `[N, A]` in [−1, 1] to the environment's bounds: `low + (a + 1)/2 · (high − low)`. */
  toBounds(a: Tensor, low: readonly number[], high: readonly number[]): Tensor {
    const g = a.graph;
    const A = this.config.actionDim;
    const half = low.map((l, i) => (high[i]! - l) / 2);
    const mid = low.map((l, i) => (high[i]! + l) / 2);
    return add(mul(a, g.constant(half, [A])), g.constant(mid, [A]));
  }
}

/**
 * Maps actions in `[low, high]` (rows of `actionDim`) to normalised units in [−1, 1], clipped to
 * ±`limit` so that atanh stays finite for Gaussian likelihoods.
 * @throws `InvalidArgumentError` when a bound is not finite (a policy needs a bounded action space)
 */
export function toUnitActions(actions: Float32Array, low: readonly number[], high: readonly number[], limit = 1): Float32Array {
  const A = low.length;
  for (let i = 0; i < A; i++) {
    if (!Number.isFinite(low[i]!) || !Number.isFinite(high[i]!) || !(high[i]! > low[i]!)) {
      throw new InvalidArgumentError(`Expected finite action bounds with low < high, got low[${i}] = ${low[i]}, high[${i}] = ${high[i]}`);
    }
  }
  const out = new Float32Array(actions.length);
  for (let k = 0; k < actions.length; k++) {
    const i = k % A;
    const v = (2 * (actions[k]! - low[i]!)) / (high[i]! - low[i]!) - 1;
    out[k] = v > limit ? limit : v < -limit ? -limit : v;
  }
  return out;
}
