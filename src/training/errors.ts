/**
 * Errors of the training runtime.
 *
 * @module
 */
import { EmbodiedError } from '../errors.js';

/** Base class of training failures. */
export class TrainingError extends EmbodiedError {}

/**
 * A training step produced a NaN or infinite loss (or gradient norm). Training stops before the bad
 * update is applied: the trainer's state stays at {@link NonFiniteLossError.lastGoodStep}, and the last
 * checkpoint written (if any) is left untouched.
 */
export class NonFiniteLossError extends TrainingError {
  constructor(
    message: string,
    /** The optimiser step (1-based) whose loss was not finite. */
    readonly step: number,
    /** The step count of the state the trainer kept. */
    readonly lastGoodStep: number,
    /** The last checkpoint written before the failure, if any. */
    readonly checkpointPath: string | undefined,
    /** Loss components of the failing step. */
    readonly losses: Readonly<Record<string, number>>,
  ) {
    super(message);
  }
}

/**
 * The loss ran away (finite but huge: a learning rate far too large, a broken objective). Training stops
 * before the step is applied, like {@link NonFiniteLossError}, so no diverged model is exported.
 */
export class DivergedLossError extends TrainingError {
  constructor(
    message: string,
    /** The optimiser step (1-based) whose loss crossed the limit. */
    readonly step: number,
    /** The step count of the state the trainer kept. */
    readonly lastGoodStep: number,
    /** The loss of that step. */
    readonly loss: number,
    /** The limit it crossed. */
    readonly limit: number,
  ) {
    super(message);
  }
}

/** A checkpoint file is malformed or does not fit the trainer it is loaded into. */
export class CheckpointError extends TrainingError {}
