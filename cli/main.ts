/**
 * The `embodied` command line (commander). Each subcommand lives in `cli/commands/<name>.ts` and
 * registers itself on the program. This is the composition root: it imports the built-in
 * environments and agents, which `src/` never does.
 */
import { Command } from 'commander';
import '../environments/index.js';
import { registerEnvsCommand } from './commands/envs.js';
import { registerCollectCommand } from './commands/collect.js';
import { registerInfoCommand } from './commands/info.js';
import { registerTrainCommand } from './commands/train.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerDemoCommand } from './commands/demo.js';

const program = new Command()
  .name('embodied')
  .description('Embodied: Rapier environments, world models as environments, latent-space MPC, validation against physics.')
  .showHelpAfterError();

registerEnvsCommand(program);
registerCollectCommand(program);
registerInfoCommand(program);
registerTrainCommand(program);
registerPlanCommand(program);
registerValidateCommand(program);
registerDemoCommand(program);

await program.parseAsync(process.argv);
