/**
 * The demo's tasks: for each environment, the shipped bundle, the planner settings of the learned and
 * the oracle MPC, episode counts (full and `--quick`), and the recipe — the exact `embodied collect`
 * and `embodied train` arguments — that recreates the bundle. `models/README.md` prints the same
 * recipes as commands ({@link recipeCommands}; a test keeps the two equal).
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbodiedError, InvalidArgumentError } from '../../src/errors.js';
import type { PlanPreset } from '../plan-factory.js';

/** MPC settings: the optimiser and its budget (samples × horizon × iterations), discount, replanning — a plan preset without the oracle-only truncation rule. */
export type DemoPlanner = Omit<PlanPreset, 'afterTruncation'>;

/** `embodied collect` arguments (besides `--env` and `--out`). */
export interface CollectRecipe {
  readonly policy: 'scripted' | 'random';
  readonly episodes: number;
  readonly noise: number;
  readonly randomProb: number;
  readonly randomSteps: number;
  readonly seed: number;
  readonly workers: number;
}

/** `embodied train` arguments (besides `--data` and `--out`). */
export interface TrainRecipe {
  readonly steps: number;
  readonly seed: number;
  readonly latentDim: number;
  readonly hidden: number;
  readonly batchSize: number;
  readonly horizon: number;
  /** Dynamics ensemble members (the planner rolls out their mean). */
  readonly ensemble: number;
  /** Peak learning rate. */
  readonly lr: number;
  readonly lrSchedule: 'constant' | 'cosine';
}

/** Everything the demo knows about one environment. */
export interface DemoTask {
  readonly envId: string;
  /** Short name for headings, e.g. `Warehouse-v0 (tiny)`. */
  readonly label: string;
  /** Environment options (the shipped bundle was trained on these). */
  readonly envOptions: Record<string, unknown>;
  /** Directory name of the shipped bundle under `models/`. */
  readonly bundle: string;
  /** Learned-model MPC. */
  readonly learned: DemoPlanner;
  /** Rapier-oracle MPC (the same optimiser; a smaller budget where physics rollouts are slow — stated in the table). */
  readonly oracle: DemoPlanner;
  /** Episodes per contender (seeds `seed … seed + n − 1`). */
  readonly episodes: number;
  /** Oracle episodes: at most this many of the same seeds (physics planning is the slow part). */
  readonly oracleEpisodes: number;
  /** `--quick` (CI): episodes, oracle episodes, and step limit per episode. */
  readonly quick: { readonly episodes: number; readonly oracleEpisodes: number; readonly maxSteps: number; readonly learned: Partial<DemoPlanner>; readonly oracle: Partial<DemoPlanner> };
  /** Step limit per episode. Default: the environment's time limit. */
  readonly maxSteps?: number;
  readonly recipe: { readonly collect: CollectRecipe; readonly train: TrainRecipe };
}

/** The demo tasks by environment id. */
export const DEMO_TASKS: Readonly<Record<string, DemoTask>> = Object.freeze({
  'Warehouse-v0': {
    envId: 'Warehouse-v0',
    label: 'Warehouse-v0 (tiny: one robot, one package)',
    envOptions: {},
    bundle: 'warehouse-tiny',
    // iCEM: its smooth (colored-noise) samples keep the grip command steady over a plan; MPPI with
    // white noise flips it and solved far fewer episodes on the same model. A 2.4 s horizon: the robot
    // must grip the package from a side that lets it reach the zone, which a 1.2 s plan cannot see
    // (H 12: 13/20 episodes, H 18: 17/20, H 24: 20/20 on seeds 100–119; models/README.md).
    learned: { planner: 'icem', horizon: 24, samples: 128, iterations: 4, temperature: 0.5, discount: 1, replanEvery: 1 },
    oracle: { planner: 'icem', horizon: 10, samples: 32, iterations: 2, temperature: 0.5, discount: 1, replanEvery: 2 },
    episodes: 10,
    oracleEpisodes: 10,
    quick: { episodes: 2, oracleEpisodes: 1, maxSteps: 120, learned: {}, oracle: { samples: 16, horizon: 8 } },
    recipe: {
      collect: { policy: 'scripted', episodes: 600, noise: 0.3, randomProb: 0.08, randomSteps: 15, seed: 0, workers: 2 },
      train: { steps: 8000, seed: 1, latentDim: 32, hidden: 128, batchSize: 256, horizon: 5, ensemble: 3, lr: 0.0003, lrSchedule: 'constant' },
    },
  },
  'PushBox-v0': {
    envId: 'PushBox-v0',
    label: 'PushBox-v0',
    envOptions: {},
    bundle: 'pushbox',
    // iCEM 64 × 15 × 3 on the model: 7/20 on seeds 0–19 against MPPI 32 × 15 × 3's 4/20; longer
    // horizons did worse (H 25: 3/20, H 30: 1/20 on seeds 100–119) — the model's contact errors compound.
    learned: { planner: 'icem', horizon: 15, samples: 64, iterations: 3, temperature: 0.05, discount: 1, replanEvery: 1 },
    // The oracle's preset (PLAN_PRESETS['PushBox-v0']), replanning every other step to halve its Rapier cost.
    oracle: { planner: 'icem', horizon: 15, samples: 32, iterations: 3, temperature: 0.05, discount: 1, replanEvery: 2 },
    episodes: 10,
    oracleEpisodes: 3,
    quick: { episodes: 2, oracleEpisodes: 1, maxSteps: 60, learned: {}, oracle: { samples: 8, iterations: 1 } },
    recipe: {
      collect: { policy: 'scripted', episodes: 1500, noise: 0.3, randomProb: 0.08, randomSteps: 10, seed: 0, workers: 2 },
      train: { steps: 20000, seed: 0, latentDim: 32, hidden: 128, batchSize: 256, horizon: 5, ensemble: 1, lr: 0.001, lrSchedule: 'cosine' },
    },
  },
} satisfies Record<string, DemoTask>);

/** The demo task of `envId`. @throws {@link InvalidArgumentError} naming the ids that have one. */
export function demoTask(envId: string): DemoTask {
  const task = DEMO_TASKS[envId];
  if (!task) throw new InvalidArgumentError(`embodied demo: expected --env ${Object.keys(DEMO_TASKS).join(' or ')}, got ${JSON.stringify(envId)}`);
  return task;
}

/** The shell commands that recreate `task`'s bundle into `models/<bundle>` (data in `data/<bundle>`). */
export function recipeCommands(task: DemoTask): [collect: string, train: string] {
  const c = task.recipe.collect;
  const t = task.recipe.train;
  const data = `data/${task.bundle}`;
  const collect = [
    `node bin/embodied.mjs collect --env ${task.envId} --policy ${c.policy} --episodes ${c.episodes}`,
    c.noise > 0 ? ` --noise ${c.noise}` : '',
    c.randomProb > 0 ? ` --random-prob ${c.randomProb} --random-steps ${c.randomSteps}` : '',
    ` --seed ${c.seed} --workers ${c.workers} --out ${data}`,
  ].join('');
  const train = [
    `node bin/embodied.mjs train --data ${data} --out models/${task.bundle} --steps ${t.steps} --seed ${t.seed}`,
    ` --latent-dim ${t.latentDim} --hidden ${t.hidden} --batch-size ${t.batchSize} --horizon ${t.horizon}`,
    ` --ensemble ${t.ensemble} --lr ${t.lr} --lr-schedule ${t.lrSchedule}`,
  ].join('');
  return [collect, train];
}

let root: string | undefined;

/**
 * The package root (the directory of Embodied's `package.json`), found by walking up from this
 * module, so shipped bundles resolve from the sources and from the built `dist/` alike.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'embodied') return (root = dir);
  }
  throw new EmbodiedError(`embodied demo: cannot find Embodied's package.json above ${fileURLToPath(import.meta.url)}`);
}

/** Absolute path of the bundle shipped for `task`. */
export function shippedBundle(task: DemoTask): string {
  return join(packageRoot(), 'models', task.bundle);
}
