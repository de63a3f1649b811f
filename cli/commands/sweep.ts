/**
 * `embodied sweep`: flags → {@link sweep}. MPC episodes for every model × planner over a seed range — as
 * evaluate jobs for `embodied worker`s with `--queue`, else here — gathered into one JSON file.
 */
import { Option, type Command } from 'commander';
import { formatMeanCI } from '../../agents/episode-stats.js';
import { sweep, type SweepOptions } from '../../workflows/distributed/sweep.js';
import { integerOption, jsonObjectOption, withCtrlC } from '../options.js';
import { progressBar, showProgress } from '../progress.js';

/** Adds the `sweep` subcommand. */
export function registerSweepCommand(program: Command): void {
  const command = program
    .command('sweep')
    .description('plan MPC episodes for every model × planner over a seed range (on workers with --queue) and write one JSON report')
    .requiredOption('--env <id>', 'registered environment id, e.g. PushBox-v0')
    .requiredOption('--models <dirs...>', 'world-model bundles (inside --shared with --queue); `oracle` plans with Rapier itself')
    .addOption(
      new Option('--planners <names...>', "optimisers to compare (default: each model's certified settings)").choices(['mppi', 'cem', 'icem', 'random', 'random-shooting']),
    )
    .option('--episodes <n>', 'episodes per model and planner', integerOption(1), 10)
    .option('--seed <n>', 'first seed: episode k is reset with seed + k', integerOption(0), 0)
    .option('--episodes-per-job <n>', 'episodes per job', integerOption(1), 5)
    .option('--horizon <n>', 'planning horizon', integerOption(1))
    .option('--samples <n>', 'candidates per iteration', integerOption(1))
    .option('--iterations <n>', 'optimiser iterations', integerOption(1))
    .option('--max-steps <n>', 'step limit per episode', integerOption(1))
    .option('--env-options <json>', 'environment options as a JSON object', jsonObjectOption)
    .requiredOption('--out <file>', 'the JSON report to write')
    .option('--overwrite', 'replace --out if it exists')
    .option('--queue <url>', 'run the episodes as jobs for embodied workers on this Redis (redis://host:port)')
    .option('--shared <dir>', '--queue: the folder every worker mounts')
    .option('--queue-name <name>', '--queue: BullMQ queue name', 'embodied')
    .option('--redis-options <json>', '--queue: ioredis options over those of the URL (password, tls)', jsonObjectOption)
    .option('--no-progress', 'no progress bar');
  type Flags = Omit<SweepOptions, 'redis'> & { progress: boolean; redisOptions?: Record<string, unknown> };
  command.action(async ({ progress, redisOptions, ...o }: Flags) => {
    await withCtrlC(command, 'stopping the sweep', async (signal) => {
      const bar = progressBar(showProgress(progress), `sweep ${o.env} |{bar}| {value}/{total} jobs | {failed} failed | {retried} retried | ETA {eta_formatted}`);
      const r = await sweep({
        ...o,
        ...(redisOptions !== undefined && { redis: redisOptions }),
        signal,
        onProgress: (p) => bar.update(p.done, p.total, { failed: p.failed, retried: p.retried }),
      }).finally(() => bar.stop());
      for (const c of r.cells) {
        const s = c.summary;
        console.log(`${c.model} · ${c.planner}: success ${(100 * s.successRate).toFixed(1)}% · return ${formatMeanCI(s.return)} · ${s.episodes} episodes`);
      }
      console.log(`wrote ${o.out}${r.run !== undefined ? ` (run ${r.run})` : ''}`);
    });
  });
}
