/**
 * The card of `LineWorld-v0`: its registration and oracle-tuned plan preset. Importing this module registers it.
 *
 * @module
 */
import { registerCard } from '../cards.js';
import type { EnvironmentCard } from '../card.js';
import { LineWorld, type LineWorldOptions, LineWorldOptionsSchema } from './line-world-env.js';

/** The card of `LineWorld-v0`. */
export const lineWorldCard: EnvironmentCard = {
  id: 'LineWorld-v0',
  registration: {
    entryPoint: (options) => new LineWorld(options as LineWorldOptions),
    module: import.meta.url,
    maxEpisodeSteps: 200,
    description: 'point mass on a line reaching a sampled goal (pure TypeScript, no physics)',
  },
  optionsSchema: LineWorldOptionsSchema,
  planPreset: { algorithm: 'mppi', horizon: 12, samples: 64, iterations: 3, temperature: 0.1, discount: 1, replanEvery: 1, afterTruncation: 'repeat-reward' },
};

registerCard(lineWorldCard);
