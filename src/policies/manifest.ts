/**
 * The policy bundle manifest (`embodied.policy/v1`): a directory with `manifest.json`, `policy.onnx`
 * and optionally `value.onnx`. Observation normalisation and the action scaling live inside the graphs,
 * so every file takes and returns raw units:
 *
 * | file | inputs | outputs |
 * |---|---|---|
 * | `policy.onnx` | `obs` float32 [B, obsDim] | `action` [B, actionDim] (the deterministic action: tanh of the mean, scaled into the bounds); a Gaussian policy also `mean` [B, actionDim] (pre-tanh) and `log_std` [actionDim] |
 * | `value.onnx` (optional) | `obs` [B, obsDim] | `value` [B] |
 *
 * @module
 */
import { z } from '../options.js';
import { POLICY_BUNDLE_FORMAT } from '../output-dir.js';
import { PolicyConfigSchema } from './config.js';

/** The format tag of version 1 policy bundles. */
export const POLICY_FORMAT = POLICY_BUNDLE_FORMAT;

/** The algorithms that write policy bundles. */
export const POLICY_ALGORITHMS = ['bc', 'ppo', 'imagination'] as const;

/** Where a policy came from. */
export const PolicyProvenanceSchema = z
  .object({
    /** `embodied@x.y.z`. */
    producer: z.string().min(1),
    /** ISO-8601 creation time. */
    createdAt: z.string().min(1),
    /** Training seed (initialisation, minibatches, exploration noise, environment seeds derive from it). */
    seed: z.number().int().nonnegative(),
    /** Content hashes of the datasets trained on (behaviour cloning), in order. */
    datasetHashes: z.array(z.string()).optional(),
    /** Environment steps taken while training (reinforcement learning). */
    envSteps: z.number().int().nonnegative().optional(),
    /** Optimiser steps. */
    trainingSteps: z.number().int().nonnegative(),
    /** Final training losses by name. */
    finalLosses: z.record(z.string(), z.number()).optional(),
    /** Rapier package and version of the environment the policy was trained or its data collected in. */
    rapierPackage: z.string().optional(),
    rapierVersion: z.string().optional(),
    /** The algorithm's settings (free-form; e.g. PPO's γ, λ, clip, rollout length). */
    settings: z.record(z.string(), z.unknown()),
  })
  .strict();

/** The manifest of a policy bundle. */
export const PolicyManifestSchema = z
  .object({
    format: z.literal(POLICY_FORMAT),
    /** Bundle name. */
    name: z.string().min(1),
    /** The environment the policy acts in, e.g. `Reach-v0`. */
    envId: z.string().regex(/-v\d+$/, 'expected a versioned environment id such as Reach-v0'),
    /** Options of that environment (recorded as trained). */
    envOptions: z.record(z.string(), z.unknown()).default({}),
    /** JSON forms of the spaces (see `spaceFromJSON`). */
    observationSpace: z.unknown(),
    actionSpace: z.unknown(),
    obsDim: z.number().int().positive(),
    actionDim: z.number().int().positive(),
    /** Action bounds the graph scales into (length actionDim each). */
    actionLow: z.array(z.number()),
    actionHigh: z.array(z.number()),
    /** `bc`, `ppo` or `imagination`. */
    algorithm: z.enum(POLICY_ALGORITHMS),
    /** The network (see `PolicyConfig`). */
    network: PolicyConfigSchema,
    /** Observation statistics baked into the graphs. */
    normalization: z.object({ obsMean: z.array(z.number()), obsStd: z.array(z.number()) }).strict(),
    files: z.object({ policy: z.literal('policy.onnx'), value: z.literal('value.onnx').optional() }).strict(),
    /**
     * A policy trained in imagination acts on a world model's latents: the graphs run that model's encoder
     * (baked in) first, and the network's `obsDim` is the latent size. Absent for policies on observations.
     */
    encoder: z
      .object({ worldModel: z.string().min(1), latentDim: z.number().int().positive() })
      .strict()
      .optional(),
    /** SHA-256 of every file, verified when the bundle is loaded. */
    fileHashes: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
    provenance: PolicyProvenanceSchema,
  })
  .strict()
  .superRefine((m, ctx) => {
    const need = (path: string, got: number, want: number) => {
      if (got !== want) ctx.addIssue({ code: 'custom', path: [path], message: `expected length ${want}, got ${got}` });
    };
    need('actionLow', m.actionLow.length, m.actionDim);
    need('actionHigh', m.actionHigh.length, m.actionDim);
    need('normalization', m.normalization.obsMean.length, m.obsDim);
    need('normalization', m.normalization.obsStd.length, m.obsDim);
    const input = m.encoder?.latentDim ?? m.obsDim;
    if (m.network.obsDim !== input || m.network.actionDim !== m.actionDim)
      ctx.addIssue({
        code: 'custom',
        path: ['network'],
        message: `expected the network's sizes (${m.network.obsDim}, ${m.network.actionDim}) to equal ${m.encoder ? 'the latent size' : 'obsDim'} and actionDim (${input}, ${m.actionDim})`,
      });
  });

/** A validated policy manifest. */
export type PolicyManifest = z.output<typeof PolicyManifestSchema>;
/** A policy manifest before validation. */
export type PolicyManifestInput = z.input<typeof PolicyManifestSchema>;
