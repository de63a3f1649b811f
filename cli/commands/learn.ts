/**
 * `embodied learn`: flags → {@link learn} (rounds of collect, train and validate until the targets are
 * met or the budget is spent). Each phase shows a progress bar; a line per finished round; Ctrl-C stops
 * the running round and keeps the last finished one (`--resume` continues).
 */
import type { Command } from 'commander';
import { formatDuration, learn, type LearnEvent, type LearnRoundRecord } from '../../workflows/learn.js';
import { integerOption, withCtrlC } from '../options.js';
import { progressBar, showProgress } from '../progress.js';

const f = (v: number | null, d = 2) => (v === null ? 'n/a' : v.toFixed(d));

/** One line per finished round. */
export function formatLearnRound(r: LearnRoundRecord): string {
  const s = r.scores;
  return [
    `round ${r.round} (${r.policy}, ${r.transitions} transitions, ${r.trainSteps} steps) in ${formatDuration(r.times.totalMs)}:`,
    `success ${f(s.successRate)} (oracle ${f(s.oracleSuccessRate)}) · PPS ${f(s.pps, 3)} · valid horizon ${s.validHorizon ?? `> ${s.driftHorizon}`}`,
    r.targetsMet ? '· targets met' : '',
  ].join(' ');
}

/** Adds the `learn` subcommand. */
export function registerLearnCommand(program: Command): void {
  const command = program
    .command('learn')
    .description(
      'make a validated world model: collect, train and on-policy rounds until the targets are met or the budget is spent (Ctrl-C keeps the last finished round; --resume continues)',
    )
    .requiredOption('--env <id>', 'environment id')
    .option('--budget <duration>', 'wall-clock budget, e.g. 90s, 10m, 1h', '10m')
    .option('--out <dir>', 'output folder (default out/learn/<env>)')
    .option('--seed <n>', 'seed of everything random', integerOption(0), 0)
    .option('--resume', 'continue the learn run in --out after its last finished round')
    .option('--overwrite', 'replace a learn run in --out')
    .option('--replay <run-or-bundle>', "make a learn run's model again: its rounds' episodes and training steps, no clock (--budget, --seed unused)")
    .option('--no-progress', 'no progress bars');
  command.action(async (o: { env: string; budget: string; out?: string; seed: number; resume?: boolean; overwrite?: boolean; replay?: string; progress: boolean }) => {
    await withCtrlC(command, 'stopping the running round (the last finished round stays published)', async (signal) => {
      const show = showProgress(o.progress);
      const bar = progressBar(show, 'round {round} {phase} |{bar}| {value}/{total} {detail}');
      let round = 0;
      let phase = '';
      const onEvent = (e: LearnEvent) => {
        switch (e.kind) {
          case 'round-start':
            round = e.round;
            console.error(
              `round ${e.round} of at most ${e.rounds} (${Number.isFinite(e.remainingMs) ? `${formatDuration(e.remainingMs)} of the budget left` : 'a replay: no clock'})`,
            );
            break;
          case 'phase':
            bar.stop();
            phase = e.phase;
            if (!show) console.error(`  ${e.phase}: ${e.detail}`);
            break;
          case 'collect-progress':
            bar.update(e.progress.unit === 'steps' ? e.progress.transitions : e.progress.episodes, e.progress.total, { round, phase, detail: e.progress.unit });
            break;
          case 'train-progress':
            bar.update(e.progress.step, e.progress.total, { round, phase, detail: `steps · loss ${Number.isNaN(e.progress.loss) ? '-' : e.progress.loss.toPrecision(3)}` });
            break;
          case 'validate-progress':
            bar.update(e.progress.done, e.progress.total, { round, phase, detail: e.progress.message });
            break;
          case 'round-done':
            bar.stop();
            console.log(formatLearnRound(e.record));
            break;
          case 'stopped':
            bar.stop();
        }
      };
      const r = await learn({
        env: o.env,
        budget: o.budget,
        ...(o.out !== undefined && { out: o.out }),
        seed: o.seed,
        resume: o.resume ?? false,
        overwrite: o.overwrite ?? false,
        ...(o.replay !== undefined && { replay: o.replay }),
        signal,
        onEvent,
      }).finally(() => bar.stop());
      const where = r.model ? `model ${r.model} (round ${r.selectedRound}, the best finished round)` : 'no finished round';
      console.log(`stopped (${r.stopReason}) after ${r.state.rounds.length} rounds in ${formatDuration(r.state.wallMs)}; ${where}; report ${r.out}/report.html`);
      const d = r.replay?.differingFiles;
      if (d)
        console.log(
          d.length === 0
            ? `replay: the same bundle as ${r.replay!.source}, byte for byte`
            : `replay: data as recorded; these files differ from ${r.replay!.source}: ${d.join(', ')}`,
        );
    });
  });
}
