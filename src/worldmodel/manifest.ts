/**
 * The world-model bundle manifest (`embodied.worldmodel/v1`): a directory with `manifest.json` and
 * ONNX files. Normalisation lives inside the graphs, so every file takes and returns raw units.
 *
 * | file | inputs | outputs |
 * |---|---|---|
 * | encoder | `obs` [B, obsDim] | `latent` [B, latentDim] |
 * | dynamics (one per ensemble member) | `latent` [B, latentDim], `action` [B, actionDim] | `next_latent` [B, latentDim], `reward` [B, 1], optional `terminal_logit` [B, 1] |
 * | decoder (optional) | `latent` [B, latentDim] | `obs` [B, obsDim] |
 * | rollout (optional, fused) | `latent` [B, latentDim], `actions` [B, H, actionDim] | `latents` [B, H, latentDim], `rewards` [B, H] |
 *
 * @module
 */
import { z } from 'zod';
import { PLAN_ALGORITHMS } from '../planning/plan-preset.js';

/** The format tag of version 1 bundles. */
export const BUNDLE_FORMAT = 'embodied.worldmodel/v1';

/** A named slice of the observation vector, for per-field error reports. */
export const ObservationFieldSchema = z.object({
  name: z.string().min(1),
  start: z.number().int().nonnegative(),
  size: z.number().int().positive(),
  /** Physical unit, e.g. `m`, `m/s`, `rad`. */
  unit: z.string().optional(),
});

/** Where a bundle came from. */
export const ProvenanceSchema = z.object({
  /** SHA-256 content hash of the training dataset (of several: SHA-256 of their hashes joined by commas). */
  datasetHash: z.string().optional(),
  /** Content hashes of each training dataset, in order, when there were several. */
  datasetHashes: z.array(z.string()).optional(),
  /** Training seed. */
  seed: z.number().int().nonnegative().optional(),
  /** The SDK version that trained it (`embodied@x.y.z`), or the external tool. */
  producer: z.string(),
  rapierPackage: z.string().optional(),
  rapierVersion: z.string().optional(),
  /** ISO-8601 creation time. */
  createdAt: z.string(),
  trainingSteps: z.number().int().nonnegative().optional(),
  /** Final training losses by name. */
  finalLosses: z.record(z.string(), z.number()).optional(),
  /** Free-form training configuration. */
  config: z.record(z.string(), z.unknown()).optional(),
  /** What `embodied learn` recorded: its rounds, their dataset hashes and scores, wall time, budget and the planner it validated with. */
  learn: z.record(z.string(), z.unknown()).optional(),
});

/** How certified planner settings were measured: closed-loop episodes in the real (Rapier) environment. */
export const CertificationSchema = z
  .object({
    /** Episodes played (seeds `seed … seed + episodes − 1`). */
    episodes: z.number().int().positive(),
    /** Episodes that reached the task's success condition. */
    successes: z.number().int().nonnegative(),
    /** The first seed. */
    seed: z.number().int().nonnegative(),
    /** Step limit per episode, when not the environment's time limit. */
    maxSteps: z.number().int().positive().optional(),
    /** Environment options the episodes were played with, when not the defaults. */
    envOptions: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((c) => c.successes <= c.episodes, { message: 'expected successes <= episodes', path: ['successes'] });

/**
 * The planner settings a bundle was certified with (`embodied certify`): what `plan`, `validate`, the
 * demo and `createPlanSource` use for this model unless told otherwise. The fields of `PlanPreset`
 * except `afterTruncation`, which only the Rapier oracle reads.
 */
export const PlannerSettingsSchema = z
  .object({
    /** The optimiser. */
    algorithm: z.enum(PLAN_ALGORITHMS),
    /** H. */
    horizon: z.number().int().positive(),
    /** Candidates per iteration. */
    samples: z.number().int().positive(),
    /** Optimiser iterations per plan. */
    iterations: z.number().int().positive(),
    /** MPPI temperature λ. */
    temperature: z.number().positive(),
    /** Reward discount γ. */
    discount: z.number().gt(0).lte(1),
    /** Actions executed per plan. */
    replanEvery: z.number().int().positive(),
    /** How the settings were measured; absent when they were only stated. */
    certified: CertificationSchema.optional(),
  })
  .strict();

/** Certified planner settings of a bundle (`manifest.planner`). */
export type PlannerSettings = z.output<typeof PlannerSettingsSchema>;

/** The manifest of a world-model bundle. */
export const ManifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    name: z.string().min(1),
    /** The environment it models, e.g. `PushBox-v0`. */
    envId: z.string().min(1),
    /**
     * Options of that environment the training data was collected with (the datasets' `envOptions`; `{}`: its
     * defaults). Absent in bundles made before they were recorded.
     */
    envOptions: z.record(z.string(), z.unknown()).optional(),
    obsDim: z.number().int().positive(),
    actionDim: z.number().int().positive(),
    latentDim: z.number().int().positive(),
    /** Action bounds, one per action dimension. */
    actionLow: z.array(z.number()),
    actionHigh: z.array(z.number()),
    files: z.object({
      encoder: z.string().min(1),
      dynamics: z.array(z.string().min(1)).min(1, 'the ensemble list `files.dynamics` must name at least one dynamics file'),
      decoder: z.string().min(1).optional(),
      rollout: z.string().min(1).optional(),
      /** `.npy` float32 [N, obsDim]: observations to start imagination from when no prompt is given. */
      initialObservations: z.string().min(1).optional(),
    }),
    /**
     * What `rollout.onnx` computes when the ensemble has several members: `'member0'` (stepping
     * dynamics file 0) or `'mean'` (the ensemble mean). Absent: unknown, so a multi-member model does
     * not use the fused file (single-member models always may).
     */
    rolloutMode: z.enum(['member0', 'mean']).optional(),
    /** Whether dynamics files output `terminal_logit`. */
    hasTerminal: z.boolean().default(false),
    /** Multi-step horizon the model was trained over. */
    trainingHorizon: z.number().int().positive(),
    /** Control period of the environment, seconds. */
    controlDt: z.number().positive().optional(),
    /** Layout of the observation vector. */
    observationFields: z.array(ObservationFieldSchema).optional(),
    /**
     * SHA-256 (lowercase hex) of every file the bundle's loader reads except `manifest.json`, by its path
     * relative to the bundle (as `files` names it). Written at export, verified at load: a file that differs,
     * or one the loader reads that is not listed, is refused. Absent in bundles made before they were recorded.
     */
    fileHashes: z.record(z.string().min(1), z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256 (64 characters)')).optional(),
    /** The planner settings the bundle was certified with (absent in bundles made before they were recorded). */
    planner: PlannerSettingsSchema.optional(),
    provenance: ProvenanceSchema,
  })
  .superRefine((m, ctx) => {
    for (const key of ['actionLow', 'actionHigh'] as const) {
      if (m[key].length !== m.actionDim) {
        ctx.addIssue({ code: 'custom', path: [key], message: `expected ${m.actionDim} entries (actionDim), got ${m[key].length}` });
      }
    }
    m.actionLow.forEach((lo, i) => {
      const hi = m.actionHigh[i];
      if (hi !== undefined && lo > hi) ctx.addIssue({ code: 'custom', path: ['actionLow', i], message: `expected actionLow[${i}] <= actionHigh[${i}], got ${lo} > ${hi}` });
    });
  });

/** A parsed, validated manifest. */
export type Manifest = z.output<typeof ManifestSchema>;
/** Manifest input (before defaults). */
export type ManifestInput = z.input<typeof ManifestSchema>;
