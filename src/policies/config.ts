/**
 * Policy-network settings: the actor (deterministic or Gaussian, tanh-squashed into the action bounds),
 * the optional value head, and their layers. One validated object, recorded in every policy bundle's
 * manifest, so a bundle says exactly what network it holds.
 *
 * @module
 */
import { parseOptions, z } from '../options.js';

/** Zod schema of {@link PolicyConfig}. */
export const PolicyConfigSchema = z
  .object({
    /** Observation length. */
    obsDim: z.number().int().positive(),
    /** Action length. */
    actionDim: z.number().int().positive(),
    /**
     * `'deterministic'`: action = tanh(μ(o)); `'gaussian'`: u ~ N(μ(o), σ²), action = tanh(u), with a
     * state-independent learned log σ (PPO's usual choice). Default `'gaussian'`.
     */
    kind: z.enum(['deterministic', 'gaussian']).default('gaussian'),
    /** Hidden layer widths of the actor. Default `[64, 64]`. */
    hidden: z.array(z.number().int().positive()).readonly().default([64, 64]),
    /** Hidden layer widths of the value head. Default: the actor's. */
    valueHidden: z.array(z.number().int().positive()).readonly().optional(),
    /** Hidden activation. Default `'tanh'` (the usual choice of PPO). */
    activation: z.enum(['mish', 'silu', 'relu', 'elu', 'tanh']).default('tanh'),
    /** Linear → LayerNorm → activation in hidden layers. Default `false`. */
    layerNorm: z.boolean().default(false),
    /** Whether the network has a value head `V(o)` (PPO and actor-critic need one). Default `false`. */
    value: z.boolean().default(false),
    /** Initial log σ of a Gaussian policy (every action dimension). Default −0.5. */
    initLogStd: z.number().default(-0.5),
    /** Log σ is clipped to [`minLogStd`, `maxLogStd`] in every graph. Defaults −5 and 1. */
    minLogStd: z.number().default(-5),
    maxLogStd: z.number().default(1),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!(c.minLogStd < c.maxLogStd)) ctx.addIssue({ code: 'custom', path: ['minLogStd'], message: `expected minLogStd < maxLogStd, got ${c.minLogStd} and ${c.maxLogStd}` });
    if (c.initLogStd < c.minLogStd || c.initLogStd > c.maxLogStd)
      ctx.addIssue({ code: 'custom', path: ['initLogStd'], message: `expected initLogStd within [${c.minLogStd}, ${c.maxLogStd}], got ${c.initLogStd}` });
  });

/** Validated policy-network settings. */
export type PolicyConfig = z.output<typeof PolicyConfigSchema>;
/** Policy-network settings as a caller gives them. */
export type PolicyConfigInput = z.input<typeof PolicyConfigSchema>;

/**
 * Validates policy settings.
 * @throws `InvalidArgumentError` naming the first bad field
 */
export function parsePolicyConfig(input: PolicyConfigInput): PolicyConfig {
  return parseOptions(PolicyConfigSchema, input, 'Policy config');
}
