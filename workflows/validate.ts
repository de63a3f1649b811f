/**
 * `validateModel`: validates a world-model bundle (or the Rapier oracle itself, `oracle: true`) against
 * Rapier — open-loop drift, physical plausibility, causal consistency, closed-loop MPC against the
 * oracle and baselines — and writes `report.json` and a self-contained `report.html`. An abort stops
 * between units of work; nothing half-written is left.
 *
 * This is where validation meets `agents/`: the scripted baselines, MPC agents and episode runner
 * become action sources and closed-loop contenders for `validate`.
 *
 * @module
 */
import { resolve } from 'node:path';
import { toArray } from 'rxjs';
import { createPlanSource, type OwnedPlanSource, type PlanSpec } from '../agents/plan-factory.js';
import { mpcAgent } from '../agents/mpc-agent.js';
import { controllerPolicy, mpcController } from '../agents/mpc-controller.js';
import { policyAgent } from '../agents/policy-agent.js';
import { randomAgent } from '../agents/random-agent.js';
import { runEpisodes } from '../agents/run-episodes.js';
import type { Agent } from '../agents/types.js';
import { environmentCard, scriptedPolicyFor } from '../environments/cards.js';
import { isStateful, type Env } from '../src/env.js';
import { InvalidArgumentError } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { make } from '../src/registry.js';
import { Dataset } from '../src/training/dataset.js';
import {
  OracleModel,
  validate,
  worldModelForValidation,
  writeValidationReport,
  type ActionSource,
  type ClosedLoopContender,
  type EpisodeOutcome,
  type ValidateProgress,
  type ValidationModel,
  type ValidationReport,
  type WrittenReport,
} from '../src/validation/index.js';
import { readBundleManifest } from '../src/worldmodel/bundle.js';
import { WorldModel } from '../src/worldmodel/world-model.js';
import { viewCommand } from './view.js';
import { episodeLimit } from './plan.js';
import { callbackOption, signalOption } from './schema.js';
import { PLAN_ALGORITHMS } from '../src/planning/plan-preset.js';

const positiveInt = () => z.number().int().positive();

/** Zod schema of {@link ValidateModelOptions}. */
export const ValidateModelOptionsSchema = z
  .object({
    /** Registered environment id, e.g. `PushBox-v0`. */
    env: z.string().min(1),
    /** World-model bundle directory. Exactly one of `model` and `oracle`. */
    model: z.string().min(1).optional(),
    /** Validate the Rapier oracle itself (the perfect model: a sanity check of the suite). Default false. */
    oracle: z.boolean().default(false),
    /** Output directory for report.json and report.html. */
    out: z.string().min(1),
    /** Smaller sizes (about 4× less work). Default false. */
    quick: z.boolean().default(false),
    /** Seed of everything random. Default 0. */
    seed: z.number().int().nonnegative().default(0),
    /** Dataset directory whose observation σ normalises errors (e.g. the training data). */
    data: z.string().min(1).optional(),
    /** Environment options. Default `{}`. */
    envOptions: z.record(z.string(), z.unknown()).default({}),
    /** Run the closed-loop comparison. Default true. */
    closedLoop: z.boolean().default(true),
    /**
     * Include the oracle MPC (planning with Rapier itself) among the closed-loop contenders. It is the
     * slowest part of a validation by far (Rapier rollouts of every candidate); loops that only need the
     * learned MPC's success (`learn`) leave it out. Default true.
     */
    oracleMpc: z.boolean().default(true),
    /** Closed-loop episodes per contender. Default 10 (quick 5). */
    episodes: positiveInt().optional(),
    /** Step limit of a closed-loop episode. Default 100. */
    maxSteps: positiveInt().default(100),
    /** The environment's time limit (`make`'s `maxEpisodeSteps`). Default: the registered one. */
    maxEpisodeSteps: positiveInt().optional(),
    /**
     * Actions executed per plan, by the learned and the oracle MPC alike. Default: the learned MPC the
     * bundle's certified settings' (`manifest.planner`); the oracle MPC (and an uncertified bundle) 2.
     */
    replanEvery: positiveInt().optional(),
    /**
     * Planning horizon, of the learned and the oracle MPC alike. Default: the learned MPC plans with the
     * bundle's certified settings (`manifest.planner`: optimiser and budget), the oracle MPC (and a bundle
     * without them) with the environment's plan preset.
     */
    horizon: positiveInt().optional(),
    /** MPC candidates per iteration (learned and oracle alike). Default: as `horizon`. */
    samples: positiveInt().optional(),
    /** MPC optimiser iterations per plan (learned and oracle alike). Default: as `horizon`. */
    iterations: positiveInt().optional(),
    /** MPC optimiser, `mppi`, `cem`, `icem` or `random-shooting` (learned and oracle alike). Default: as `horizon`. */
    algorithm: z.enum(PLAN_ALGORITHMS, { message: `expected ${PLAN_ALGORITHMS.slice(0, -1).join(', ')} or ${PLAN_ALGORITHMS.at(-1)}` }).optional(),
    /** Stops between units of work (the promise rejects with the signal's reason; nothing is written). */
    signal: signalOption(),
    /** Called after each unit of work. */
    onProgress: callbackOption<(progress: ValidateProgress) => void>(),
  })
  .strict()
  .refine((o) => o.oracle || o.model !== undefined, {
    message: 'give `model` (a bundle directory) to validate a world model, or `oracle: true` to validate the Rapier oracle itself',
    path: ['model'],
  })
  .refine((o) => !(o.oracle && o.model !== undefined), { message: 'give either `model` or `oracle`, not both', path: ['oracle'] });

/** Options of {@link validateModel}. */
export type ValidateModelOptions = z.input<typeof ValidateModelOptionsSchema>;
type Resolved = z.output<typeof ValidateModelOptionsSchema>;

/** What {@link validateModel} produced. */
export interface ValidateModelResult {
  /** The validation report (also written as report.json). */
  readonly report: ValidationReport;
  /** The files written. */
  readonly written: WrittenReport;
}

type Owned = { close(): Promise<void> }[];

/** A closed-loop contender that runs an agent with `agents/`' episode runner; an abort stops it. */
function agentContender(
  name: string,
  kind: string,
  envFactory: () => Env<Float32Array, Float32Array>,
  agent: Agent<Float32Array, Float32Array>,
  maxSteps: number,
  signal?: AbortSignal,
): ClosedLoopContender {
  return {
    name,
    kind,
    async evaluate(seeds) {
      signal?.throwIfAborted();
      let onAbort: (() => void) | undefined;
      const results = await new Promise<EpisodeOutcome[]>((resolve, reject) => {
        const sub = runEpisodes(envFactory, agent, { seeds, maxSteps })
          .pipe(toArray())
          .subscribe({
            next: (r) => resolve(r.map((x) => ({ seed: x.seed, return: x.return, length: x.length, success: x.success }))),
            error: reject,
          });
        onAbort = () => {
          sub.unsubscribe();
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      }).finally(() => {
        // One listener per evaluation, removed when it settles: a long run (learn) evaluates many times.
        if (onAbort) signal?.removeEventListener('abort', onAbort);
      });
      const order = new Map(seeds.map((s, i) => [s, i]));
      return results.sort((a, b) => order.get(a.seed)! - order.get(b.seed)!);
    },
  };
}

/**
 * Runs the validation `options` describe and writes the report (what `embodied validate` runs).
 * @throws {@link InvalidArgumentError} for bad options (naming the option) or a bundle of another environment.
 */
export async function validateModel(options: ValidateModelOptions): Promise<ValidateModelResult> {
  const o = parseOptions(ValidateModelOptionsSchema, options, 'validateModel options');
  const spec = environmentCard(o.env)?.validationSpec?.(o.envOptions);
  // Every environment comes from the registry, time limit included, so that states captured in one
  // (the real environment) restore into the others (the oracle model, the oracle planner's pool).
  const makeEnv = (): Env<Float32Array, Float32Array> => make<Float32Array, Float32Array>(o.env, o.envOptions, episodeLimit({ env: o.env, maxEpisodeSteps: o.maxEpisodeSteps }));
  const owned: Owned = [];
  const env = makeEnv();
  owned.push(env);
  try {
    const model = await validationModel(o, makeEnv);
    owned.push({ close: async () => model.close?.() });
    const data = o.data !== undefined ? await Dataset.load(o.data) : undefined;
    const { oracleSource, learnedSource } = await planSources(o, owned);
    const scripted = scriptedPolicyFor(o.env, o.envOptions);
    const sources: ActionSource[] = [];
    if (scripted) sources.push({ name: `scripted:${scripted.name.replace(/^scripted:/, '')}`, policy: scripted });
    sources.push({
      name: learnedSource ? 'planner:learned-mpc' : 'planner:oracle-mpc',
      policy: controllerPolicy(mpcController({ source: learnedSource ?? oracleSource, replanEvery: (learnedSource ?? oracleSource).preset.replanEvery, seed: o.seed }), {
        name: 'planner',
        ...(isStateful(env) && { state: () => env.getState() }),
      }),
    });
    const closedLoop = o.closedLoop ? closedLoopContenders(o, makeEnv, env, oracleSource, learnedSource) : undefined;
    let report = await validate({
      env,
      model,
      ...(spec && { spec }),
      ...(data && { data }),
      seed: o.seed,
      quick: o.quick,
      sources,
      ...(closedLoop && { closedLoop }),
      ...(o.onProgress && { onProgress: o.onProgress }),
      ...(o.signal && { signal: o.signal }),
    });
    const notes = [...report.notes, plannerNote(oracleSource, learnedSource)];
    if (!spec) notes.push(`no validation spec for ${o.env}: plausibility and counterfactual checks are not available`);
    report = { ...report, notes };
    const viewer = o.model === undefined ? [] : [{ label: 'Dream vs real and play with this model', command: viewCommand(resolve(o.model)) }];
    const written = await writeValidationReport(report, o.out, { viewer });
    return { report, written };
  } finally {
    for (const x of owned.reverse()) await x.close();
  }
}

/** The oracle MPC replans every other step unless a flag says otherwise: Rapier rollouts are the slow part. */
const ORACLE_REPLAN_EVERY = 2;

/**
 * The learned and the oracle MPC's plan sources. Each plans with the settings it is tuned for: the
 * learned MPC with the bundle's certified settings (`manifest.planner`), the oracle with the
 * environment's plan preset (tuned so that the oracle solves the task), replanning every
 * {@link ORACLE_REPLAN_EVERY} steps. A bundle without certified settings plans as the oracle does.
 * Explicit budget options apply to both, for a like-for-like comparison.
 */
async function planSources(o: Resolved, owned: Owned): Promise<{ oracleSource: OwnedPlanSource; learnedSource: OwnedPlanSource | undefined }> {
  const explicit: Partial<PlanSpec> = {
    ...(o.horizon !== undefined && { horizon: o.horizon }),
    ...(o.samples !== undefined && { samples: o.samples }),
    ...(o.iterations !== undefined && { iterations: o.iterations }),
    ...(o.algorithm !== undefined && { algorithm: o.algorithm }),
    ...(o.replanEvery !== undefined && { replanEvery: o.replanEvery }),
    seed: o.seed,
  };
  const oracleBudget: Partial<PlanSpec> = { replanEvery: ORACLE_REPLAN_EVERY, ...explicit };
  const oracleSource = await createPlanSource({ envId: o.env, envOptions: o.envOptions, oracle: true, ...oracleBudget });
  owned.push(oracleSource);
  if (o.model === undefined) return { oracleSource, learnedSource: undefined };
  const certified = (await readBundleManifest(o.model)).planner !== undefined;
  const learnedSource = await createPlanSource({ envId: o.env, envOptions: o.envOptions, model: o.model, ...(certified ? explicit : oracleBudget) });
  owned.push(learnedSource);
  return { oracleSource, learnedSource };
}

/** A report note naming the planner settings each MPC played with. */
function plannerNote(oracle: OwnedPlanSource, learned: OwnedPlanSource | undefined): string {
  const label = (p: OwnedPlanSource['preset']) => `${p.algorithm} ${p.samples} samples × H ${p.horizon} × ${p.iterations} iterations, replan every ${p.replanEvery}`;
  const oracleText = `oracle MPC ${label(oracle.preset)}`;
  return learned === undefined ? `planner: ${oracleText}` : `planner: learned MPC ${label(learned.preset)}; ${oracleText}`;
}

/** The model under validation: the oracle, or the bundle (which must model `env`). */
async function validationModel(o: Resolved, makeEnv: () => Env<Float32Array, Float32Array>): Promise<ValidationModel> {
  if (o.oracle) return new OracleModel(makeEnv);
  const wm = await WorldModel.load(o.model!);
  const model = worldModelForValidation(wm, { owns: true });
  if (wm.manifest.envId !== o.env) {
    await wm.close();
    throw new InvalidArgumentError(`validateModel: the bundle at ${o.model} models ${wm.manifest.envId}, not ${o.env}`);
  }
  return model;
}

/** Learned MPC (with a bundle), oracle MPC, the scripted baseline (when there is one) and random actions. */
function closedLoopContenders(
  o: Resolved,
  makeEnv: () => Env<Float32Array, Float32Array>,
  env: Env<Float32Array, Float32Array>,
  oracleSource: OwnedPlanSource,
  learnedSource: OwnedPlanSource | undefined,
): { contenders: ClosedLoopContender[]; seeds: number[] } {
  const { seed, maxSteps, signal } = o;
  const episodes = o.episodes ?? (o.quick ? 5 : 10);
  const scripted = scriptedPolicyFor(o.env, o.envOptions);
  const contenders: ClosedLoopContender[] = [];
  if (learnedSource)
    contenders.push(
      agentContender('learned MPC', 'learned-mpc', makeEnv, mpcAgent({ source: learnedSource, replanEvery: learnedSource.preset.replanEvery, seed }), maxSteps, signal),
    );
  if (o.oracleMpc || !learnedSource)
    contenders.push(agentContender('oracle MPC', 'oracle-mpc', makeEnv, mpcAgent({ source: oracleSource, replanEvery: oracleSource.preset.replanEvery, seed }), maxSteps, signal));
  if (scripted) contenders.push(agentContender('scripted', 'scripted', makeEnv, policyAgent(scripted), maxSteps, signal));
  contenders.push(agentContender('random', 'random', makeEnv, randomAgent(env.actionSpace, seed) as Agent<Float32Array, Float32Array>, maxSteps, signal));
  return { contenders, seeds: Array.from({ length: episodes }, (_, i) => 1000 + seed + i) };
}

/** A short text summary of a report (what `embodied validate` prints). */
export function formatValidationSummary(r: ValidationReport, written?: WrittenReport): string {
  const f = (v: number | null | undefined, d = 3) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(d));
  const lines = [`${r.model.name} (${r.model.kind}) on ${r.env.id} · ${(r.durationMs / 1000).toFixed(1)} s`];
  for (const c of r.drift.curves)
    if (c.overall.length)
      lines.push(`drift ${c.source.padEnd(22)} h=1 ${f(c.overall[0]!.mean)} · h=${c.horizon} ${f(c.overall.at(-1)!.mean)} σ · valid horizon ${c.validHorizon ?? `> ${c.horizon}`}`);
  lines.push(`PPS ${f(r.plausibility.pps)} (${r.plausibility.checks.map((c) => `${c.id} ${c.status === 'scored' ? f(c.score, 2) : c.status}`).join(', ')})`);
  lines.push(
    `controllability ${f(r.causal.controllability.score)} · counterfactual ${r.causal.counterfactual.status === 'scored' ? f(r.causal.counterfactual.score) : r.causal.counterfactual.status}`,
  );
  for (const c of r.closedLoop.contenders)
    lines.push(
      `closed loop ${c.name.padEnd(12)} success ${f(c.successRate.mean, 2)} [${f(c.successRate.low, 2)}, ${f(c.successRate.high, 2)}] · return ${f(c.return.mean, 2)} [${f(c.return.low, 2)}, ${f(c.return.high, 2)}]`,
    );
  if (written) lines.push(`wrote ${written.json} and ${written.html}`);
  return lines.join('\n');
}
