/**
 * The `embodied` command line (commander). Each subcommand lives in `cli/commands/<name>.ts` and
 * registers itself on the program. This is the composition root: it imports the built-in
 * environments and agents, which `src/` never does.
 */
import { Command } from 'commander';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import '../environments/index.js';
import { registerEnvsCommand } from './commands/envs.js';
import { registerCollectCommand } from './commands/collect.js';
import { registerInfoCommand } from './commands/info.js';
import { registerTrainCommand } from './commands/train.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerLearnCommand } from './commands/learn.js';
import { registerCertifyCommand } from './commands/certify.js';
import { registerWorkerCommand } from './commands/worker.js';
import { registerSweepCommand } from './commands/sweep.js';
import { registerFleetCommand } from './commands/fleet.js';
import { registerViewCommand } from './commands/view.js';
import { registerBcCommand } from './commands/bc.js';
import { registerRlCommand } from './commands/rl.js';
import { packageVersion } from './version.js';

const program = new Command()
  .name('embodied')
  .description('Embodied: Rapier environments, world models as environments, latent-space MPC, validation against physics.')
  .version(packageVersion(), '-V, --version', 'print the version of Embodied')
  .showHelpAfterError()
  .option(
    '--import <module>',
    'a module to import before the command runs, e.g. a file that registers your own environment card (registerCard); repeatable',
    (module: string, modules: string[]) => [...modules, module],
    [] as string[],
  );

// Your own environments, cards and policies: imported once, before any subcommand runs.
program.hook('preAction', async () => {
  for (const module of (program.opts() as { import: string[] }).import) {
    try {
      await import(pathToFileURL(resolve(module)).href);
    } catch (e) {
      console.error(`embodied: cannot import --import ${module}: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    }
  }
});

registerEnvsCommand(program);
registerCollectCommand(program);
registerInfoCommand(program);
registerTrainCommand(program);
registerPlanCommand(program);
registerValidateCommand(program);
registerDemoCommand(program);
registerLearnCommand(program);
registerCertifyCommand(program);
registerWorkerCommand(program);
registerSweepCommand(program);
registerFleetCommand(program);
registerViewCommand(program);
registerBcCommand(program);
registerRlCommand(program);

await program.parseAsync(process.argv);
