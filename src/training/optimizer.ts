/**
 * Optimisers as graph pieces: global gradient-norm clipping and Adam/AdamW with bias correction,
 * written with ordinary ops so the update runs inside the training graph. The learning rate and the
 * step number are graph inputs, so schedules live outside the graph and checkpoints stay exact.
 *
 * @module
 */
import type { Tensor } from '../graph/index.js';
import { add, addN, clip, div, mul, pow, reduceSum, sqrt, square, sub } from '../graph/index.js';
import { parseOptions, z } from '../options.js';

/** Zod schema of {@link AdamOptions}. */
export const AdamOptionsSchema = z
  .object({
    /** β₁. Default 0.9. */
    beta1: z.number().min(0).lt(1).default(0.9),
    /** β₂. Default 0.999. */
    beta2: z.number().min(0).lt(1).default(0.999),
    /** ε added to the denominator. Default 1e-8. */
    eps: z.number().positive().default(1e-8),
    /** Decoupled weight decay (AdamW) applied to every parameter; 0 gives Adam. Default 0. */
    weightDecay: z.number().nonnegative().default(0),
    /** Clip the global gradient norm to this value; 0 disables. Default 0. */
    gradClipNorm: z.number().nonnegative().default(0),
  })
  .strict();

/** Adam/AdamW settings (validated). */
export type AdamOptions = z.output<typeof AdamOptionsSchema>;
/** Adam/AdamW settings as given by a caller. */
export type AdamOptionsInput = z.input<typeof AdamOptionsSchema>;

/** Validates Adam options. */
export function parseAdamOptions(input: AdamOptionsInput = {}): AdamOptions {
  return parseOptions(AdamOptionsSchema, input, 'Adam options');
}

/** The global L2 norm of a list of gradients (a scalar). */
export function globalNorm(grads: readonly Tensor[]): Tensor {
  return sqrt(addN(grads.map((g) => reduceSum(square(g)))));
}

/** Result of {@link adamStep}. */
export interface AdamResult {
  /** Updated parameters (flat). */
  readonly params: Tensor;
  /** Updated first moments. */
  readonly m: Tensor;
  /** Updated second moments. */
  readonly v: Tensor;
  /** Global gradient norm before clipping. */
  readonly gradNorm: Tensor;
}

/**
 * One Adam/AdamW update of a flat parameter vector (PyTorch semantics):
 * `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `p ← p·(1 − lr·wd) − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)`.
 * The gradient is first scaled by `min(1, clip/(‖g‖ + 1e-6))` when clipping is on. Working on one flat
 * vector keeps the update to about a dozen elementwise ops however many parameter tensors there are.
 * @param lr - scalar learning rate for this step
 * @param step - scalar step number t ≥ 1 (float)
 */
export function adamStep(params: Tensor, m: Tensor, v: Tensor, grad: Tensor, lr: Tensor, step: Tensor, options: AdamOptions): AdamResult {
  const { beta1, beta2, eps, weightDecay, gradClipNorm } = options;
  const gradNorm = globalNorm([grad]);
  const g = gradClipNorm > 0 ? mul(grad, clip(div(gradClipNorm, add(gradNorm, 1e-6)), undefined, 1)) : grad;
  const stepSize = div(lr, sub(1, pow(beta1, step)));
  const invSqrtBc2 = div(1, sqrt(sub(1, pow(beta2, step))));
  const mNext = add(mul(m, beta1), mul(g, 1 - beta1));
  const vNext = add(mul(v, beta2), mul(square(g), 1 - beta2));
  const denom = add(mul(sqrt(vNext), invSqrtBc2), eps);
  const p = weightDecay > 0 ? mul(params, sub(1, mul(lr, weightDecay))) : params;
  return { params: sub(p, mul(div(mNext, denom), stepSize)), m: mNext, v: vNext, gradNorm };
}
