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
import { VALIDATION_SPECS } from '../../environments/validation/index.js';
import { writeFileAtomic } from '../../src/atomic-write.js';
import type { Env } from '../../src/env.js';
import { InvalidArgumentError, describeValue } from '../../src/errors.js';
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
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { percentile } from '../episode-stats.js';
import { mpcAgent, type MpcTelemetry } from '../mpc-agent.js';
import { controllerPolicy, mpcController } from '../mpc-controller.js';
import { createPlanSource, type OwnedPlanSource } from '../plan-factory.js';
import { policyAgent } from '../policy-agent.js';
import { randomAgent } from '../random-agent.js';
import type { Agent } from '../types.js';
import { demoTask, shippedBundle, type DemoPlanner, type DemoTask } from './demo-tasks.js';
import { playEpisodes, stoppedError, trackPlans, type DemoEpisode, type TrackedPlanSource } from './play.js';
import { RecordFrames, writeReplay, type Replay } from './replay.js';
import { scriptedPolicyFor } from './scripted.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** `Warehouse-v0` or `PushBox-v0`. Default `Warehouse-v0`. */
  readonly envId?: string;
  /** Bundle directory. Default: the shipped bundle of the task (`models/<name>`). */
  readonly model?: string;
  /** Episodes per contender (the oracle plays at most the task's `oracleEpisodes` of them). Default: the task's (quick: fewer). */
  readonly episodes?: number;
  /** Episode k is reset with seed `seed + k`; the planners and validation are seeded from it too. Default 0. */
  readonly seed?: number;
  /** CI mode: few, short episodes, small budgets, quick validation — every stage still runs. Default false. */
  readonly quick?: boolean;
  /** Output directory. Default `out/demo`. */
  readonly out?: string;
  /** Run the oracle-MPC baseline. Default true. */
  readonly oracle?: boolean;
  /** Oracle-MPC episodes (the first of the seeds). Default: the task's (quick: fewer). */
  readonly oracleEpisodes?: number;
  /** Progress. */
  readonly onEvent?: (event: DemoEvent) => void;
  /** Stops at the next step (the promise rejects with the signal's reason; nothing is written). */
  readonly signal?: AbortSignal;
}

/** What {@link runDemo} reports while it runs. */
export type DemoEvent =
  | { readonly kind: 'stage'; readonly stage: string; readonly detail: string; readonly episodes: number }
  | { readonly kind: 'step'; readonly stage: string; readonly episode: number; readonly step: number }
  | { readonly kind: 'episode'; readonly stage: string; readonly episode: number; readonly episodes: number; readonly result: DemoEpisode; readonly successes: number }
  | { readonly kind: 'validation'; readonly message: string; readonly done: number; readonly total: number };

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
  readonly files: { readonly reportHtml: string; readonly reportJson: string; readonly replay: string; readonly summary: string };
  readonly durationMs: number;
}

/** Runs the demo (see the module docs). @throws {@link InvalidArgumentError} for bad options. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const t0 = performance.now();
  const task = demoTask(options.envId ?? 'Warehouse-v0');
  const quick = options.quick ?? false;
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InvalidArgumentError(`embodied demo: expected --seed to be a non-negative integer, got ${describeValue(seed)}`);
  const episodes = options.episodes ?? (quick ? task.quick.episodes : task.episodes);
  if (!Number.isSafeInteger(episodes) || episodes < 1)
    throw new InvalidArgumentError(`embodied demo: expected --episodes to be a positive integer, got ${describeValue(episodes)}`);
  const seeds = Array.from({ length: episodes }, (_, k) => seed + k);
  const oracleEpisodes = options.oracleEpisodes ?? (quick ? task.quick.oracleEpisodes : task.oracleEpisodes);
  if (!Number.isSafeInteger(oracleEpisodes) || oracleEpisodes < 0)
    throw new InvalidArgumentError(`embodied demo: expected --oracle-episodes to be a non-negative integer, got ${describeValue(oracleEpisodes)}`);
  const oracleSeeds = seeds.slice(0, Math.min(episodes, oracleEpisodes));
  const maxSteps = quick ? task.quick.maxSteps : task.maxSteps;
  const learnedSettings: DemoPlanner = { ...task.learned, ...(quick && task.quick.learned) };
  const oracleSettings: DemoPlanner = { ...task.oracle, ...(quick && task.quick.oracle) };
  const modelDir = resolve(options.model ?? shippedBundle(task));
  const out = resolve(options.out ?? 'out/demo');
  const { signal, onEvent } = options;
  const makeEnv = (): Env<Float32Array, Float32Array> => make<Float32Array, Float32Array>(task.envId, task.envOptions);

  const owned: { close(): Promise<void> }[] = [];
  const tracked: TrackedPlanSource[] = [];
  try {
    const wm = await WorldModel.load(modelDir);
    owned.push(wm);
    if (wm.manifest.envId !== task.envId) throw new InvalidArgumentError(`embodied demo: the bundle at ${modelDir} models ${wm.manifest.envId}, not ${task.envId}`);
    const learnedSource = await planSource(task, learnedSettings, { model: modelDir, seed }, owned, tracked);
    const rows: DemoRow[] = [];
    let replay: Replay | undefined;

    // ── Learned MPC: planning in the model's latent space, acting in Rapier ──────────────────────
    {
      const stage = 'learned MPC';
      let recorder: RecordFrames | undefined;
      const { agent, planMs } = mpc(learnedSource, learnedSettings, seed);
      onEvent?.({ kind: 'stage', stage, detail: plannerLabel(learnedSettings), episodes: seeds.length });
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
        options,
      );
      replay = recorder!.replay({ agent: `learned MPC (${plannerLabel(learnedSettings)}) on ${modelDir}`, envOptions: task.envOptions });
      rows.push(row(stage, 'learned-mpc', played, planMs(), plannerLabel(learnedSettings)));
    }

    // ── Baselines: the scripted controller, random actions, MPC on the Rapier oracle ─────────────
    const scripted = scriptedPolicyFor(task.envId, task.envOptions);
    if (scripted) {
      const stage = 'scripted';
      onEvent?.({ kind: 'stage', stage, detail: scripted.name, episodes: seeds.length });
      rows.push(row(stage, 'scripted', await play(stage, makeEnv, policyAgent(scripted), seeds, maxSteps, options)));
    }
    {
      const stage = 'random';
      onEvent?.({ kind: 'stage', stage, detail: 'uniform random actions', episodes: seeds.length });
      const space = makeEnv();
      const agent = randomAgent(space.actionSpace, seed) as Agent<Float32Array, Float32Array>;
      await space.close();
      rows.push(row(stage, 'random', await play(stage, makeEnv, agent, seeds, maxSteps, options)));
    }
    if ((options.oracle ?? true) && oracleSeeds.length > 0) {
      const stage = 'oracle MPC';
      const source = await planSource(task, oracleSettings, { oracle: true, seed }, owned, tracked);
      const { agent, planMs } = mpc(source, oracleSettings, seed);
      onEvent?.({ kind: 'stage', stage, detail: `${plannerLabel(oracleSettings)}, first ${oracleSeeds.length} seed(s)`, episodes: oracleSeeds.length });
      rows.push(row(stage, 'oracle-mpc', await play(stage, makeEnv, agent, oracleSeeds, maxSteps, options), planMs(), plannerLabel(oracleSettings)));
    }

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
    const spec = VALIDATION_SPECS[task.envId]?.(task.envOptions);
    onEvent?.({ kind: 'stage', stage: 'validation', detail: 'drift, plausibility, causal checks against Rapier', episodes: 0 });
    let report: ValidationReport = await validate({
      env,
      model,
      ...(spec && { spec }),
      ...(obsStd && { data: { obsStd } }),
      seed,
      quick,
      // The planner source replans at every start state and step: fewer, shorter rollouts keep it quick.
      starts: quick ? 4 : 12,
      horizon: quick ? 10 : 20,
      sources,
      onProgress: (p) => onEvent?.({ kind: 'validation', message: p.message, done: p.done, total: p.total }),
      ...(signal && { signal }),
    });
    report = withClosedLoop(report, rows, seeds, oracleSeeds);

    // ── Outputs (each file atomic; only now, so a stopped demo writes nothing) ───────────────────
    if (signal?.aborted) throw stoppedError(signal);
    const written = await writeValidationReport(report, out);
    const replayPath = join(out, 'replay.json');
    await writeReplay(replayPath, replay);
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
      files: { reportHtml: written.html, reportJson: written.json, replay: replayPath, summary: join(out, 'summary.json') },
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

async function planSource(
  task: DemoTask,
  p: DemoPlanner,
  which: { model?: string; oracle?: boolean; seed: number },
  owned: { close(): Promise<void> }[],
  tracked: TrackedPlanSource[],
): Promise<TrackedPlanSource> {
  const source: OwnedPlanSource = await createPlanSource({
    envId: task.envId,
    envOptions: task.envOptions,
    ...(which.model !== undefined && { model: which.model }),
    oracle: which.oracle ?? false,
    planner: p.planner,
    horizon: p.horizon,
    samples: p.samples,
    iterations: p.iterations,
    temperature: p.temperature,
    discount: p.discount,
    replanEvery: p.replanEvery,
    seed: which.seed,
  });
  owned.push(source);
  const t = trackPlans(source);
  tracked.push(t);
  return t;
}

/** An MPC agent over `source` and a reader of its plan latencies. */
function mpc(source: TrackedPlanSource, p: DemoPlanner, seed: number): { agent: Agent<Float32Array, Float32Array>; planMs: () => NonNullable<DemoRow['planMs']> } {
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
  o: DemoOptions,
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
export function plannerLabel(p: DemoPlanner): string {
  return `${p.planner.toUpperCase()} ${p.samples}×${p.horizon}×${p.iterations}, replan every ${p.replanEvery}`;
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
