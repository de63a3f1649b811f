/**
 * The demo's tasks, read from the environments' cards (`EnvironmentCard.demo`: the shipped bundle, the
 * planner settings of the learned and the oracle MPC, episode counts, and the recipe), and what the
 * demo makes of them: the recipe as steps and as the exact `embodied collect` / `embodied train`
 * commands that recreate the bundle, then the `embodied certify` command that records its planner settings. `models/README.md` prints the same recipes as commands
 * ({@link recipeCommands}; a test keeps the two equal).
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbodiedError, InvalidArgumentError } from '../../src/errors.js';
import type { WorldModelConfigInput } from '../../src/training/wm-config.js';
import type { CollectRecipe, OnPolicyRecipe, TrainRecipe } from '../../src/training/recipe.js';
import '../../environments/index.js';
import { environmentCard, environmentCards } from '../../environments/cards.js';
import { demoTaskOf, type DemoTask } from '../../environments/demo-task.js';

export type { MpcSettings, DemoTask } from '../../environments/demo-task.js';
export type { CollectRecipe, OnPolicyRecipe, TrainRecipe } from '../../src/training/recipe.js';

/** The environment `embodied demo` runs when none is named. */
export const DEFAULT_DEMO_ENV = 'Warehouse-v0';

/** The demo tasks of the registered cards: the default's first, then the others in registration order. */
export function demoTasks(): DemoTask[] {
  const tasks = environmentCards().flatMap((card) => demoTaskOf(card) ?? []);
  return [...tasks.filter((t) => t.envId === DEFAULT_DEMO_ENV), ...tasks.filter((t) => t.envId !== DEFAULT_DEMO_ENV)];
}

/** The demo task of `envId`, from its card. @throws {@link InvalidArgumentError} naming the ids that have one. */
export function demoTask(envId: string): DemoTask {
  const card = environmentCard(envId);
  const task = card && demoTaskOf(card);
  if (!task) {
    const ids = demoTasks().map((t) => t.envId);
    throw new InvalidArgumentError(`demoTask: expected \`envId\` ${ids.join(' or ')} (the environments whose card has a demo task), got ${JSON.stringify(envId)}`);
  }
  return task;
}

/** One step of a recipe, as {@link recipeSteps} lays it out. */
export type RecipeStep =
  | { readonly kind: 'collect'; readonly out: string; readonly collect: CollectRecipe }
  | { readonly kind: 'collect-mpc'; readonly out: string; readonly model: string; readonly collect: OnPolicyRecipe }
  | { readonly kind: 'train'; readonly data: readonly string[]; readonly out: string; readonly train: TrainRecipe; readonly initFrom?: string };

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
  const noise = (c: { noise: number; randomProb: number; randomSteps: number; randomStarts?: number; passiveSteps?: number }) =>
    [
      c.noise > 0 ? ` --noise ${c.noise}` : '',
      c.randomProb > 0 ? ` --random-prob ${c.randomProb} --random-steps ${c.randomSteps}` : '',
      c.randomStarts ? ` --random-starts ${c.randomStarts}` : '',
      c.passiveSteps ? ` --passive-steps ${c.passiveSteps}` : '',
    ].join('');
  switch (step.kind) {
    case 'collect': {
      const c = step.collect;
      return `node bin/embodied.mjs collect --env ${task.envId} --policy ${c.policy} --episodes ${c.episodes}${noise(c)} --seed ${c.seed} --workers ${c.workers} --out ${step.out}`;
    }
    case 'collect-mpc': {
      const c = step.collect;
      return [
        `node bin/embodied.mjs collect --env ${task.envId} --policy mpc --model ${step.model} --planner ${c.algorithm}`,
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

/** Episodes (seeds `CERTIFY_SEED …`) a shipped bundle's planner settings are certified on. */
export const CERTIFY_EPISODES = 20;
/** The first seed a shipped bundle's planner settings are certified on. */
export const CERTIFY_SEED = 0;

/**
 * The `embodied certify` command that records `task`'s learned-MPC settings, with the success they
 * reach on {@link CERTIFY_EPISODES} seeded episodes, in the manifest of the bundle at `modelDir`: the
 * last step of the recipe, after which `plan`, `validate` and the demo plan with them by default.
 */
export function certifyCommand(task: DemoTask, modelDir = `models/${task.bundle}`): string {
  const p = task.learned;
  return [
    `node bin/embodied.mjs certify --model ${modelDir} --env ${task.envId} --planner ${p.algorithm} --horizon ${p.horizon} --samples ${p.samples}`,
    ` --iterations ${p.iterations} --temperature ${p.temperature} --discount ${p.discount} --replan-every ${p.replanEvery} --episodes ${CERTIFY_EPISODES} --seed ${CERTIFY_SEED}`,
  ].join('');
}

/**
 * The shell commands that recreate `task`'s bundle into `models/<bundle>`, in order: the recipe's
 * collections and trainings (data in `data/`) and the certification of its planner settings — or, for a
 * bundle {@link DemoTask.madeByLearn}, the learn run that made it, the copy of its published model, and
 * the replay that remakes it byte for byte on any machine (the learn run itself is timed, so it does not).
 */
export function recipeCommands(task: DemoTask): string[] {
  const made = task.madeByLearn;
  if (made) {
    const run = `out/learn/${task.bundle}`;
    return [
      `node bin/embodied.mjs learn --env ${task.envId} --seed ${made.seed} --budget ${made.budget} --out ${run}`,
      `cp -r ${run}/model models/${task.bundle}`,
      `node bin/embodied.mjs learn --env ${task.envId} --replay models/${task.bundle} --out ${run}-replay`,
    ];
  }
  return [...recipeSteps(task).map((step) => stepCommand(task, step)), certifyCommand(task)];
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
  throw new EmbodiedError(`packageRoot: cannot find Embodied's package.json above ${fileURLToPath(import.meta.url)}`);
}

/** Absolute path of the bundle shipped for `task`. */
export function shippedBundle(task: DemoTask): string {
  return join(packageRoot(), 'models', task.bundle);
}
