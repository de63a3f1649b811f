/**
 * The card of `Arm-v0`: its registration, scripted baseline and validation spec. Importing this module registers it.
 *
 * @module
 */
import { registerCard } from '../cards.js';
import type { EnvironmentCard } from '../card.js';
import { ArmEnv, type ArmOptions, ArmOptionsSchema } from './arm-env.js';
import { armPolicy } from './scripted.js';
import { armValidationSpec } from './validation.js';

/** The card of `Arm-v0`. */
export const armCard: EnvironmentCard = {
  id: 'Arm-v0',
  registration: {
    entryPoint: (options) => new ArmEnv(options as ArmOptions),
    module: import.meta.url,
    maxEpisodeSteps: 100,
    description: 'A 3-link planar arm on motorised revolute joints reaches a target in the horizontal plane with its tip (20 Hz).',
  },
  optionsSchema: ArmOptionsSchema,
  scripted: (env) => armPolicy({ env }),
  validationSpec: (env) => armValidationSpec(env),
};

registerCard(armCard);
