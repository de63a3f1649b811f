/**
 * What validation needs from a model: predict observations (and, for latent models, latents) from
 * start states under action sequences, and optionally encode real observations into latents. A
 * learned `WorldModel`, the Rapier oracle ("perfect model") and the deliberately broken models used
 * in tests all speak this one interface, so every metric treats them the same way.
 *
 * Shapes are batch-major and flat: `B × H × D` means B rows of H steps of D float32 values.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';

/** The start of each predicted row. */
export interface PredictionStart {
  /** Real start observations, `B × obsDim`. */
  readonly observations: Float32Array;
  /**
   * The real environment's exact states (`getState()`), one per row, when the environment is
   * `Stateful`. Models that simulate (the oracle) need them; learned models ignore them.
   */
  readonly states?: readonly unknown[];
}

/** What {@link ValidationModel.predict} returns. */
export interface Prediction {
  /** Predicted observations after each step, `B × H × obsDim`; absent when the model cannot decode. */
  readonly observations?: Float32Array;
  /** Imagined latents after each step, `B × H × latentDim` (latent models). */
  readonly latents?: Float32Array;
}

/** A model as validation sees it. */
export interface ValidationModel {
  /** Name for reports. */
  readonly name: string;
  /** What it is: `learned`, `oracle` (Rapier), `broken:<how>` (test models), … */
  readonly kind: string;
  readonly obsDim: number;
  readonly actionDim: number;
  /** Latent size, for latent models. */
  readonly latentDim?: number;
  /** Whether `predict` returns observations (false for a world model without decoder). */
  readonly predictsObservations: boolean;
  /** Whether `predict` needs `start.states` (and so a `Stateful` environment). */
  readonly needsStates: boolean;
  /**
   * Predicts B rows of H steps.
   * @param start - real start observations (and states)
   * @param actions - `B × H × actionDim`
   * @param horizon - H
   */
  predict(start: PredictionStart, actions: Float32Array, horizon: number): Promise<Prediction>;
  /** Encodes real observations `N × obsDim` into latents `N × latentDim` (latent models). */
  encode?(observations: Float32Array): Promise<Float32Array>;
  /** Releases what the model holds (sessions, Rapier worlds). Idempotent. */
  close?(): Promise<void>;
}

/**
 * Checks the shapes of a predict call and returns B.
 * @throws {@link InvalidArgumentError} naming the mismatch.
 */
export function checkPredictArgs(model: { name: string; obsDim: number; actionDim: number }, start: PredictionStart, actions: Float32Array, horizon: number): number {
  const where = `${model.name}.predict`;
  if (!Number.isSafeInteger(horizon) || horizon < 1) throw new InvalidArgumentError(`${where}: expected \`horizon\` to be a positive integer, got ${describeValue(horizon)}`);
  const obs = start?.observations;
  if (!(obs instanceof Float32Array) || obs.length === 0 || obs.length % model.obsDim !== 0) {
    throw new InvalidArgumentError(`${where}: expected start observations of B × ${model.obsDim} float32 values (B ≥ 1), got ${describeValue(obs)}`);
  }
  const B = obs.length / model.obsDim;
  if (!(actions instanceof Float32Array) || actions.length !== B * horizon * model.actionDim) {
    throw new InvalidArgumentError(
      `${where}: expected actions of ${B} × ${horizon} × ${model.actionDim} = ${B * horizon * model.actionDim} float32 values (B × H × actionDim), got ${describeValue(actions)}`,
    );
  }
  if (start.states !== undefined && start.states.length !== B) {
    throw new InvalidArgumentError(`${where}: expected ${B} start states (one per row), got ${start.states.length}`);
  }
  return B;
}
