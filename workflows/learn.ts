/**
 * `learn`: from nothing to a validated world model in one resumable workflow. Round 0 collects
 * scripted (or random) behaviour — from wide random physical starts, with passive phases, noise and
 * random excursions — and trains; each later round collects on-policy data with the previous model
 * while (in a worker thread) it trains on all earlier data, warm-started from the previous weights, and
 * validates. It stops when the targets are met, the rounds are done, or the wall-clock budget would be
 * overrun (see docs/learn.md). Parts live in workflows/learn/.
 *
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import '../environments/index.js';
import type { LearnSettings } from '../environments/card.js';
import { InvalidArgumentError } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { spec } from '../src/registry.js';
import { Rng } from '../src/rng.js';
import type { CollectProgress } from '../src/training/collect.js';
import type { ValidateProgress } from '../src/validation/index.js';
import { episodeLength, FIRST_RATE, MIN_STEPS, roundBudget } from './learn/budget.js';
import { parseDuration } from './learn/duration.js';
import { publishLearnRun } from './learn/publish.js';
import { checkReplayedData, differingBundleFiles, readReplaySource, type ReplaySource } from './learn/replay.js';
import { quickTargetsMet, runRound, stopRule, type TrainPlan } from './learn/round.js';
import { learnSettings, type ResolvedLearnSettings } from './learn/settings.js';
import { clearUnfinishedRounds, LEARN_STATE_FORMAT, prepareLearnOutput, writeLearnState, type LearnRoundRecord, type LearnState, type LearnStopReason } from './learn/state.js';
import { callbackOption, signalOption } from './schema.js';
import type { TrainProgress } from './train.js';
import { timeoutSignal } from '../src/timeout-signal.js';

export { parseDuration, formatDuration } from './learn/duration.js';
export { learnSettings, DEFAULT_LEARN_TARGETS, type ResolvedLearnSettings } from './learn/settings.js';
export { CONFIRM_EPISODES, quickTargetsMet } from './learn/round.js';
export { LEARN_STATE_FORMAT, type LearnState, type LearnRoundRecord, type LearnScores, type LearnStopReason } from './learn/state.js';
export { bestRound, roundSuccess, validatedPlanner } from './learn/publish.js';
export { ReplayMismatchError, readReplaySource, type ReplaySource, type ReplayRound } from './learn/replay.js';

/** What {@link learn} reports while it runs. */
export type LearnEvent =
  /** A round starts with `remainingMs` of the budget left (`Infinity` in a replay: it has no budget). */
  | { readonly kind: 'round-start'; readonly round: number; readonly rounds: number; readonly remainingMs: number }
  /** A round's phase starts. */
  | { readonly kind: 'phase'; readonly round: number; readonly phase: 'collect' | 'train' | 'validate'; readonly detail: string }
  | { readonly kind: 'collect-progress'; readonly round: number; readonly progress: CollectProgress }
  | { readonly kind: 'train-progress'; readonly round: number; readonly progress: TrainProgress }
  | { readonly kind: 'validate-progress'; readonly round: number; readonly progress: ValidateProgress }
  /** A round finished (its record is in state.json). */
  | { readonly kind: 'round-done'; readonly record: LearnRoundRecord }
  /** The run stopped. */
  | { readonly kind: 'stopped'; readonly reason: LearnStopReason };

/** Zod schema of {@link LearnOptions}. */
export const LearnOptionsSchema = z
  .object({
    /** Registered environment id, e.g. `Reach-v0`. */
    env: z.string().min(1),
    /** Wall-clock budget: `90s`, `10m`, `1h`, or milliseconds. Default `10m`. */
    budget: z.union([z.string(), z.number()]).default('10m'),
    /** Output folder. Default `out/learn/<env>`. */
    out: z.string().min(1).optional(),
    /** Seed of everything random (collection, training and validation seeds are derived from it). Default 0. */
    seed: z.number().int().nonnegative().default(0),
    /** Continue the learn run in `out` after its last finished round. Default false. */
    resume: z.boolean().default(false),
    /** Replace a learn run in `out` (nothing else is ever replaced). Default false. */
    overwrite: z.boolean().default(false),
    /** Settings over the environment card's (see `LearnSettings`). */
    settings: z.custom<LearnSettings>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected an object' }).optional(),
    /**
     * Replay a learn run — its folder, or a bundle learn published — instead of a budgeted run: its seed and
     * settings, and each round up to the published one with the episodes it collected and the steps it
     * trained, without a clock (`budget`, `seed`, `settings` and `scaleSteps` are not used). Each round's data
     * must have the recorded content hash; {@link LearnResult.replay} says whether the bundle came out the same.
     */
    replay: z.string().min(1).optional(),
    /** Scale each round's training steps to the time left (false: always the settings' `train.steps`). Default true. */
    scaleSteps: z.boolean().default(true),
    /** Stops the running round; the last finished round stays published. */
    signal: signalOption(),
    /** Progress. */
    onEvent: callbackOption<(event: LearnEvent) => void>(),
  })
  .strict();

/** Options of {@link learn}. */
export type LearnOptions = z.input<typeof LearnOptionsSchema>;

/** What {@link learn} returns. */
export interface LearnResult {
  /** The output folder. */
  readonly out: string;
  /** The published bundle (`<out>/model`, the best finished round's), absent when no round finished. */
  readonly model?: string;
  /** The round published as `model/`. */
  readonly selectedRound?: number;
  /** Why it stopped. */
  readonly stopReason: LearnStopReason;
  /** The run's record (state.json). */
  readonly state: LearnState;
  /** A replay's outcome: the bundle it replayed, and the files of the published bundle that differ from it (`manifest.json` aside; empty: the same bits). */
  readonly replay?: { readonly source: string; readonly differingFiles: readonly string[] };
}

/** What the next round runs with, or why the run stops before it. */
type NextRound = { readonly stop: LearnStopReason } | { readonly episodes: number | undefined; readonly trainPlan: (collectMs: number) => TrainPlan; readonly remainingMs: number };

/** A budgeted run's next round: stops on the targets, the rounds or the budget; sizes the collection and the training to the time left. */
function budgetedRound(k: number, last: LearnRoundRecord | undefined, settings: ResolvedLearnSettings, deadline: number, scaleSteps: boolean): NextRound {
  if (last && stopsEarly(last, settings)) return { stop: 'targets-met' };
  if (k >= settings.rounds) return { stop: 'rounds' };
  const budget = roundBudget(last, settings.rounds - k, deadline - performance.now());
  if (!budget) return { stop: 'budget' };
  const rate = last?.trainStepsPerSecond ?? FIRST_RATE;
  const trainPlan = (collectMs: number): TrainPlan => {
    const allotMs = Math.max(0, budget.shareMs - collectMs - budget.reserveMs);
    const steps = scaleSteps ? Math.max(MIN_STEPS, Math.min(settings.train.steps, Math.floor((allotMs / 1000) * rate))) : settings.train.steps;
    // Hard stop: 1.25 × the allotment (+ 2 s; the last planned round: the allotment), and never into the time the validation (and the last round's confirmation) needs before the deadline.
    const limitMs = Math.min(budget.trainLimitMs(allotMs), deadline - performance.now() - budget.reserveMs);
    return { steps, limitMs: scaleSteps ? Math.max(1000, limitMs) : Number.POSITIVE_INFINITY };
  };
  return { episodes: last ? onPolicyEpisodes(last, settings, budget.shareMs) : undefined, trainPlan, remainingMs: deadline - performance.now() };
}

/** A replay's next round: the recorded one's episodes and training steps, no time limits. */
function replayedRound(k: number, source: ReplaySource): NextRound {
  const r = source.rounds[k];
  if (!r) return { stop: 'rounds' };
  return {
    episodes: k > 0 ? r.episodes : undefined,
    trainPlan: () => ({ steps: r.trainSteps, limitMs: Number.POSITIVE_INFINITY, scheduleSteps: r.trainStepsPlanned }),
    remainingMs: Number.POSITIVE_INFINITY,
  };
}

/** Seeds of round `k`: collection seeds at ≥ 1e6 (per round apart), validation seeds below 1000 (its closed loop uses 1000 + seed + i), never equal. */
function roundSeeds(seed: number, k: number): { collectSeed: number; trainSeed: number; validationSeed: number } {
  const root = Rng.fromSeed(seed);
  return {
    collectSeed: 1_000_000 * (k + 1) + root.derive(k).derive(0).integer(0, 499_999),
    trainSeed: root
      .derive(k)
      .derive(1)
      .integer(0, 2 ** 31 - 1),
    // The same for every round, so the curve compares like with like.
    validationSeed: root.derive(1_000_000).integer(0, 899),
  };
}

/**
 * Share of a round's time its on-policy collection is sized to (the planner runs at every step of
 * every episode). It runs beside the training, which stops it when the training's time is up.
 */
const ON_POLICY_SHARE = 0.8;

/**
 * Episodes of an on-policy collection that fit {@link ON_POLICY_SHARE} of `shareMs`, from the last
 * round's learned-MPC step time (2 at least, the settings' `onPolicy.episodes` at most).
 */
function onPolicyEpisodes(last: LearnRoundRecord, s: ResolvedLearnSettings, shareMs: number): number {
  if (last.mpcStepMs === undefined) return s.onPolicy.episodes;
  const fit = Math.floor((ON_POLICY_SHARE * shareMs) / (last.mpcStepMs * episodeLength(last)));
  return Math.max(2, Math.min(s.onPolicy.episodes, fit));
}

/**
 * Runs the learn loop `options` describe (what `embodied learn` runs).
 * @throws {@link UnknownEnvError} for an unregistered environment.
 * @throws {@link InvalidArgumentError} for bad options, an unparsable or non-positive budget, or an output folder holding something else than a learn run.
 */
export async function learn(options: LearnOptions): Promise<LearnResult> {
  const o = parseOptions(LearnOptionsSchema, options, 'learn options');
  spec(o.env);
  const budgetMs = parseDuration(o.budget);
  if (o.replay !== undefined && o.resume) throw new InvalidArgumentError('learn options: `replay` and `resume` cannot be combined; replay into a new `out`');
  const source = o.replay === undefined ? undefined : await readReplaySource(o.replay, o.env);
  const seed = source?.seed ?? o.seed;
  const out = resolve(o.out ?? join('out', 'learn', o.env));
  if (source && !relative(out, source.bundle).startsWith('..') && !isAbsolute(relative(out, source.bundle)))
    throw new InvalidArgumentError(`learn options: \`out\` ${out} holds the bundle the replay compares with (${source.bundle}); replay into another folder`);
  const prepared = await prepareLearnOutput(out, { ...o, seed });
  const now = new Date().toISOString();
  const settings = source?.settings ?? (prepared.kind === 'resume' ? prepared.state.settings : learnSettings(o.env, budgetMs, o.settings));
  let state: LearnState =
    prepared.kind === 'resume'
      ? { ...prepared.state, budgetMs, stopReason: undefined as never }
      : { format: LEARN_STATE_FORMAT, env: o.env, seed, budgetMs, settings, rounds: [], wallMs: 0, createdAt: now, updatedAt: now };
  delete (state as { stopReason?: unknown }).stopReason;
  await mkdir(out, { recursive: true });
  await clearUnfinishedRounds(out, state.rounds.length);
  await writeLearnState(out, state);
  const t0 = performance.now();
  const wallBefore = state.wallMs;
  const deadline = source ? Number.POSITIVE_INFINITY : t0 + budgetMs - wallBefore;
  // The budget is a hard limit: a round still running at its end (plus a little slack) is stopped and not counted.
  const { signal } = timeoutSignal(Math.ceil(Math.max(1, deadline - t0 + Math.max(5000, 0.1 * budgetMs))), ...(o.signal ? [o.signal] : []));
  const emit = o.onEvent ?? (() => {});
  let reason: LearnStopReason;
  for (let k = state.rounds.length; ; k++) {
    const last = state.rounds.at(-1);
    const next = source ? replayedRound(k, source) : budgetedRound(k, last, settings, deadline, o.scaleSteps);
    if ('stop' in next) {
      reason = next.stop;
      break;
    }
    emit({ kind: 'round-start', round: k, rounds: source?.rounds.length ?? settings.rounds, remainingMs: next.remainingMs });
    const record = await runRound({
      env: o.env,
      out,
      settings,
      round: k,
      earlierData: state.rounds.map((r) => join(out, r.data)),
      ...(last && { previousModel: join(out, last.model) }),
      ...(next.episodes !== undefined && { onPolicyEpisodes: next.episodes }),
      ...(last && settings.warmStart && { warmStartFrom: join(out, `${last.model}.ckpt`) }),
      ...roundSeeds(seed, k),
      trainPlan: next.trainPlan,
      ...(k < (source?.rounds.length ?? settings.rounds) - 1 && { confirmToStop: { deadline } }),
      signal,
      ...(source && { checkData: (hash: string) => checkReplayedData(source, k, hash) }),
      onPhase: (phase, detail) => emit({ kind: 'phase', round: k, phase, detail }),
      onCollectProgress: (progress) => emit({ kind: 'collect-progress', round: k, progress }),
      onTrainProgress: (progress) => emit({ kind: 'train-progress', round: k, progress }),
      onValidateProgress: (progress) => emit({ kind: 'validate-progress', round: k, progress }),
    });
    if (!record) {
      reason = o.signal?.aborted ? 'aborted' : 'budget';
      break;
    }
    const finished: LearnRoundRecord = { ...record, targetsMet: targetsMet(record, settings) };
    state = { ...state, rounds: [...state.rounds, finished], wallMs: wallBefore + performance.now() - t0 };
    await writeLearnState(out, state);
    await publishLearnRun(out, state);
    emit({ kind: 'round-done', record: finished });
  }
  await clearUnfinishedRounds(out, state.rounds.length);
  state = { ...state, stopReason: reason, wallMs: wallBefore + performance.now() - t0 };
  await writeLearnState(out, state);
  const selected = await publishLearnRun(out, state);
  emit({ kind: 'stopped', reason });
  const replay = source && selected ? { source: source.bundle, differingFiles: await differingBundleFiles(join(out, 'model'), source.bundle) } : undefined;
  return { out, stopReason: reason, state, ...(selected && { model: join(out, 'model'), selectedRound: selected.round }), ...(replay && { replay }) };
}

/** Whether a round ends the run: it meets every target and its confirmation reaches the stop rate over the targets' `stopEpisodes` episodes. */
function stopsEarly(r: LearnRoundRecord, settings: ResolvedLearnSettings): boolean {
  const c = r.confirmation;
  const stop = stopRule(settings.targets);
  return r.targetsMet && c !== undefined && c.episodes >= stop.episodes && c.successes / c.episodes >= stop.rate;
}

/** Whether a round meets every target: its quick validation does, and so does the success of its confirmation episodes. */
function targetsMet(r: Omit<LearnRoundRecord, 'targetsMet'>, settings: ResolvedLearnSettings): boolean {
  const c = r.confirmation;
  return quickTargetsMet(r.scores, settings.targets) && c !== undefined && c.successes / Math.max(1, c.episodes) >= settings.targets.successRate;
}
