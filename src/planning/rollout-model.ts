/**
 * The contract every planner optimises against. It is implemented by the learned `WorldModel` (states
 * are latents) and by the Rapier oracle `PhysicsRolloutModel` (states are true observations), so
 * "plan with the learned model" and "plan with perfect physics" differ only in the model passed in.
 *
 * Shapes are batch-major and flat: `B × S` means B rows of S float32 values.
 *
 * @module
 */

/** What {@link RolloutModel.rollout} returns. */
export interface RolloutResult {
  /** Predicted states after each step, `B × H × S`. */
  readonly states: Float32Array;
  /** Predicted reward of each step, `B × H`. */
  readonly rewards: Float32Array;
  /** Predicted probability that the episode has terminated at each step, `B × H` (when the model predicts it). */
  readonly terminals?: Float32Array;
  /** Epistemic uncertainty of each step (e.g. ensemble disagreement), `B × H` (when the model has it). */
  readonly uncertainty?: Float32Array;
}

/** A batched, differentiable-or-not simulator of state sequences under action sequences. */
export interface RolloutModel {
  /** Length S of one state vector. */
  readonly stateDim: number;
  /** Length A of one action vector. */
  readonly actionDim: number;
  /**
   * Rolls B start states forward under B action sequences.
   * @param states - start states, `B × S`
   * @param actions - action sequences, `B × H × A`
   * @param horizon - H, the number of steps
   */
  rollout(states: Float32Array, actions: Float32Array, horizon: number): Promise<RolloutResult>;
}
