/**
 * `collectDataset`: runs a random, scripted or planning (MPC on a world model) policy in a registered
 * environment — optionally with seeded action noise and random excursions — and writes a transition
 * dataset (see docs/world-models.md). An abort stops cleanly: the finished episodes are kept.
 *
 * @module
 */
import { certifiedPreset, optimizerFor } from '../agents/plan-factory.js';
import { environmentCard, environmentCards, planPresetFor, validationSpecFor } from '../environments/cards.js';
import { withOverrides } from '../src/planning/plan-preset.js';
import { plannerPolicy } from '../agents/planner-policy.js';
import { InvalidArgumentError } from '../src/errors.js';
import { assertReplaceable, inspectOutput } from '../src/output-dir.js';
import { parseOptions, z } from '../src/options.js';
import { rewardObjective } from '../src/planning/objectives.js';
import type { Policy } from '../src/policy.js';
import { randomPolicy } from '../src/policy.js';
import { contactExcursionPolicy } from '../src/contact-excursion-policy.js';
import type { ValidationSpec } from '../src/validation/spec.js';
import { excursionPolicy, noisyPolicy, passiveStartPolicy } from '../src/policy-wrappers.js';
import { make } from '../src/registry.js';
import { Rng } from '../src/rng.js';
import { Box, type Space } from '../src/spaces.js';
import { collect, type CollectProgress, type CollectResult } from '../src/training/collect.js';
import { WorldModel } from '../src/worldmodel/world-model.js';
import { algorithmName } from './plan.js';
import { callbackOption, signalOption } from './schema.js';

const positiveInt = () => z.number().int().positive();

/** The fields of {@link CollectDatasetOptionsSchema}, before its cross-field checks (job schemas pick from them). */
export const CollectDatasetFields = z.object({
  /** Registered environment id, e.g. `Reach-v0`. */
  env: z.string().min(1),
  /** Environment options. Default `{}`. */
  envOptions: z.record(z.string(), z.unknown()).default({}),
  /**
   * The environment's time limit (`make`'s `maxEpisodeSteps`). Default: the registered one. When
   * given, the environments are stepped in this thread whatever `workers` is.
   */
  maxEpisodeSteps: positiveInt().optional(),
  /** Transitions to collect (the last episode is cut to fit). Exactly one of `steps` and `episodes`. */
  steps: positiveInt().optional(),
  /** Episodes to collect. Exactly one of `steps` and `episodes`. */
  episodes: positiveInt().optional(),
  /**
   * `random`, `scripted` (the environment's baseline) or `mpc` (plan with the world model at `model`
   * every step, reward objective: on-policy data for the next round of training). Default `random`.
   */
  policy: z.enum(['random', 'scripted', 'mpc'], { message: 'expected random, scripted or mpc' }).default('random'),
  /** `policy: 'mpc'`: the world-model bundle to plan with. */
  model: z.string().min(1).optional(),
  /** `policy: 'mpc'`: the optimiser, `mppi`, `cem`, `icem` or `random` (random shooting, also `random-shooting`). Default: the environment's plan preset. */
  algorithm: z.enum(['mppi', 'cem', 'icem', 'random', 'random-shooting'], { message: 'expected mppi, cem, icem or random' }).optional(),
  /** `policy: 'mpc'`: planning horizon. Default: the environment's plan preset. */
  horizon: positiveInt().optional(),
  /** `policy: 'mpc'`: candidate sequences per iteration. Default: the environment's plan preset. */
  samples: positiveInt().optional(),
  /** `policy: 'mpc'`: optimiser iterations per plan. Default: the environment's plan preset. */
  iterations: positiveInt().optional(),
  /** Gaussian action noise (std, action units, clipped to the bounds) added to a scripted or mpc policy. Default 0. */
  noise: z.number().nonnegative().default(0),
  /**
   * Probability per step that a scripted or mpc policy starts a random excursion: one uniform random
   * action held for 1…`randomSteps` steps (uniform), then the policy takes over again. Default 0.
   */
  randomProb: z.number().min(0).max(1).default(0),
  /** Longest random excursion, steps. Default 10. */
  randomSteps: positiveInt().default(10),
  /**
   * Share of episodes (0…1) that start from a random physical state drawn by the environment card's
   * `explorationStart` (bodies in the air, sliding, spinning, in contact — states a behaviour policy
   * rarely reaches but a world model must predict). Which episodes, and their starts, follow from each
   * episode's seed. Default 0.
   */
  randomStarts: z.number().min(0).max(1).default(0),
  /**
   * Begin each episode with 0…`passiveSteps` steps (uniform per episode) of the idle action (the
   * validation spec's, else zeros): bodies fall, coast and rest uncontrolled before the policy acts.
   * Default 0.
   */
  passiveSteps: z.number().int().nonnegative().default(0),
  /**
   * Probability per step that a contact excursion starts (`src/contact-excursion-policy.ts`): an actuated
   * body of the validation spec drives toward one of its dynamic bodies for 1…`contactSteps` steps, the
   * rest of the action idle — pushes and glancing contacts a behaviour policy seldom makes. Needs a
   * validation spec with such bodies. Default 0.
   */
  contactProb: z.number().min(0).max(1).default(0),
  /** Longest contact excursion, steps. Default 30. */
  contactSteps: positiveInt().default(30),
  /** Environments stepped in parallel (worker threads when > 1). Default 1. */
  workers: positiveInt().default(1),
  /** Base seed: episode k is reset with `seed + k`. Default 0. */
  seed: z.number().int().nonnegative().default(0),
  /** Output directory. */
  out: z.string().min(1),
  /** Publish a valid partial dataset every this many transitions (0: only at the end). Default 0. */
  checkpointEvery: z.number().int().nonnegative().default(0),
  /** Replace the output directory if it exists. Default false. */
  overwrite: z.boolean().default(false),
  /** Stops after the current step; the finished episodes are written. */
  signal: signalOption(),
  /** Called when collection starts (0 done) and after every finished episode. */
  onProgress: callbackOption<(progress: CollectProgress) => void>(),
});

/** Zod schema of {@link CollectDatasetOptions}. */
export const CollectDatasetOptionsSchema = CollectDatasetFields.strict()
  .refine((o) => (o.steps === undefined) !== (o.episodes === undefined), { message: 'give exactly one of `steps` and `episodes`', path: ['episodes'] })
  .refine((o) => o.policy !== 'mpc' || o.model !== undefined, { message: "`policy: 'mpc'` needs `model` (a bundle directory)", path: ['model'] });

/** Options of {@link collectDataset}. */
export type CollectDatasetOptions = z.input<typeof CollectDatasetOptionsSchema>;

/** What {@link collectDataset} returns: the dataset directory, its manifest, and whether it was stopped. */
export type CollectDatasetResult = CollectResult;

const WHERE = 'collectDataset options';

/**
 * Collects a dataset as `options` describe it (what `embodied collect` runs).
 * @throws {@link InvalidArgumentError} for bad options (naming the option) or a bundle of another environment.
 */
export async function collectDataset(options: CollectDatasetOptions): Promise<CollectDatasetResult> {
  const o = parseOptions(CollectDatasetOptionsSchema, options, WHERE);
  // Before the model loads: refuse to replace anything but a dataset (DatasetWriter checks again).
  if (o.overwrite) await assertReplaceable(o.out, 'dataset', 'collectDataset');
  else if ((await inspectOutput(o.out)) !== 'absent')
    throw new InvalidArgumentError(`collectDataset: ${o.out} already exists; choose another \`out\` or pass \`overwrite: true\` to replace it`);
  const model = o.policy === 'mpc' ? await WorldModel.load(o.model!, { uncertainty: false }) : undefined;
  try {
    if (model && model.manifest.envId !== o.env) throw new InvalidArgumentError(`collectDataset: the bundle at ${o.model} models ${model.manifest.envId}, not ${o.env}`);
    const policy = collectPolicyFactory(options, model);
    const resetOptions = o.randomStarts > 0 ? explorationResets(o.env, o.envOptions, o.randomStarts) : undefined;
    const total = o.steps ?? o.episodes!;
    o.onProgress?.({ transitions: 0, episodes: 0, total, unit: o.steps !== undefined ? 'steps' : 'episodes' });
    return await collect({
      envId: o.env,
      ...(o.maxEpisodeSteps !== undefined && { maxEpisodeSteps: o.maxEpisodeSteps }),
      envOptions: o.envOptions,
      policy,
      ...(o.steps !== undefined ? { steps: o.steps } : { episodes: o.episodes! }),
      workers: o.workers,
      seed: o.seed,
      ...(resetOptions && { resetOptions }),
      out: o.out,
      overwrite: o.overwrite,
      checkpointEvery: o.checkpointEvery,
      progress: false,
      ...(o.onProgress && { onProgress: o.onProgress }),
      ...(o.signal && { signal: o.signal }),
    });
  } finally {
    await model?.close();
  }
}

/** Streams of an episode seed's {@link Rng} that choose a random start and draw it (apart from the policy's stream 1). */
const START_CHOICE = 11;
const START_DRAW = 12;

/**
 * Reset options per episode seed: with probability `share`, a start drawn by the environment card's
 * `explorationStart`.
 * @throws {@link InvalidArgumentError} when the environment's card has no `explorationStart`.
 */
export function explorationResets(envId: string, envOptions: Record<string, unknown>, share: number): (episodeSeed: number) => Record<string, unknown> | undefined {
  const draw = environmentCard(envId)?.explorationStart;
  if (!draw) throw new InvalidArgumentError(`${WHERE}: \`randomStarts\` needs an environment whose card has \`explorationStart\`; ${envId}'s has none`);
  return (seed) => (Rng.fromSeed(seed).derive(START_CHOICE).uniform() < share ? draw(Rng.fromSeed(seed).derive(START_DRAW), envOptions) : undefined);
}

/** The validation spec contact excursions read the bodies from. @throws {@link InvalidArgumentError} when `envId` has none. */
function contactSpec(envId: string, envOptions: Record<string, unknown>): ValidationSpec {
  if (!environmentCard(envId)?.validationSpec) throw new InvalidArgumentError(`${WHERE}: \`contactProb\` needs a validation spec (its bodies); ${envId} has none`);
  return validationSpecFor(envId, envOptions);
}

/** The action that leaves a system to itself: the validation spec's `idleAction`, else zeros (clipped to the bounds). */
function idleAction(envId: string, envOptions: Record<string, unknown>, space: Box): Float32Array {
  const idle = environmentCard(envId)?.validationSpec ? validationSpecFor(envId, envOptions).idleAction : undefined;
  return space.clip(Float32Array.from(idle ?? new Array<number>(space.flatDim).fill(0)));
}

/**
 * The policy factory {@link collectDataset} collects with (one policy per environment); `policy:
 * 'mpc'` needs the loaded `model`, shared by every environment's planner.
 * @throws {@link InvalidArgumentError} for bad options, an environment without a scripted baseline, or noise on a non-Box action space.
 */
export function collectPolicyFactory(options: CollectDatasetOptions, model?: WorldModel): (worker: number) => Policy {
  const o = parseOptions(CollectDatasetOptionsSchema, options, WHERE);
  const probe = make(o.env, o.envOptions);
  const space = probe.actionSpace as Space<unknown>;
  void probe.close();
  if ((o.passiveSteps > 0 || o.contactProb > 0) && !(space instanceof Box))
    throw new InvalidArgumentError(`${WHERE}: \`passiveSteps\` and \`contactProb\` need a Box action space, ${o.env} has ${space.type}`);
  const idle = o.passiveSteps > 0 || o.contactProb > 0 ? idleAction(o.env, o.envOptions, space as Box) : undefined;
  const passive = (policy: Policy) => (idle && o.passiveSteps > 0 ? passiveStartPolicy(policy, idle, o.passiveSteps) : policy);
  const contact = o.contactProb > 0 ? contactSpec(o.env, o.envOptions) : undefined;
  if (o.policy === 'random') return () => passive(randomPolicy(space) as Policy);
  const build = o.policy === 'scripted' ? scriptedBuilder(o.env) : mpcBuilder(o, model);
  if ((o.noise > 0 || o.randomProb > 0) && !(space instanceof Box))
    throw new InvalidArgumentError(`${WHERE}: \`noise\` and \`randomProb\` need a Box action space, ${o.env} has ${space.type}`);
  return () => {
    let policy = build(o.envOptions);
    if (o.noise > 0) policy = noisyPolicy(policy, space as Box, o.noise);
    if (o.randomProb > 0) policy = excursionPolicy(policy, space as Box, o.randomProb, o.randomSteps);
    if (contact) policy = contactExcursionPolicy(policy, contact, space as Box, idle!, { prob: o.contactProb, maxSteps: o.contactSteps });
    return passive(policy);
  };
}

function scriptedBuilder(env: string): (envOptions: Record<string, unknown>) => Policy {
  const build = environmentCard(env)?.scripted;
  if (!build) {
    const ids = environmentCards().flatMap((c) => (c.scripted ? [c.id] : []));
    throw new InvalidArgumentError(`collectDataset: no scripted policy for ${env}; scripted policies exist for ${ids.join(', ')} (use \`policy: 'random'\` otherwise)`);
  }
  return build;
}

function mpcBuilder(o: z.output<typeof CollectDatasetOptionsSchema>, model: WorldModel | undefined): () => Policy {
  if (model === undefined) throw new InvalidArgumentError(`${WHERE}: \`policy: 'mpc'\` needs \`model\` (a bundle directory)`);
  // The bundle's certified settings when it has them (like `plan`), else the environment's preset.
  const base = certifiedPreset(model.manifest, planPresetFor(o.env));
  const preset = withOverrides(base, {
    algorithm: o.algorithm === undefined ? undefined : algorithmName(o.algorithm),
    horizon: o.horizon,
    samples: o.samples,
    iterations: o.iterations,
  });
  const { actionLow, actionHigh } = model.manifest;
  const name = `mpc:${preset.algorithm}(${preset.samples}x${preset.horizon}x${preset.iterations})`;
  return () =>
    plannerPolicy({
      model,
      name,
      plannerOptions: {
        horizon: preset.horizon,
        actionLow,
        actionHigh,
        optimizer: optimizerFor(preset.algorithm, preset, 0),
        objective: rewardObjective({ discount: preset.discount }),
      },
    });
}
