/**
 * The shipped bundles: they load, are small, say what trained them (matching their recipe in
 * agents/demo/demo-tasks.ts and models/README.md), and behave as environments (checkEnv).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { demoTasks, recipeCommands, shippedBundle, packageRoot, trainConfig } from '../../workflows/demo/demo-tasks.js';
import { checkEnv } from '../../src/check.js';
import { make } from '../../src/registry.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { WorldModelEnv } from '../../src/worldmodel/world-model-env.js';
import { learnSettings, parseDuration, type ResolvedLearnSettings } from '../../workflows/learn.js';

const tasks = demoTasks();

describe.each(tasks)('models/$bundle', (task) => {
  const dir = shippedBundle(task);

  it('loads, fits its environment, is under 5 MB and records the recipe that trained it', async () => {
    const bytes = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
    expect(bytes).toBeLessThan(5e6);
    const model = await WorldModel.load(dir);
    try {
      const env = make(task.envId, task.envOptions);
      expect(model.manifest.envId).toBe(task.envId);
      expect(model.obsDim).toBe(env.observationSpace.shape[0]);
      expect(model.actionDim).toBe(env.actionSpace.shape[0]);
      await env.close();
      const p = model.manifest.provenance;
      expect(p.rapierVersion).toBe('0.21.0');
      const config = p.config as Record<string, unknown>;
      const made = task.madeByLearn;
      if (made) {
        // The model learn published for the card's seed and budget, trained with learn's settings for it.
        const learned = p.learn as { env: string; seed: number; budgetMs: number; settings: ResolvedLearnSettings; datasetHashes: string[] };
        expect([learned.env, learned.seed, learned.budgetMs]).toEqual([task.envId, made.seed, parseDuration(made.budget)]);
        expect(learned.settings).toEqual(learnSettings(task.envId, parseDuration(made.budget)));
        // An observation-space model's state is the observation: its latent size is the observation's, not `latentDim`.
        const observationSpace = config.space === 'observation';
        for (const [key, value] of Object.entries(trainConfig({ ...learned.settings.train, seed: 0 })))
          if (!(observationSpace && (key === 'latentDim' || key === 'simNormGroup'))) expect([key, config[key]]).toEqual([key, value]);
        expect(model.latentDim).toBe(observationSpace ? model.obsDim : learned.settings.train.latentDim);
        expect(model.manifest.planner?.certified).toBeDefined();
      } else {
        const t = task.recipe.train;
        expect(p.trainingSteps).toBe(t.steps);
        expect(p.seed).toBe(t.seed);
        expect(model.latentDim).toBe(t.latentDim);
        // Every setting the recipe's flags and --config mean is what the bundle was trained with.
        for (const [key, value] of Object.entries(trainConfig(t))) expect([key, config[key]]).toEqual([key, value]);
        // One dataset per collection step of the recipe (the scripted one, then one per on-policy round).
        const rounds = task.recipe.onPolicy?.length ?? 0;
        if (rounds > 0) expect(p.datasetHashes).toHaveLength(rounds + 1);
        else expect(p.datasetHashes).toBeUndefined();
      }
      expect(model.manifest.files.initialObservations).toBeDefined();
    } finally {
      await model.close();
    }
  });

  it('passes checkEnv as a WorldModelEnv', async () => {
    const env = await WorldModelEnv.load(dir, { maxEpisodeSteps: 50 });
    const report = await checkEnv(env);
    expect(report.failures).toEqual([]);
    expect(report.passed).toBe(true);
    await env.close();
  });

  it('is documented in models/README.md with the exact commands of its recipe', () => {
    const readme = readFileSync(join(packageRoot(), 'models', 'README.md'), 'utf8');
    for (const command of recipeCommands(task)) expect(readme).toContain(command);
    const p = (
      JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { provenance: { datasetHash: string; datasetHashes?: string[]; learn?: { datasetHashes: string[] } } }
    ).provenance;
    for (const hash of p.learn?.datasetHashes ?? p.datasetHashes ?? [p.datasetHash]) expect(readme).toContain(hash);
  });
});
