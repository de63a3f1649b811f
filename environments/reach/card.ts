/**
 * The card of `Reach-v0`: its registration, oracle-tuned plan preset, scripted baseline and validation spec. Importing this module registers it.
 *
 * @module
 */
import { registerCard } from '../cards.js';
import { LEARN_MODEL } from '../../src/training/recipe.js';
import type { EnvironmentCard } from '../card.js';
import { ReachEnv, type ReachOptions, ReachOptionsSchema } from './reach-env.js';
import { reachPolicy } from './scripted.js';
import { reachValidationSpec } from './validation.js';
import { reachExplorationStart } from './exploration.js';

/** The card of `Reach-v0`. */
export const reachCard: EnvironmentCard = {
  id: 'Reach-v0',
  registration: {
    entryPoint: (options) => new ReachEnv(options as ReachOptions),
    module: import.meta.url,
    maxEpisodeSteps: 100,
    description: 'A force-driven ball slides on a plane to a goal point (20 Hz, dense or sparse reward).',
  },
  optionsSchema: ReachOptionsSchema,
  planPreset: { algorithm: 'mppi', horizon: 10, samples: 32, iterations: 2, temperature: 0.05, discount: 1, replanEvery: 1, afterTruncation: 'repeat-reward' },
  scripted: (env) => reachPolicy({ env }),
  explorationStart: (rng, env) => reachExplorationStart(rng, env),
  validationSpec: (env) => reachValidationSpec(env),
  // Issue 12's bar for these easy tasks: 95% of episodes (learn's default is PushBox's 17/20).
  // The ball is force-driven (a change of velocity linear in the action): learn's model with the linear skip (PPS 0.997–0.999 against 0.90–0.96 without).
  learn: { targets: { successRate: 0.95 }, train: { config: { ...LEARN_MODEL, linearSkip: true } } },
};

registerCard(reachCard);
