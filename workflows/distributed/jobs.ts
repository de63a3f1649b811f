/**
 * The jobs Embodied runs on a BullMQ queue, as zod schemas: collect a shard of episodes, evaluate (plan
 * episodes over a seed range), validate a model against Rapier and train a world model. A job carries everything a worker on another
 * machine needs — environment id and options, policy or bundle reference, seeds — and names files by
 * paths relative to the shared folder, so every machine may mount that folder where it likes.
 *
 * Jobs are idempotent: a job's result is keyed by its job id (`<shared>/runs/<run>/results/<job>.json`,
 * written atomically after its data), and a job whose result exists returns it without running again.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { EmbodiedError } from '../../src/errors.js';
import { parseOptions, z } from '../../src/options.js';
import { CollectDatasetFields } from '../collect.js';
import { PLAN_ALGORITHMS } from '../../src/planning/plan-preset.js';

/** A distributed run went wrong: Redis unreachable, a job failed for good, a shard missing or corrupt. */
export class QueueError extends EmbodiedError {}

/** The BullMQ queue name Embodied uses unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'embodied';

const positiveInt = () => z.number().int().positive();
const seedInt = () => z.number().int().nonnegative();

/** A path inside the shared folder: relative, no `..` segment, no backslash. */
export const SharedPathSchema = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\\'), {
    message: 'expected a path relative to the shared folder, without `..`',
  });

/** A run id (also the prefix of its job ids): letters, digits, `.`, `_` and `-` (BullMQ ids may not hold `:`). */
export const RunIdSchema = z.string().regex(/^[\w.-]{1,100}$/, 'expected 1 to 100 letters, digits, `.`, `_` or `-`');

/**
 * What a collection does per episode — everything of `collectDataset`'s options that shapes the data
 * (the budget, seeds and output are the job's own). JSON only.
 */
export const CollectSettingsSchema = CollectDatasetFields.pick({
  env: true,
  envOptions: true,
  maxEpisodeSteps: true,
  policy: true,
  algorithm: true,
  horizon: true,
  samples: true,
  iterations: true,
  noise: true,
  randomProb: true,
  randomSteps: true,
  randomStarts: true,
  passiveSteps: true,
  contactProb: true,
  contactSteps: true,
  seed: true,
})
  .extend({
    /** `policy: 'mpc'`: the world-model bundle, relative to the shared folder. */
    model: SharedPathSchema.optional(),
  })
  .strict();

/** Collection settings as given (defaults optional). */
export type CollectSettings = z.input<typeof CollectSettingsSchema>;

/** Collect episodes `firstEpisode … firstEpisode + episodes − 1` of a collection (seeds `seed + k`). */
export const CollectJobSchema = z
  .object({
    kind: z.literal('collect'),
    /** The run this shard belongs to. */
    run: RunIdSchema,
    /** Index of the first episode of the shard in the whole collection. */
    firstEpisode: seedInt(),
    /** Episodes in the shard. */
    episodes: positiveInt(),
    settings: CollectSettingsSchema,
  })
  .strict();

/** What an evaluation job plans: MPC episodes over a seed range (`planEpisodes`' options, JSON only). */
export const EvaluateSettingsSchema = z
  .object({
    /** Registered environment id. */
    env: z.string().min(1),
    /** Environment options. Default `{}`. */
    envOptions: z.record(z.string(), z.unknown()).default({}),
    /** The bundle to plan with, relative to the shared folder. Exactly one of `model` and `oracle`. */
    model: SharedPathSchema.optional(),
    /** Plan with Rapier itself. Default false. */
    oracle: z.boolean().default(false),
    /** The optimiser. Default: the bundle's certified settings, else the environment's preset. */
    algorithm: z.enum(['mppi', 'cem', 'icem', 'random', 'random-shooting'], { message: 'expected mppi, cem, icem or random' }).optional(),
    /** Planning horizon. */
    horizon: positiveInt().optional(),
    /** Candidates per iteration. */
    samples: positiveInt().optional(),
    /** Optimiser iterations. */
    iterations: positiveInt().optional(),
    /** Step limit per episode. */
    maxSteps: positiveInt().optional(),
    /** First seed: episode k is reset with `seed + k`. Default 0. */
    seed: seedInt().default(0),
    /** Episodes (seeds `seed … seed + episodes − 1`). Default 1. */
    episodes: positiveInt().default(1),
  })
  .strict()
  .refine((o) => o.oracle !== (o.model !== undefined), { message: 'give exactly one of `model` and `oracle: true`', path: ['model'] });

/** Evaluation settings as given. */
export type EvaluateSettings = z.input<typeof EvaluateSettingsSchema>;

/** Plan MPC episodes over a seed range and report them (`planEpisodes`' report). */
export const EvaluateJobSchema = z
  .object({
    kind: z.literal('evaluate'),
    run: RunIdSchema,
    settings: EvaluateSettingsSchema,
  })
  .strict();

/** The fields of {@link ValidateSettingsSchema}, without its check that exactly one of `model` and `oracle` is given. */
export const ValidateSettingsFields = z
  .object({
    /** Registered environment id. */
    env: z.string().min(1),
    /** Environment options. Default `{}`. */
    envOptions: z.record(z.string(), z.unknown()).default({}),
    /** The bundle to validate, relative to the shared folder. Exactly one of `model` and `oracle`. */
    model: SharedPathSchema.optional(),
    /** Validate the Rapier oracle itself. Default false. */
    oracle: z.boolean().default(false),
    /** Smaller sizes. Default false. */
    quick: z.boolean().default(false),
    /** Seed of everything random. Default 0. */
    seed: seedInt().default(0),
    /** Dataset whose observation σ normalises errors, relative to the shared folder. */
    data: SharedPathSchema.optional(),
    /** Run the closed-loop comparison. Default true. */
    closedLoop: z.boolean().default(true),
    /** Include the oracle MPC among the closed-loop contenders. Default true. */
    oracleMpc: z.boolean().default(true),
    /** Closed-loop episodes per contender. */
    episodes: positiveInt().optional(),
    /** Step limit of a closed-loop episode. */
    maxSteps: positiveInt().optional(),
    /** The environment's time limit. */
    maxEpisodeSteps: positiveInt().optional(),
    /** Actions per MPC plan. */
    replanEvery: positiveInt().optional(),
    /** MPC horizon. */
    horizon: positiveInt().optional(),
    /** MPC candidates per iteration. */
    samples: positiveInt().optional(),
    /** MPC optimiser iterations. */
    iterations: positiveInt().optional(),
    /** MPC optimiser. */
    algorithm: z.enum(PLAN_ALGORITHMS).optional(),
  })
  .strict();

/** What a validation job checks: `validateModel`'s options (JSON only; the report goes into the run's folder). */
export const ValidateSettingsSchema = ValidateSettingsFields.refine((o) => o.oracle !== (o.model !== undefined), {
  message: 'give exactly one of `model` and `oracle: true`',
  path: ['model'],
});

/** Validation settings as given. */
export type ValidateSettings = z.input<typeof ValidateSettingsSchema>;

/** Validate a world model (or the oracle) against Rapier: `validateModel`'s report. */
export const ValidateJobSchema = z
  .object({
    kind: z.literal('validate'),
    run: RunIdSchema,
    settings: ValidateSettingsSchema,
  })
  .strict();

/** Train one world model on datasets in the shared folder; the bundle is written into the run's folder. */
export const TrainJobSchema = z
  .object({
    kind: z.literal('train'),
    run: RunIdSchema,
    settings: z
      .object({
        /** Dataset directories, relative to the shared folder. */
        data: z.array(SharedPathSchema).min(1),
        /** Optimiser steps. */
        steps: positiveInt(),
        /** Seed. Default 0. */
        seed: seedInt().default(0),
        /** Model/optimiser settings over the defaults (`trainWorldModel`'s `config`). Default `{}`. */
        config: z.record(z.string(), z.unknown()).default({}),
      })
      .strict(),
  })
  .strict();

/** Any job's payload. */
export const JobPayloadSchema = z.discriminatedUnion('kind', [CollectJobSchema, EvaluateJobSchema, ValidateJobSchema, TrainJobSchema], {
  message: 'expected a job whose `kind` is collect, evaluate, validate or train',
});

/** A job payload as given to the queue. */
export type JobPayload = z.input<typeof JobPayloadSchema>;
/** A validated job payload. */
export type ParsedJob = z.output<typeof JobPayloadSchema>;

/**
 * Validates a payload taken from the queue.
 * @throws {@link InvalidArgumentError} naming each bad field (`job <id> payload: \`settings.env\`: …`).
 */
export function parseJobPayload(payload: unknown, jobId: string): ParsedJob {
  return parseOptions(JobPayloadSchema, payload, `job ${jobId} payload`);
}

/** The id of job `index` of run `run` (BullMQ adds a job id once: a resubmitted job is not duplicated). */
export function jobIdFor(run: string, kind: ParsedJob['kind'], index: number): string {
  return `${run}.${kind}-${String(index).padStart(5, '0')}`;
}

/**
 * A run id derived from what the run computes (`kind` and the canonical JSON of `what`): the same
 * command run again gets the same id, so it finds the results of its earlier attempt and resumes.
 */
export function runIdFor(kind: string, what: unknown): string {
  return `${kind}-${createHash('sha256').update(canonicalJson(what)).digest('hex').slice(0, 16)}`;
}

/** JSON with object keys sorted (so equal values give equal text). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
