/**
 * One round of `learn`: collect (round 0: scripted or random behaviour with noise and random
 * excursions; later rounds: MPC with the previous round's model), train on all data so far within the
 * round's time allotment, and validate quickly with the planner the model is certified with.
 *
 * @module
 */
import { join } from 'node:path';
import type { CollectProgress } from '../../src/training/collect.js';
import type { ValidateProgress, ValidationReport } from '../../src/validation/index.js';
import type { TrainProgress } from '../train.js';
import { validateModel } from '../validate.js';
import type { ResolvedLearnSettings } from './settings.js';
import type { LearnRoundRecord, LearnScores } from './state.js';
import { runCollectStep, runTrainStep } from './steps.js';

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
  readonly collectSeed: number;
  readonly trainSeed: number;
  readonly validationSeed: number;
  /** Training steps once the collection's time is known (`collectMs`): how many, and the wall time after which training stops and exports, ms. */
  readonly trainPlan: (collectMs: number) => { steps: number; limitMs: number };
  readonly signal: AbortSignal;
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

/**
 * Runs one round into `<out>/round-<k>/` (`data/`, `model/`, report.json, report.html); returns its
 * record, or `undefined` when the signal stopped it (what it wrote is then not a finished round).
 */
export async function runRound(input: RoundInput): Promise<Omit<LearnRoundRecord, 'targetsMet'> | undefined> {
  const { out, settings: s, round, signal } = input;
  const dir = join(out, `round-${round}`);
  const data = join(dir, 'data');
  const model = join(dir, 'model');
  const t0 = performance.now();
  const onPolicy = round > 0 && input.previousModel !== undefined;
  input.onPhase?.(
    'collect',
    onPolicy ? `${s.onPolicy.episodes} episodes, MPC with round ${round - 1}'s model` : `${s.collect.episodes} episodes, ${s.collect.policy} + exploration`,
  );
  const collected = onPolicy
    ? await runCollectStep(
        { envId: input.env, envOptions: s.envOptions },
        { kind: 'collect-mpc', out: data, model: input.previousModel!, collect: { ...s.onPolicy, seed: input.collectSeed } },
        { signal, ...(input.onCollectProgress && { onCollectProgress: input.onCollectProgress }) },
      )
    : await runCollectStep(
        { envId: input.env, envOptions: s.envOptions },
        { kind: 'collect', out: data, collect: { ...s.collect, seed: input.collectSeed } },
        { signal, ...(input.onCollectProgress && { onCollectProgress: input.onCollectProgress }) },
      );
  if (collected.stopped || signal.aborted) return undefined;
  const t1 = performance.now();
  const plan = input.trainPlan(t1 - t0);
  input.onPhase?.('train', `${plan.steps} steps on ${input.earlierData.length + 1} datasets`);
  const trained = await trainWithin({ data: [...input.earlierData, data], out: model, train: { ...s.train, steps: plan.steps, seed: input.trainSeed } }, plan.limitMs, input);
  if (!trained) return undefined;
  const t2 = performance.now();
  input.onPhase?.('validate', `quick, ${s.validation.episodes} episodes, planner ${s.validation.samples}×${s.validation.horizon}×${s.validation.iterations}`);
  const v = s.validation;
  let report: ValidationReport;
  try {
    ({ report } = await validateModel({
      env: input.env,
      envOptions: s.envOptions,
      model,
      out: dir,
      quick: true,
      seed: input.validationSeed,
      data: input.earlierData[0] ?? data,
      episodes: v.episodes,
      maxSteps: v.maxSteps,
      replanEvery: v.replanEvery,
      horizon: v.horizon,
      samples: v.samples,
      iterations: v.iterations,
      signal,
      ...(input.onValidateProgress && { onProgress: input.onValidateProgress }),
    }));
  } catch (e) {
    if (signal.aborted) return undefined;
    throw e;
  }
  const t3 = performance.now();
  const m = collected.manifest;
  return {
    round,
    policy: onPolicy ? 'mpc' : s.collect.policy,
    data: `round-${round}/data`,
    datasetHash: m.contentHash,
    transitions: m.counts.transitions,
    episodes: m.counts.episodes,
    collectSeed: input.collectSeed,
    model: `round-${round}/model`,
    trainSteps: trained.steps,
    trainSeed: input.trainSeed,
    trainStepsPerSecond: trained.steps / Math.max(1e-3, trained.seconds),
    validationSeed: input.validationSeed,
    scores: scoresOf(report),
    times: { collectMs: t1 - t0, trainMs: t2 - t1, validateMs: t3 - t2, totalMs: t3 - t0 },
  };
}

/**
 * Trains, but stops after `limitMs` of wall time and exports the bundle at the step reached (the
 * step-rate estimate may be off; the budget must hold). `undefined` when the run's signal stopped it.
 */
async function trainWithin(
  step: { data: string[]; out: string; train: ResolvedLearnSettings['train'] & { seed: number } },
  limitMs: number,
  input: RoundInput,
): Promise<{ steps: number; seconds: number } | undefined> {
  const limit = new AbortController();
  const timer = Number.isFinite(limitMs) ? setTimeout(() => limit.abort(), limitMs) : undefined;
  const signal = AbortSignal.any([input.signal, limit.signal]);
  const progress = input.onTrainProgress && { onTrainProgress: input.onTrainProgress };
  const t0 = performance.now();
  try {
    let r = await runTrainStep({ kind: 'train', ...step }, { signal, ...progress });
    const seconds = (performance.now() - t0) / 1000;
    if (input.signal.aborted) return undefined;
    // Out of time: export what the checkpoint holds (resuming with steps = the steps reached trains nothing more).
    if (r.stopped && r.steps === 0) return undefined;
    if (r.stopped) r = await runTrainStep({ kind: 'train', ...step, train: { ...step.train, steps: r.steps } }, { resume: true });
    return r.bundle === undefined ? undefined : { steps: r.steps, seconds };
  } finally {
    clearTimeout(timer);
  }
}
