/**
 * `embodied collect`: flags → {@link collectDataset} (a random, scripted or mpc policy in a registered
 * environment, written as a transition dataset). Ctrl-C stops cleanly: the finished episodes are kept.
 */
import { Option, type Command } from 'commander';
import { collectDataset, type CollectDatasetOptions, type CollectDatasetResult } from '../../workflows/collect.js';
import { collectOnQueue } from '../../workflows/distributed/collect.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { withLayoutFile } from '../layout-file.js';
import { integerOption, jsonObjectOption, numberOption, withCtrlC } from '../options.js';
import { progressBar, showProgress } from '../progress.js';

/** Adds the `collect` subcommand. */
export function registerCollectCommand(program: Command): void {
  const command = program
    .command('collect')
    .description('run a policy in an environment and write a transition dataset (NumPy .npy files + manifest.json)')
    .requiredOption('--env <id>', 'registered environment id, e.g. Reach-v0')
    .option('--steps <n>', 'number of transitions to collect', integerOption(1))
    .option('--episodes <n>', 'number of episodes to collect', integerOption(1))
    .addOption(new Option('--policy <kind>', 'random | scripted | mpc (plan with --model every step: on-policy data)').choices(['random', 'scripted', 'mpc']).default('random'))
    .option('--model <dir>', '--policy mpc: world-model bundle to plan with')
    .addOption(
      new Option('--planner <name>', "--policy mpc: optimiser; random is random shooting (default: the environment's plan preset)").choices([
        'mppi',
        'cem',
        'icem',
        'random',
        'random-shooting',
      ]),
    )
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
    .option(
      '--random-starts <share>',
      "share of episodes (0…1) that start from a random physical state (the environment card's explorationStart: bodies in the air, sliding, in contact)",
      numberOption(0),
    )
    .option('--passive-steps <n>', 'begin each episode with 0…n steps (uniform) of the idle action: bodies fall, coast and rest uncontrolled', integerOption(0), 0)
    .option('--contact-prob <p>', 'probability per step of a contact excursion: an actuated body drives at a dynamic one for 1…--contact-steps steps', numberOption(0))
    .option('--contact-steps <n>', 'longest contact excursion, steps', integerOption(1), 30)
    .option('--workers <n>', 'environments stepped in parallel (worker threads when > 1)', integerOption(1), 1)
    .option('--seed <n>', 'base seed: episode k is reset with seed + k', integerOption(0), 0)
    .option('--env-options <json>', 'environment options as a JSON object', jsonObjectOption)
    .option('--layout-file <path>', 'Warehouse-v0: the layout in this file (ASCII map or MovingAI .map), as the `layout` environment option')
    .option('--max-episode-steps <n>', "the environment's time limit (default: the registered one, see embodied envs); steps in this thread", integerOption(1))
    .option('--checkpoint-every <n>', 'publish a valid partial dataset every n transitions', integerOption(0), 0)
    .option('--overwrite', 'replace the output directory if it exists')
    .option('--no-progress', 'no progress bar')
    .requiredOption('--out <dir>', 'output directory')
    .option(
      '--queue <url>',
      'collect through `embodied worker`s on this Redis (redis://host:port): shards of --shard-episodes episodes, assembled in seed order (--workers and --checkpoint-every are for local runs)',
    )
    .option('--shared <dir>', '--queue: the folder every worker mounts (shards and results; --model must be inside it)')
    .option('--shard-episodes <n>', '--queue: episodes per job', integerOption(1), 8)
    .option('--queue-name <name>', '--queue: BullMQ queue name', 'embodied')
    .option('--redis-options <json>', '--queue: ioredis options over those of the URL (password, tls)', jsonObjectOption);
  type QueueFlags = { queue?: string; shared?: string; shardEpisodes: number; queueName: string; redisOptions?: Record<string, unknown> };
  type Flags = Omit<CollectDatasetOptions, 'algorithm'> & QueueFlags & { progress: boolean; planner?: CollectDatasetOptions['algorithm']; layoutFile?: string };
  command.action(async ({ progress, planner, layoutFile, envOptions, queue, shared, shardEpisodes, queueName, redisOptions, ...o }: Flags) => {
    await withCtrlC(command, 'stopping after the current step', async (signal) => {
      const options = await withLayoutFile(envOptions, layoutFile);
      if (queue !== undefined || shared !== undefined) {
        if (queue === undefined || shared === undefined) throw new InvalidArgumentError('`queue` and `shared` go together: give both to collect through workers');
        if (o.episodes === undefined) throw new InvalidArgumentError('`queue` collects whole episodes: give `episodes` instead of `steps`');
        const { workers, checkpointEvery, steps, episodes, ...rest } = o;
        const bar = progressBar(showProgress(progress), `collect ${o.env} |{bar}| {value}/{total} jobs | {failed} failed | {retried} retried | ETA {eta_formatted}`);
        const r = await collectOnQueue({
          ...rest,
          episodes,
          ...(options !== undefined && { envOptions: options }),
          ...(planner !== undefined && { algorithm: planner }),
          queue,
          shared,
          shardEpisodes,
          queueName,
          ...(redisOptions !== undefined && { redis: redisOptions }),
          signal,
          onProgress: (p) => bar.update(p.done, p.total, { failed: p.failed, retried: p.retried }),
        }).finally(() => bar.stop());
        return report(r, `; jobs: ${r.jobs.done} done, ${r.jobs.retried} retried, ${r.jobs.resubmitted} resubmitted (run ${r.run})`);
      }
      const bar = progressBar(showProgress(progress), `collect ${o.env} |{bar}| {value}/{total} {unit} | {episodes} episodes | {rate} steps/s | ETA {eta_formatted}`);
      const started = performance.now();
      const r = await collectDataset({
        ...o,
        ...(options !== undefined && { envOptions: options }),
        ...(planner !== undefined && { algorithm: planner }),
        signal,
        onProgress: (p) => {
          const rate = (p.transitions / Math.max(1e-3, (performance.now() - started) / 1000)).toFixed(0);
          bar.update(p.unit === 'steps' ? p.transitions : p.episodes, p.total, { unit: p.unit, episodes: p.episodes, rate });
        },
      }).finally(() => bar.stop());
      report(r, '');
    });
  });
}

function report(r: CollectDatasetResult, jobs: string): void {
  const m = r.manifest;
  console.log(
    `${r.stopped ? 'stopped: wrote' : 'wrote'} ${m.counts.transitions} transitions in ${m.counts.episodes} episodes of ${m.envId} (policy ${m.policy}, seed ${m.seed}) to ${r.path}${jobs}`,
  );
  console.log(`content hash ${m.contentHash}`);
}
