/**
 * The acceptance check "MPC on a trained world model solves Reach-v0": collect 20 000 random-action
 * Reach transitions, train a small world model with the SDK's trainer (2 000 steps), then plan in its
 * latent space with MPPI through `mpcAgent` and run real Rapier episodes.
 *
 * Random actions matter: data from the scripted reacher (even with action noise 0.5) teaches the model
 * that "the ball moves toward the goal" whatever the action — it then plans the wrong way.
 *
 * Slow by design (one training run): ~15 s on an idle 2-core machine, about 2 min under heavy load.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../environments/index.js';
import { collectDataset } from '../../workflows/collect.js';
import { trainWorldModel } from '../../workflows/train.js';
import { createPlanSource, type OwnedPlanSource } from '../../agents/plan-factory.js';
import { mpcAgent, type MpcTelemetry } from '../../agents/mpc-agent.js';
import { randomAgent } from '../../agents/random-agent.js';
import { evaluateAgent } from '../../agents/run-episodes.js';
import { make } from '../../src/registry.js';
import type { Box } from '../../src/spaces.js';

const SEEDS = [100, 101, 102, 103, 104];
let dir: string;
let source: OwnedPlanSource;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agents-wm-'));
  await collectDataset({ env: 'Reach-v0', steps: 20_000, policy: 'random', seed: 0, out: join(dir, 'data') });
  const config = {
    latentDim: 16,
    simNormGroup: 0,
    encoderHidden: [64],
    dynamicsHidden: [64, 64],
    rewardHidden: [64],
    decoderHidden: [64],
    batchSize: 64,
    horizon: 5,
    lr: 3e-3,
    lrSchedule: 'cosine' as const,
    lrDecaySteps: 2000,
  };
  await trainWorldModel({ data: join(dir, 'data'), out: join(dir, 'model'), steps: 2000, seed: 1, config });
  source = await createPlanSource({ envId: 'Reach-v0', model: join(dir, 'model'), algorithm: 'mppi', horizon: 10, samples: 256, iterations: 4 });
}, 600_000);

afterAll(async () => {
  await source?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('MPC in the latent space of a trained world model', () => {
  it('solves Reach-v0 in Rapier (random actions never do)', async () => {
    expect(source.modelName).toBe(join(dir, 'model'));
    const agent = mpcAgent({ source });
    const plans: MpcTelemetry[] = [];
    agent.telemetry$.subscribe((e) => plans.push(e));
    const planned = await evaluateAgent(() => make('Reach-v0'), agent, { seeds: SEEDS });
    const space = make('Reach-v0').actionSpace as Box;
    const random = await evaluateAgent(() => make('Reach-v0'), randomAgent(space, 1), { seeds: SEEDS });
    expect(planned.summary.successRate).toBeGreaterThanOrEqual(0.8);
    expect(random.summary.successRate).toBe(0);
    expect(planned.summary.return.mean).toBeGreaterThan(random.summary.return.mean);
    expect(plans.every((e) => e.kind === 'plan' && e.iterations === 4 && e.nanCount === 0)).toBe(true);
  }, 600_000);
});
