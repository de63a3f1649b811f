/** `embodied envs [id]`: lists the registered environments, or describes one (spaces, options). */
import type { Command } from 'commander';
import { listRegistrations } from '../../src/registry.js';
import { envDetails, formatEnvDetails } from '../../workflows/describe-env.js';
import { reportErrors } from '../options.js';

/** Adds the `envs` subcommand. */
export function registerEnvsCommand(program: Command): void {
  const command = program
    .command('envs')
    .description('list the registered environments, or describe one: its observation, action and options (embodied envs Warehouse-v0)')
    .argument('[id]', 'an environment id to describe')
    .option('--json', 'print JSON instead of a table');
  command.action(async (id: string | undefined, opts: { json?: boolean }) => {
    if (id !== undefined) {
      await reportErrors(command, async () => {
        const details = await envDetails(id);
        console.log(opts.json ? JSON.stringify(details, null, 2) : formatEnvDetails(details));
      });
      return;
    }
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
