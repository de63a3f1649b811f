/** `embodied envs`: lists the registered environments. */
import type { Command } from 'commander';
import { listRegistrations } from '../../src/registry.js';

/** Adds the `envs` subcommand. */
export function registerEnvsCommand(program: Command): void {
  program
    .command('envs')
    .description('list the registered environments')
    .option('--json', 'print JSON instead of a table')
    .action((opts: { json?: boolean }) => {
      const regs = listRegistrations();
      if (opts.json) {
        console.log(
          JSON.stringify(
            regs.map((r) => ({ id: r.id, maxEpisodeSteps: r.maxEpisodeSteps, rewardThreshold: r.rewardThreshold, description: r.description })),
            null,
            2,
          ),
        );
        return;
      }
      const width = Math.max(4, ...regs.map((r) => r.id.length));
      console.log(`${'id'.padEnd(width)}  steps  description`);
      for (const r of regs) console.log(`${r.id.padEnd(width)}  ${String(r.maxEpisodeSteps ?? '-').padStart(5)}  ${r.description ?? ''}`);
    });
}
