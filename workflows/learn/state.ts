/**
 * The record of a learn run, `state.json` in its output folder: the settings, every finished round
 * (data, bundle, scores, times) and why it stopped. Written atomically after each finished round, so a
 * stopped or killed run resumes after its last finished round. Also the checks on the output folder.
 *
 * @module
 */
import { readFile, readdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../src/atomic-write.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { inspectOutput, UnsafeOutputError } from '../../src/output-dir.js';
import type { ResolvedLearnSettings } from './settings.js';

/** The `format` of `state.json`. */
export const LEARN_STATE_FORMAT = 'embodied.learn/v1';

/** A round's validation scores (quick validation with the certified planner). */
export interface LearnScores {
  /** Learned-MPC closed-loop success rate (null when not measured). */
  readonly successRate: number | null;
  /** Oracle-MPC success rate with the same planner budget, for comparison. */
  readonly oracleSuccessRate: number | null;
  /** Physical plausibility score. */
  readonly pps: number | null;
  /** Open-loop valid horizon (random actions); null when drift stays under the threshold over `driftHorizon`. */
  readonly validHorizon: number | null;
  /** The horizon drift was measured over. */
  readonly driftHorizon: number;
  /** Mean normalised drift at `driftHorizon` (random actions). */
  readonly driftAtHorizon: number | null;
  /** Controllability score. */
  readonly controllability: number | null;
}

/** One finished round. */
export interface LearnRoundRecord {
  /** 0 for the first collection, then 1, 2, … for on-policy rounds. */
  readonly round: number;
  /** The new data's behaviour: `scripted`/`random` (round 0) or `mpc`. */
  readonly policy: string;
  /** The round's dataset, relative to the output folder. */
  readonly data: string;
  /** Its content hash. */
  readonly datasetHash: string;
  /** Its transitions and episodes. */
  readonly transitions: number;
  readonly episodes: number;
  /** First episode seed of its collection (episodes use `collectSeed + k`). */
  readonly collectSeed: number;
  /** The round's bundle, relative to the output folder. */
  readonly model: string;
  /** The rounds whose data trained it (round 0: its own; round k: rounds 0…k−1, while it collected its own). */
  readonly trainedOn?: readonly number[];
  /** Optimiser steps trained, and at what rate. */
  readonly trainSteps: number;
  readonly trainSeed: number;
  readonly trainStepsPerSecond: number;
  /** The learning-rate schedule's length when the round's time ran out before it (absent: `trainSteps`); a replay needs it. */
  readonly trainStepsPlanned?: number;
  /** Seed of the round's validation (never a collection seed). */
  readonly validationSeed: number;
  /** The validation scores. */
  readonly scores: LearnScores;
  /** Whether the scores meet every target. */
  readonly targetsMet: boolean;
  /**
   * When the quick validation met the targets: the learned MPC on {@link LearnRoundRecord.confirmation}`.episodes`
   * more seeded episodes, seeds `seed`, `seed + 1`, … (5 quick episodes are too few to stop on), which then decide
   * whether the targets are met: 20, fewer when the target went out of reach, up to the targets' `stopEpisodes`
   * when the round could stop the run early (then fewer when the stop rate went out of reach or the time ran out).
   */
  readonly confirmation?: { readonly episodes: number; readonly successes: number; readonly seed: number };
  /** Mean wall time of one learned-MPC step in the round's validation, ms (sizes the next on-policy collection). */
  readonly mpcStepMs?: number;
  /** Mean length of the learned MPC's episodes in the round's validation, steps (sizes the next round's confirmation). */
  readonly mpcEpisodeSteps?: number;
  /**
   * Wall time of each phase and the whole round, ms. `validateMs` counts the quick validation and the
   * confirmation; `confirmMs` the confirmation alone (present when it ran).
   */
  readonly times: { readonly collectMs: number; readonly trainMs: number; readonly validateMs: number; readonly confirmMs?: number; readonly totalMs: number };
}

/** Why a learn run stopped. */
export type LearnStopReason = 'targets-met' | 'budget' | 'rounds' | 'aborted';

/** `state.json`. */
export interface LearnState {
  readonly format: typeof LEARN_STATE_FORMAT;
  readonly env: string;
  readonly seed: number;
  /** The budget of the latest invocation, ms. */
  readonly budgetMs: number;
  readonly settings: ResolvedLearnSettings;
  /** Finished rounds, in order. */
  readonly rounds: readonly LearnRoundRecord[];
  /** Wall time of the finished rounds (and bookkeeping), ms, over all invocations. */
  readonly wallMs: number;
  /** Why the latest invocation stopped (absent while running). */
  readonly stopReason?: LearnStopReason;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Writes `state.json` atomically. */
export async function writeLearnState(out: string, state: LearnState): Promise<void> {
  await writeFileAtomic(join(out, 'state.json'), `${JSON.stringify({ ...state, updatedAt: new Date().toISOString() }, null, 2)}\n`);
}

/** The learn state in `out`, or `undefined` when there is none. @throws {@link InvalidArgumentError} when state.json is not a learn state. */
export async function readLearnState(out: string): Promise<LearnState | undefined> {
  let text: string;
  try {
    text = await readFile(join(out, 'state.json'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const state = json as Partial<LearnState>;
  if (state.format !== LEARN_STATE_FORMAT || !Array.isArray(state.rounds)) return undefined;
  return state as LearnState;
}

/** What is in the output folder before a run. */
export type LearnOutput = { readonly kind: 'fresh' } | { readonly kind: 'resume'; readonly state: LearnState };

/**
 * Checks the output folder and prepares it: absent or empty → a fresh run; a learn run → resumed
 * (`resume`), replaced (`overwrite`), or refused; anything else → refused, untouched.
 * @throws {@link UnsafeOutputError} for a folder holding something else than a learn run.
 * @throws {@link InvalidArgumentError} for a learn run without `resume`/`overwrite`, or of another environment or seed.
 */
export async function prepareLearnOutput(out: string, o: { env: string; seed: number; resume: boolean; overwrite: boolean }): Promise<LearnOutput> {
  const target = resolve(out);
  const found = await inspectOutput(target);
  if (found === 'absent' || found === 'empty') return { kind: 'fresh' };
  const state = typeof found === 'object' && found.other.startsWith('no manifest.json') ? await readLearnState(target) : undefined;
  if (!state) {
    const what = typeof found === 'object' ? found.other : `an Embodied ${found}`;
    throw new UnsafeOutputError(
      `learn: refusing to use ${target}: it is not a learn run (no state.json with format "${LEARN_STATE_FORMAT}"); found ${what}; move it or choose another \`out\``,
    );
  }
  if (o.resume) {
    if (state.env !== o.env || state.seed !== o.seed)
      throw new InvalidArgumentError(
        `learn: ${target} holds a run of ${state.env} with seed ${state.seed}, not ${o.env} with seed ${o.seed}; resume it with those or choose another \`out\``,
      );
    return { kind: 'resume', state };
  }
  if (!o.overwrite)
    throw new InvalidArgumentError(
      `learn: ${target} already holds a learn run (${state.rounds.length} finished rounds); pass \`resume: true\` to continue it or \`overwrite: true\` to replace it`,
    );
  const aside = `${target}.${process.pid}.old`;
  await rename(target, aside);
  await rm(aside, { recursive: true, force: true });
  return { kind: 'fresh' };
}

/** Removes what an unfinished round left (its folder), so the round starts clean. */
export async function clearUnfinishedRounds(out: string, finished: number): Promise<void> {
  for (const name of await readdir(out).catch(() => [] as string[])) {
    const m = /^round-(\d+)$/.exec(name);
    if (m && Number(m[1]) >= finished) await rm(join(out, name), { recursive: true, force: true });
  }
}
