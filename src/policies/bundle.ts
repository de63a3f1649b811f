/**
 * Writing and reading policy bundles (`embodied.policy/v1`, see `manifest.ts`). Writing is atomic (a
 * temporary folder renamed into place); reading validates the manifest and every file's SHA-256.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { serializeModel } from '../graph/index.js';
import { writeOutputDirectory } from '../output-dir.js';
import { readRegularFile } from '../safe-read.js';
import { producerTag } from '../training/dataset-manifest.js';
import type { PolicyConfig } from './config.js';
import type { WorldModelWeights } from './imagination.js';
import { PolicyBundleError } from './errors.js';
import { PolicyGraphs } from './graphs.js';
import { POLICY_FORMAT, PolicyManifestSchema, type PolicyManifest, type PolicyManifestInput } from './manifest.js';
import { checkObservationStats, type ObservationStats } from './network.js';

/** What {@link exportPolicyBundle} needs. */
export interface ExportPolicyOptions {
  /** The validated network settings. */
  readonly config: PolicyConfig;
  /** Observation statistics (baked into the graphs). */
  readonly stats: ObservationStats;
  /** Trained parameter values by name (e.g. `trainer.paramValues()`). */
  readonly params: ReadonlyMap<string, Float32Array>;
  /** Bundle name. */
  readonly name: string;
  /** The environment, e.g. `Reach-v0`, and the options it was made with. */
  readonly envId: string;
  readonly envOptions?: Readonly<Record<string, unknown>>;
  /** JSON forms of the observation and action spaces. */
  readonly observationSpace: unknown;
  readonly actionSpace: unknown;
  /** Action bounds (length actionDim each). */
  readonly actionLow: readonly number[];
  readonly actionHigh: readonly number[];
  readonly algorithm: PolicyManifest['algorithm'];
  /** Provenance without `producer` and `createdAt` (filled in). */
  readonly provenance: Omit<PolicyManifestInput['provenance'], 'producer' | 'createdAt'>;
  /** Creation time. Default now. */
  readonly createdAt?: Date;
  /** The world model whose encoder feeds the actor (a policy trained in imagination). Default: none. */
  readonly encoder?: WorldModelWeights;
}

/**
 * Writes the policy bundle `dir` (`policy.onnx`, `value.onnx` when the network has a value head,
 * `manifest.json`) and returns its manifest. An existing policy bundle is replaced; anything else there is refused.
 * @throws `InvalidArgumentError` for bad statistics; {@link PolicyBundleError} when the manifest would be invalid
 */
export async function exportPolicyBundle(dir: string, options: ExportPolicyOptions): Promise<PolicyManifest> {
  const { config, stats, encoder } = options;
  const obsDim = encoder ? encoder.config.obsDim : config.obsDim;
  checkObservationStats(stats, obsDim, 'exportPolicyBundle');
  const graphs = new PolicyGraphs(config, stats, options.params, options.actionLow, options.actionHigh, encoder);
  const meta = { producerVersion: producerTag() };
  const outputs: [string, Uint8Array][] = [['policy.onnx', serializeModel(graphs.policy(), { ...meta, docString: `embodied policy (${options.algorithm}): obs -> action` })]];
  if (config.value) outputs.push(['value.onnx', serializeModel(graphs.value(), { ...meta, docString: 'embodied value head: obs -> value' })]);
  const input: PolicyManifestInput = {
    format: POLICY_FORMAT,
    name: options.name,
    envId: options.envId,
    envOptions: { ...(options.envOptions ?? {}) },
    observationSpace: options.observationSpace,
    actionSpace: options.actionSpace,
    obsDim,
    actionDim: config.actionDim,
    ...(encoder && { encoder: { worldModel: encoder.name, latentDim: encoder.config.latentDim } }),
    actionLow: [...options.actionLow],
    actionHigh: [...options.actionHigh],
    algorithm: options.algorithm,
    network: config,
    normalization: { obsMean: Array.from(stats.mean), obsStd: Array.from(stats.std) },
    files: config.value ? { policy: 'policy.onnx', value: 'value.onnx' } : { policy: 'policy.onnx' },
    fileHashes: Object.fromEntries(outputs.map(([name, bytes]) => [name, sha256(bytes)])),
    provenance: { ...options.provenance, producer: meta.producerVersion, createdAt: (options.createdAt ?? new Date()).toISOString() },
  };
  const manifest = parsePolicyManifest(input, 'exportPolicyBundle');
  await writeOutputDirectory(dir, [...outputs, ['manifest.json', `${JSON.stringify(manifest, null, 2)}\n`]], 'policy', 'exportPolicyBundle');
  return manifest;
}

/** A policy bundle read from disk: its manifest and verified model bytes. */
export interface PolicyBundleFiles {
  readonly dir: string;
  readonly manifest: PolicyManifest;
  readonly policy: Uint8Array;
  readonly value?: Uint8Array;
}

const MAX_FILE_BYTES = 512 * 1024 * 1024;

/**
 * Reads a policy bundle: the manifest (validated) and each file (verified against its SHA-256).
 * @throws {@link PolicyBundleError} naming the file and the problem
 */
export async function readPolicyBundle(dir: string): Promise<PolicyBundleFiles> {
  const root = resolve(dir);
  const read = async (file: string): Promise<Uint8Array> => {
    let r;
    try {
      r = await readRegularFile(join(root, file), MAX_FILE_BYTES);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new PolicyBundleError(`${root}: not a policy bundle (missing ${file})`, { cause: e });
      throw new PolicyBundleError(`${root}: cannot read ${file} (${code ?? (e as Error).message})`, { cause: e });
    }
    if ('problem' in r) throw new PolicyBundleError(`${root}: ${file} is ${r.problem}`);
    return r.bytes;
  };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(await read('manifest.json')).toString('utf8'));
  } catch (e) {
    if (e instanceof PolicyBundleError) throw e;
    throw new PolicyBundleError(`${root}/manifest.json: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const manifest = parsePolicyManifest(json, `${root}/manifest.json`);
  const verified = async (file: string): Promise<Uint8Array> => {
    const bytes = await read(file);
    const want = manifest.fileHashes[file];
    if (want === undefined) throw new PolicyBundleError(`${root}: ${file} is not listed in manifest.json \`fileHashes\``);
    const got = sha256(bytes);
    if (got !== want)
      throw new PolicyBundleError(`${root}: ${file} does not match its SHA-256 in manifest.json (expected ${want}, got ${got}); the file was modified or is corrupt`);
    return bytes;
  };
  const policy = await verified(manifest.files.policy);
  const value = manifest.files.value !== undefined ? await verified(manifest.files.value) : undefined;
  return { dir: root, manifest, policy, ...(value && { value }) };
}

/** Validates a policy manifest. @throws {@link PolicyBundleError} listing each problem */
export function parsePolicyManifest(json: unknown, where = 'manifest.json'): PolicyManifest {
  const format = typeof json === 'object' && json !== null ? (json as { format?: unknown }).format : undefined;
  if (format !== POLICY_FORMAT) throw new PolicyBundleError(`${where}: not a policy bundle manifest (expected format "${POLICY_FORMAT}", got ${JSON.stringify(format)})`);
  const parsed = PolicyManifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `\`${i.path.join('.') || '(root)'}\`: ${i.message}`);
    throw new PolicyBundleError(`${where}: invalid policy manifest: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
