/**
 * One round of `learn`: collect (round 0: scripted or random behaviour with noise and random
 * excursions; later rounds: MPC with the previous round's model), train on all data so far within the
 * round's time allotment, and validate quickly with the planner the model is certified with.
 *
 * @module
 */
import { join } from 'node:path';
import type { CollectProgress } from '../../src/training/collect.js';
import { DatasetError } from '../../src/training/dataset-manifest.js';
import type { CollectDatasetResult } from '../collect.js';
import type { ValidateProgress, ValidationReport } from '../../src/validation/index.js';
import type { TrainProgress } from '../train.js';
import { cosineDecay } from '../train.js';
import { validateModel } from '../validate.js';
import type { ResolvedLearnSettings } from './settings.js';
import type { LearnTargets } from '../../environments/card.js';
import { planEpisodes } from '../plan.js';
import type { LearnRoundRecord, LearnScores } from './state.js';
import { runCollectStep, runTrainStep } from './steps.js';
import { timeoutSignal } from '../../src/timeout-signal.js';

/** A round's training: steps, wall-time limit (ms) and the schedule's length when longer than `steps`. */
export interface TrainPlan {
  readonly steps: number;
  readonly limitMs: number;
  readonly scheduleSteps?: number;
}

/** What one round is given. */
export interface RoundInput {
  readonly env: string;
  /** The run's output folder (absolute). */
  readonly out: string;
  readonly settings: ResolvedLearnSettings;
  readonly round: number;
  /** Earlier rounds' datasets (absolute), in order. */
  readonly earlierData: readonly string[];
  /** The previous round's bundle (absolute); on-policy rounds plan with it. */
  readonly previousModel?: string;
  /** Episodes of the on-policy collection (default: the settings'). */
  readonly onPolicyEpisodes?: number;
  /** The previous round's checkpoint (absolute) to warm-start training from. */
  readonly warmStartFrom?: string;
  readonly collectSeed: number;
  readonly trainSeed: number;
  readonly validationSeed: number;
  /**
   * Training steps once the collection's time is known (`collectMs`): how many, the wall time after which
   * training stops and exports, ms, and (a replay of a round whose time ran out) the length of the
   * learning-rate schedule those steps belong to when it is longer.
   */
  readonly trainPlan: (collectMs: number) => TrainPlan;
  readonly signal: AbortSignal;
  /**
   * Present when the round may end the run early (it is not the last planned round): a confirmation that
   * reaches the stop rate then runs on to the targets' `stopEpisodes`, until `deadline` (`performance.now()` time).
   */
  readonly confirmToStop?: { readonly deadline: number };
  /** Called with the new dataset's content hash as soon as the collection ends; throws to stop the round (a replay's check). */
  readonly checkData?: (contentHash: string) => void;
  readonly onPhase?: (phase: 'collect' | 'train' | 'validate', detail: string) => void;
  readonly onCollectProgress?: (p: CollectProgress) => void;
  readonly onTrainProgress?: (p: TrainProgress) => void;
  readonly onValidateProgress?: (p: ValidateProgress) => void;
}

/** The scores learn tracks, from a validation report. */
export function scoresOf(r: ValidationReport): LearnScores {
  const finite = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);
  const curve = r.drift.curves[0];
  const learned = r.closedLoop.contenders.find((c) => c.kind === 'learned-mpc');
  const oracle = r.closedLoop.contenders.find((c) => c.kind === 'oracle-mpc');
  return {
    successRate: finite(learned?.successRate.mean),
    oracleSuccessRate: finite(oracle?.successRate.mean),
    pps: finite(r.plausibility.pps),
    validHorizon: curve?.validHorizon ?? null,
    driftHorizon: curve?.horizon ?? 0,
    driftAtHorizon: finite(curve?.overall.at(-1)?.mean),
    controllability: finite(r.causal.controllability.score),
  };
}

/** Mean wall time of one learned-MPC step in a validation's closed loop, ms, and the mean length of its episodes. */
function mpcTiming(r: ValidationReport): { mpcStepMs: number; mpcEpisodeSteps: number } | undefined {
  const learned = r.closedLoop.contenders.find((c) => c.kind === 'learned-mpc');
  const steps = learned ? learned.length.mean * learned.episodes : 0;
  return learned && steps > 0 ? { mpcStepMs: learned.wallMs / steps, mpcEpisodeSteps: learned.length.mean } : undefined;
}

/** What a round's collection and training produced. */
interface RoundWork {
  readonly collected: CollectDatasetResult;
  readonly trained: { steps: number; planned: number; seconds: number };
  readonly collectMs: number;
  readonly trainMs: number;
}

/**
 * Runs one round into `<out>/round-<k>/` (`data/`, `model/`, report.json, report.html); returns its
 * record, or `undefined` when the signal stopped it (what it wrote is then not a finished round).
 *
 * Round 0 collects, then trains on its data. A later round uses both cores: it collects on-policy data
 * with the previous round's model on this thread while its model trains in a worker thread on the
 * earlier rounds' data (warm-started from the previous round's weights); the next round trains on
 * what it collected.
 */
export async function runRound(input: RoundInput): Promise<Omit<LearnRoundRecord, 'targetsMet'> | undefined> {
  const { out, settings: s, round } = input;
  const dir = join(out, `round-${round}`);
  const data = join(dir, 'data');
  const model = join(dir, 'model');
  const t0 = performance.now();
  const onPolicy = round > 0 && input.previousModel !== undefined;
  const trainedOn = onPolicy ? input.earlierData.map((_d, k) => k) : [round];
  const work = onPolicy ? await collectBesideTraining(input, data, model) : await collectThenTrain(input, data, model);
  if (!work) return undefined;
  const t2 = performance.now();
  input.onPhase?.('validate', `quick, ${s.validation.episodes} episodes, planner ${s.validation.samples}×${s.validation.horizon}×${s.validation.iterations}`);
  const report = await validateRound(input, dir, model, input.earlierData[0] ?? data);
  if (!report) return undefined;
  const tConfirm = performance.now();
  const confirmation = quickTargetsMet(scoresOf(report), s.targets) ? await confirmRound(input, model) : undefined;
  if (input.signal.aborted) return undefined;
  const t3 = performance.now();
  const m = work.collected.manifest;
  const timing = mpcTiming(report);
  return {
    round,
    policy: onPolicy ? 'mpc' : s.collect.policy,
    data: `round-${round}/data`,
    datasetHash: m.contentHash,
    transitions: m.counts.transitions,
    episodes: m.counts.episodes,
    collectSeed: input.collectSeed,
    model: `round-${round}/model`,
    trainedOn,
    trainSteps: work.trained.steps,
    ...(work.trained.planned !== work.trained.steps && { trainStepsPlanned: work.trained.planned }),
    trainSeed: input.trainSeed,
    trainStepsPerSecond: work.trained.steps / Math.max(1e-3, work.trained.seconds),
    validationSeed: input.validationSeed,
    scores: scoresOf(report),
    ...timing,
    ...(confirmation && { confirmation }),
    times: { collectMs: work.collectMs, trainMs: work.trainMs, validateMs: t3 - t2, ...(confirmation && { confirmMs: t3 - tConfirm }), totalMs: t3 - t0 },
  };
}

/** Closed-loop episodes that confirm a quick validation that met the targets. */
export const CONFIRM_EPISODES = 20;

/**
 * When learn stops a run early: a round's confirmation reaches `rate` (the stop success rate, never below the
 * bar) over at least `episodes` episodes (the targets' `stopEpisodes`, never fewer than {@link CONFIRM_EPISODES}).
 */
export function stopRule(t: LearnTargets): { readonly rate: number; readonly episodes: number } {
  return { rate: Math.max(t.successRate, t.stopSuccessRate ?? 0), episodes: Math.max(CONFIRM_EPISODES, t.stopEpisodes ?? CONFIRM_EPISODES) };
}

/** Whether scores meet every target (a valid horizon also when drift never crossed the threshold within the measured horizon). */
export function quickTargetsMet(s: LearnScores, t: LearnTargets): boolean {
  const horizonOk = s.validHorizon === null ? s.driftHorizon > 0 : s.validHorizon >= t.validHorizon;
  return (s.successRate ?? 0) >= t.successRate && (s.pps ?? 0) >= t.pps && horizonOk;
}

/**
 * Whether a confirmation can no longer reach `successRate` over `total` episodes: more episodes have failed
 * than the target allows. Long episodes (a balanced CartPole runs to its time limit) make each confirmation
 * episode costly, and a round that has failed cannot pass any more.
 */
export function confirmationOutOfReach(done: number, successes: number, total: number, successRate: number): boolean {
  const allowedFailures = total - Math.ceil(successRate * total - 1e-9);
  return done - successes > allowedFailures;
}

/**
 * The learned MPC of the round's model on {@link CONFIRM_EPISODES} episodes, seeds `3000 + validationSeed + i`
 * (never a collection, validation or held-out 100–119 seed), with the planner learn validates with. It stops
 * as soon as the target is out of reach ({@link confirmationOutOfReach}); the record then holds the episodes run.
 * When the round may stop the run early (`input.confirmToStop`) and its 20 reach the stop rate, it runs on to
 * the targets' `stopEpisodes` (seeds continuing), until the stop rate over them is out of reach or the time is up.
 */
async function confirmRound(input: RoundInput, model: string): Promise<LearnRoundRecord['confirmation']> {
  const t = input.settings.targets;
  const seed = 3000 + input.validationSeed;
  input.onPhase?.('validate', `the targets are met: confirming on ${CONFIRM_EPISODES} more episodes`);
  const first = await confirmEpisodes(input, model, { before: { episodes: 0, successes: 0 }, episodes: CONFIRM_EPISODES, seed, rate: t.successRate });
  const { rate: stopRate, episodes: total } = stopRule(t);
  if (
    !input.confirmToStop ||
    first.episodes < CONFIRM_EPISODES ||
    total === first.episodes ||
    confirmationOutOfReach(first.episodes, first.successes, first.episodes, stopRate) ||
    input.signal.aborted
  )
    return { ...first, seed };
  input.onPhase?.('validate', `${first.successes}/${first.episodes} confirmed: ${total - first.episodes} more before stopping early`);
  const more = await confirmEpisodes(input, model, {
    before: first,
    episodes: total - first.episodes,
    seed: seed + first.episodes,
    rate: stopRate,
    deadline: input.confirmToStop.deadline,
  });
  return { episodes: first.episodes + more.episodes, successes: first.successes + more.successes, seed };
}

/** A part of a confirmation: the episodes and successes before it, its episodes and first seed, the rate to reach over the whole, its deadline. */
interface ConfirmPart {
  readonly before: { readonly episodes: number; readonly successes: number };
  readonly episodes: number;
  readonly seed: number;
  readonly rate: number;
  readonly deadline?: number;
}

/** `part.episodes` closed-loop episodes of the learned MPC, stopped when `part.rate` over the whole confirmation is out of reach, at `part.deadline`, or by the run's signal. */
async function confirmEpisodes(input: RoundInput, model: string, part: ConfirmPart): Promise<{ episodes: number; successes: number }> {
  const v = input.settings.validation;
  const { before } = part;
  const total = before.episodes + part.episodes;
  // Its own stop (target out of reach, deadline) beside the run's (budget, Ctrl-C), linked by hand: no AbortSignal.any (src/timeout-signal.ts says why).
  const stop = new AbortController();
  const outer = input.signal;
  const forward = () => stop.abort(outer.reason);
  if (outer.aborted) forward();
  else outer.addEventListener('abort', forward, { once: true });
  const timer = part.deadline !== undefined && Number.isFinite(part.deadline) ? setTimeout(() => stop.abort(), Math.max(0, part.deadline - performance.now())) : undefined;
  const r = await planEpisodes({
    env: input.env,
    envOptions: input.settings.envOptions,
    model,
    algorithm: v.algorithm,
    horizon: v.horizon,
    samples: v.samples,
    iterations: v.iterations,
    replanEvery: v.replanEvery,
    maxSteps: v.maxSteps,
    episodes: part.episodes,
    seed: part.seed,
    signal: stop.signal,
    onProgress: (p) => {
      if (confirmationOutOfReach(before.episodes + p.done, before.successes + p.successes, total, part.rate)) stop.abort();
    },
  }).finally(() => {
    outer.removeEventListener('abort', forward);
    clearTimeout(timer);
  });
  return { episodes: r.results.length, successes: r.results.filter((e) => e.success).length };
}

/** The round's collection: scripted (round 0) or MPC with the previous model; `undefined` when stopped (by `signal`, or by `keepStopped: false`). */
async function collectRound(input: RoundInput, data: string, signal: AbortSignal, keepStopped: boolean): Promise<CollectDatasetResult | undefined> {
  const s = input.settings;
  const env = { envId: input.env, envOptions: s.envOptions };
  const options = { signal, ...(input.onCollectProgress && { onCollectProgress: input.onCollectProgress }) };
  const mpcEpisodes = input.onPolicyEpisodes ?? s.onPolicy.episodes;
  const onPolicy = input.round > 0 && input.previousModel !== undefined;
  input.onPhase?.('collect', onPolicy ? `${mpcEpisodes} episodes, MPC with round ${input.round - 1}'s model` : `${s.collect.episodes} episodes, ${s.collect.policy} + exploration`);
  const collected = onPolicy
    ? await runCollectStep(
        env,
        { kind: 'collect-mpc', out: data, model: input.previousModel!, collect: { ...s.onPolicy, episodes: mpcEpisodes, seed: input.collectSeed } },
        options,
      )
    : await runCollectStep(env, { kind: 'collect', out: data, collect: { ...s.collect, seed: input.collectSeed } }, options);
  if (input.signal.aborted || (collected.stopped && !keepStopped)) return undefined;
  input.checkData?.(collected.manifest.contentHash);
  return collected;
}

/** Round 0: collect, then train on the new data. */
async function collectThenTrain(input: RoundInput, data: string, model: string): Promise<RoundWork | undefined> {
  const t0 = performance.now();
  const collected = await collectRound(input, data, input.signal, false);
  if (!collected) return undefined;
  const t1 = performance.now();
  const plan = input.trainPlan(t1 - t0);
  input.onPhase?.('train', `${plan.steps} steps on 1 dataset`);
  const trained = await trainWithin(trainStep(input, [data], model, plan), plan.limitMs, input.signal, input);
  if (!trained) return undefined;
  return { collected, trained, collectMs: t1 - t0, trainMs: performance.now() - t1 };
}

/**
 * A later round: collection on this thread and training (on the earlier rounds' data) in a worker,
 * at once. The collection stops when the training's time is up (its finished episodes count). If
 * either fails, the other is stopped and the error thrown.
 */
async function collectBesideTraining(input: RoundInput, data: string, model: string): Promise<RoundWork | undefined> {
  const t0 = performance.now();
  const plan = input.trainPlan(0);
  const failed = new AbortController();
  const signal = AbortSignal.any([input.signal, failed.signal]);
  const stopAt = timeoutSignal(Math.ceil(plan.limitMs), signal);
  const collectStop = stopAt.signal;
  const times = { collectMs: 0, trainMs: 0 };
  const guard = <T>(p: Promise<T>, key: keyof typeof times) =>
    p.then(
      (v) => {
        times[key] = performance.now() - t0;
        return v;
      },
      (e: unknown) => {
        failed.abort();
        throw e;
      },
    );
  // The training's time ran out before one on-policy episode finished: collect one without a time limit.
  const collect = async () => {
    try {
      return await collectRound(input, data, collectStop, Number.isFinite(plan.limitMs));
    } catch (e) {
      if (!(e instanceof DatasetError) || !collectStop.aborted || signal.aborted) throw e;
      return collectRound({ ...input, onPolicyEpisodes: 1 }, data, signal, false);
    }
  };
  input.onPhase?.('train', `${plan.steps} steps on ${input.earlierData.length} datasets (worker thread), while collecting`);
  const [collected, trained] = await Promise.allSettled([
    guard(collect(), 'collectMs'),
    guard(trainWithin(trainStep(input, [...input.earlierData], model, plan), plan.limitMs, signal, input), 'trainMs'),
  ]);
  stopAt.dispose();
  for (const r of [trained, collected]) if (r.status === 'rejected' && !input.signal.aborted) throw r.reason;
  if (collected.status === 'rejected' || trained.status === 'rejected' || !collected.value || !trained.value) return undefined;
  return { collected: collected.value, trained: trained.value, ...times };
}

/** The training step of round `input.round` on `data` into `model` (a schedule longer than its steps: that schedule's cosine decay). */
function trainStep(input: RoundInput, data: string[], model: string, plan: TrainPlan): TrainWithinStep {
  const t = input.settings.train;
  const longer = plan.scheduleSteps !== undefined && plan.scheduleSteps > plan.steps;
  const config = longer ? { ...t.config, ...cosineDecay({ ...t.config, lrSchedule: t.lrSchedule }, plan.scheduleSteps!) } : t.config;
  return {
    data,
    out: model,
    train: { ...t, config, steps: plan.steps, seed: input.trainSeed },
    scheduleSteps: longer ? plan.scheduleSteps! : plan.steps,
    ...(input.warmStartFrom !== undefined && { initFrom: input.warmStartFrom }),
  };
}

/** Quick validation of the round's model with the planner learn validates with; `undefined` when stopped. */
async function validateRound(input: RoundInput, dir: string, model: string, data: string): Promise<ValidationReport | undefined> {
  const s = input.settings;
  const v = s.validation;
  try {
    const { report } = await validateModel({
      env: input.env,
      envOptions: s.envOptions,
      model,
      out: dir,
      quick: true,
      seed: input.validationSeed,
      data,
      episodes: v.episodes,
      maxSteps: v.maxSteps,
      replanEvery: v.replanEvery,
      horizon: v.horizon,
      samples: v.samples,
      iterations: v.iterations,
      algorithm: v.algorithm,
      oracleMpc: false,
      signal: input.signal,
      ...(input.onValidateProgress && { onProgress: input.onValidateProgress }),
    });
    return report;
  } catch (e) {
    if (input.signal.aborted) return undefined;
    throw e;
  }
}

/** A round's training step. */
type TrainWithinStep = { data: string[]; out: string; train: ResolvedLearnSettings['train'] & { seed: number }; initFrom?: string; scheduleSteps: number };

/**
 * Trains in a worker thread, but stops after `limitMs` of wall time and exports the bundle at the step
 * reached (the step-rate estimate may be off; the budget must hold). `undefined` when `signal` stopped it.
 */
async function trainWithin(step: TrainWithinStep, limitMs: number, signal: AbortSignal, input: RoundInput): Promise<RoundWork['trained'] | undefined> {
  const limit = new AbortController();
  const timer = Number.isFinite(limitMs) ? setTimeout(() => limit.abort(), limitMs) : undefined;
  const progress = input.onTrainProgress && { onTrainProgress: input.onTrainProgress };
  const t0 = performance.now();
  try {
    let r = await runTrainStep({ kind: 'train', ...step }, { signal: AbortSignal.any([signal, limit.signal]), worker: true, ...progress });
    const seconds = (performance.now() - t0) / 1000;
    if (signal.aborted) return undefined;
    // Out of time: export what the checkpoint holds (resuming with steps = the steps reached trains nothing more).
    if (r.stopped && r.steps === 0) return undefined;
    if (r.stopped) r = await runTrainStep({ kind: 'train', ...step, train: { ...step.train, steps: r.steps } }, { resume: true });
    return r.bundle === undefined ? undefined : { steps: r.steps, planned: step.scheduleSteps, seconds };
  } finally {
    clearTimeout(timer);
  }
}
