/**
 * `certifyModel`: plays closed-loop MPC episodes in Rapier with a world-model bundle and given planner
 * settings, and records those settings with the measured success in the bundle's manifest
 * (`manifest.planner`), so that `plan`, `validate`, the demo and `createPlanSource` plan with them by
 * default. Only `manifest.json` changes (atomically); the ONNX files are not touched. An abort stops
 * after the current step and writes nothing.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { certifiedPreset } from '../agents/plan-factory.js';
import { planPresetFor } from '../environments/cards.js';
import { PLAN_ALGORITHMS, withOverrides } from '../src/planning/plan-preset.js';
import { writeFileAtomic } from '../src/atomic-write.js';
import { InvalidArgumentError } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { parseBundleManifest, readBundleManifest } from '../src/worldmodel/bundle.js';
import type { PlannerSettings } from '../src/worldmodel/manifest.js';
import { planEpisodes, type PlanProgress, type PlanReport } from './plan.js';
import { callbackOption, signalOption } from './schema.js';

const positiveInt = () => z.number().int().positive();

/** Zod schema of {@link CertifyModelOptions}. */
export const CertifyModelOptionsSchema = z
  .object({
    /** The world-model bundle directory to certify (its `manifest.json` is rewritten). Required. */
    model: z.string().min(1),
    /** The environment, e.g. `PushBox-v0`. Default: the bundle's `envId`; another id is refused. */
    env: z.string().min(1).optional(),
    /**
     * The optimiser to certify. Default (likewise for the settings below): the bundle's current certified
     * settings, else the environment's plan preset.
     */
    algorithm: z.enum(PLAN_ALGORITHMS).optional(),
    /** H. */
    horizon: positiveInt().optional(),
    /** Candidates per iteration. */
    samples: positiveInt().optional(),
    /** Optimiser iterations per plan. */
    iterations: positiveInt().optional(),
    /** MPPI temperature λ. */
    temperature: z.number().positive().optional(),
    /** Reward discount γ. */
    discount: z.number().gt(0).lte(1).optional(),
    /** Actions executed per plan. */
    replanEvery: positiveInt().optional(),
    /** Episodes to play: seeds `seed … seed + episodes − 1`. Default 20. */
    episodes: positiveInt().default(20),
    /** The first seed. Default 0. */
    seed: z.number().int().nonnegative().default(0),
    /** Step limit per episode. Default: the environment's time limit. */
    maxSteps: positiveInt().optional(),
    /** Environment options. Default `{}`. */
    envOptions: z.record(z.string(), z.unknown()).default({}),
    /** Stops after the current step; nothing is written. */
    signal: signalOption(),
    /** Called when the run starts and after every episode. */
    onProgress: callbackOption<(progress: PlanProgress) => void>(),
  })
  .strict();

/** Options of {@link certifyModel}. */
export type CertifyModelOptions = z.input<typeof CertifyModelOptionsSchema>;

/** What {@link certifyModel} measured and wrote. */
export interface CertifyResult {
  /** The episodes, as `embodied plan` reports them. */
  readonly report: PlanReport;
  /** The settings and their certification, as written to the manifest; `undefined` when stopped early. */
  readonly planner: PlannerSettings | undefined;
  /** The manifest rewritten, or `undefined` when stopped early (nothing written). */
  readonly manifest: string | undefined;
}

/**
 * Plays the episodes `options` describe and records the settings and the measured success in the
 * bundle's manifest (what `embodied certify` runs).
 * @throws {@link InvalidArgumentError} for bad options or a bundle of another environment; `BundleError` for an invalid bundle.
 */
export async function certifyModel(options: CertifyModelOptions): Promise<CertifyResult> {
  const o = parseOptions(CertifyModelOptionsSchema, options, 'certifyModel options');
  const manifest = await readBundleManifest(o.model);
  const env = o.env ?? manifest.envId;
  if (env !== manifest.envId) throw new InvalidArgumentError(`certifyModel: the bundle at ${o.model} models ${manifest.envId}, not ${env}`);
  const base = certifiedPreset(manifest, planPresetFor(env));
  const { afterTruncation: _oracleOnly, ...settings } = withOverrides(base, o);
  const report = await planEpisodes({
    env,
    model: o.model,
    envOptions: o.envOptions,
    ...settings,
    episodes: o.episodes,
    seed: o.seed,
    ...(o.maxSteps !== undefined && { maxSteps: o.maxSteps }),
    ...(o.signal && { signal: o.signal }),
    ...(o.onProgress && { onProgress: o.onProgress }),
  });
  if (report.stopped) return { report, planner: undefined, manifest: undefined };
  const certified = {
    episodes: report.results.length,
    successes: report.results.filter((r) => r.success).length,
    seed: o.seed,
    ...(o.maxSteps !== undefined && { maxSteps: o.maxSteps }),
    ...(Object.keys(o.envOptions).length > 0 && { envOptions: o.envOptions }),
  };
  const planner: PlannerSettings = { ...settings, certified };
  return { report, planner, manifest: await writePlannerSettings(o.model, planner) };
}

/**
 * Rewrites `<dir>/manifest.json` with `planner` (before `provenance`), keeping every other field as it
 * is in the file, and validates the result before the atomic rename. Returns the manifest's path.
 */
async function writePlannerSettings(dir: string, planner: PlannerSettings): Promise<string> {
  const path = join(resolve(dir), 'manifest.json');
  await readBundleManifest(dir); // a regular file inside the bundle, valid now
  const { planner: _previous, provenance, ...rest } = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const updated = { ...rest, planner, provenance };
  parseBundleManifest(updated, path);
  await writeFileAtomic(path, `${JSON.stringify(updated, null, 2)}\n`);
  return path;
}

/** One line saying what {@link certifyModel} wrote (or that it wrote nothing). */
export function formatCertifyResult(r: CertifyResult): string {
  if (r.planner === undefined || r.manifest === undefined) return 'stopped early: the manifest was not changed';
  const p = r.planner;
  const c = p.certified!;
  return `certified ${p.algorithm} ${p.samples} samples × H ${p.horizon} × ${p.iterations} iterations, replan every ${p.replanEvery}: ${c.successes}/${c.episodes} on seeds ${c.seed}–${c.seed + c.episodes - 1}; wrote ${r.manifest}`;
}
