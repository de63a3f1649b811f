/**
 * `evaluatePolicy`: runs a policy bundle for one seeded episode per seed in its (Rapier) environment
 * and reports the success rate and returns — how every policy-learning acceptance number is measured.
 *
 * @module
 */
import { loadPolicyBundle } from '../agents/policy-bundle.js';
import { policyAgent } from '../agents/policy-agent.js';
import { evaluateAgent } from '../agents/run-episodes.js';
import type { EpisodeResult, EpisodesSummary } from '../agents/episode-stats.js';
import { parseOptions, z } from '../src/options.js';
import { readPolicyBundle } from '../src/policies/bundle.js';
import type { Env } from '../src/env.js';
import { make } from '../src/registry.js';

/** Zod schema of {@link EvaluatePolicyOptions}. */
export const EvaluatePolicyOptionsSchema = z
  .object({
    /** The policy bundle directory. */
    policy: z.string().min(1),
    /** One episode per seed. Default 100…119 (held out from every training seed the SDK uses by default). */
    seeds: z
      .array(z.number().int().nonnegative())
      .min(1)
      .readonly()
      .default(Array.from({ length: 20 }, (_v, i) => 100 + i)),
    /** Environment options. Default: those the bundle records. */
    envOptions: z.record(z.string(), z.unknown()).optional(),
    /** Step limit per episode. Default: the environment's. */
    maxSteps: z.number().int().positive().optional(),
  })
  .strict();

/** Options of {@link evaluatePolicy}. */
export type EvaluatePolicyOptions = z.input<typeof EvaluatePolicyOptionsSchema>;

/** What {@link evaluatePolicy} returns. */
export interface EvaluatePolicyResult {
  readonly envId: string;
  readonly results: EpisodeResult[];
  readonly summary: EpisodesSummary;
  /** Wall time of the episodes, ms. */
  readonly wallMs: number;
}

/**
 * Plays the policy for one episode per seed.
 * @throws `PolicyBundleError` for a bad bundle or one that does not fit its environment
 */
export async function evaluatePolicy(options: EvaluatePolicyOptions): Promise<EvaluatePolicyResult> {
  const o = parseOptions(EvaluatePolicyOptionsSchema, options, 'evaluatePolicy options');
  const { manifest } = await readPolicyBundle(o.policy);
  const envOptions = o.envOptions ?? manifest.envOptions;
  const envId = manifest.envId;
  const check = make<Float32Array, Float32Array>(envId, envOptions);
  const { policy } = await loadPolicyBundle(o.policy, { env: check }).finally(() => check.close());
  try {
    const t0 = performance.now();
    const factory = (): Env<Float32Array, Float32Array> => make(envId, envOptions);
    const { results, summary } = await evaluateAgent(factory, policyAgent(policy), { seeds: o.seeds, ...(o.maxSteps !== undefined && { maxSteps: o.maxSteps }) });
    return { envId, results, summary, wallMs: performance.now() - t0 };
  } finally {
    await policy.close();
  }
}
