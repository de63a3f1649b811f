/**
 * `embodied rl`: flags → {@link trainPpo} (PPO in a registered environment, rollouts in worker threads,
 * updates on ONNX), then optionally {@link evaluatePolicy} over held-out seeds. Ctrl-C saves a checkpoint
 * and exits; `--resume` continues from it.
 */
import { Option, type Command } from 'commander';
import { evaluatePolicy } from '../../workflows/evaluate-policy.js';
import { trainPpo } from '../../workflows/rl.js';
import { integerOption, jsonObjectOption, numberOption, withCtrlC } from '../options.js';
import { progressBar, showProgress } from '../progress.js';

/** Adds the `rl` subcommand. */
export function registerRlCommand(program: Command): void {
  const command = program
    .command('rl')
    .description('reinforcement learning in an environment (PPO), exported as a policy bundle (Ctrl-C saves a checkpoint; --resume continues)')
    .requiredOption('--env <id>', 'registered environment id, e.g. Reach-v0')
    .requiredOption('--out <dir>', 'policy bundle directory to write')
    .addOption(new Option('--algo <name>', 'algorithm').choices(['ppo']).default('ppo'))
    .option('--env-options <json>', 'environment options as a JSON object', jsonObjectOption)
    .option('--steps <n>', 'environment-step budget', integerOption(1), 1_000_000)
    .option('--minutes <x>', 'wall-time budget in minutes', numberOption(0))
    .option('--target <x>', 'stop once this share of the last 50 training episodes succeeded (0–1)', numberOption(0))
    .option('--envs <n>', 'environments stepped in parallel (in worker threads)', integerOption(1), 16)
    .option('--workers <n>', 'worker threads (default: one per core)', integerOption(1))
    .option('--seed <n>', 'seed of everything random', integerOption(0), 0)
    .option('--ppo <json>', 'PPO settings (rolloutSteps, epochs, minibatchSize, gamma, lambda, lr, clip, valueClip, entropyCoef, …)', jsonObjectOption)
    .option('--network <json>', 'policy network settings (PolicyConfig)', jsonObjectOption)
    .option('--eval <n>', 'then play n episodes (seeds 100, 101, …) and print the success rate', integerOption(0), 20)
    .option('--resume', 'continue from the checkpoint (<out>.ckpt) if it exists')
    .option('--overwrite', 'replace an existing policy bundle')
    .option('--no-progress', 'no progress bar');
  command.action(async (o: Record<string, unknown>) => {
    await withCtrlC(command, 'saving a checkpoint after the current iteration', async (signal) => {
      const total = o.steps as number;
      const bar = progressBar(showProgress(o.progress as boolean), 'ppo |{bar}| {value}/{total} steps | success {success} | return {ret} | {rate} steps/s', { etaBuffer: 20 });
      const r = await trainPpo({
        env: o.env as string,
        out: o.out as string,
        ...(o.envOptions !== undefined && { envOptions: o.envOptions as Record<string, unknown> }),
        totalSteps: total,
        ...(o.minutes !== undefined && { maxSeconds: (o.minutes as number) * 60 }),
        ...(o.target !== undefined && { targetSuccess: o.target as number }),
        numEnvs: o.envs as number,
        ...(o.workers !== undefined && { workers: o.workers as number }),
        ppo: { ...((o.ppo as Record<string, unknown> | undefined) ?? {}), seed: o.seed as number },
        ...(o.network !== undefined && { network: o.network as Record<string, unknown> }),
        resume: (o.resume as boolean | undefined) ?? false,
        overwrite: (o.overwrite as boolean | undefined) ?? false,
        signal,
        onIteration: (it, s) =>
          bar.update(Math.min(it.envSteps, total), total, {
            success: Number.isNaN(s.recentSuccess) ? '-' : s.recentSuccess.toFixed(2),
            ret: Number.isNaN(s.recentReturn) ? '-' : s.recentReturn.toFixed(1),
            rate: s.stepsPerSecond.toFixed(0),
          }),
      }).finally(() => bar.stop());
      const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
      console.log(
        `${r.reason === 'stopped' ? 'stopped' : `finished (${r.reason})`} after ${r.envSteps} env steps in ${r.seconds.toFixed(0)} s: ${r.stepsPerSecond.toFixed(0)} steps/s; time in environments ${pct(r.share.env)}, inference ${pct(r.share.inference)}, updates ${pct(r.share.update)}; checkpoint ${r.checkpoint}`,
      );
      if (r.stopped) return console.log('continue with --resume');
      console.log(`policy bundle ${r.bundle} (curves.html inside)`);
      const n = o.eval as number;
      if (n > 0) {
        const e = await evaluatePolicy({ policy: r.bundle!, seeds: Array.from({ length: n }, (_v, i) => 100 + i) });
        console.log(`${e.envId}: success ${pct(e.summary.successRate)} over ${n} episodes (seeds 100–${99 + n}), mean return ${e.summary.return.mean.toFixed(2)}`);
      }
    });
  });
}
