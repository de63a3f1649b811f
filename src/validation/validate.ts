/**
 * `validate({ env, model, spec, … })`: runs the whole suite — open-loop drift (observation and latent
 * space), the physical plausibility battery, counterfactual consistency and controllability, and
 * closed-loop control — and returns a typed {@link ValidationReport}.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import { isStateful } from '../env.js';
import { InvalidArgumentError } from '../errors.js';
import { Rng } from '../rng.js';
import { controllability, counterfactualConsistency } from './causal.js';
import { evaluateContenders } from './closed-loop.js';
import { curve, driftCurve, latentGaps, normalisedErrors, observationScale, type DriftCurve, type RowErrors } from './drift.js';
import type { ValidationModel } from './model.js';
import { resolveValidateOptions, reportedSettings, type ResolvedValidateOptions, type ValidateOptions } from './options.js';
import { runPlausibility } from './plausibility-stage.js';
import { flatSize, randomActionSequences, runRealRows, sampleStarts, type RealBatch, type StartPoint } from './real-rollouts.js';
import {
  VALIDATION_REPORT_FORMAT,
  type CausalSection,
  type ClosedLoopSection,
  type DriftSection,
  type Overlay,
  type OverlayMapRect,
  type ValidationReport,
} from './report-types.js';
import { fieldsOrDefault, validateSpec, type ValidationSpec } from './spec.js';

/** A source's real batch and the model's predictions for it. */
interface SourceRun {
  readonly name: string;
  readonly real: RealBatch;
  predicted?: Float32Array;
  latents?: Float32Array;
}

/**
 * Validates `model` against the real environment.
 *
 * @example
 * ```ts
 * const model = worldModelForValidation(await WorldModel.load('models/pushbox'));
 * const report = await validate({ env: pushBoxSpec.makeEnv(), model, spec: pushBoxSpec, quick: true });
 * console.log(report.plausibility.pps, report.drift.curves[0].validHorizon);
 * await writeValidationReport(report, 'reports/pushbox');
 * ```
 * @throws {@link InvalidArgumentError} for bad options, a model whose sizes do not match the
 * environment, a model that needs states with a non-`Stateful` environment, or an empty dataset.
 */
export async function validate(options: ValidateOptions): Promise<ValidationReport> {
  const t0 = performance.now();
  const o = resolveValidateOptions(options);
  const { env, model, spec } = o;
  const D = flatSize(env.observationSpace.shape);
  const A = flatSize(env.actionSpace.shape);
  checkCompatible(o, D, A);
  const stateful = isStateful(env);
  const notes: string[] = [];
  const total = 3 + (o.closedLoop ? o.closedLoop.contenders.length : 1);
  let done = 0;
  const progress = (stage: string, message: string) => {
    o.signal?.throwIfAborted();
    o.onProgress?.({ stage, message, done: ++done, total });
  };
  const idle = Float32Array.from(spec?.idleAction ?? new Array<number>(A).fill(0));
  const rng = Rng.fromSeed(o.seed);

  // ── Open-loop rollouts in reality ────────────────────────────────────────────────────────────
  o.signal?.throwIfAborted();
  const { starts, runs } = await realRuns(o, rng, idle);
  const scale = scaleFrom(o, D, runs);
  const fields = fieldsOrDefault(spec?.fields ?? manifestFields(model), D);

  // ── Drift, latent gap, controllability ───────────────────────────────────────────────────────
  const { drift, controllability: controllabilitySection } = await driftAndControllability(o, runs, starts.length, scale.std, fields, rng);
  progress('drift', `open-loop drift over ${runs.length} action source(s), ${starts.length} starts, H = ${o.horizon}`);

  // ── Physical plausibility ───────────────────────────────────────────────────────────────────
  const plausibility = await runPlausibility(o, scale.std, runs[0]!.real, runs[0]!.predicted, starts, idle, notes);
  progress('plausibility', `plausibility: PPS ${plausibility.pps === null ? 'n/a' : plausibility.pps.toFixed(3)}`);

  // ── Causal ──────────────────────────────────────────────────────────────────────────────────
  const counterfactual = await counterfactualConsistency(env, model, spec, { count: o.counterfactualStarts, seed: o.seed, scale: scale.std });
  progress('causal', 'counterfactual branching and controllability');

  // ── Closed loop ─────────────────────────────────────────────────────────────────────────────
  const closedLoop = await closedLoopSection(o, progress);

  if (!stateful) notes.push(`${env.spec.id} is not Stateful: counterfactual branching is not available; drift and scenarios replay seeded resets.`);
  if (scale.source === 'rollouts') notes.push('σ comes from the real validation rollouts (no training data given).');

  return {
    format: VALIDATION_REPORT_FORMAT,
    createdAt: new Date().toISOString(),
    durationMs: performance.now() - t0,
    env: { id: env.spec.id, obsDim: D, actionDim: A, stateful },
    model: reportedModel(model),
    settings: reportedSettings(o),
    scale: { std: Array.from(scale.std), source: scale.source, floor: o.stdFloor },
    drift,
    plausibility,
    causal: { counterfactual, controllability: controllabilitySection },
    closedLoop,
    overlays: overlays(o, runs),
    notes,
  };
}

/** Seeded start states, then each action source (random first, then `o.sources`) run from them in the real env. */
async function realRuns(o: ResolvedValidateOptions, rng: Rng, idle: Float32Array): Promise<{ starts: StartPoint[]; runs: SourceRun[] }> {
  const { env } = o;
  const starts = await sampleStarts(env, o.starts, o.seed, o.maxWarmup);
  const randomSeqs = randomActionSequences(env, starts.length, o.horizon, rng.derive(2));
  const runs: SourceRun[] = [
    {
      name: 'random',
      real: await runRealRows(
        env,
        starts.map((start, b) => ({ start, actions: randomSeqs[b]! })),
        o.horizon,
        idle,
      ),
    },
  ];
  for (const s of o.sources)
    runs.push({
      name: s.name,
      real: await runRealRows(
        env,
        starts.slice(0, o.sourceStarts).map((start) => ({ start, policy: s.policy })),
        o.horizon,
        idle,
      ),
    });
  return { starts, runs };
}

/**
 * The model's predictions for every run (stored on the runs), their drift curves and latent gaps, and
 * controllability: the random run's errors against those under other random actions.
 */
async function driftAndControllability(
  o: ResolvedValidateOptions,
  runs: SourceRun[],
  startCount: number,
  std: Float32Array,
  fields: ReturnType<typeof fieldsOrDefault>,
  rng: Rng,
): Promise<{ drift: DriftSection; controllability: CausalSection['controllability'] }> {
  const { env, model } = o;
  const A = flatSize(env.actionSpace.shape);
  const curves: DriftCurve[] = [];
  let randomErrors: RowErrors | undefined;
  for (const [k, run] of runs.entries()) {
    const p = await model.predict(startOf(run.real, model), run.real.actions, o.horizon);
    run.predicted = p.observations;
    run.latents = p.latents;
    let c: DriftCurve = { source: run.name, rows: run.real.count, horizon: o.horizon, overall: [], fields: [], validHorizon: null };
    if (p.observations) {
      const errs = normalisedErrors(run.real.observations, p.observations, run.real.valid, std, fields, run.real.count, o.horizon);
      if (k === 0) randomErrors = errs;
      c = driftCurve(run.name, errs, fields, std, o.seed + 17 * k, o.driftThreshold);
    }
    if (p.latents && model.encode && model.latentDim) {
      const encoded = await model.encode(run.real.observations);
      const { gaps, meanNorm } = latentGaps(encoded, p.latents, run.real.valid, model.latentDim);
      const relative = gaps.map((g) => g / meanNorm);
      c = { ...c, latent: { absolute: curve(gaps, run.real.count, o.horizon, o.seed + 5), relative: curve(relative, run.real.count, o.horizon, o.seed + 6) } };
    }
    curves.push(c);
  }
  if (!model.predictsObservations) {
    return {
      drift: { status: 'not-available', reason: 'the model predicts no observations (no decoder)', threshold: o.driftThreshold, curves },
      controllability: { status: 'not-available', reason: 'the model predicts no observations (no decoder)', score: null, formula: '', perStep: [] },
    };
  }
  const other = randomActionSequences(env, startCount, o.horizon, rng.derive(3));
  const flat = new Float32Array(startCount * o.horizon * A);
  other.forEach((s, b) => {
    flat.set(s, b * o.horizon * A);
  });
  const pRand = await model.predict(startOf(runs[0]!.real, model), flat, o.horizon);
  const randErrs = normalisedErrors(runs[0]!.real.observations, pRand.observations!, runs[0]!.real.valid, std, fields, startCount, o.horizon);
  return { drift: { status: 'scored', threshold: o.driftThreshold, curves }, controllability: controllability(randomErrors!, randErrs) };
}

/** Every closed-loop contender over the seeds, or why there is none. */
async function closedLoopSection(o: ResolvedValidateOptions, progress: (stage: string, message: string) => void): Promise<ClosedLoopSection> {
  if (!o.closedLoop) {
    progress('closed-loop', 'closed loop skipped (no contenders)');
    return { status: 'not-available', reason: 'no closed-loop contenders were given', seeds: [], contenders: [] };
  }
  const results = await evaluateContenders(o.closedLoop.contenders, o.closedLoopSeeds, (name) =>
    progress('closed-loop', `closed loop: ${name} × ${o.closedLoopSeeds.length} episodes`),
  );
  return { status: 'scored', seeds: o.closedLoopSeeds, contenders: results };
}

function reportedModel(model: ValidationModel): ValidationReport['model'] {
  return {
    name: model.name,
    kind: model.kind,
    obsDim: model.obsDim,
    actionDim: model.actionDim,
    ...(model.latentDim !== undefined && { latentDim: model.latentDim }),
    predictsObservations: model.predictsObservations,
  };
}

function checkCompatible(o: ResolvedValidateOptions, D: number, A: number): void {
  const { env, model, spec } = o;
  const id = env.spec.id;
  if (model.obsDim !== D) throw new InvalidArgumentError(`validate: the model ${model.name} has obsDim ${model.obsDim}, but ${id} observations have ${D} entries`);
  if (model.actionDim !== A) throw new InvalidArgumentError(`validate: the model ${model.name} has actionDim ${model.actionDim}, but ${id} actions have ${A} entries`);
  if (model.needsStates && !isStateful(env)) throw new InvalidArgumentError(`validate: the model ${model.name} starts from exact states, but ${id} is not Stateful`);
  if (spec) {
    if (spec.envId !== id) throw new InvalidArgumentError(`validate: the spec describes ${spec.envId}, but the environment is ${id}`);
    validateSpec(spec, { obsDim: D, actionDim: A });
  }
  // Fail before any rollout rather than after minutes of work.
  if (o.data && 'size' in o.data && o.data.size === 0)
    throw new InvalidArgumentError('validate: the dataset is empty (0 transitions), so it gives no σ to normalise errors; collect data first or omit `data`');
}

function scaleFrom(o: ResolvedValidateOptions, D: number, runs: readonly SourceRun[]): { std: Float32Array; source: 'data' | 'rollouts' } {
  if (o.data) {
    if ('size' in o.data && o.data.size === 0)
      throw new InvalidArgumentError('validate: the dataset is empty (0 transitions), so it gives no σ to normalise errors; collect data first or omit `data`');
    const std = 'obsStd' in o.data ? o.data.obsStd : o.data.stats().obsStd;
    if (std.length !== D) throw new InvalidArgumentError(`validate: expected data σ (obsStd) of ${D} entries (the observation size), got ${std.length}`);
    return { std: observationScale(D, o.stdFloor, std), source: 'data' };
  }
  const rows: Float32Array[] = [];
  for (const r of runs) {
    rows.push(r.real.startObservations);
    for (let i = 0; i < r.real.valid.length; i++) if (r.real.valid[i]) rows.push(r.real.observations.subarray(i * D, (i + 1) * D));
  }
  const all = new Float32Array(rows.reduce((s, r) => s + r.length, 0));
  let off = 0;
  for (const r of rows) {
    all.set(r, off);
    off += r.length;
  }
  return { std: observationScale(D, o.stdFloor, undefined, all), source: 'rollouts' };
}

function manifestFields(model: ValidationModel): { name: string; start: number; size: number; unit?: string }[] | undefined {
  const m = (model as { manifest?: { observationFields?: { name: string; start: number; size: number; unit?: string }[] } }).manifest;
  return m?.observationFields;
}

/** The start of a batch as a model needs it. */
export function startOf(real: RealBatch, model: ValidationModel): { observations: Float32Array; states?: unknown[] } {
  return { observations: real.startObservations, ...(model.needsStates && real.startStates && { states: real.startStates }) };
}

function overlays(o: ResolvedValidateOptions, runs: readonly SourceRun[]): Overlay[] {
  const spec = o.spec;
  if (!spec?.overlays?.length || o.overlayRows === 0) return [];
  const run = runs.find((r) => r.name !== 'random' && r.predicted) ?? runs[0]!;
  if (!run.predicted) return [];
  const { real } = run;
  const D = real.obsDim;
  const H = real.horizon;
  const rows = Math.min(o.overlayRows, real.count);
  return spec.overlays.map((ov) => {
    const traces: Overlay['traces'][number][] = [];
    for (let b = 0; b < rows; b++) {
      const start: [number, number] = [real.startObservations[b * D + ov.x]!, real.startObservations[b * D + ov.y]!];
      const pr: [number, number][] = [start];
      const pm: [number, number][] = [start];
      for (let h = 0; h < H && real.valid[b * H + h]; h++) {
        const i = (b * H + h) * D;
        pr.push([real.observations[i + ov.x]!, real.observations[i + ov.y]!]);
        pm.push([run.predicted![i + ov.x]!, run.predicted![i + ov.y]!]);
      }
      traces.push({ row: b, kind: 'real', points: pr }, { row: b, kind: 'model', points: pm });
    }
    const map = ov.topView ? overlayMap(spec) : [];
    return { name: ov.name, xLabel: ov.xLabel, yLabel: ov.yLabel, source: run.name, traces, ...(map.length > 0 && { map }) };
  });
}

/** The map under a top view: obstacles standing above the ground (shelves, walls; not the floor or a table top) and the spec's regions. */
function overlayMap(spec: ValidationSpec): OverlayMapRect[] {
  const obstacles = spec.obstacles.filter((o) => o.max[1] > 0).map((o) => ({ name: o.name, kind: 'obstacle', x0: o.min[0], x1: o.max[0], y0: o.min[2], y1: o.max[2] }));
  const regions = (spec.regions ?? []).map((r) => ({ name: r.name, kind: r.kind, x0: r.min[0], x1: r.max[0], y0: r.min[1], y1: r.max[1] }));
  return [...regions, ...obstacles];
}
