/**
 * `embodied collect`: runs a random or scripted policy in a registered environment and writes a
 * transition dataset (see docs/world-models.md). Ctrl-C stops cleanly: the finished episodes are kept.
 */
import { Option, type Command } from 'commander';
import { WarehouseGreedyPolicy, armPolicy, cartPolePolicy, pushBoxPolicy, reachPolicy } from '../../agents/index.js';
import { PLAN_PRESETS, optimizerFor, type PlanPreset } from '../../agents/plan-factory.js';
import { plannerPolicy } from '../../agents/planner-policy.js';
import { rewardObjective } from '../../src/planning/objectives.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { InvalidArgumentError, describeValue } from '../../src/errors.js';
import type { Policy } from '../../src/policy.js';
import { randomPolicy } from '../../src/policy.js';
import { make } from '../../src/registry.js';
import { Rng } from '../../src/rng.js';
import { Box, type Space } from '../../src/spaces.js';
import { collect, type CollectResult } from '../../src/training/collect.js';
import { integerOption, jsonObjectOption, numberOption, withCtrlC } from '../options.js';

/** Scripted baselines by environment id; each is built from the environment's options. */
export const SCRIPTED_POLICIES: Readonly<Record<string, (envOptions: Record<string, unknown>) => Policy>> = {
  'Reach-v0': (env) => reachPolicy({ env }),
  'PushBox-v0': (env) => pushBoxPolicy({ env }),
  'CartPole-v0': (env) => cartPolePolicy({ env }),
  'Arm-v0': (env) => armPolicy({ env }),
  'Warehouse-v0': (env) => new WarehouseGreedyPolicy(env),
};

/** Options of {@link runCollect} (the parsed command line). */
export interface CollectCommandOptions {
  readonly env: string;
  readonly steps?: number;
  readonly episodes?: number;
  /**
   * `random`, `scripted`, or `mpc` (plan with the world model at `model` every step, reward objective —
   * on-policy data for the next round of training). Default `random`.
   */
  readonly policy?: string;
  /** `--policy mpc`: the world-model bundle to plan with. */
  readonly model?: string;
  /** `--policy mpc`: optimiser (`mppi`, `cem`, `icem`, `random-shooting`); default the environment's plan preset. */
  readonly planner?: PlanPreset['planner'];
  /** `--policy mpc`: planning horizon; default the environment's plan preset. */
  readonly horizon?: number;
  /** `--policy mpc`: candidate sequences per iteration; default the environment's plan preset. */
  readonly samples?: number;
  /** `--policy mpc`: optimiser iterations per plan; default the environment's plan preset. */
  readonly iterations?: number;
  /** Gaussian action noise (std, in action units, clipped to the bounds) added to a scripted or mpc policy. Default 0. */
  readonly noise?: number;
  /**
   * Probability per step that a scripted policy starts a random excursion: one uniform random action
   * held for 1…`randomSteps` steps (uniform), after which the policy takes over again. Default 0.
   */
  readonly randomProb?: number;
  /** Longest random excursion, steps. Default 10. */
  readonly randomSteps?: number;
  readonly workers?: number;
  readonly seed?: number;
  readonly out: string;
  /** JSON object of environment options. */
  readonly envOptions?: Record<string, unknown>;
  readonly checkpointEvery?: number;
  readonly overwrite?: boolean;
  /** Progress bar: `true`, `false` or `'auto'` (on a TTY). Default `'auto'`. */
  readonly progress?: boolean | 'auto';
  readonly signal?: AbortSignal;
}

/** Adds Gaussian noise to a Box policy's actions (seeded per episode), clipped to the bounds. */
export function noisyPolicy(inner: Policy, space: Box, std: number): Policy {
  let rng = Rng.fromSeed(0);
  return {
    name: `${inner.name}+noise(${std})`,
    reset(seed: number) {
      inner.reset?.(seed);
      rng = Rng.fromSeed(seed).derive(2);
    },
    async act(observation, info) {
      const a = Float32Array.from((await inner.act(observation, info)) as Float32Array);
      for (let i = 0; i < a.length; i++) a[i] = a[i]! + rng.normal(0, std);
      return space.clip(a);
    },
  };
}

/**
 * Mixes random excursions into a Box policy: with probability `prob` per step (seeded per episode) it
 * holds one uniform random action for 1…`maxSteps` steps, then hands control back. Held actions carry
 * the system far from the policy's own path (per-step noise averages out under inertia), so a world
 * model trained on the data sees what other actions do in the states the policy visits.
 */
export function excursionPolicy(inner: Policy, space: Box, prob: number, maxSteps: number): Policy {
  let rng = Rng.fromSeed(0);
  let left = 0;
  let held: Float32Array | undefined;
  return {
    name: `${inner.name}+random(${prob}×${maxSteps})`,
    reset(seed: number) {
      inner.reset?.(seed);
      rng = Rng.fromSeed(seed).derive(3);
      left = 0;
    },
    async act(observation, info) {
      const own = (await inner.act(observation, info)) as Float32Array;
      if (left === 0 && rng.uniform() < prob) {
        held = space.clip(Float32Array.from(own, (_v, i) => rng.uniformRange(space.low[i]!, space.high[i]!)));
        left = rng.integer(1, maxSteps);
      }
      if (left === 0) return own;
      left--;
      return held!.slice();
    },
  };
}

/**
 * Builds the policy factory the command line asks for; `--policy mpc` needs the loaded `model`
 * (see {@link runCollect}), shared by every environment's planner.
 */
export function policyFactory(opts: CollectCommandOptions, model?: WorldModel): (worker: number) => Policy {
  const kind = opts.policy ?? 'random';
  const envOptions = opts.envOptions ?? {};
  const probe = make(opts.env, envOptions);
  const space = probe.actionSpace as Space<unknown>;
  void probe.close();
  if (kind === 'random') return () => randomPolicy(space) as Policy;
  if (kind === 'scripted' || kind === 'mpc') {
    let build: ((envOptions: Record<string, unknown>) => Policy) | undefined;
    if (kind === 'scripted') {
      build = SCRIPTED_POLICIES[opts.env];
      if (!build) {
        throw new InvalidArgumentError(
          `embodied collect: no scripted policy for ${opts.env}; scripted policies exist for ${Object.keys(SCRIPTED_POLICIES).join(', ')} (use --policy random otherwise)`,
        );
      }
    } else {
      if (model === undefined) throw new InvalidArgumentError('embodied collect: --policy mpc needs --model <bundle>');
      const base = PLAN_PRESETS[opts.env] ?? PLAN_PRESETS.default!;
      const preset: PlanPreset = {
        ...base,
        ...(opts.planner && { planner: opts.planner }),
        ...(opts.horizon && { horizon: opts.horizon }),
        ...(opts.samples && { samples: opts.samples }),
        ...(opts.iterations && { iterations: opts.iterations }),
      };
      const { actionLow, actionHigh } = model.manifest;
      const name = `mpc:${preset.planner}(${preset.samples}x${preset.horizon}x${preset.iterations})`;
      build = () =>
        plannerPolicy({
          model,
          name,
          planner: {
            horizon: preset.horizon,
            actionLow,
            actionHigh,
            optimizer: optimizerFor(preset.planner, preset, 0),
            objective: rewardObjective({ discount: preset.discount }),
          },
        });
    }
    const noise = opts.noise ?? 0;
    const randomProb = opts.randomProb ?? 0;
    const randomSteps = opts.randomSteps ?? 10;
    if (!(randomProb >= 0 && randomProb <= 1)) throw new InvalidArgumentError(`embodied collect: expected --random-prob in [0, 1], got ${describeValue(randomProb)}`);
    if (!Number.isSafeInteger(randomSteps) || randomSteps < 1)
      throw new InvalidArgumentError(`embodied collect: expected --random-steps to be a positive integer, got ${describeValue(randomSteps)}`);
    if ((noise > 0 || randomProb > 0) && !(space instanceof Box))
      throw new InvalidArgumentError(`embodied collect: --noise and --random-prob need a Box action space, ${opts.env} has ${space.type}`);
    const buildOne = build;
    return () => {
      let policy = buildOne(envOptions);
      if (noise > 0) policy = noisyPolicy(policy, space as Box, noise);
      if (randomProb > 0) policy = excursionPolicy(policy, space as Box, randomProb, randomSteps);
      return policy;
    };
  }
  throw new InvalidArgumentError(`embodied collect: expected --policy random, scripted or mpc, got ${describeValue(kind)}`);
}

/** Runs a collection as the command line describes it (exported for tests and scripts). */
export async function runCollect(opts: CollectCommandOptions): Promise<CollectResult> {
  if ((opts.steps === undefined) === (opts.episodes === undefined)) throw new InvalidArgumentError('embodied collect: give exactly one of --steps and --episodes');
  if (opts.policy === 'mpc' && opts.model === undefined) throw new InvalidArgumentError('embodied collect: --policy mpc needs --model <bundle>');
  const model = opts.policy === 'mpc' ? await WorldModel.load(opts.model!, { uncertainty: false }) : undefined;
  try {
    if (model && model.manifest.envId !== opts.env) throw new InvalidArgumentError(`embodied collect: the bundle at ${opts.model} models ${model.manifest.envId}, not ${opts.env}`);
    return await collectWith(opts, policyFactory(opts, model));
  } finally {
    await model?.close();
  }
}

function collectWith(opts: CollectCommandOptions, policy: (worker: number) => Policy): Promise<CollectResult> {
  return collect({
    envId: opts.env,
    envOptions: opts.envOptions ?? {},
    policy,
    ...(opts.steps !== undefined ? { steps: opts.steps } : { episodes: opts.episodes! }),
    workers: opts.workers ?? 1,
    seed: opts.seed ?? 0,
    out: opts.out,
    overwrite: opts.overwrite ?? false,
    checkpointEvery: opts.checkpointEvery ?? 0,
    progress: opts.progress ?? 'auto',
    ...(opts.signal && { signal: opts.signal }),
  });
}

/** Adds the `collect` subcommand. */
export function registerCollectCommand(program: Command): void {
  program
    .command('collect')
    .description('run a policy in an environment and write a transition dataset (NumPy .npy files + manifest.json)')
    .requiredOption('--env <id>', 'registered environment id, e.g. Reach-v0')
    .option('--steps <n>', 'number of transitions to collect', integerOption(1))
    .option('--episodes <n>', 'number of episodes to collect', integerOption(1))
    .option('--policy <kind>', 'random | scripted | mpc (plan with --model every step: on-policy data)', 'random')
    .option('--model <dir>', '--policy mpc: world-model bundle to plan with')
    .addOption(new Option('--planner <name>', "--policy mpc: optimiser (default: the environment's plan preset)").choices(['mppi', 'cem', 'icem', 'random-shooting']))
    .option('--horizon <n>', '--policy mpc: planning horizon', integerOption(1))
    .option('--samples <n>', '--policy mpc: candidates per iteration', integerOption(1))
    .option('--iterations <n>', '--policy mpc: optimiser iterations', integerOption(1))
    .option('--noise <std>', 'Gaussian action noise added to the scripted or mpc policy', numberOption(0))
    .option(
      '--random-prob <p>',
      'probability per step of a random excursion from the scripted or mpc policy (a uniform random action held 1…--random-steps steps)',
      numberOption(0),
    )
    .option('--random-steps <n>', 'longest random excursion, steps', integerOption(1), 10)
    .option('--workers <n>', 'environments stepped in parallel (worker threads when > 1)', integerOption(1), 1)
    .option('--seed <n>', 'base seed: episode k is reset with seed + k', integerOption(0), 0)
    .option('--env-options <json>', 'environment options as a JSON object', jsonObjectOption)
    .option('--checkpoint-every <n>', 'publish a valid partial dataset every n transitions', integerOption(0), 0)
    .option('--overwrite', 'replace the output directory if it exists')
    .option('--no-progress', 'no progress bar')
    .requiredOption('--out <dir>', 'output directory')
    .action(
      async (o: {
        env: string;
        steps?: number;
        episodes?: number;
        policy: string;
        model?: string;
        planner?: PlanPreset['planner'];
        horizon?: number;
        samples?: number;
        iterations?: number;
        noise?: number;
        randomProb?: number;
        randomSteps: number;
        workers: number;
        seed: number;
        envOptions?: Record<string, unknown>;
        checkpointEvery: number;
        overwrite?: boolean;
        progress: boolean;
        out: string;
      }) => {
        await withCtrlC('collect', 'stopping after the current step', async (signal) => {
          const r = await runCollect({ ...o, progress: o.progress ? 'auto' : false, signal });
          const m = r.manifest;
          console.log(
            `${r.stopped ? 'stopped: wrote' : 'wrote'} ${m.counts.transitions} transitions in ${m.counts.episodes} episodes of ${m.envId} (policy ${m.policy}, seed ${m.seed}) to ${r.path}`,
          );
          console.log(`content hash ${m.contentHash}`);
        });
      },
    );
}
