/**
 * A learned {@link WorldModel} as a {@link ValidationModel}: encode the real start observation,
 * roll the latent dynamics forward under the actions (the model's own ensemble mode), and decode
 * every imagined latent. Without a decoder only latent-space metrics are available.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';
import type { WorldModel } from '../worldmodel/world-model.js';
import { checkPredictArgs, type Prediction, type PredictionStart, type ValidationModel } from './model.js';

/** Options of {@link worldModelForValidation}. */
export interface WorldModelValidationOptions {
  /** Name for reports. Default: the manifest's `name`. */
  readonly name?: string;
  /** Close the world model when the validation model is closed. Default `false` (the caller owns it). */
  readonly owns?: boolean;
}

/** Adapts a loaded world model. */
export function worldModelForValidation(model: WorldModel, options: WorldModelValidationOptions = {}): ValidationModel {
  if (typeof model !== 'object' || model === null || typeof (model as WorldModel).encode !== 'function' || typeof (model as WorldModel).rollout !== 'function') {
    throw new InvalidArgumentError(`worldModelForValidation: expected a loaded WorldModel, got ${describeValue(model)}`);
  }
  const L = model.latentDim;
  return {
    name: options.name ?? model.manifest.name,
    kind: 'learned',
    obsDim: model.obsDim,
    actionDim: model.actionDim,
    latentDim: L,
    predictsObservations: model.hasDecoder,
    needsStates: false,
    async predict(start: PredictionStart, actions: Float32Array, horizon: number): Promise<Prediction> {
      checkPredictArgs(this, start, actions, horizon);
      const z0 = await model.encode(start.observations);
      const { states } = await model.rollout(z0, actions, horizon);
      // Copy: onnxruntime may hand back views of buffers it reuses on the next call.
      const latents = Float32Array.from(states);
      if (!model.hasDecoder) return { latents };
      const observations = Float32Array.from(await model.decode(latents));
      return { observations, latents };
    },
    encode: async (observations: Float32Array) => Float32Array.from(await model.encode(observations)),
    close: async () => {
      if (options.owns) await model.close();
    },
  };
}
