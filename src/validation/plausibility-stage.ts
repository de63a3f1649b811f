/**
 * The plausibility stage of `validate`: builds each scenario of the spec in the real environment,
 * runs the model on the same starts and actions, and scores every check (or says why it is not
 * scored).
 *
 * @module
 */
import { Rng } from '../rng.js';
import type { ValidationModel } from './model.js';
import type { ResolvedValidateOptions } from './options.js';
import {
  energyCheck,
  gravityCheck,
  momentumCheck,
  penetrationCheck,
  permanenceCheck,
  physicalPlausibilityScore,
  supportCheck,
  unscoredCheck,
  type ScenarioRun,
} from './plausibility.js';
import { heldAction, randomActionSequences, runRealRows, type RealBatch, type StartPoint } from './real-rollouts.js';
import type { CheckId, CheckResult, ValidationReport } from './report-types.js';
import type { ScenarioSet, ScenarioSpec, ValidationSpec } from './spec.js';

const NAMES: Readonly<Record<CheckId, string>> = {
  gravity: 'Gravity',
  support: 'Support',
  'non-penetration': 'Non-penetration',
  permanence: 'Object permanence',
  energy: 'Energy',
  momentum: 'Momentum transfer',
};
const ORDER: readonly CheckId[] = ['gravity', 'support', 'non-penetration', 'permanence', 'energy', 'momentum'];

/** The formula of the PPS. */
export const PPS_FORMULA = 'PPS = mean of the scores of the scored checks (not-applicable and not-available checks are left out)';

function startsOf(model: ValidationModel, real: RealBatch) {
  return { observations: real.startObservations, ...(model.needsStates && real.startStates && { states: real.startStates }) };
}

/** Runs one scenario: real rows and the model's predictions. */
export async function runScenario(o: ResolvedValidateOptions, scenario: ScenarioSpec, index: number, idle: Float32Array): Promise<ScenarioRun> {
  const instances = scenario.instances(o.scenarioInstances, Rng.fromSeed(o.seed).derive(200 + index));
  const H = scenario.horizon;
  const rows = instances.map((inst) => ({ start: { seed: inst.seed, resetOptions: inst.resetOptions, warmup: new Float32Array(0) }, actions: heldAction(inst.action, H) }));
  const real = await runRealRows(o.env, rows, H, idle);
  const p = await o.model.predict(startsOf(o.model, real), real.actions, H);
  return { scenario, instances, real, predicted: p.observations! };
}

/** Scores every plausibility check. `openLoop*` are the random-action drift rows (for the open-loop penetration rate). */
export async function runPlausibility(
  o: ResolvedValidateOptions,
  std: Float32Array,
  openLoopReal: RealBatch,
  openLoopPredicted: Float32Array | undefined,
  starts: readonly StartPoint[],
  idle: Float32Array,
  notes: string[],
): Promise<ValidationReport['plausibility']> {
  const { spec, model, env } = o;
  const unscored = (status: 'not-applicable' | 'not-available', reason: (id: CheckId) => string) => ORDER.map((id) => unscoredCheck(id, NAMES[id], status, reason(id)));
  if (!spec) return { pps: null, formula: PPS_FORMULA, checks: unscored('not-available', () => `no validation spec for ${env.spec.id} (geometry and scenarios are needed)`) };
  if (!model.predictsObservations || !openLoopPredicted)
    return { pps: null, formula: PPS_FORMULA, checks: unscored('not-available', () => 'the model predicts no observations (no decoder)') };

  const na = (id: CheckId, key: keyof ScenarioSet | 'permanence', why: string) =>
    unscoredCheck(id, NAMES[id], 'not-applicable', spec.notApplicable?.[key] ?? `the ${spec.envId} spec defines no ${why}`);
  const runs: Partial<Record<keyof ScenarioSet, ScenarioRun>> = {};
  const keys: (keyof ScenarioSet)[] = ['gravity', 'support', 'contact', 'push', 'energy'];
  for (const [i, key] of keys.entries()) {
    o.signal?.throwIfAborted();
    const s = spec.scenarios[key];
    if (s) runs[key] = await runScenario(o, s, i, idle);
  }

  const checks: CheckResult[] = [];
  checks.push(runs.gravity ? gravityCheck(spec, runs.gravity) : na('gravity', 'gravity', 'gravity scenario'));
  checks.push(runs.support ? supportCheck(spec, runs.support) : na('support', 'support', 'support scenario'));
  const contactRuns = [runs.support, runs.contact, runs.push].filter((r): r is ScenarioRun => r !== undefined);
  const hasGeometry = spec.obstacles.length > 0 || (spec.contactPairs?.length ?? 0) > 0;
  if (contactRuns.length > 0 && hasGeometry) checks.push(penetrationCheck(spec, contactRuns, { real: openLoopReal, predicted: openLoopPredicted }));
  else checks.push(na('non-penetration', 'contact', hasGeometry ? 'contact scenario' : 'obstacles or contact pairs'));
  checks.push(await permanence(o, spec, std, starts, idle));
  if (runs.energy && spec.energy) checks.push(energyCheck(spec, runs.energy));
  else checks.push(na('energy', 'energy', spec.energy ? 'energy scenario' : 'energy function'));
  checks.push(runs.push ? momentumCheck(spec, runs.push) : na('momentum', 'push', 'push scenario'));
  for (const c of checks) {
    const skipped = c.instances.filter((i) => i.score === null).length;
    if (skipped > 0) notes.push(`${c.name}: ${skipped} of ${c.instances.length} instances skipped (${c.instances.find((i) => i.score === null)?.note ?? 'no real effect'}).`);
  }
  return { pps: physicalPlausibilityScore(checks), formula: PPS_FORMULA, checks };
}

async function permanence(o: ResolvedValidateOptions, spec: ValidationSpec, std: Float32Array, starts: readonly StartPoint[], idle: Float32Array): Promise<CheckResult> {
  const rows = starts.slice(0, o.permanenceRows);
  const H = o.permanenceHorizon;
  const seqs = randomActionSequences(o.env, rows.length, H, Rng.fromSeed(o.seed).derive(300));
  const real = await runRealRows(
    o.env,
    rows.map((start, b) => ({ start, actions: seqs[b]! })),
    H,
    idle,
  );
  const p = await o.model.predict(startsOf(o.model, real), real.actions, H);
  const space = o.env.observationSpace as { low?: ArrayLike<number>; high?: ArrayLike<number> };
  const bounds = space.low && space.high && space.low.length === real.obsDim ? { low: space.low, high: space.high } : undefined;
  return permanenceCheck(spec, real, p.observations!, std, `${rows.length} rollouts of ${H} uniform random actions`, bounds);
}
