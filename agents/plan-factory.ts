/**
 * `createPlanSource`: builds a complete plan source — model (a world-model bundle or the Rapier
 * oracle), objective and optimiser — from a plain, structured-clonable {@link PlanSpec}. Because the
 * spec is plain data, the same call runs on this thread or inside a `PlanWorker`
 * (`PlanWorker.start({ module: PLAN_FACTORY_MODULE, options: spec })`), and the CLI builds its agents
 * with it.
 *
 * Importing this module registers the built-in environments (the oracle makes them by id).
 *
 * @module
 */
import '../environments/index.js';
import { planPresetFor } from '../environments/cards.js';
import { InvalidArgumentError } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { PhysicsRolloutModel } from '../src/planning/physics-rollout-model.js';
import { Planner } from '../src/planning/planner.js';
import { rewardObjective } from '../src/planning/objectives.js';
import type { OptimizerSpec } from '../src/planning/create-optimizer.js';
import type { PlanPreset } from '../src/planning/plan-preset.js';
import type { RolloutModel } from '../src/planning/rollout-model.js';
import { make, spec as envSpec } from '../src/registry.js';
import { WorldModel } from '../src/worldmodel/world-model.js';
import { localPlanSource } from './local-plan-source.js';
import type { PlanSource } from './plan-source.js';

/** Planner settings of one environment (moved to `src/planning/plan-preset.ts`; re-exported here, where it always was). */
export type { PlanPreset };

/** What {@link createPlanSource} builds. Every field but `envId` is optional. */
export interface PlanSpec {
  /** The environment planned for, e.g. `'PushBox-v0'`. Required. */
  readonly envId: string;
  /** Its constructor options (the oracle's pool environments are built with them). Default: `{}`. */
  readonly envOptions?: Record<string, unknown>;
  /** A world-model bundle directory to plan with. Omit it (or set `oracle`) to plan with Rapier. */
  readonly model?: string;
  /** Plan with the Rapier oracle (`PhysicsRolloutModel`) even when `model` is given. Default: `!model`. */
  readonly oracle?: boolean;
  /** The optimiser. Default: the environment preset's (`'mppi'` unless listed otherwise). */
  readonly planner?: 'mppi' | 'cem' | 'icem' | 'random-shooting';
  /** Overrides of the environment's plan preset (`planPresetFor(envId)`: its card's, or the default). */
  readonly horizon?: number;
  readonly samples?: number;
  readonly iterations?: number;
  readonly temperature?: number;
  readonly discount?: number;
  readonly replanEvery?: number;
  readonly afterTruncation?: 'repeat-reward' | 'zero';
  /** Seed of the optimiser's stream (each plan is reseeded by the agent anyway). Default: `0`. */
  readonly seed?: number;
  /** onnxruntime intra-op threads of the world model. Default: `1`. */
  readonly intraOpNumThreads?: number;
}

const PlanSpecSchema = z
  .object({
    envId: z.string().min(1),
    envOptions: z.record(z.string(), z.unknown()).default({}),
    model: z.string().min(1).optional(),
    oracle: z.boolean().optional(),
    planner: z.enum(['mppi', 'cem', 'icem', 'random-shooting']).optional(),
    horizon: z.number().int().positive().optional(),
    samples: z.number().int().positive().optional(),
    iterations: z.number().int().positive().optional(),
    temperature: z.number().positive().optional(),
    discount: z.number().gt(0).lte(1).optional(),
    replanEvery: z.number().int().positive().optional(),
    afterTruncation: z.enum(['repeat-reward', 'zero']).optional(),
    seed: z.number().int().nonnegative().default(0),
    intraOpNumThreads: z.number().int().positive().max(64).default(1),
  })
  .strict();

/** URL of this module, for `PlanWorker.start({ module: PLAN_FACTORY_MODULE, options: spec })`. */
export const PLAN_FACTORY_MODULE = import.meta.url;

/** A plan source that owns its model: `close()` releases the world model's sessions or the oracle's worlds. */
export type OwnedPlanSource = PlanSource<Float32Array> & {
  readonly planner: Planner;
  /** `'oracle'` or the bundle directory. */
  readonly modelName: string;
  /** The settings used (the environment's preset with the spec's overrides). */
  readonly preset: PlanPreset;
  /** Releases the model (ONNX sessions or the oracle's Rapier worlds). */
  close(): Promise<void>;
};

/** The optimiser spec for `preset` and `algorithm` (elites scaled to the sample count). */
export function optimizerFor(algorithm: NonNullable<PlanSpec['planner']>, preset: PlanPreset, seed: number): OptimizerSpec {
  const { samples, iterations } = preset;
  const elites = Math.max(2, Math.min(64, Math.floor(samples / 4)));
  switch (algorithm) {
    case 'mppi':
      return { algorithm, samples, iterations, elites, temperature: preset.temperature, seed };
    case 'cem':
      return { algorithm, samples, iterations, elites, seed };
    case 'icem':
      return { algorithm, samples, iterations, elites, seed };
    case 'random-shooting':
      return { algorithm, samples: samples * iterations, seed };
  }
}

/**
 * Builds the model, objective (`rewardObjective`) and optimiser a spec describes, as a plan source.
 * @throws {@link InvalidArgumentError} for a bad spec, an unknown environment, or a bundle made for another environment.
 */
export async function createPlanSource(spec: PlanSpec): Promise<OwnedPlanSource> {
  const s = parseOptions(PlanSpecSchema, spec, 'plan spec');
  envSpec(s.envId); // an unknown id fails here, listing close matches
  const useOracle = s.oracle ?? s.model === undefined;
  const base = planPresetFor(s.envId);
  const preset: PlanPreset = {
    planner: s.planner ?? base.planner,
    horizon: s.horizon ?? base.horizon,
    samples: s.samples ?? base.samples,
    iterations: s.iterations ?? base.iterations,
    temperature: s.temperature ?? base.temperature,
    discount: s.discount ?? base.discount,
    replanEvery: s.replanEvery ?? base.replanEvery,
    afterTruncation: s.afterTruncation ?? base.afterTruncation,
  };
  let model: RolloutModel & { close(): Promise<void> };
  let low: ArrayLike<number>;
  let high: ArrayLike<number>;
  if (useOracle) {
    const oracle = await PhysicsRolloutModel.create({ factory: () => make(s.envId, s.envOptions), afterTruncation: preset.afterTruncation });
    model = oracle;
    low = oracle.actionLow;
    high = oracle.actionHigh;
  } else {
    if (s.model === undefined) throw new InvalidArgumentError('plan spec: `oracle: false` needs a `model` bundle directory');
    // The objective is the predicted return, so ensemble disagreement is not needed: without it an
    // ensemble whose manifest says `rolloutMode: 'mean'` rolls out through the fused graph.
    const wm = await WorldModel.load(s.model, { intraOpNumThreads: s.intraOpNumThreads, uncertainty: false });
    if (wm.manifest.envId !== s.envId) {
      await wm.close();
      throw new InvalidArgumentError(`plan spec: the bundle at ${s.model} models ${wm.manifest.envId}, not ${s.envId}`);
    }
    model = wm;
    low = wm.manifest.actionLow;
    high = wm.manifest.actionHigh;
  }
  try {
    const planner = new Planner(model, {
      horizon: preset.horizon,
      actionLow: low,
      actionHigh: high,
      optimizer: optimizerFor(preset.planner, preset, s.seed),
      objective: rewardObjective({ discount: preset.discount }),
    });
    const source = localPlanSource({ planner });
    return Object.assign(source, { modelName: useOracle ? 'oracle' : s.model!, preset, close: () => model.close() });
  } catch (error) {
    await model.close();
    throw error;
  }
}
