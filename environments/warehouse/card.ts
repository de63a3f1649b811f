/**
 * The card of `Warehouse-v0`: its registration, greedy scripted baseline, validation spec and demo
 * task (the shipped `models/warehouse-tiny`, made by `embodied learn`). It has no plan preset of its own (the default serves).
 * Importing this module registers it.
 *
 * @module
 */
import { WarehouseOptionsSchema } from './config.js';
import { registerCard } from '../cards.js';
import type { EnvironmentCard } from '../card.js';
import { LEARN_MODEL } from '../../src/training/recipe.js';
import type { WarehouseOptions } from './config.js';
import { WarehouseGreedyPolicy } from './scripted.js';
import { warehouseValidationSpec } from './validation.js';
import { warehouseExplorationStart } from './exploration.js';
import { WarehouseEnv } from './warehouse-env.js';

/** The card of `Warehouse-v0`. */
export const warehouseCard: EnvironmentCard = {
  id: 'Warehouse-v0',
  registration: {
    entryPoint: (options) => new WarehouseEnv(options as WarehouseOptions),
    module: import.meta.url,
    maxEpisodeSteps: 200,
    description: 'Holonomic robots grip packages and deliver them to drop zones among shelves (ASCII layouts; tiny by default, 10 Hz).',
  },
  optionsSchema: WarehouseOptionsSchema,
  scripted: (env) => new WarehouseGreedyPolicy(env),
  explorationStart: (rng, env) => warehouseExplorationStart(rng, env),
  validationSpec: (env) => warehouseValidationSpec(env),
  // `embodied learn`: the demo recipe's data, one observation-space model (docs/learn.md).
  learn: {
    // Over the recipe's collection (below): contact excursions, the robot driving into its package with
    // the grip off now and then (the scripted robot grips every package it reaches, so its data hold no pushes).
    collect: { contactProb: 0.01, contactSteps: 20 },
    // Over the recipe's training (below): more steps at most, one member, learn's model and schedule.
    // Errors in change units for the entries that change on most steps (positions, velocities), in the
    // larger unit for events (the grip and delivery flags, the package's height and velocity), later
    // unrolled steps weighing more (ρ 0.9). With learn planning by the demo task's iCEM (below), three
    // chain seeds delivered 100 / 100 / 95 % held out at PPS 0.74 / 0.72 / 0.78 (docs/learn.md).
    train: { steps: 30000, ensemble: 1, lr: 0.001, lrSchedule: 'cosine', config: { ...LEARN_MODEL, consistencyUnits: 'mixed', rho: 0.9 } },
    rounds: 4,
  },
  demo: {
    label: 'Warehouse-v0 (tiny: one robot, one package)',
    envOptions: {},
    bundle: 'warehouse-tiny',
    // Made by `embodied learn --seed 0 --budget 10m` (models/README.md); the recipe below is the base of its settings.
    madeByLearn: { seed: 0, budget: '10m' },
    // The learned planner: learn plans on-policy and validates with it, and certifies the model with it (its
    // manifest's `planner`), which the demo plays. iCEM's smooth (colored-noise) samples keep the grip command
    // steady over a plan where MPPI's white noise flips it: on the same learn model, 20/20 held-out deliveries
    // with iCEM against 12/20 with MPPI (docs/learn.md). A 2.4 s horizon: the robot
    // must grip the package from a side that lets it reach the zone, which a 1.2 s plan cannot see
    // (H 12: 13/20 episodes, H 18: 17/20, H 24: 20/20 on seeds 100–119; models/README.md).
    learned: { algorithm: 'icem', horizon: 24, samples: 128, iterations: 4, temperature: 0.5, discount: 1, replanEvery: 1 },
    oracle: { algorithm: 'icem', horizon: 10, samples: 32, iterations: 2, temperature: 0.5, discount: 1, replanEvery: 2 },
    episodes: 10,
    oracleEpisodes: 10,
    quick: { episodes: 2, oracleEpisodes: 1, maxSteps: 120, learned: {}, oracle: { samples: 16, horizon: 8 } },
    recipe: {
      collect: { policy: 'scripted', episodes: 600, noise: 0.3, randomProb: 0.08, randomSteps: 15, seed: 0, workers: 2 },
      train: { steps: 8000, seed: 1, latentDim: 32, hidden: 128, batchSize: 256, horizon: 5, ensemble: 3, lr: 0.0003, lrSchedule: 'constant' },
    },
  },
};

registerCard(warehouseCard);
