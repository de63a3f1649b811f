/**
 * `embodied validate`: validates a world-model bundle (or the Rapier oracle itself, `--oracle`)
 * against Rapier — open-loop drift, physical plausibility, causal consistency, closed-loop MPC
 * against the oracle and baselines — and writes `report.json` and a self-contained `report.html`.
 * Ctrl-C stops between units of work; nothing half-written is left.
 *
 * This is where validation meets `agents/`: the scripted baselines, MPC agents and episode runner
 * become action sources and closed-loop contenders for `validate`.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { toArray } from 'rxjs';
import { createPlanSource, type PlanSpec } from '../../agents/plan-factory.js';
import { mpcAgent } from '../../agents/mpc-agent.js';
import { controllerPolicy, mpcController } from '../../agents/mpc-controller.js';
import { policyAgent } from '../../agents/policy-agent.js';
import { randomAgent } from '../../agents/random-agent.js';
import { runEpisodes } from '../../agents/run-episodes.js';
import type { Agent } from '../../agents/types.js';
import { VALIDATION_SPECS } from '../../environments/validation/index.js';
import { isStateful, type Env } from '../../src/env.js';
import { EmbodiedError, InvalidArgumentError } from '../../src/errors.js';
import type { Policy } from '../../src/policy.js';
import { make } from '../../src/registry.js';
import { Dataset } from '../../src/training/dataset.js';
import {
  OracleModel,
  validate,
  worldModelForValidation,
  writeValidationReport,
  type ActionSource,
  type ClosedLoopContender,
  type EpisodeOutcome,
  type ValidationModel,
  type ValidationReport,
  type WrittenReport,
} from '../../src/validation/index.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { SCRIPTED_POLICIES } from './collect.js';
import { integerOption, jsonObjectOption, withCtrlC } from '../options.js';

/** Options of {@link runValidate} (the parsed command line). */
export interface ValidateCommandOptions {
  readonly env: string;
  /** World-model bundle directory. */
  readonly model?: string;
  /** Validate the Rapier oracle itself (the perfect model: a sanity check of the suite). */
  readonly oracle?: boolean;
  /** Output directory for report.json and report.html. */
  readonly out: string;
  readonly quick?: boolean;
  readonly seed?: number;
  /** Dataset directory whose observation σ normalises errors (e.g. the training data). */
  readonly data?: string;
  readonly envOptions?: Record<string, unknown>;
  /** Run the closed-loop comparison. Default true. */
  readonly closedLoop?: boolean;
  /** Closed-loop episodes per contender. Default 10 (quick 5). */
  readonly episodes?: number;
  /** Step limit of a closed-loop episode. Default 100. */
  readonly maxSteps?: number;
  /** Actions executed per plan. Default 2. */
  readonly replanEvery?: number;
  /** Planner budget shared by the learned and the oracle MPC: horizon, samples, iterations. Defaults 10, 32, 2. */
  readonly horizon?: number;
  readonly samples?: number;
  readonly iterations?: number;
  /** Progress bar: `true`, `false` or `'auto'` (on a TTY). Default `'auto'`. */
  readonly progress?: boolean | 'auto';
  readonly signal?: AbortSignal;
}

/** What {@link runValidate} produced. */
export interface ValidateCommandResult {
  readonly report: ValidationReport;
  readonly written: WrittenReport;
}

/** A closed-loop contender that runs an agent with `agents/`' episode runner; Ctrl-C stops it. */
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
      const results = await new Promise<EpisodeOutcome[]>((resolve, reject) => {
        const onAbort = () => {
          sub.unsubscribe();
          reject(signal!.reason);
        };
        const sub = runEpisodes(envFactory, agent, { seeds, maxSteps })
          .pipe(toArray())
          .subscribe({
            next: (r) => resolve(r.map((x) => ({ seed: x.seed, return: x.return, length: x.length, success: x.success }))),
            error: reject,
          });
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      const order = new Map(seeds.map((s, i) => [s, i]));
      return results.sort((a, b) => order.get(a.seed)! - order.get(b.seed)!);
    },
  };
}

/** Runs the validation the command line describes and writes the report (exported for tests, scripts and the bench). */
export async function runValidate(opts: ValidateCommandOptions): Promise<ValidateCommandResult> {
  if (!opts.oracle && opts.model === undefined)
    throw new InvalidArgumentError('embodied validate: give --model <bundle dir> to validate a world model, or --oracle to validate the Rapier oracle itself');
  if (opts.oracle && opts.model !== undefined) throw new InvalidArgumentError('embodied validate: give either --model or --oracle, not both');
  const envOptions = opts.envOptions ?? {};
  const buildSpec = VALIDATION_SPECS[opts.env];
  const spec = buildSpec?.(envOptions);
  // Every environment comes from the registry, time limit included, so that states captured in one
  // (the real environment) restore into the others (the oracle model, the oracle planner's pool).
  const makeEnv = (): Env<Float32Array, Float32Array> => make<Float32Array, Float32Array>(opts.env, envOptions);
  const quick = opts.quick ?? false;
  const seed = opts.seed ?? 0;
  const replanEvery = opts.replanEvery ?? 2;
  const budget: Partial<PlanSpec> = { horizon: opts.horizon ?? 10, samples: opts.samples ?? 32, iterations: opts.iterations ?? 2, seed };

  const owned: { close(): Promise<void> }[] = [];
  const env = makeEnv();
  owned.push(env);
  try {
    let model: ValidationModel;
    if (opts.oracle) model = new OracleModel(makeEnv);
    else {
      const wm = await WorldModel.load(opts.model!);
      model = worldModelForValidation(wm, { owns: true });
      if (wm.manifest.envId !== opts.env) {
        await wm.close();
        throw new InvalidArgumentError(`embodied validate: the bundle at ${opts.model} models ${wm.manifest.envId}, not ${opts.env}`);
      }
    }
    owned.push({ close: async () => model.close?.() });
    const data = opts.data !== undefined ? await Dataset.load(opts.data) : undefined;

    // Plan sources: the learned model's and the oracle's, with the same planner and budget.
    const oracleSource = await createPlanSource({ envId: opts.env, envOptions, oracle: true, ...budget });
    owned.push(oracleSource);
    const learnedSource = opts.model !== undefined ? await createPlanSource({ envId: opts.env, envOptions, model: opts.model, ...budget }) : undefined;
    if (learnedSource) owned.push(learnedSource);

    const sources: ActionSource[] = [];
    const scripted = SCRIPTED_POLICIES[opts.env];
    if (scripted) sources.push({ name: `scripted:${scripted(envOptions).name.replace(/^scripted:/, '')}`, policy: scripted(envOptions) as Policy<Float32Array, Float32Array> });
    const plannerSource = learnedSource ?? oracleSource;
    sources.push({
      name: learnedSource ? 'planner:learned-mpc' : 'planner:oracle-mpc',
      policy: controllerPolicy(mpcController({ source: plannerSource, replanEvery, seed }), { name: 'planner', ...(isStateful(env) && { state: () => env.getState() }) }),
    });

    let closedLoop: { contenders: ClosedLoopContender[]; seeds?: number[] } | undefined;
    if (opts.closedLoop ?? true) {
      const maxSteps = opts.maxSteps ?? 100;
      const episodes = opts.episodes ?? (quick ? 5 : 10);
      const contenders: ClosedLoopContender[] = [];
      if (learnedSource) contenders.push(agentContender('learned MPC', 'learned-mpc', makeEnv, mpcAgent({ source: learnedSource, replanEvery, seed }), maxSteps, opts.signal));
      contenders.push(agentContender('oracle MPC', 'oracle-mpc', makeEnv, mpcAgent({ source: oracleSource, replanEvery, seed }), maxSteps, opts.signal));
      if (scripted)
        contenders.push(agentContender('scripted', 'scripted', makeEnv, policyAgent(scripted(envOptions) as Policy<Float32Array, Float32Array>), maxSteps, opts.signal));
      contenders.push(agentContender('random', 'random', makeEnv, randomAgent(env.actionSpace, seed) as Agent<Float32Array, Float32Array>, maxSteps, opts.signal));
      closedLoop = { contenders, seeds: Array.from({ length: episodes }, (_, i) => 1000 + seed + i) };
    }

    const showBar = opts.progress === true || ((opts.progress ?? 'auto') === 'auto' && process.stderr.isTTY === true);
    const bar = showBar
      ? new cliProgress.SingleBar(
          { format: `validate ${opts.env} |{bar}| {value}/{total} | {stage}`, stream: process.stderr, hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
    bar?.start(3 + (closedLoop?.contenders.length ?? 1), 0, { stage: 'open-loop drift' });
    let report: ValidationReport;
    try {
      report = await validate({
        env,
        model,
        ...(spec && { spec }),
        ...(data && { data }),
        seed,
        quick,
        sources,
        ...(closedLoop && { closedLoop }),
        onProgress: (p) => bar?.update(p.done, { stage: p.message }),
        ...(opts.signal && { signal: opts.signal }),
      });
    } finally {
      bar?.stop();
    }
    if (!spec) report = { ...report, notes: [...report.notes, `no validation spec for ${opts.env}: plausibility and counterfactual checks are not available`] };
    const written = await writeValidationReport(report, opts.out);
    return { report, written };
  } finally {
    for (const o of owned.reverse()) await o.close();
  }
}

/** A short text summary of a report. */
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

/** Adds the `validate` subcommand. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('validate a world model against Rapier (drift, plausibility, causality, closed loop) and write report.json + report.html')
    .requiredOption('--env <id>', 'registered environment id, e.g. PushBox-v0')
    .option('--model <dir>', 'world-model bundle directory')
    .option('--oracle', 'validate the Rapier oracle itself (the perfect model)')
    .requiredOption('--out <dir>', 'output directory for report.json and report.html')
    .option('--quick', 'smaller sizes (about 4× less work)')
    .option('--seed <n>', 'seed of everything random', integerOption(0), 0)
    .option('--data <dir>', 'dataset whose observation σ normalises errors (e.g. the training data)')
    .option('--env-options <json>', 'environment options as a JSON object', jsonObjectOption)
    .option('--no-closed-loop', 'skip the closed-loop comparison')
    .option('--episodes <n>', 'closed-loop episodes per contender (default 10, quick 5)', integerOption(1))
    .option('--max-steps <n>', 'closed-loop step limit per episode', integerOption(1), 100)
    .option('--replan-every <n>', 'actions executed per MPC plan', integerOption(1), 2)
    .option('--horizon <n>', 'MPC horizon (learned and oracle alike)', integerOption(1), 10)
    .option('--samples <n>', 'MPC candidates per iteration', integerOption(1), 32)
    .option('--iterations <n>', 'MPC optimiser iterations per plan', integerOption(1), 2)
    .option('--json', 'print the report JSON instead of the summary')
    .option('--no-progress', 'no progress bar')
    .action(async (o: ValidateCommandOptions & { json?: boolean; progress: boolean }) => {
      await withCtrlC(
        'validate',
        'stopping after the current unit of work',
        async (signal) => {
          const { report, written } = await runValidate({ ...o, progress: o.progress ? 'auto' : false, signal });
          console.log(o.json ? JSON.stringify(report) : formatValidationSummary(report, written));
        },
        new EmbodiedError('stopped by Ctrl-C; no report was written'),
      );
    });
}
