/**
 * Quickstart: make a registered environment, reset it with a seed, step it with random actions.
 *
 * Shows the Gymnasium API in TypeScript: `make(id)` → `reset({ seed })` → `step(action)` returning
 * `{ observation, reward, terminated, truncated, info }`, with `info.success` on every task env; then
 * `checkEnv`, the conformance checker, in one line.
 *
 *   npx tsx examples/quickstart.ts                       # PushBox-v0, seed 42, one episode
 *   npx tsx examples/quickstart.ts --env Reach-v0 --seed 7 --episodes 3 --max-steps 50
 *
 * In your own project, import from 'embodied' instead of '../index.js'.
 */
import { parseArgs } from 'node:util';
import { checkEnv, make, Rng } from '../index.js';

const { values: args } = parseArgs({
  options: {
    env: { type: 'string', default: 'PushBox-v0' },
    seed: { type: 'string', default: '42' },
    episodes: { type: 'string', default: '1' },
    'max-steps': { type: 'string', default: '200' },
  },
});
const envId = args.env;
const seed = Number(args.seed);
const episodes = Number(args.episodes);
const maxSteps = Number(args['max-steps']);

const env = make(envId); // the registered environment, wrapped in its TimeLimit
console.log(`${envId}: observation ${env.observationSpace.type}[${env.observationSpace.shape}], action ${env.actionSpace.type}[${env.actionSpace.shape}]`);

const rng = Rng.fromSeed(seed); // the only source of randomness: same seed, same bits
for (let episode = 0; episode < episodes; episode++) {
  // Seeding the first reset is enough: later resets continue the environment's own stream.
  let { observation } = await env.reset(episode === 0 ? { seed } : {});
  let episodeReturn = 0;
  let steps = 0;
  let success = false;
  while (steps < maxSteps) {
    const step = await env.step(env.actionSpace.sample(rng));
    observation = step.observation;
    episodeReturn += step.reward;
    steps++;
    success = step.info.success === true;
    if (step.terminated || step.truncated) break; // terminated: the task ended; truncated: time limit or bounds
  }
  console.log(
    `episode ${episode}: ${steps} steps, return ${episodeReturn.toFixed(3)}, success ${success}, last observation [${Array.from(observation.subarray(0, 4), (v) => v.toFixed(3)).join(', ')}, …]`,
  );
}
if (env.metadata.renderModes.includes('ansi')) console.log(env.render?.('ansi'));
await env.close();

// The conformance checks (seeding, determinism, exact state restore, spaces, lifecycle errors) in one line.
const report = await checkEnv(make(envId));
console.log(
  `checkEnv(${envId}): ${report.passed ? 'passed' : 'FAILED'} — ${report.checks.filter((c) => c.passed && !c.skipped).length}/${report.checks.length} checks passed, ${report.warnings.length} warnings${report.failures.map((f) => `\n  ${f.check}: ${f.message}`).join('')}`,
);
process.exitCode = report.passed ? 0 : 1;
