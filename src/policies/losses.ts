/**
 * The policy-learning losses as composites of primitive graph ops, so their gradients come from the
 * graph builder's reverse mode (and are checked against float64 central differences in the tests):
 *
 * - {@link tanhGaussianLogProb}: log π(a|o) of a tanh-squashed Gaussian, with the change-of-variables
 *   correction `−Σ log(1 − tanh²u)` written stably as `−Σ 2(log 2 − u − softplus(−2u))`;
 * - {@link ppoClipLoss}: PPO's clipped surrogate `−mean(min(ρA, clip(ρ, 1 ± ε)A))`;
 * - {@link clippedValueLoss}: PPO's value loss with the prediction kept within ±ε of the old value;
 * - {@link lambdaReturns} / {@link gaeAdvantages}: TD(λ) returns and generalised advantage estimates
 *   (GAE's returns are the λ-returns; one recursion serves PPO and imagination actor-critic).
 *
 * Shapes: batch rows `[N]`, actions `[N, A]`, sequences time-major `[T, N]`.
 *
 * @module
 */
import type { Tensor } from '../graph/index.js';
import { add, clip, concat, div, exp, less, mul, neg, reduceMean, reduceSum, slice, softplus, square, sub, where } from '../graph/index.js';
import { InvalidArgumentError } from '../errors.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log π(tanh u | o) per row `[N]` for u ~ N(mean, exp(logStd)²): the Gaussian log-density of the pre-tanh
 * sample `u` `[N, A]` minus log|d tanh(u)/du| summed over action dimensions. The density is of the
 * normalised action tanh(u) ∈ (−1, 1); scaling to the environment's bounds adds a constant.
 */
export function tanhGaussianLogProb(u: Tensor, mean: Tensor, logStd: Tensor): Tensor {
  const z = div(sub(u, mean), exp(logStd));
  const gaussian = sub(sub(mul(square(z), -0.5), logStd), HALF_LOG_2PI);
  // log(1 − tanh²u) = 2(log 2 − u − softplus(−2u)): finite for every u (1 − tanh²u underflows past |u| ≈ 9).
  const logDet = mul(sub(sub(Math.LN2, u), softplus(mul(u, -2))), 2);
  return reduceSum(sub(gaussian, logDet), [-1]);
}

/** Entropy of the (pre-tanh) diagonal Gaussian, `Σ (log σ + ½ log 2πe)`: PPO's entropy bonus (the squashed entropy has no closed form). */
export function gaussianEntropy(logStd: Tensor): Tensor {
  return reduceSum(add(logStd, HALF_LOG_2PI + 0.5));
}

/** Elementwise minimum of two tensors of the same shape (the gradient goes to the smaller one). */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return where(less(a, b), a, b);
}

/** Elementwise maximum of two tensors of the same shape (the gradient goes to the larger one). */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return where(less(a, b), b, a);
}

/**
 * PPO's clipped surrogate loss (a scalar to minimise): with ρ = exp(logp − oldLogp),
 * `−mean(min(ρ·A, clip(ρ, 1 − ε, 1 + ε)·A))`. `logp`, `oldLogp`, `advantages`: `[N]`.
 */
export function ppoClipLoss(logp: Tensor, oldLogp: Tensor, advantages: Tensor, epsilon: number): Tensor {
  if (!(epsilon > 0 && epsilon < 1)) throw new InvalidArgumentError(`ppoClipLoss: expected a clip range in (0, 1), got ${epsilon}`);
  const ratio = exp(sub(logp, oldLogp));
  const unclipped = mul(ratio, advantages);
  const clipped = mul(clip(ratio, 1 - epsilon, 1 + epsilon), advantages);
  return neg(reduceMean(minimum(unclipped, clipped)));
}

/**
 * PPO's value loss (a scalar): `½ mean(max((V − R)², (V_old + clip(V − V_old, ±ε) − R)²))`; `epsilon` 0
 * gives the plain `½ mean((V − R)²)`. All inputs `[N]`.
 */
export function clippedValueLoss(values: Tensor, oldValues: Tensor, returns: Tensor, epsilon: number): Tensor {
  const plain = square(sub(values, returns));
  if (epsilon === 0) return mul(reduceMean(plain), 0.5);
  if (!(epsilon > 0)) throw new InvalidArgumentError(`clippedValueLoss: expected a non-negative clip range, got ${epsilon}`);
  const kept = add(oldValues, clip(sub(values, oldValues), -epsilon, epsilon));
  return mul(reduceMean(maximum(plain, square(sub(kept, returns)))), 0.5);
}

/**
 * TD(λ) returns `[T, N]` of a time-major sequence: `R_t = r_t + γ(1 − d_t)((1 − λ)V_{t+1} + λR_{t+1})`,
 * `R_T = V_T`. `rewards`, `dones` `[T, N]` (1 where the episode ended after step t; a truncated step's
 * reward should already include γ·V(final observation)), `values` `[T + 1, N]`. With λ = 1 these are
 * Monte-Carlo returns, with λ = 0 one-step TD targets; `R − V` are GAE(γ, λ) advantages.
 */
export function lambdaReturns(rewards: Tensor, values: Tensor, dones: Tensor, gamma: number, lambda: number): Tensor {
  const T = rewards.shape[0];
  if (typeof T !== 'number' || values.shape[0] !== T + 1) {
    throw new InvalidArgumentError(`lambdaReturns: expected rewards [T, N] and values [T + 1, N] with a static T, got ${rewards.toString()} and ${values.toString()}`);
  }
  const row = (x: Tensor, t: number) => slice(x, 0, t, t + 1);
  let next = row(values, T);
  const out: Tensor[] = new Array<Tensor>(T);
  for (let t = T - 1; t >= 0; t--) {
    const blend = add(mul(row(values, t + 1), 1 - lambda), mul(next, lambda));
    next = add(row(rewards, t), mul(mul(sub(1, row(dones, t)), gamma), blend));
    out[t] = next;
  }
  return concat(out, 0);
}

/** GAE(γ, λ) advantages `[T, N]`: {@link lambdaReturns} minus `V_t`. */
export function gaeAdvantages(rewards: Tensor, values: Tensor, dones: Tensor, gamma: number, lambda: number): Tensor {
  const T = rewards.shape[0] as number;
  return sub(lambdaReturns(rewards, values, dones, gamma, lambda), slice(values, 0, 0, T));
}

/**
 * GAE(γ, λ) on the CPU (float64 accumulation), time-major: `rewards`, `dones` `[T × N]`, `values`
 * `[(T + 1) × N]`. Writes advantages into `advantages` and λ-returns into `returns` (`[T × N]` each).
 * Computes exactly what {@link gaeAdvantages} builds as a graph.
 */
export function computeGae(
  rewards: Float32Array,
  values: Float32Array,
  dones: Float32Array | Uint8Array,
  T: number,
  N: number,
  gamma: number,
  lambda: number,
  advantages: Float32Array,
  returns: Float32Array,
): void {
  if (rewards.length !== T * N || dones.length !== T * N || values.length !== (T + 1) * N || advantages.length !== T * N || returns.length !== T * N) {
    throw new InvalidArgumentError(`computeGae: expected rewards/dones/advantages/returns of ${T}×${N} and values of ${T + 1}×${N} values`);
  }
  for (let n = 0; n < N; n++) {
    let next = values[T * N + n]!;
    for (let t = T - 1; t >= 0; t--) {
      const i = t * N + n;
      const blend = (1 - lambda) * values[i + N]! + lambda * next;
      next = rewards[i]! + gamma * (1 - dones[i]!) * blend;
      returns[i] = next;
      advantages[i] = next - values[i]!;
    }
  }
}
