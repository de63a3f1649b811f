/**
 * What every policy-training workflow needs from the environment it trains for: its spaces as a
 * policy sees them (flat Box observations, bounded Box actions), checked once with errors that name
 * the mismatch.
 *
 * @module
 */
import type { Env } from '../src/env.js';
import { describeValue } from '../src/errors.js';
import { PolicyDataError } from '../src/policies/errors.js';
import { make } from '../src/registry.js';
import { Box } from '../src/spaces.js';

/** The spaces of an environment a policy acts in. */
export interface PolicyEnvSpaces {
  readonly envId: string;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly actionLow: number[];
  readonly actionHigh: number[];
  readonly observationSpace: unknown;
  readonly actionSpace: unknown;
}

/** The spaces of `env` (an instance, closed by the caller). @throws {@link PolicyDataError} for non-Box or unbounded action spaces */
export function spacesOf(env: Env<unknown, unknown>): PolicyEnvSpaces {
  const obs = env.observationSpace;
  const act = env.actionSpace;
  if (!(obs instanceof Box)) throw new PolicyDataError(`${env.spec.id}: policies need a Box observation space, got ${describeValue(obs.toJSON())}`);
  if (!(act instanceof Box) || !act.isBounded()) throw new PolicyDataError(`${env.spec.id}: policies need a bounded Box action space, got ${describeValue(act.toJSON())}`);
  return {
    envId: env.spec.id,
    obsDim: obs.low.length,
    actionDim: act.low.length,
    actionLow: Array.from(act.low),
    actionHigh: Array.from(act.high),
    observationSpace: obs.toJSON(),
    actionSpace: act.toJSON(),
  };
}

/** The spaces of a registered environment made with `envOptions` (made and closed here). */
export async function registeredSpaces(envId: string, envOptions: Record<string, unknown>): Promise<PolicyEnvSpaces> {
  const env = make(envId, envOptions);
  try {
    return spacesOf(env as Env<unknown, unknown>);
  } finally {
    await env.close();
  }
}
