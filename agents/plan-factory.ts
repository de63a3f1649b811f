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
import { environmentCard, planPresetFor } from '../environments/cards.js';
import { InvalidArgumentError } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { PhysicsRolloutModel } from '../src/planning/physics-rollout-model.js';
import { Planner } from '../src/planning/planner.js';
import { expressionObjective } from '../src/planning/expression-objective.js';
import { rewardObjective, type PlanningObjective } from '../src/planning/objectives.js';
import type { OptimizerSpec } from '../src/planning/create-optimizer.js';
import { PLAN_ALGORITHMS, withOverrides, type PlanPreset } from '../src/planning/plan-preset.js';
import type { RolloutModel } from '../src/planning/rollout-model.js';
import { make, spec as envSpec } from '../src/registry.js';
import { readBundleManifest } from '../src/worldmodel/bundle.js';
import type { Manifest } from '../src/worldmodel/manifest.js';
import { WorldModel } from '../src/worldmodel/world-model.js';
import { localPlanSource } from './local-plan-source.js';
import type { OnnxPolicy } from './onnx-policy.js';
import { loadPolicyBundle } from './policy-bundle.js';
import { policyPrior, type PlanPrior } from '../src/planning/policy-prior.js';
import type { PlanSource } from './plan-source.js';

/** Planner settings of one environment (moved to `src/planning/plan-preset.ts`; re-exported here, where it always was). */
export type { PlanPreset };

/** Zod schema of {@link PlanSpec}: what {@link createPlanSource} builds. Every field but `envId` is optional. */
export const PlanSpecSchema = z
  .object({
    /** The environment planned for, e.g. `'PushBox-v0'`. Required. */
    envId: z.string().min(1),
    /** Its constructor options (the oracle's pool environments are built with them). Default: `{}`. */
    envOptions: z.record(z.string(), z.unknown()).default({}),
    /** A world-model bundle directory to plan with. Omit it (or set `oracle`) to plan with Rapier. */
    model: z.string().min(1).optional(),
    /** Plan with the Rapier oracle (`PhysicsRolloutModel`) even when `model` is given. Default: `!model`. */
    oracle: z.boolean().optional(),
    /** The optimiser. Default: the bundle's certified settings', else the environment preset's (`'mppi'` unless listed otherwise). */
    algorithm: z.enum(PLAN_ALGORITHMS).optional(),
    /**
     * H. Default: with a `model` whose manifest records certified planner settings (`manifest.planner`),
     * those; otherwise the environment's plan preset (`planPresetFor(envId)`: its card's, or the
     * default); likewise below.
     */
    horizon: z.number().int().positive().max(1000, 'at most 1000 steps').optional(),
    /** Candidates per iteration. */
    samples: z.number().int().positive().max(100_000, 'at most 100000 candidates: each holds H × A actions and H latents in memory').optional(),
    /** Optimiser iterations per plan. */
    iterations: z.number().int().positive().optional(),
    /** MPPI temperature λ. */
    temperature: z.number().positive().optional(),
    /** Reward discount γ. */
    discount: z.number().gt(0).lte(1).optional(),
    /** Actions executed per plan (read by the agent that drives the source). */
    replanEvery: z.number().int().positive().optional(),
    /** The oracle's rewards after a truncation inside the horizon. */
    afterTruncation: z.enum(['repeat-reward', 'zero']).optional(),
    /**
     * A formula to maximise instead of the predicted reward, over named observation entries — e.g.
     * `-(box_position_0 - goal_position_0)^2` — compiled once with mathjs (see `expressionObjective`). The
     * names come from the environment card's validation-spec fields (or the bundle's `observationFields`);
     * `o0`, `o1`, … always work. A world model must have a decoder. Default: the predicted reward.
     */
    objective: z.string().min(1).optional(),
    /** Seed of the optimiser's stream (each plan is reseeded by the agent anyway). Default: `0`. */
    seed: z.number().int().nonnegative().default(0),
    /**
     * A policy bundle (`embodied.policy/v1`) to use as the planner's policy prior (TD-MPC2): it proposes
     * `priorTrajectories` closed-loop sequences per plan that join the optimiser's population. With a world
     * model the policy reads its decoder's observations (the bundle needs a decoder). Default: none.
     */
    prior: z.string().min(1).optional(),
    /** Sequences the prior proposes per plan. Default 16. */
    priorTrajectories: z.number().int().positive().default(16),
    /** onnxruntime intra-op threads of the world model. Default: `1`. */
    intraOpNumThreads: z.number().int().positive().max(64).default(1),
  })
  .strict();

/** What {@link createPlanSource} builds (plain, structured-clonable data). */
export type PlanSpec = z.input<typeof PlanSpecSchema>;
type ResolvedPlanSpec = z.output<typeof PlanSpecSchema>;

/** URL of this module, for `PlanWorker.start({ module: PLAN_FACTORY_MODULE, options: spec })`. */
export const PLAN_FACTORY_MODULE = import.meta.url;

/** A plan source that owns its model: `close()` releases the world model's sessions or the oracle's worlds. */
export type OwnedPlanSource = PlanSource<Float32Array> & {
  readonly planner: Planner;
  /** `'oracle'` or the bundle directory. */
  readonly modelName: string;
  /** The settings used: the bundle's certified settings (else the environment's preset) with the spec's overrides. */
  readonly preset: PlanPreset;
  /** Releases the model (ONNX sessions or the oracle's Rapier worlds). */
  close(): Promise<void>;
};

/** The optimiser spec for `preset` and `algorithm` (elites scaled to the sample count). */
export function optimizerFor(algorithm: NonNullable<PlanSpec['algorithm']>, preset: PlanPreset, seed: number): OptimizerSpec {
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
 * Builds the model, objective (`rewardObjective`, or the spec's `objective` formula) and optimiser a spec
 * describes, as a plan source.
 * @throws {@link InvalidArgumentError} for a bad spec, an unknown environment, or a bundle made for another environment.
 */
export async function createPlanSource(spec: PlanSpec): Promise<OwnedPlanSource> {
  const s = parseOptions(PlanSpecSchema, spec, 'plan spec');
  envSpec(s.envId); // an unknown id fails here, listing close matches
  const useOracle = s.oracle ?? s.model === undefined;
  let model: RolloutModel & { close(): Promise<void> };
  let low: ArrayLike<number>;
  let high: ArrayLike<number>;
  let base = planPresetFor(s.envId);
  if (useOracle) {
    const afterTruncation = s.afterTruncation ?? base.afterTruncation;
    const oracle = await PhysicsRolloutModel.create({ factory: () => make(s.envId, s.envOptions), afterTruncation });
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
    base = certifiedPreset(wm.manifest, base);
    model = wm;
    low = wm.manifest.actionLow;
    high = wm.manifest.actionHigh;
  }
  const preset = withOverrides(base, s);
  let prior: Awaited<ReturnType<typeof planPrior>> | undefined;
  try {
    prior = s.prior === undefined ? undefined : await planPrior(s, model, useOracle);
    const planner = new Planner(model, {
      horizon: preset.horizon,
      actionLow: low,
      actionHigh: high,
      optimizer: optimizerFor(preset.algorithm, preset, s.seed),
      objective: planningObjective(s, model, preset.discount),
      ...(prior && { prior: prior.prior }),
    });
    const source = localPlanSource({ planner });
    const close = async () => {
      await prior?.policy.close();
      await model.close();
    };
    return Object.assign(source, { modelName: useOracle ? 'oracle' : s.model!, preset, close });
  } catch (error) {
    await prior?.policy.close();
    await model.close();
    throw error;
  }
}

/** The spec's policy prior: the policy bundle (checked against the environment) and its proposals over `model`. */
async function planPrior(s: ResolvedPlanSpec, model: RolloutModel, oracle: boolean): Promise<{ policy: OnnxPolicy; prior: PlanPrior }> {
  const env = make<Float32Array, Float32Array>(s.envId, s.envOptions);
  const { policy } = await loadPolicyBundle(s.prior!, { env }).finally(() => env.close());
  let toObservation: ((states: Float32Array) => Promise<Float32Array>) | undefined;
  if (!oracle) {
    const wm = model as WorldModel;
    if (!wm.manifest.files.decoder) {
      await policy.close();
      throw new InvalidArgumentError(`plan spec: a policy prior with the world model ${s.model} needs observations, but the bundle has no decoder`);
    }
    toObservation = (states) => wm.decode(states);
  }
  return { policy, prior: policyPrior(policy, { trajectories: s.priorTrajectories, seed: s.seed, ...(toObservation && { toObservation }) }) };
}

/**
 * The bundle's certified planner settings (`manifest.planner`) over `fallback` (the environment's preset,
 * which also supplies `afterTruncation`); `fallback` itself when the manifest records none.
 */
export function certifiedPreset(manifest: Pick<Manifest, 'planner'>, fallback: PlanPreset): PlanPreset {
  const p = manifest.planner;
  if (p === undefined) return fallback;
  const { algorithm, horizon, samples, iterations, temperature, discount, replanEvery } = p;
  return { algorithm, horizon, samples, iterations, temperature, discount, replanEvery, afterTruncation: fallback.afterTruncation };
}

/**
 * The settings a plan with `model` (or the oracle) starts from before explicit overrides: the bundle's
 * certified settings when its manifest has them, else the environment's preset — what
 * {@link createPlanSource} uses, read without loading the ONNX files.
 * @throws `BundleError` for an unreadable or invalid manifest.
 */
export async function planDefaults(envId: string, options: { model?: string; oracle?: boolean } = {}): Promise<PlanPreset> {
  const base = planPresetFor(envId);
  if (options.model === undefined || options.oracle === true) return base;
  return certifiedPreset(await readBundleManifest(options.model), base);
}

/** The spec's objective: the predicted return, or its formula over named observation entries. */
function planningObjective(s: ResolvedPlanSpec, model: RolloutModel, discount: number): PlanningObjective {
  if (s.objective === undefined) return rewardObjective({ discount });
  const fields = environmentCard(s.envId)?.validationSpec?.(s.envOptions).fields;
  if (model instanceof WorldModel) {
    if (!model.hasDecoder) {
      throw new InvalidArgumentError(
        `plan spec: \`objective\` reads observations, and the bundle at ${s.model} has no decoder to turn its latents into them; plan with the oracle or a bundle with a decoder`,
      );
    }
    return expressionObjective(s.objective, {
      fields: fields ?? model.manifest.observationFields ?? [],
      observationDim: model.obsDim,
      discount,
      decode: (latents) => model.decode(latents),
    });
  }
  return expressionObjective(s.objective, { ...(fields && { fields }), observationDim: model.stateDim, discount });
}
