/**
 * `embodied rl`: flags → {@link trainPpo} (PPO in a registered environment, rollouts in worker threads,
 * updates on ONNX) or {@link trainInImagination} (`--algo imagination --model <bundle>`: actor-critic
 * inside a world model, no environment step), then optionally {@link evaluatePolicy} over held-out seeds in
 * Rapier. Ctrl-C saves a checkpoint and exits; `--resume` continues from it.
 */
import { Option, type Command } from 'commander';
import { InvalidArgumentError } from '../../src/errors.js';
import { evaluatePolicy } from '../../workflows/evaluate-policy.js';
import { trainInImagination } from '../../workflows/imagine.js';
import { trainPpo } from '../../workflows/rl.js';
import { integerOption, jsonObjectOption, numberOption, withCtrlC } from '../options.js';
import { progressBar, showProgress } from '../progress.js';

/** Adds the `rl` subcommand. */
export function registerRlCommand(program: Command): void {
  const command = program
    .command('rl')
    .description('reinforcement learning in an environment (PPO), exported as a policy bundle (Ctrl-C saves a checkpoint; --resume continues)')
    .option('--env <id>', 'registered environment id, e.g. Reach-v0 (ppo)')
    .requiredOption('--out <dir>', 'policy bundle directory to write')
    .addOption(new Option('--algo <name>', 'algorithm').choices(['ppo', 'imagination']).default('ppo'))
    .option('--model <dir>', 'imagination: the world-model bundle to train in')
    .option('--data <dir>', 'imagination: a dataset whose observations join the start states')
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
    if (o.algo === 'imagination') return imagination(command, o);
    await withCtrlC(command, 'saving a checkpoint after the current iteration', async (signal) => {
      if (o.env === undefined) throw new InvalidArgumentError('embodied rl --algo ppo needs --env <id>');
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
      await evaluate(r.bundle!, o.eval as number);
    });
  });
}

async function evaluate(bundle: string, n: number): Promise<void> {
  if (n === 0) return;
  const e = await evaluatePolicy({ policy: bundle, seeds: Array.from({ length: n }, (_v, i) => 100 + i) });
  console.log(`${e.envId}: success ${(e.summary.successRate * 100).toFixed(0)}% over ${n} episodes (seeds 100–${99 + n}), mean return ${e.summary.return.mean.toFixed(2)}`);
}

async function imagination(command: Command, o: Record<string, unknown>): Promise<void> {
  await withCtrlC(command, 'saving a checkpoint after the current steps', async (signal) => {
    if (o.model === undefined) throw new InvalidArgumentError('embodied rl --algo imagination needs --model <world-model bundle>');
    const total = o.steps === 1_000_000 ? 3000 : (o.steps as number);
    const bar = progressBar(showProgress(o.progress as boolean), 'imagination |{bar}| {value}/{total} steps | imagined return {ret}', { etaBuffer: 20 });
    const r = await trainInImagination({
      model: o.model as string,
      out: o.out as string,
      steps: total,
      ...(o.data !== undefined && { data: o.data as string }),
      seed: o.seed as number,
      ...(o.network !== undefined && { network: o.network as Record<string, unknown> }),
      resume: (o.resume as boolean | undefined) ?? false,
      overwrite: (o.overwrite as boolean | undefined) ?? false,
      signal,
      onProgress: (p) => bar.update(p.step, p.total, { ret: p.imaginedReturn.toFixed(3) }),
    }).finally(() => bar.stop());
    if (r.stopped) return console.log(`stopped at step ${r.steps}; checkpoint ${r.checkpoint} (continue with --resume)`);
    console.log(`trained ${r.steps} steps in imagination from ${r.starts} real start states (no environment steps); policy bundle ${r.bundle}`);
    await evaluate(r.bundle!, o.eval as number);
  });
}
