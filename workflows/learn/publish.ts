/**
 * What a learn run publishes after each finished round: `model/` (the best finished round's bundle,
 * with the run's provenance in `manifest.json` under `provenance.learn`) and `report.html` (the
 * per-round curve). Both are replaced atomically, so Ctrl-C or a kill leaves the last finished round's.
 *
 * @module
 */
import { cp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../../src/atomic-write.js';
import { planPresetFor } from '../../environments/cards.js';
import type { PlannerSettings } from '../../src/worldmodel/manifest.js';
import { algorithmName } from '../plan.js';
import { combinedHash } from '../train.js';
import { renderLearnReport } from './report.js';
import type { LearnRoundRecord, LearnState } from './state.js';

/** A round's learned-MPC success: its confirmation episodes' when it has them, else its quick validation's. */
export function roundSuccess(r: LearnRoundRecord): number {
  return r.confirmation ? r.confirmation.successes / Math.max(1, r.confirmation.episodes) : (r.scores.successRate ?? -1);
}

/**
 * The best finished round: one that met its targets before one that did not, then the highest learned-MPC
 * success (confirmed where confirmed), then PPS, then the later round. (A quick validation's 5/5 is not
 * ranked above a confirmed 18/20 when the round missed another target.)
 */
export function bestRound(rounds: readonly LearnRoundRecord[]): LearnRoundRecord | undefined {
  const key = (r: LearnRoundRecord) => [r.targetsMet ? 1 : 0, roundSuccess(r), r.scores.pps ?? -1, r.round];
  return rounds.reduce<LearnRoundRecord | undefined>((best, r) => {
    if (!best) return r;
    const [a, b] = [key(r), key(best)];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]! ? r : best;
    return best;
  }, undefined);
}

/** `provenance.learn` of the published bundle. */
export function learnProvenance(state: LearnState, selected: LearnRoundRecord): Record<string, unknown> {
  const trainedOn = (selected.trainedOn ?? state.rounds.filter((r) => r.round <= selected.round).map((r) => r.round)).map((k) => state.rounds[k]!.datasetHash);
  const v = state.settings.validation;
  return {
    format: state.format,
    env: state.env,
    seed: state.seed,
    selection: 'best',
    selectedRound: selected.round,
    datasetHashes: trainedOn,
    datasetHash: trainedOn.length === 1 ? trainedOn[0] : combinedHash(trainedOn),
    wallMs: Math.round(state.wallMs),
    budgetMs: state.budgetMs,
    planner: { algorithm: v.algorithm, horizon: v.horizon, samples: v.samples, iterations: v.iterations, replanEvery: v.replanEvery },
    validation: { quick: true, seed: selected.validationSeed, episodes: v.episodes, maxSteps: v.maxSteps, scores: selected.scores },
    targets: state.settings.targets,
    // Everything a replay (`learn({ replay })`) needs to make this bundle again.
    settings: state.settings,
    rounds: state.rounds.map((r) => ({
      round: r.round,
      policy: r.policy,
      datasetHash: r.datasetHash,
      transitions: r.transitions,
      episodes: r.episodes,
      collectSeed: r.collectSeed,
      trainSteps: r.trainSteps,
      ...(r.trainStepsPlanned !== undefined && { trainStepsPlanned: r.trainStepsPlanned }),
      trainSeed: r.trainSeed,
      successRate: r.scores.successRate,
      pps: r.scores.pps,
      validHorizon: r.scores.validHorizon,
      wallMs: Math.round(r.times.totalMs),
    })),
  };
}

/**
 * The planner the selected round was validated with, as `manifest.planner`: `plan`, `validate` and
 * `createPlanSource` then plan with it by default. Its certification is the round's closed-loop
 * validation episodes (seeds `1000 + validationSeed + i`, as `validateModel` plays them).
 */
export function validatedPlanner(state: LearnState, selected: LearnRoundRecord): PlannerSettings {
  const v = state.settings.validation;
  const preset = planPresetFor(state.env);
  const envOptions = state.settings.envOptions;
  return {
    algorithm: algorithmName(v.algorithm),
    horizon: v.horizon,
    samples: v.samples,
    iterations: v.iterations,
    temperature: preset.temperature,
    discount: preset.discount,
    replanEvery: v.replanEvery,
    certified: {
      ...(selected.confirmation ?? { episodes: v.episodes, successes: Math.round((selected.scores.successRate ?? 0) * v.episodes), seed: 1000 + selected.validationSeed }),
      maxSteps: v.maxSteps,
      ...(Object.keys(envOptions).length > 0 && { envOptions }),
    },
  };
}

/** Replaces `<out>/model` with the best round's bundle (provenance added) and rewrites `<out>/report.html`. */
export async function publishLearnRun(out: string, state: LearnState): Promise<LearnRoundRecord | undefined> {
  const selected = bestRound(state.rounds);
  if (selected) {
    const target = join(out, 'model');
    const tmp = join(out, `.model.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await cp(join(out, selected.model), tmp, { recursive: true });
      const manifestPath = join(tmp, 'manifest.json');
      const { planner: _none, provenance, ...rest } = JSON.parse(await readFile(manifestPath, 'utf8')) as { planner?: unknown; provenance: Record<string, unknown> };
      // `planner` before `provenance`, as `embodied certify` writes it.
      const manifest = { ...rest, planner: validatedPlanner(state, selected), provenance: { ...provenance, learn: learnProvenance(state, selected) } };
      await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
      const old = `${tmp}.old`;
      await rename(target, old).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw e;
    }
  }
  await writeFileAtomic(join(out, 'report.html'), renderLearnReport(state, selected));
  return selected;
}
