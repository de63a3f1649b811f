/**
 * `runDemo`: the main job. Loads a shipped world model, runs the MPC agent planning in its latent
 * space on real (Rapier) episodes, runs the baselines beside it (MPC on the Rapier oracle, the scripted
 * controller, random actions), validates the model against Rapier (drift, plausibility, causal
 * checks), and writes the validation report, a replay of one episode, and a JSON summary.
 *
 * Stages run in this order, each reported through `onEvent`: learned MPC, scripted, random, oracle
 * MPC, validation. An abort signal stops at the next step; files are written only at the end, each
 * atomically, so a stopped demo leaves nothing half-written.
 *
 * @module
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { environmentCard, scriptedPolicyFor } from '../../environments/cards.js';
import { writeFileAtomic } from '../../src/atomic-write.js';
import type { Env } from '../../src/env.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { parseOptions, z } from '../../src/options.js';
import type { Policy } from '../../src/policy.js';
import { make } from '../../src/registry.js';
import {
  summarizeContender,
  validate,
  worldModelForValidation,
  writeValidationReport,
  type ActionSource,
  type ContenderResult,
  type ValidationReport,
} from '../../src/validation/index.js';
import type { PlannerSettings } from '../../src/worldmodel/manifest.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { percentile } from '../../agents/episode-stats.js';
import { mpcAgent, type MpcAgent, type MpcTelemetry } from '../../agents/mpc-agent.js';
import { controllerPolicy, mpcController } from '../../agents/mpc-controller.js';
import { createPlanSource, type OwnedPlanSource } from '../../agents/plan-factory.js';
import { policyAgent } from '../../agents/policy-agent.js';
import { randomAgent } from '../../agents/random-agent.js';
import type { Agent } from '../../agents/types.js';
import { demoTask, shippedBundle, type MpcSettings, type DemoTask } from './demo-tasks.js';
import { playEpisodes, stoppedError, trackPlans, type DemoEpisode, type TrackedPlanSource } from './play.js';
import { RecordFrames, writeReplay, type Replay, type ReplayPlan } from './replay.js';
import { callbackOption, signalOption } from '../schema.js';
import { trainDemoModel, type DemoTrainEvent } from './train-model.js';
import { viewCommand, viewerBuilt, writeViewer } from '../view.js';

/** Zod schema of {@link DemoOptions}. */
export const DemoOptionsSchema = z
  .object({
    /** `Warehouse-v0` or `PushBox-v0`. Default `Warehouse-v0`. */
    envId: z.string().min(1).default('Warehouse-v0'),
    /** Bundle directory. Default: the shipped bundle of the task (`models/<name>`). */
    model: z.string().min(1).optional(),
    /** Episodes per contender (the oracle plays at most the task's `oracleEpisodes` of them). Default: the task's (quick: fewer). */
    episodes: z.number().int().positive().optional(),
    /** Episode k is reset with seed `seed + k`; the planners and validation are seeded from it too. Default 0. */
    seed: z.number().int().nonnegative().default(0),
    /** CI mode: few, short episodes, small budgets, quick validation — every stage still runs. Default false. */
    quick: z.boolean().default(false),
    /** Output directory. Default `out/demo`. */
    out: z.string().min(1).default('out/demo'),
    /** Run the oracle-MPC baseline. Default true. */
    oracle: z.boolean().default(true),
    /** Oracle-MPC episodes (the first of the seeds). Default: the task's (quick: fewer). */
    oracleEpisodes: z.number().int().nonnegative().optional(),
    /**
     * Make the model from scratch first with `learn` (10-minute budget, seed `seed`; the command that
     * makes the shipped bundles, models/README.md) into `<out>/learn`; its published bundle replaces
     * `model`. Default false.
     */
    train: z.boolean().default(false),
    /** Progress. */
    onEvent: callbackOption<(event: DemoEvent) => void>(),
    /** Stops at the next step (the promise rejects with the signal's reason; nothing is written). */
    signal: signalOption(),
  })
  .strict();

/** Options of {@link runDemo}. */
export type DemoOptions = z.input<typeof DemoOptionsSchema>;

/** What {@link runDemo} reports while it runs. */
export type DemoEvent =
  | { readonly kind: 'stage'; readonly stage: string; readonly detail: string; readonly episodes: number }
  | { readonly kind: 'step'; readonly stage: string; readonly episode: number; readonly step: number }
  | { readonly kind: 'episode'; readonly stage: string; readonly episode: number; readonly episodes: number; readonly result: DemoEpisode; readonly successes: number }
  | { readonly kind: 'validation'; readonly message: string; readonly done: number; readonly total: number }
  | DemoTrainEvent;

/** One contender's row of the demo table. */
export interface DemoRow {
  readonly name: string;
  /** `learned-mpc`, `oracle-mpc`, `scripted`, `random`. */
  readonly kind: string;
  /** Planner settings for MPC rows, e.g. `MPPI 256×12×4, replan every 1`. */
  readonly settings?: string;
  readonly episodes: DemoEpisode[];
  /** Success rate with its Wilson 95% interval, return and length with t intervals. */
  readonly summary: ContenderResult;
  /** Packages delivered over all episodes (environments that count deliveries). */
  readonly deliveries?: number;
  /** Plan latency, ms (MPC rows). */
  readonly planMs?: { readonly p50: number; readonly p95: number; readonly min: number; readonly max: number; readonly count: number };
}

/** The model-vs-Rapier numbers of the table. */
export interface DemoModelCheck {
  /** Drift of the model along the learned MPC's own actions: mean normalised error (σ units) at h = 1 and h = H. */
  readonly drift: {
    readonly source: string;
    readonly horizon: number;
    readonly first: number | null;
    readonly last: number | null;
    readonly validHorizon: number | null;
    readonly threshold: number;
  };
  /** Physical Plausibility Score (0…1), or null when not available. */
  readonly pps: number | null;
  readonly controllability: number | null;
  readonly counterfactual: number | null;
}

/** What {@link runDemo} returns (also written as `summary.json`). */
export interface DemoResult {
  readonly format: 'embodied.demo/v1';
  readonly envId: string;
  readonly label: string;
  readonly model: { readonly path: string; readonly name: string; readonly latentDim: number; readonly bytes: number; readonly trainingSteps?: number };
  readonly quick: boolean;
  readonly seeds: number[];
  readonly maxSteps?: number;
  readonly rows: DemoRow[];
  readonly check: DemoModelCheck;
  /** `viewer`: the replay's page (`embodied view --out`), written when the viewer is built (`npm run build`). */
  readonly files: { readonly reportHtml: string; readonly reportJson: string; readonly replay: string; readonly summary: string; readonly viewer?: string };
  readonly durationMs: number;
}

/**
 * The demo's validation sizes. The planner source replans at every start state and step: fewer, shorter
 * rollouts keep it quick. The random-action rows cost no plan, and controllability needs many of them
 * (docs/validation.md).
 */
function validationSizes(quick: boolean): { starts: number; sourceStarts: number; horizon: number } {
  return { starts: quick ? 4 : 48, sourceStarts: quick ? 4 : 12, horizon: quick ? 10 : 20 };
}

/** Runs the demo (see the module docs). @throws {@link InvalidArgumentError} for bad options (naming the option). */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const t0 = performance.now();
  const o = parseOptions(DemoOptionsSchema, options, 'runDemo options');
  const task = demoTask(o.envId);
  const { quick, seed, signal, onEvent } = o;
  const episodes = o.episodes ?? (quick ? task.quick.episodes : task.episodes);
  const seeds = Array.from({ length: episodes }, (_, k) => seed + k);
  const oracleEpisodes = o.oracleEpisodes ?? (quick ? task.quick.oracleEpisodes : task.oracleEpisodes);
  const oracleSeeds = seeds.slice(0, Math.min(episodes, oracleEpisodes));
  const maxSteps = quick ? task.quick.maxSteps : task.maxSteps;
  const oracleSettings: MpcSettings = { ...task.oracle, ...(quick && task.quick.oracle) };
  const out = resolve(o.out);
  const bundle = o.train ? await trainDemoModel(task, out, { seed, ...(o.signal && { signal: o.signal }), ...(o.onEvent && { onEvent: o.onEvent }) }) : o.model;
  const modelDir = resolve(bundle ?? shippedBundle(task));
  const makeEnv = (): Env<Float32Array, Float32Array> => make<Float32Array, Float32Array>(task.envId, task.envOptions);

  const owned: { close(): Promise<void> }[] = [];
  const tracked: TrackedPlanSource[] = [];
  try {
    const wm = await WorldModel.load(modelDir);
    owned.push(wm);
    if (wm.manifest.envId !== task.envId) throw new InvalidArgumentError(`runDemo: the bundle at ${modelDir} models ${wm.manifest.envId}, not ${task.envId}`);
    // The bundle's certified settings when its manifest records them (a bundle made by --train or by
    // hand may not): the settings its success was measured with.
    const learnedSettings: MpcSettings = { ...learnedSettingsOf(wm.manifest.planner, task), ...(quick && task.quick.learned) };
    const learnedSource = await planSource(task, learnedSettings, { model: modelDir, seed }, owned, tracked);
    const stages: Stages = { o, task, seeds, oracleSeeds, maxSteps, modelDir, makeEnv, owned, tracked };
    const rows: DemoRow[] = [];
    const replay = await playLearned(stages, learnedSource, learnedSettings, rows);
    const scripted = await playBaselines(stages, oracleSettings, rows);

    // ── Validation against Rapier ─────────────────────────────────────────────────────────────────
    const env = makeEnv();
    owned.push(env);
    const model = worldModelForValidation(wm);
    const sources: ActionSource[] = [
      {
        name: 'planner:learned-mpc',
        policy: controllerPolicy(mpcController({ source: learnedSource, replanEvery: learnedSettings.replanEvery, seed }), { name: 'planner:learned-mpc' }),
      },
    ];
    if (scripted) sources.unshift({ name: scripted.name, policy: scriptedPolicyFor(task.envId, task.envOptions)! });
    const obsStd = trainingStd(wm);
    const spec = environmentCard(task.envId)?.validationSpec?.(task.envOptions);
    onEvent?.({ kind: 'stage', stage: 'validation', detail: 'drift, plausibility, causal checks against Rapier', episodes: 0 });
    let report: ValidationReport = await validate({
      env,
      model,
      ...(spec && { spec }),
      ...(obsStd && { data: { obsStd } }),
      seed,
      quick,
      ...validationSizes(quick),
      sources,
      onProgress: (p) => onEvent?.({ kind: 'validation', message: p.message, done: p.done, total: p.total }),
      ...(signal && { signal }),
    });
    report = withClosedLoop(report, rows, seeds, oracleSeeds);

    // ── Outputs (each file atomic; only now, so a stopped demo writes nothing) ───────────────────
    if (signal?.aborted) throw stoppedError(signal);
    const replayPath = join(out, 'replay.json');
    await writeReplay(replayPath, replay);
    const viewer = viewerBuilt() ? (await writeViewer({ input: replayPath, out: join(out, 'viewer') })).index : undefined;
    const written = await writeValidationReport(report, out, {
      viewer: [
        { label: "Replay of the learned MPC's first episode", ...(viewer && { href: 'viewer/index.html' }), command: viewCommand(replayPath) },
        { label: 'Dream vs real and play with the model', command: viewCommand(modelDir) },
      ],
    });
    const result: DemoResult = {
      format: 'embodied.demo/v1',
      envId: task.envId,
      label: task.label,
      model: {
        path: modelDir,
        name: wm.manifest.name,
        latentDim: wm.latentDim,
        bytes: await directoryBytes(modelDir),
        ...(typeof wm.manifest.provenance.trainingSteps === 'number' && { trainingSteps: wm.manifest.provenance.trainingSteps }),
      },
      quick,
      seeds,
      ...(maxSteps !== undefined && { maxSteps }),
      rows,
      check: modelCheck(report),
      files: { reportHtml: written.html, reportJson: written.json, replay: replayPath, summary: join(out, 'summary.json'), ...(viewer && { viewer }) },
      durationMs: performance.now() - t0,
    };
    await writeFileAtomic(result.files.summary, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    // Plans still computing (a stopped episode) finish before their sessions are released.
    await Promise.all(tracked.map((s) => s.idle()));
    for (const o of owned.reverse()) await o.close();
  }
}

/** What the demo's stages share. */
interface Stages {
  readonly o: z.output<typeof DemoOptionsSchema>;
  readonly task: DemoTask;
  readonly seeds: number[];
  readonly oracleSeeds: number[];
  readonly maxSteps: number | undefined;
  readonly modelDir: string;
  readonly makeEnv: () => Env<Float32Array, Float32Array>;
  readonly owned: { close(): Promise<void> }[];
  readonly tracked: TrackedPlanSource[];
}

/** Learned MPC: planning in the model's latent space, acting in Rapier; the first episode is recorded for the replay. */
async function playLearned(st: Stages, learnedSource: TrackedPlanSource, learnedSettings: MpcSettings, rows: DemoRow[]): Promise<Replay> {
  const { o, task, seeds, maxSteps, modelDir, makeEnv } = st;
  const stage = 'learned MPC';
  let recorder: RecordFrames | undefined;
  const { agent, planMs } = mpc(learnedSource, learnedSettings, o.seed);
  // The recorded episode is the agent's first: its plans go into the replay.
  const plans: ReplayPlan[] = [];
  agent.telemetry$.subscribe((e) => {
    if (e.kind === 'plan' && e.episode === 1) plans.push({ step: e.step, ms: e.ms, iterations: e.iterations, bestCost: e.bestCost, fallbackUsed: e.fallbackUsed });
  });
  o.onEvent?.({ kind: 'stage', stage, detail: plannerLabel(learnedSettings), episodes: seeds.length });
  const played = await play(
    stage,
    (k) => {
      if (k !== 0) return makeEnv();
      recorder = new RecordFrames(makeEnv());
      return recorder;
    },
    agent,
    seeds,
    maxSteps,
    o,
  );
  rows.push(row(stage, 'learned-mpc', played, planMs(), plannerLabel(learnedSettings)));
  return recorder!.replay({ agent: `learned MPC (${plannerLabel(learnedSettings)}) on ${modelDir}`, envOptions: task.envOptions, plans });
}

/** Baselines: the scripted controller, random actions, MPC on the Rapier oracle. Returns the scripted policy, when the task has one. */
async function playBaselines(st: Stages, oracleSettings: MpcSettings, rows: DemoRow[]): Promise<Policy<Float32Array, Float32Array> | undefined> {
  const { o, task, seeds, oracleSeeds, maxSteps, makeEnv } = st;
  const seed = o.seed;
  const scripted = scriptedPolicyFor(task.envId, task.envOptions);
  if (scripted) {
    const stage = 'scripted';
    o.onEvent?.({ kind: 'stage', stage, detail: scripted.name, episodes: seeds.length });
    rows.push(row(stage, 'scripted', await play(stage, makeEnv, policyAgent(scripted), seeds, maxSteps, o)));
  }
  {
    const stage = 'random';
    o.onEvent?.({ kind: 'stage', stage, detail: 'uniform random actions', episodes: seeds.length });
    const space = makeEnv();
    const agent = randomAgent(space.actionSpace, seed) as Agent<Float32Array, Float32Array>;
    await space.close();
    rows.push(row(stage, 'random', await play(stage, makeEnv, agent, seeds, maxSteps, o)));
  }
  if (o.oracle && oracleSeeds.length > 0) {
    const stage = 'oracle MPC';
    const source = await planSource(task, oracleSettings, { oracle: true, seed }, st.owned, st.tracked);
    const { agent, planMs } = mpc(source, oracleSettings, seed);
    o.onEvent?.({ kind: 'stage', stage, detail: `${plannerLabel(oracleSettings)}, first ${oracleSeeds.length} seed(s)`, episodes: oracleSeeds.length });
    rows.push(row(stage, 'oracle-mpc', await play(stage, makeEnv, agent, oracleSeeds, maxSteps, o), planMs(), plannerLabel(oracleSettings)));
  }
  return scripted;
}

/** The learned MPC's settings: the bundle's certified ones, else the task's. */
function learnedSettingsOf(planner: PlannerSettings | undefined, task: DemoTask): MpcSettings {
  if (planner === undefined) return task.learned;
  const { algorithm, horizon, samples, iterations, temperature, discount, replanEvery } = planner;
  return { algorithm, horizon, samples, iterations, temperature, discount, replanEvery };
}

async function planSource(
  task: DemoTask,
  p: MpcSettings,
  which: { model?: string; oracle?: boolean; seed: number },
  owned: { close(): Promise<void> }[],
  tracked: TrackedPlanSource[],
): Promise<TrackedPlanSource> {
  const source: OwnedPlanSource = await createPlanSource({
    envId: task.envId,
    envOptions: task.envOptions,
    ...(which.model !== undefined && { model: which.model }),
    oracle: which.oracle ?? false,
    ...p,
    seed: which.seed,
  });
  owned.push(source);
  const t = trackPlans(source);
  tracked.push(t);
  return t;
}

/** An MPC agent over `source` and a reader of its plan latencies. */
function mpc(source: TrackedPlanSource, p: MpcSettings, seed: number): { agent: MpcAgent<Float32Array>; planMs: () => NonNullable<DemoRow['planMs']> } {
  const agent = mpcAgent({ source, replanEvery: p.replanEvery, seed });
  const ms: number[] = [];
  agent.telemetry$.subscribe((e: MpcTelemetry) => {
    if (e.kind === 'plan') ms.push(e.ms);
  });
  return { agent, planMs: () => ({ p50: percentile(ms, 0.5), p95: percentile(ms, 0.95), min: Math.min(...ms), max: Math.max(...ms), count: ms.length }) };
}

/** Played episodes and their wall time. */
interface Played {
  readonly episodes: DemoEpisode[];
  readonly wallMs: number;
}

async function play(
  stage: string,
  makeEnv: (k: number) => Env<Float32Array, Float32Array>,
  agent: Agent<Float32Array, Float32Array>,
  seeds: readonly number[],
  maxSteps: number | undefined,
  o: Pick<DemoOptions, 'onEvent' | 'signal'>,
): Promise<Played> {
  let successes = 0;
  const t0 = performance.now();
  const episodes = await playEpisodes(makeEnv, agent, {
    seeds,
    ...(maxSteps !== undefined && { maxSteps }),
    onStep: (episode, step) => o.onEvent?.({ kind: 'step', stage, episode, step }),
    onEpisode: (episode, result) => {
      if (result.success) successes++;
      o.onEvent?.({ kind: 'episode', stage, episode, episodes: seeds.length, result, successes });
    },
    ...(o.signal && { signal: o.signal }),
  });
  return { episodes, wallMs: performance.now() - t0 };
}

function row(name: string, kind: string, { episodes, wallMs }: Played, planMs?: DemoRow['planMs'], settings?: string): DemoRow {
  const counted = episodes.filter((e) => e.deliveries !== undefined);
  return {
    name,
    kind,
    ...(settings !== undefined && { settings }),
    episodes,
    summary: summarizeContender(name, kind, episodes, wallMs),
    ...(counted.length > 0 && { deliveries: counted.reduce((s, e) => s + e.deliveries!, 0) }),
    ...(planMs && { planMs }),
  };
}

/** e.g. `MPPI 256×12×4, replan every 1`. */
export function plannerLabel(p: MpcSettings): string {
  return `${p.algorithm.toUpperCase()} ${p.samples}×${p.horizon}×${p.iterations}, replan every ${p.replanEvery}`;
}

/** The closed-loop section, from the demo's own episodes (the oracle may have played fewer seeds). */
function withClosedLoop(report: ValidationReport, rows: readonly DemoRow[], seeds: number[], oracleSeeds: number[]): ValidationReport {
  const notes = [...report.notes];
  if (oracleSeeds.length < seeds.length && rows.some((r) => r.kind === 'oracle-mpc')) {
    notes.push(`oracle MPC played the first ${oracleSeeds.length} of the ${seeds.length} seeds: planning with Rapier rollouts is the slow part of the demo.`);
  }
  return { ...report, closedLoop: { status: 'scored', seeds, contenders: rows.map((r) => r.summary) }, notes };
}

function modelCheck(report: ValidationReport): DemoModelCheck {
  const curve = report.drift.curves.find((c) => c.source === 'planner:learned-mpc') ?? report.drift.curves[0];
  const score = (s: { status: string; score?: number | null }) => (s.status === 'scored' && typeof s.score === 'number' ? s.score : null);
  return {
    drift: {
      source: curve?.source ?? 'none',
      horizon: curve?.horizon ?? 0,
      first: curve?.overall[0]?.mean ?? null,
      last: curve?.overall.at(-1)?.mean ?? null,
      validHorizon: curve?.validHorizon ?? null,
      threshold: report.drift.threshold,
    },
    pps: report.plausibility.pps,
    controllability: score(report.causal.controllability),
    counterfactual: score(report.causal.counterfactual),
  };
}

/** The training data's observation σ stored in the bundle's provenance (bundles written by `embodied train`). */
function trainingStd(wm: WorldModel): Float32Array | undefined {
  const n = (wm.manifest.provenance.config as { normalization?: { obsStd?: unknown } } | undefined)?.normalization;
  const std = n?.obsStd;
  return Array.isArray(std) && std.length === wm.obsDim && std.every((v) => typeof v === 'number') ? Float32Array.from(std as number[]) : undefined;
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isFile()) total += (await stat(join(dir, e.name))).size;
  }
  return total;
}
