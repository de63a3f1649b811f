/**
 * What a trainer optimises: a loss built from named data inputs and parameters requested through a
 * {@link ParamScope}. The trainer builds it once per unrolled optimiser step, substituting the
 * previous step's updated parameters, so an objective never declares parameters itself.
 *
 * @module
 */
import type { ParamScope, Tensor } from '../graph/index.js';

/** A float32 data input of one minibatch (static shape). */
export interface InputSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** What {@link Objective.build} returns. */
export interface LossOutputs {
  /** The scalar loss to minimise. */
  readonly loss: Tensor;
  /** Scalar loss components to log (e.g. `consistency`, `reward`). */
  readonly metrics: Readonly<Record<string, Tensor>>;
  /** Intermediate tensors for tests and debugging (not part of the training graph's outputs). */
  readonly extras?: Readonly<Record<string, Tensor>>;
}

/** A differentiable training objective. */
export interface Objective {
  /** Short name for logs and checkpoints. */
  readonly name: string;
  /** Data inputs of one minibatch. */
  readonly inputs: readonly InputSpec[];
  /** Builds the loss of one minibatch; parameters come only from `params`. */
  build(params: ParamScope, data: Readonly<Record<string, Tensor>>): LossOutputs;
}
