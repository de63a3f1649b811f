/**
 * The Rapier oracle as a {@link ValidationModel}: the "perfect model". Each row restores the real
 * start state into a private environment and steps the real actions, so its predictions are the
 * ground truth bit for bit (drift exactly 0). With `start: 'observation'` it instead rebuilds each
 * start from the observation through reset options — the way to run a *variant* of the physics
 * (e.g. the same scene without gravity) as a deliberately wrong model.
 *
 * @module
 */
import { isStateful, type Env, type Stateful } from '../env.js';
import { EnvStateError, InvalidArgumentError, describeValue } from '../errors.js';
import { checkPredictArgs, type Prediction, type PredictionStart, type ValidationModel } from './model.js';

/** Options of {@link OracleModel}. */
export interface OracleModelOptions {
  /**
   * `'state'`: restore `start.states` exactly (needs a `Stateful` environment; default).
   * `'observation'`: `reset({ options: resetFromObservation(obs) })` per row (approximate).
   */
  readonly start?: 'state' | 'observation';
  /** Required with `start: 'observation'`. */
  readonly resetFromObservation?: (observation: Float32Array) => Record<string, unknown>;
  /** Name for reports. Default `rapier-oracle`. */
  readonly name?: string;
  /** Kind for reports. Default `oracle`. */
  readonly kind?: string;
}

/**
 * Predicts by simulating. When the private episode ends (terminated or truncated) before H steps,
 * the remaining steps repeat the last observation; validation never scores steps after the real
 * episode ended, so this only matters for models whose episodes end at other times.
 */
export class OracleModel implements ValidationModel {
  readonly name: string;
  readonly kind: string;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly predictsObservations = true;
  readonly needsStates: boolean;
  private readonly env: Env<Float32Array, Float32Array>;
  private readonly mode: 'state' | 'observation';
  private readonly fromObservation: ((observation: Float32Array) => Record<string, unknown>) | undefined;
  private hasScene = false;
  private closed = false;

  /**
   * @param envFactory - builds the private environment (same id and options as the real one, or a variant)
   * @throws {@link InvalidArgumentError} for a non-`Stateful` environment in `'state'` mode, or a missing `resetFromObservation`.
   */
  constructor(envFactory: () => Env<Float32Array, Float32Array>, options: OracleModelOptions = {}) {
    if (typeof envFactory !== 'function') throw new InvalidArgumentError(`OracleModel: expected an environment factory, got ${describeValue(envFactory)}`);
    this.mode = options.start ?? 'state';
    if (this.mode !== 'state' && this.mode !== 'observation')
      throw new InvalidArgumentError(`OracleModel: expected \`start\` 'state' or 'observation', got ${describeValue(this.mode)}`);
    if (this.mode === 'observation' && typeof options.resetFromObservation !== 'function') {
      throw new InvalidArgumentError("OracleModel: `start: 'observation'` needs `resetFromObservation(obs)` (the spec's)");
    }
    this.env = envFactory();
    if (this.mode === 'state' && !isStateful(this.env)) {
      throw new InvalidArgumentError(`OracleModel: ${this.env.spec.id} is not Stateful, so the oracle cannot restore start states; use start: 'observation'`);
    }
    this.fromObservation = options.resetFromObservation;
    this.obsDim = this.env.observationSpace.shape.reduce((a, b) => a * b, 1);
    this.actionDim = this.env.actionSpace.shape.reduce((a, b) => a * b, 1);
    this.needsStates = this.mode === 'state';
    this.name = options.name ?? 'rapier-oracle';
    this.kind = options.kind ?? 'oracle';
  }

  async predict(start: PredictionStart, actions: Float32Array, horizon: number): Promise<Prediction> {
    if (this.closed) throw new EnvStateError(`${this.name}: predict() called after close()`);
    const B = checkPredictArgs(this, start, actions, horizon);
    if (this.mode === 'state' && start.states === undefined) {
      throw new InvalidArgumentError(`${this.name}.predict: the oracle restores exact start states; expected \`start.states\` (the real environment must be Stateful)`);
    }
    const D = this.obsDim;
    const A = this.actionDim;
    const H = horizon;
    const out = new Float32Array(B * H * D);
    for (let b = 0; b < B; b++) {
      let last: Float32Array;
      if (this.mode === 'state') {
        if (!this.hasScene) {
          await this.env.reset({ seed: 0 });
          this.hasScene = true;
        }
        (this.env as unknown as Stateful).setState(start.states![b]);
        last = start.observations.slice(b * D, (b + 1) * D);
      } else {
        const obs = start.observations.subarray(b * D, (b + 1) * D);
        last = (await this.env.reset({ seed: 0, options: this.fromObservation!(obs) })).observation;
      }
      let ended = false;
      for (let h = 0; h < H; h++) {
        if (!ended) {
          const r = await this.env.step(actions.slice((b * H + h) * A, (b * H + h + 1) * A));
          last = r.observation;
          ended = r.terminated || r.truncated;
        }
        out.set(last, (b * H + h) * D);
      }
    }
    return { observations: out };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.env.close();
  }
}
