/**
 * Writes a world-model bundle (`embodied.worldmodel/v1`): `manifest.json`, `encoder.onnx`,
 * `dynamics_<i>.onnx` per ensemble member, optional `decoder.onnx`, and the fused `rollout.onnx`.
 * Files are written into a temporary sibling directory which is renamed into place, so a reader never
 * sees a half-written bundle. The manifest records every file's SHA-256 (`fileHashes`), which loading verifies.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { assertReplaceable, writeOutputDirectory } from '../output-dir.js';
import { serializeModel } from '../graph/index.js';
import { BUNDLE_FORMAT, ManifestSchema, type Manifest, type ManifestInput } from '../worldmodel/manifest.js';
import type { NormalizationStats } from './batch.js';
import { producerTag } from './dataset-manifest.js';
import { encodeNpy } from '../codecs/npy.js';
import type { WorldModelConfig } from './wm-config.js';
import { checkStats } from './wm-objective.js';
import { WorldModelGraphs, type RolloutMode } from './wm-graphs.js';

/** What {@link exportBundle} needs. */
export interface ExportBundleOptions {
  /** The validated model configuration. */
  readonly config: WorldModelConfig;
  /** The normalisation statistics the model was trained with (baked into the graphs). */
  readonly stats: NormalizationStats;
  /** Trained parameter values by name (e.g. `trainer.paramValues()`). */
  readonly params: ReadonlyMap<string, Float32Array>;
  /** Bundle name. */
  readonly name: string;
  /** The environment modelled, e.g. `PushBox-v0`. */
  readonly envId: string;
  /** Options of that environment the training data was collected with (recorded as `manifest.envOptions`). Default: not recorded. */
  readonly envOptions?: Readonly<Record<string, unknown>>;
  /** Action bounds (length actionDim each). */
  readonly actionLow: readonly number[];
  readonly actionHigh: readonly number[];
  /** Fused rollout: `'member0'` (default; equals stepping `dynamics_0.onnx`), `'mean'` (ensemble mean), or `false` (none). */
  readonly rollout?: RolloutMode | false;
  /** Replace an existing bundle at the target. Default false. */
  readonly overwrite?: boolean;
  /** Provenance. */
  readonly seed?: number;
  readonly datasetHash?: string;
  /** Content hashes of each dataset, in order, when the model was trained on several (`datasetHash` then combines them). */
  readonly datasetHashes?: readonly string[];
  readonly trainingSteps?: number;
  readonly finalLosses?: Readonly<Record<string, number>>;
  readonly rapierPackage?: string;
  readonly rapierVersion?: string;
  /** Control period of the environment, seconds. */
  readonly controlDt?: number;
  /** Layout of the observation vector. */
  readonly observationFields?: ManifestInput['observationFields'];
  /**
   * Observations (raw units, `N × obsDim`) to start imagination from when no prompt is given, e.g. a
   * sample of the dataset's episode starts; written as `initial_observations.npy`.
   */
  readonly initialObservations?: Float32Array;
  /** Creation time. Default now. */
  readonly createdAt?: Date;
  /** The planner settings the model is certified with (`manifest.planner`; see `embodied certify`). Default: none recorded. */
  readonly planner?: ManifestInput['planner'];
}

/**
 * Writes the bundle directory `dir` and returns its validated manifest.
 * @throws {@link InvalidArgumentError} when `dir` exists (without `overwrite`) or the manifest would be invalid
 */
export async function exportBundle(dir: string, options: ExportBundleOptions): Promise<Manifest> {
  const { config, stats, params } = options;
  checkStats(stats, config.obsDim);
  const target = resolve(dir);
  const exists = await stat(target).then(
    () => true,
    () => false,
  );
  if (exists && !options.overwrite) throw new InvalidArgumentError(`Bundle directory ${target} already exists; pass overwrite: true to replace it`);
  // Refused before the graphs are built, and again just before the rename (the folder may change meanwhile).
  if (exists) await assertReplaceable(target, 'bundle', 'exportBundle');

  const rolloutMode = options.rollout ?? 'member0';
  const files: ManifestInput['files'] = {
    encoder: 'encoder.onnx',
    dynamics: Array.from({ length: config.ensembleSize }, (_v, i) => `dynamics_${i}.onnx`),
  };
  if (config.decoder) files.decoder = 'decoder.onnx';
  const init = options.initialObservations;
  if (init) {
    if (init.length === 0 || init.length % config.obsDim !== 0) {
      throw new InvalidArgumentError(`exportBundle: expected initialObservations of N × obsDim (${config.obsDim}) values, got ${init.length}`);
    }
    const bad = init.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new InvalidArgumentError(`exportBundle: expected finite initialObservations, got ${init[bad]} at index ${bad}`);
    files.initialObservations = 'initial_observations.npy';
  }
  if (rolloutMode !== false) files.rollout = 'rollout.onnx';
  const producer = producerTag();
  const manifestInput: ManifestInput = {
    format: BUNDLE_FORMAT,
    name: options.name,
    envId: options.envId,
    ...(options.envOptions !== undefined ? { envOptions: { ...options.envOptions } } : {}),
    obsDim: config.obsDim,
    actionDim: config.actionDim,
    latentDim: config.latentDim,
    actionLow: [...options.actionLow],
    actionHigh: [...options.actionHigh],
    files,
    hasTerminal: config.terminal,
    ...(rolloutMode !== false ? { rolloutMode } : {}),
    trainingHorizon: config.horizon,
    ...(options.controlDt !== undefined ? { controlDt: options.controlDt } : {}),
    ...(options.observationFields ? { observationFields: options.observationFields } : {}),
    ...(options.planner !== undefined ? { planner: options.planner } : {}),
    provenance: {
      producer,
      createdAt: (options.createdAt ?? new Date()).toISOString(),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.datasetHash !== undefined ? { datasetHash: options.datasetHash } : {}),
      ...(options.datasetHashes !== undefined ? { datasetHashes: [...options.datasetHashes] } : {}),
      ...(options.trainingSteps !== undefined ? { trainingSteps: options.trainingSteps } : {}),
      ...(options.finalLosses ? { finalLosses: { ...options.finalLosses } } : {}),
      ...(options.rapierPackage !== undefined ? { rapierPackage: options.rapierPackage } : {}),
      ...(options.rapierVersion !== undefined ? { rapierVersion: options.rapierVersion } : {}),
      config: { ...config, rolloutMode: rolloutMode === false ? 'none' : rolloutMode, normalization: statsToJson(stats) },
    },
  };
  const parsed = ManifestSchema.safeParse(manifestInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidArgumentError(`exportBundle: invalid manifest at \`${issue.path.join('.')}\`: ${issue.message}`);
  }
  const graphs = new WorldModelGraphs(config, stats, params);
  const meta = { producerVersion: producer };
  const outputs: [string, Uint8Array][] = [
    [files.encoder, serializeModel(graphs.encoder(), { ...meta, docString: 'embodied world-model encoder: obs -> latent' })],
    ...files.dynamics.map((f, i): [string, Uint8Array] => [f, serializeModel(graphs.dynamics(i), { ...meta, docString: `embodied world-model dynamics member ${i}` })]),
  ];
  if (init && files.initialObservations) outputs.push([files.initialObservations, encodeNpy(init, [init.length / config.obsDim, config.obsDim], 'float32')]);
  if (files.decoder) outputs.push([files.decoder, serializeModel(graphs.decoder(), { ...meta, docString: 'embodied world-model decoder: latent -> obs' })]);
  if (files.rollout && rolloutMode !== false)
    outputs.push([files.rollout, serializeModel(graphs.rollout(rolloutMode), { ...meta, docString: `embodied fused rollout (Scan over H, ${rolloutMode})` })]);

  // Every file's SHA-256, verified when the bundle is loaded.
  const fileHashes = Object.fromEntries(outputs.map(([name, bytes]) => [name, createHash('sha256').update(bytes).digest('hex')]));
  const manifest: Manifest = { ...parsed.data, fileHashes };

  await writeOutputDirectory(target, [...outputs, ['manifest.json', `${JSON.stringify(manifest, null, 2)}\n`]], 'bundle', 'exportBundle');
  return manifest;
}

/** Normalisation statistics as plain JSON (recorded in the manifest's provenance config). */
export function statsToJson(stats: NormalizationStats): Record<string, unknown> {
  return {
    obsMean: Array.from(stats.obsMean),
    obsStd: Array.from(stats.obsStd),
    rewardMean: stats.rewardMean,
    rewardStd: stats.rewardStd,
    ...(stats.deltaRms && { deltaRms: Array.from(stats.deltaRms) }),
    ...(stats.changeRate && { changeRate: Array.from(stats.changeRate) }),
  };
}

/** The statistics {@link statsToJson} wrote (a checkpoint's), as typed arrays. */
export function statsFromJson(json: {
  readonly obsMean: readonly number[];
  readonly obsStd: readonly number[];
  readonly rewardMean: number;
  readonly rewardStd: number;
  readonly deltaRms?: readonly number[];
  readonly changeRate?: readonly number[];
}): NormalizationStats {
  return {
    obsMean: Float32Array.from(json.obsMean),
    obsStd: Float32Array.from(json.obsStd),
    rewardMean: json.rewardMean,
    rewardStd: json.rewardStd,
    ...(json.deltaRms && { deltaRms: Float32Array.from(json.deltaRms) }),
    ...(json.changeRate && { changeRate: Float32Array.from(json.changeRate) }),
  };
}
