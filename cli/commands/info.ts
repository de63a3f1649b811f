/**
 * `embodied info <path>`: flags → {@link describePath} (a world-model bundle or a transition dataset,
 * validated completely and described).
 */
import type { Command } from 'commander';
import { describePath } from '../../workflows/info.js';
import { reportErrors } from '../options.js';

/** Adds the `info` subcommand. */
export function registerInfoCommand(program: Command): void {
  const command = program
    .command('info')
    .description('validate and describe a world-model bundle or a dataset directory')
    .argument('<path>', 'bundle or dataset directory')
    .option('--json', 'print the manifest and summary as JSON')
    .option('--quick', 'datasets: read the manifest only (skip loading and hashing the data)');
  command.action(async (path: string, o: { json?: boolean; quick?: boolean }) => {
    await reportErrors(command, async () => {
      const r = await describePath(path, o.quick ?? false);
      console.log(o.json ? JSON.stringify({ kind: r.kind, path: r.path, ...r.summary }, null, 2) : r.text);
    });
  });
}
