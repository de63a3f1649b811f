/**
 * The card of `CartPole-v0`: its registration, oracle-tuned plan preset, scripted baseline and validation spec. Importing this module registers it.
 *
 * @module
 */
import { registerCard } from '../cards.js';
import type { EnvironmentCard } from '../card.js';
import { CartPoleEnv, type CartPoleOptions, CartPoleOptionsSchema } from './cart-pole-env.js';
import { cartPolePolicy } from './scripted.js';
import { cartPoleValidationSpec } from './validation.js';
import { cartPoleExplorationStart } from './exploration.js';

/** The card of `CartPole-v0`. */
export const cartPoleCard: EnvironmentCard = {
  id: 'CartPole-v0',
  registration: {
    entryPoint: (options) => new CartPoleEnv(options as CartPoleOptions),
    module: import.meta.url,
    maxEpisodeSteps: 500,
    description: 'Cart on a prismatic joint, pole on a revolute joint; continuous force; balance or swing up (50 Hz).',
  },
  optionsSchema: CartPoleOptionsSchema,
  planPreset: { algorithm: 'icem', horizon: 30, samples: 16, iterations: 2, temperature: 0.001, discount: 1, replanEvery: 2, afterTruncation: 'zero' },
  scripted: (env) => cartPolePolicy({ env }),
  explorationStart: (rng, env) => cartPoleExplorationStart(rng, env),
  validationSpec: (env) => cartPoleValidationSpec(env),
  // Issue 12's bar for these easy tasks: 95% of episodes (learn's default is PushBox's 17/20). The learned
  // planner is 64 × 30 × 2, not learn's default 128 × 30 × 3: on the same round-0 model and held-out seeds
  // 100–119 it balanced 18/20 vs 17/20 at 2.5× less plan time (docs/learn.md), and every validation and
  // confirmation episode runs 500 steps, so plan time is what CartPole's 3-minute budget goes to.
  learn: { targets: { successRate: 0.95 }, validation: { samples: 64, iterations: 2 }, onPolicy: { samples: 64, iterations: 2 } },
};

registerCard(cartPoleCard);
