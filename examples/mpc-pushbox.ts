/**
 * MPC in latent space: an RxJS agent plans inside a learned PushBox world model and acts in Rapier;
 * `--oracle` plans with Rapier itself (the perfect model, the upper bound) instead. With no planner
 * flags the model is planned with the settings certified in its manifest (`manifest.planner`: iCEM,
 * 128 samples × horizon 25 × 3 iterations for the shipped model), the oracle with the environment's preset.
 *
 * The pieces: `createPlanSource` builds model + reward objective + optimiser from plain data;
 * `mpcAgent` turns it into an RxJS operator from percepts to actions (plan, act, replan, warm-start;
 * deadlines and fallbacks when asked); `runEpisodes` runs seeded Rapier episodes through it; the
 * agent's `telemetry$` stream reports every plan's latency.
 *
 *   npx tsx examples/mpc-pushbox.ts                              # shipped models/pushbox, its certified settings, 5 episodes
 *   npx tsx examples/mpc-pushbox.ts --oracle --episodes 3        # plan with Rapier (iCEM 32 × 15 × 3)
 *   npx tsx examples/mpc-pushbox.ts --model my-bundle/ --samples 256 --horizon 12 --iterations 4 --replan-every 2
 *   npx tsx examples/mpc-pushbox.ts --planner icem                # or cem, random-shooting
 *
 * In your own project, import from 'embodied' instead of '../index.js'.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { filter, lastValueFrom, map, tap, toArray } from 'rxjs';
import { createPlanSource, formatMeanCI, make, mpcAgent, percentile, runEpisodes, summarizeEpisodes, type PlanTelemetry } from '../index.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: fileURLToPath(new URL('../models/pushbox', import.meta.url)) },
    oracle: { type: 'boolean', default: false },
    planner: { type: 'string' },
    episodes: { type: 'string', default: '5' },
    seed: { type: 'string', default: '100' },
    'max-steps': { type: 'string', default: '200' },
    horizon: { type: 'string' },
    samples: { type: 'string' },
    iterations: { type: 'string' },
    'replan-every': { type: 'string' },
  },
});
if (!args.oracle && !existsSync(`${args.model}/manifest.json`)) {
  console.error(`no world-model bundle at ${args.model}; pass --model <dir>, or --oracle to plan with Rapier`);
  process.exit(1);
}
const envId = 'PushBox-v0';
const seeds = Array.from({ length: Number(args.episodes) }, (_, i) => Number(args.seed) + i);
const planner = args.planner as 'mppi' | 'cem' | 'icem' | 'random-shooting' | undefined; // createPlanSource rejects other names
// Only what a flag sets: the rest comes from the bundle's certified settings (or the environment's preset).
const budget = {
  ...(planner !== undefined && { algorithm: planner }),
  ...(args.horizon !== undefined && { horizon: Number(args.horizon) }),
  ...(args.samples !== undefined && { samples: Number(args.samples) }),
  ...(args.iterations !== undefined && { iterations: Number(args.iterations) }),
  ...(args['replan-every'] !== undefined && { replanEvery: Number(args['replan-every']) }),
};

// The same flags either way; the model differs (latents of the bundle, or Rapier states).
const source = await createPlanSource(args.oracle ? { envId, oracle: true, ...budget } : { envId, model: args.model, ...budget });
const { algorithm, horizon, samples, iterations, replanEvery } = source.preset;
console.log(
  `${algorithm.toUpperCase()} with ${args.oracle ? 'the Rapier oracle' : `the world model at ${source.modelName}`}: horizon ${horizon}, ${samples} samples × ${iterations} iterations, replan every ${replanEvery}`,
);

const agent = mpcAgent({ source, replanEvery, seed: 0 });
const planMs: number[] = [];
agent.telemetry$.pipe(filter((e): e is PlanTelemetry => e.kind === 'plan')).subscribe((e) => planMs.push(e.ms));

// One Rapier episode per seed; each EpisodeResult is printed as it arrives.
const results = await lastValueFrom(
  runEpisodes(() => make(envId), agent, { seeds, maxSteps: Number(args['max-steps']) }).pipe(
    tap((r) =>
      console.log(
        `seed ${r.seed}: ${r.success ? 'success' : 'no success'} after ${r.length} steps, return ${r.return.toFixed(2)}${r.truncated && !r.success ? ' (truncated)' : ''}`,
      ),
    ),
    toArray(),
    map(summarizeEpisodes),
  ),
);
console.log(
  `success rate ${(100 * results.successRate).toFixed(0)}% (${Math.round(results.successRate * results.episodes)}/${results.episodes}), return ${formatMeanCI(results.return)}, length ${formatMeanCI(results.length, 1)}`,
);
console.log(`plan latency over ${planMs.length} plans: p50 ${percentile(planMs, 0.5).toFixed(1)} ms, p95 ${percentile(planMs, 0.95).toFixed(1)} ms`);
await source.close();
