/**
 * `DemoTask`: what `embodied demo` knows about one environment — the shipped bundle, the planner
 * settings of the learned and the oracle MPC, episode counts (full and `--quick`), and the recipe that
 * recreates the bundle. An environment's card states it as {@link EnvironmentCard.demo}.
 *
 * @module
 */
import type { PlanPreset } from '../src/planning/plan-preset.js';
import type { Recipe } from '../src/training/recipe.js';
import type { EnvironmentCard } from './card.js';

/** MPC settings: the optimiser and its budget (samples × horizon × iterations), discount, replanning — a plan preset without the oracle-only truncation rule. */
export type MpcSettings = Omit<PlanPreset, 'afterTruncation'>;

/** Everything the demo knows about one environment. */
export interface DemoTask {
  /** The environment, e.g. `'PushBox-v0'`. */
  readonly envId: string;
  /** Short name for headings, e.g. `Warehouse-v0 (tiny)`. */
  readonly label: string;
  /** Environment options (the shipped bundle was trained on these). */
  readonly envOptions: Record<string, unknown>;
  /** Directory name of the shipped bundle under `models/`. */
  readonly bundle: string;
  /** Learned-model MPC. */
  readonly learned: MpcSettings;
  /** Rapier-oracle MPC (the same optimiser; a smaller budget where physics rollouts are slow — stated in the table). */
  readonly oracle: MpcSettings;
  /** Episodes per contender (seeds `seed … seed + n − 1`). */
  readonly episodes: number;
  /** Oracle episodes: at most this many of the same seeds (physics planning is the slow part). */
  readonly oracleEpisodes: number;
  /** `--quick` (CI): episodes, oracle episodes, and step limit per episode. */
  readonly quick: {
    readonly episodes: number;
    readonly oracleEpisodes: number;
    readonly maxSteps: number;
    readonly learned: Partial<MpcSettings>;
    readonly oracle: Partial<MpcSettings>;
  };
  /** Step limit per episode. Default: the environment's time limit. */
  readonly maxSteps?: number;
  /**
   * How the shipped bundle was made: the first collection, the training settings, and any on-policy
   * rounds — or, with {@link DemoTask.madeByLearn}, the base of `embodied learn`'s settings for the
   * environment (learn's card layers go over it).
   */
  readonly recipe: Recipe;
  /**
   * Set when the shipped bundle is the model `embodied learn` published for this seed and budget
   * (`--seed`, `--budget`); models/README.md has that command and the replay that remakes the bundle
   * byte for byte (`embodied learn --replay models/<bundle>`).
   */
  readonly madeByLearn?: { readonly seed: number; readonly budget: string };
}

/** A demo task as a card states it: the card's id is the task's `envId`. */
export type DemoSettings = Omit<DemoTask, 'envId'>;

/** The demo task of `card`, or `undefined` when the card has none. */
export function demoTaskOf(card: EnvironmentCard): DemoTask | undefined {
  return card.demo === undefined ? undefined : { envId: card.id, ...card.demo };
}
