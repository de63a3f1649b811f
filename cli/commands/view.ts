/**
 * `embodied view [replay.json | bundle] [--env id]`: flags → {@link serveViewer} (a local page on
 * 127.0.0.1, until Ctrl-C) or, with `--out dir`, {@link writeViewer} (the same page as static files that
 * open from disk).
 */
import type { Command } from 'commander';
import { serveViewer, writeViewer, type ViewData } from '../../workflows/view.js';
import { integerOption, reportErrors, withCtrlC } from '../options.js';

/** What the page will show, in a line. */
function describe(data: ViewData): string {
  if (data.problem) return `the page shows a problem: ${data.problem}`;
  const modes = [data.replay && 'replay', data.bundle && 'dream vs real', data.env && 'play'].filter(Boolean).join(', ');
  return `${data.title}: ${modes}`;
}

/** Adds the `view` subcommand. */
export function registerViewCommand(program: Command): void {
  const command = program
    .command('view')
    .description('the browser viewer: replay an episode (replay.json from `embodied demo`), dream vs real and play with a world-model bundle or an environment')
    .argument('[input]', 'a replay.json, or a world-model bundle directory')
    .option('--env <id>', 'an environment to play (with its shipped world model, when there is one), e.g. PushBox-v0')
    .option('--out <dir>', 'write the page as static files into <dir> (open index.html from disk) instead of serving it')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', integerOption(0), 0);
  command.action(async (input: string | undefined, { env, out, port }: { env?: string; out?: string; port: number }) => {
    const what = { ...(input !== undefined && { input }), ...(env !== undefined && { envId: env }) };
    if (out !== undefined) {
      await reportErrors(command, async () => {
        const written = await writeViewer({ ...what, out });
        console.log(`${describe(written.data)}\nwrote ${written.index}\nopen ${written.url}`);
      });
      return;
    }
    await withCtrlC(command, 'stopping the viewer', async (signal) => {
      const server = await serveViewer({ ...what, port });
      console.log(`${describe(server.data)}\nviewer at ${server.url} (Ctrl-C stops it)`);
      await new Promise<void>((ok) => signal.addEventListener('abort', () => ok(), { once: true }));
      await server.close();
    });
  });
}
