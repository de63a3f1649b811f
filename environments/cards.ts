/**
 * The card registry: `registerCard` and the lookups every consumer uses — the card, its plan preset
 * (or the default), its scripted policy and its validation spec. The fallbacks live here and nowhere
 * else.
 *
 * @module
 */
import { InvalidArgumentError } from '../src/errors.js';
import { DEFAULT_PLAN_PRESET, type PlanPreset } from '../src/planning/plan-preset.js';
import type { Policy } from '../src/policy.js';
import { register, spec } from '../src/registry.js';
import type { ValidationSpec } from '../src/validation/spec.js';
import type { EnvOptions, EnvironmentCard } from './card.js';

const cards = new Map<string, EnvironmentCard>();

/** Options of {@link registerCard}. */
export interface RegisterCardOptions {
  /** Replace an existing card (and registration) with the same id. Default `false`. */
  readonly override?: boolean;
}

/**
 * Registers `card`: its environment (when the card has a `registration`) and the card itself, so that
 * `make(card.id)` and every lookup below find it. Re-registering from the same module is harmless.
 *
 * @throws {@link InvalidArgumentError} when a card with this id exists from another module (without
 *   `override`), or when the card has no `registration` and no environment `card.id` is registered.
 */
export function registerCard(card: EnvironmentCard, options: RegisterCardOptions = {}): void {
  const override = options.override ?? false;
  const existing = cards.get(card.id);
  const sameModule = existing?.registration?.module !== undefined && existing.registration.module === card.registration?.module;
  if (existing !== undefined && !override && !sameModule)
    throw new InvalidArgumentError(`registerCard: a card for ${card.id} is already registered; pass { override: true } to replace it`);
  if (card.registration !== undefined) register({ ...card.registration, id: card.id }, { override });
  else spec(card.id); // an environment registered elsewhere must exist: this throws, listing close matches
  cards.set(card.id, card);
}

/** The card of `envId`, or `undefined` when none is registered. */
export function environmentCard(envId: string): EnvironmentCard | undefined {
  return cards.get(envId);
}

/** Every registered card, in registration order. */
export function environmentCards(): EnvironmentCard[] {
  return [...cards.values()];
}

/** The planner settings of `envId`: its card's preset, or {@link DEFAULT_PLAN_PRESET}. */
export function planPresetFor(envId: string): PlanPreset {
  return cards.get(envId)?.planPreset ?? DEFAULT_PLAN_PRESET;
}

/** A fresh scripted baseline for `envId` built with `envOptions`, or `undefined` when its card has none. */
export function scriptedPolicyFor(envId: string, envOptions: EnvOptions = {}): Policy<Float32Array, Float32Array> | undefined {
  return cards.get(envId)?.scripted?.(envOptions);
}

/**
 * The validation spec of `envId` built with `envOptions`.
 * @throws {@link InvalidArgumentError} for an environment without a spec, listing those that have one.
 */
export function validationSpecFor(envId: string, envOptions: EnvOptions = {}): ValidationSpec {
  const build = cards.get(envId)?.validationSpec;
  if (!build) {
    const ids = environmentCards().flatMap((c) => (c.validationSpec ? [c.id] : []));
    throw new InvalidArgumentError(`no validation spec for ${envId}; specs exist for ${ids.join(', ')}`);
  }
  return build(envOptions);
}
