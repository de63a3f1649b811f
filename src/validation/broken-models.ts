/**
 * Deliberately wrong models, each breaking one thing, so tests can show that the matching check
 * catches it (and that validation is not just rubber-stamping):
 *
 * | model | what is wrong | caught by |
 * |---|---|---|
 * | {@link ignoreActionsModel} | predicts as if the idle action were applied, whatever the actions | controllability, counterfactual, momentum transfer |
 * | {@link noGravityModel} | the same physics with gravity 0 | gravity |
 * | {@link contactFreeModel} | integrates velocities, ignoring every contact | non-penetration, support |
 * | {@link driftingModel} | wraps another model and adds a bias growing with the step | open-loop drift |
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';
import { checkPredictArgs, type Prediction, type PredictionStart, type ValidationModel } from './model.js';
import { OracleModel } from './oracle-model.js';
import type { ValidationSpec } from './spec.js';

/** Options of {@link ignoreActionsModel}. */
export interface IgnoreActionsOptions {
  /** The action used instead of the given ones. Default: zeros. */
  readonly action?: readonly number[];
}

/** Wraps `inner` so that every action is replaced by one fixed action (a model blind to actions). */
export function ignoreActionsModel(inner: ValidationModel, options: IgnoreActionsOptions = {}): ValidationModel {
  const A = inner.actionDim;
  const fixed = Float32Array.from(options.action ?? new Array<number>(A).fill(0));
  if (fixed.length !== A) throw new InvalidArgumentError(`ignoreActionsModel: expected \`action\` of length ${A}, got ${fixed.length}`);
  return {
    name: `${inner.name}+ignore-actions`,
    kind: 'broken:ignores-actions',
    obsDim: inner.obsDim,
    actionDim: A,
    ...(inner.latentDim !== undefined && { latentDim: inner.latentDim }),
    predictsObservations: inner.predictsObservations,
    needsStates: inner.needsStates,
    async predict(start: PredictionStart, actions: Float32Array, horizon: number): Promise<Prediction> {
      checkPredictArgs(this, start, actions, horizon);
      const replaced = new Float32Array(actions.length);
      for (let i = 0; i < replaced.length; i += A) replaced.set(fixed, i);
      return inner.predict(start, replaced, horizon);
    },
    ...(inner.encode && { encode: (o: Float32Array) => inner.encode!(o) }),
    close: async () => inner.close?.(),
  };
}

/** Options of {@link driftingModel}. */
export interface DriftingOptions {
  /** Bias added per step, in units of `scale` (step h gets `rate · h · scale`). Default 0.02. */
  readonly rate?: number;
  /** Per-dimension scale (e.g. the data standard deviation), length obsDim. Required. */
  readonly scale: ArrayLike<number>;
}

/** Wraps `inner` and adds `rate · h · scale[d]` to dimension d of the prediction at step h (1-based). */
export function driftingModel(inner: ValidationModel, options: DriftingOptions): ValidationModel {
  const D = inner.obsDim;
  const rate = options.rate ?? 0.02;
  if (!(Number.isFinite(rate) && rate > 0)) throw new InvalidArgumentError(`driftingModel: expected a positive \`rate\`, got ${describeValue(rate)}`);
  if (options.scale?.length !== D) throw new InvalidArgumentError(`driftingModel: expected \`scale\` of length ${D} (obsDim), got ${describeValue(options.scale)}`);
  const scale = Float32Array.from(options.scale);
  return {
    name: `${inner.name}+drift`,
    kind: 'broken:drifts',
    obsDim: D,
    actionDim: inner.actionDim,
    predictsObservations: inner.predictsObservations,
    needsStates: inner.needsStates,
    async predict(start: PredictionStart, actions: Float32Array, horizon: number): Promise<Prediction> {
      const B = checkPredictArgs(this, start, actions, horizon);
      const p = await inner.predict(start, actions, horizon);
      if (!p.observations) return p;
      const obs = p.observations.slice();
      for (let b = 0; b < B; b++) {
        for (let h = 0; h < horizon; h++) {
          const o = (b * horizon + h) * D;
          for (let d = 0; d < D; d++) obs[o + d] = obs[o + d]! + rate * (h + 1) * scale[d]!;
        }
      }
      return { observations: obs };
    },
    close: async () => inner.close?.(),
  };
}

/**
 * The environment's own physics with gravity switched off (`spec.makeEnv({ gravity: 0 })`), each row
 * rebuilt from its start observation through `spec.resetFromObservation`.
 * @throws {@link InvalidArgumentError} when the spec cannot rebuild states from observations.
 */
export function noGravityModel(spec: ValidationSpec): ValidationModel {
  if (typeof spec.resetFromObservation !== 'function') {
    throw new InvalidArgumentError(`noGravityModel: the ${spec.envId} spec has no \`resetFromObservation\`, so a gravity-free variant cannot start from real observations`);
  }
  return new OracleModel(() => spec.makeEnv({ gravity: 0 }), {
    start: 'observation',
    resetFromObservation: (o) => spec.resetFromObservation!(o),
    name: 'rapier-without-gravity',
    kind: 'broken:no-gravity',
  });
}

/**
 * Moves every body by integrating velocities and ignoring all contacts: commanded bodies move at
 * their commanded velocity, dynamic bodies keep their velocity plus gravity (they fall through
 * floors, tables, shelves and each other). Everything else in the observation stays constant.
 */
export function contactFreeModel(spec: ValidationSpec): ValidationModel {
  const D = spec.obsDim;
  const A = spec.actionDim;
  const dt = spec.controlDt;
  const g = spec.gravity;
  const bodies = spec.bodies;
  const byName = new Map(bodies.map((b) => [b.name, b]));
  return {
    name: 'contact-free-integrator',
    kind: 'broken:no-contacts',
    obsDim: D,
    actionDim: A,
    predictsObservations: true,
    needsStates: false,
    async predict(start: PredictionStart, actions: Float32Array, horizon: number): Promise<Prediction> {
      const B = checkPredictArgs(this, start, actions, horizon);
      const H = horizon;
      const out = new Float32Array(B * H * D);
      const cur = new Float64Array(D);
      const moved = new Map<string, [number, number, number]>();
      for (let b = 0; b < B; b++) {
        for (let d = 0; d < D; d++) cur[d] = start.observations[b * D + d]!;
        for (let h = 0; h < H; h++) {
          const a = actions.subarray((b * H + h) * A, (b * H + h + 1) * A);
          moved.clear();
          for (const body of bodies) {
            const v: [number, number, number] = [0, 0, 0];
            for (let k = 0; k < 3; k++) {
              const act = body.actuation?.action[k] ?? -1;
              const vi = body.velocity?.[k] ?? -1;
              if (act >= 0) v[k] = a[act]! * body.actuation!.speed;
              else if (body.dynamic && vi >= 0) v[k] = cur[vi]! - (k === 1 ? g * dt : 0);
              else if (body.dynamic && k === 1 && body.position[1] >= 0) v[k] = -g * dt * (h + 1);
              if (vi >= 0) cur[vi] = v[k];
            }
            moved.set(body.name, [v[0] * dt, v[1] * dt, v[2] * dt]);
          }
          for (const body of bodies) {
            const own = moved.get(body.name)!;
            const parent = body.relativeTo ? moved.get(byName.get(body.relativeTo)!.name)! : [0, 0, 0];
            for (let k = 0; k < 3; k++) if (body.position[k]! >= 0) cur[body.position[k]!] = cur[body.position[k]!]! + own[k]! - parent[k]!;
          }
          for (let d = 0; d < D; d++) out[(b * H + h) * D + d] = cur[d]!;
        }
      }
      return { observations: out };
    },
  };
}
