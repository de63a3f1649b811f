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
import type { WorldModelConfigInput } from '../../src/training/wm-config.js';
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

/**
 * An on-policy round: `embodied collect --policy mpc` with the model trained on all data so far (the
 * planner drives the system where it actually goes, so the next model learns what its predecessor got
 * wrong there — the DAgger / MBRL data loop), then `embodied train` on all data again.
 */
export interface OnPolicyRecipe {
  readonly episodes: number;
  readonly planner: PlanPreset['planner'];
  readonly horizon: number;
  readonly samples: number;
  readonly iterations: number;
  readonly noise: number;
  readonly randomProb: number;
  readonly randomSteps: number;
  readonly seed: number;
}

/** `embodied train` arguments (besides `--data` and `--out`). */
export interface TrainRecipe {
  readonly steps: number;
  readonly seed: number;
  readonly latentDim: number;
  /** Width of every hidden layer (`--hidden`); omit when `config` gives the widths. */
  readonly hidden?: number;
  /** Further world-model settings, passed as inline `--config` JSON (the flags override it, so it must not repeat them). */
  readonly config?: Partial<WorldModelConfigInput>;
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
  readonly quick: {
    readonly episodes: number;
    readonly oracleEpisodes: number;
    readonly maxSteps: number;
    readonly learned: Partial<DemoPlanner>;
    readonly oracle: Partial<DemoPlanner>;
  };
  /** Step limit per episode. Default: the environment's time limit. */
  readonly maxSteps?: number;
  /** How the shipped bundle was made: the first collection, the training settings, and any on-policy rounds. */
  readonly recipe: { readonly collect: CollectRecipe; readonly train: TrainRecipe; readonly onPolicy?: readonly OnPolicyRecipe[] };
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
    // iCEM 128 × 25 × 3 on the model (models/README.md has the measurements behind the settings).
    learned: { planner: 'icem', horizon: 25, samples: 128, iterations: 3, temperature: 0.05, discount: 1, replanEvery: 1 },
    // The oracle's preset (PLAN_PRESETS['PushBox-v0']), replanning every other step to halve its Rapier cost.
    oracle: { planner: 'icem', horizon: 15, samples: 32, iterations: 3, temperature: 0.05, discount: 1, replanEvery: 2 },
    episodes: 10,
    oracleEpisodes: 3,
    quick: { episodes: 2, oracleEpisodes: 1, maxSteps: 60, learned: {}, oracle: { samples: 8, iterations: 1 } },
    recipe: {
      collect: { policy: 'scripted', episodes: 1500, noise: 0.3, randomProb: 0.08, randomSteps: 10, seed: 0, workers: 2 },
      // SiLU, small reward/terminal heads: 1.7× the imagination speed of Mish with 128-wide heads. A
      // 10-step training horizon with ρ = 0.9 (instead of 5 and 0.5) halves the drift at h = 15.
      train: {
        steps: 20000,
        seed: 0,
        latentDim: 32,
        batchSize: 256,
        horizon: 10,
        ensemble: 1,
        lr: 0.001,
        lrSchedule: 'cosine',
        config: { encoderHidden: [128], dynamicsHidden: [128, 128], rewardHidden: [64], terminalHidden: [32], decoderHidden: [128], activation: 'silu', rho: 0.9 },
      },
      // Two on-policy rounds: the planner on the latest model gathers the states it actually drives into.
      onPolicy: [
        { episodes: 250, planner: 'icem', horizon: 25, samples: 128, iterations: 3, noise: 0.2, randomProb: 0.05, randomSteps: 10, seed: 10000 },
        { episodes: 250, planner: 'icem', horizon: 25, samples: 128, iterations: 3, noise: 0.2, randomProb: 0.05, randomSteps: 10, seed: 20000 },
      ],
    },
  },
} satisfies Record<string, DemoTask>);

/** The demo task of `envId`. @throws {@link InvalidArgumentError} naming the ids that have one. */
export function demoTask(envId: string): DemoTask {
  const task = DEMO_TASKS[envId];
  if (!task) throw new InvalidArgumentError(`embodied demo: expected --env ${Object.keys(DEMO_TASKS).join(' or ')}, got ${JSON.stringify(envId)}`);
  return task;
}

/** One step of a recipe, as {@link recipeSteps} lays it out. */
export type RecipeStep =
  | { readonly kind: 'collect'; readonly out: string; readonly collect: CollectRecipe }
  | { readonly kind: 'collect-mpc'; readonly out: string; readonly model: string; readonly collect: OnPolicyRecipe }
  | { readonly kind: 'train'; readonly data: readonly string[]; readonly out: string; readonly train: TrainRecipe };

/**
 * The steps that recreate `task`'s bundle, with their directories relative to `root`: data in
 * `<root>/data/<bundle>` (then `-mpc1`, `-mpc2` … per on-policy round), the models of earlier rounds in
 * `<root>/data/<bundle>-round<k>`, the final bundle in `<modelDir>`.
 */
export function recipeSteps(task: DemoTask, dataDir = 'data', modelDir = `models/${task.bundle}`): RecipeStep[] {
  const r = task.recipe;
  const rounds = r.onPolicy ?? [];
  const data = [`${dataDir}/${task.bundle}`];
  const steps: RecipeStep[] = [{ kind: 'collect', out: data[0]!, collect: r.collect }];
  const modelOf = (k: number) => (k === rounds.length ? modelDir : `${dataDir}/${task.bundle}-round${k}`);
  steps.push({ kind: 'train', data: [...data], out: modelOf(0), train: r.train });
  rounds.forEach((c, i) => {
    const out = `${dataDir}/${task.bundle}-mpc${i + 1}`;
    steps.push({ kind: 'collect-mpc', out, model: modelOf(i), collect: c });
    data.push(out);
    steps.push({ kind: 'train', data: [...data], out: modelOf(i + 1), train: r.train });
  });
  return steps;
}

/** A recipe step as an `embodied` shell command. */
export function stepCommand(task: DemoTask, step: RecipeStep): string {
  const noise = (c: { noise: number; randomProb: number; randomSteps: number }) =>
    [c.noise > 0 ? ` --noise ${c.noise}` : '', c.randomProb > 0 ? ` --random-prob ${c.randomProb} --random-steps ${c.randomSteps}` : ''].join('');
  switch (step.kind) {
    case 'collect': {
      const c = step.collect;
      return `node bin/embodied.mjs collect --env ${task.envId} --policy ${c.policy} --episodes ${c.episodes}${noise(c)} --seed ${c.seed} --workers ${c.workers} --out ${step.out}`;
    }
    case 'collect-mpc': {
      const c = step.collect;
      return [
        `node bin/embodied.mjs collect --env ${task.envId} --policy mpc --model ${step.model} --planner ${c.planner}`,
        ` --horizon ${c.horizon} --samples ${c.samples} --iterations ${c.iterations} --episodes ${c.episodes}${noise(c)} --seed ${c.seed} --out ${step.out}`,
      ].join('');
    }
    case 'train': {
      const t = step.train;
      return [
        `node bin/embodied.mjs train --data ${step.data.join(' ')} --out ${step.out} --steps ${t.steps} --seed ${t.seed}`,
        t.config !== undefined ? ` --config '${JSON.stringify(t.config)}'` : '',
        ` --latent-dim ${t.latentDim}${t.hidden !== undefined ? ` --hidden ${t.hidden}` : ''} --batch-size ${t.batchSize} --horizon ${t.horizon}`,
        ` --ensemble ${t.ensemble} --lr ${t.lr} --lr-schedule ${t.lrSchedule}`,
      ].join('');
    }
  }
}

/** The shell commands that recreate `task`'s bundle into `models/<bundle>` (data in `data/`), in order. */
export function recipeCommands(task: DemoTask): string[] {
  return recipeSteps(task).map((step) => stepCommand(task, step));
}

/**
 * The world-model settings a {@link TrainRecipe} means — what `embodied train` builds from its flags:
 * `config` first, then `--latent-dim` (SimNorm groups of 8 when it divides), `--hidden` (every hidden
 * layer), batch size, horizon, ensemble and learning rate.
 */
export function trainConfig(t: TrainRecipe): Partial<WorldModelConfigInput> {
  return {
    ...t.config,
    latentDim: t.latentDim,
    simNormGroup: t.latentDim % 8 === 0 ? 8 : 0,
    ...(t.hidden !== undefined && {
      encoderHidden: [t.hidden],
      dynamicsHidden: [t.hidden, t.hidden],
      rewardHidden: [t.hidden],
      terminalHidden: [t.hidden],
      decoderHidden: [t.hidden],
    }),
    batchSize: t.batchSize,
    horizon: t.horizon,
    ensembleSize: t.ensemble,
    lr: t.lr,
    lrSchedule: t.lrSchedule,
  };
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
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'embodied') {
      root = dir;
      return dir;
    }
  }
  throw new EmbodiedError(`embodied demo: cannot find Embodied's package.json above ${fileURLToPath(import.meta.url)}`);
}

/** Absolute path of the bundle shipped for `task`. */
export function shippedBundle(task: DemoTask): string {
  return join(packageRoot(), 'models', task.bundle);
}
