/**
 * `describePath`: validates a world-model bundle or a transition dataset completely (manifest, every
 * file, ONNX signatures / data hashes) and describes it (what `embodied info` prints).
 *
 * @module
 */
import { join, resolve } from 'node:path';
import { EmbodiedError, describeValue } from '../src/errors.js';
import { DATASET_FORMAT, Dataset, readDatasetManifest } from '../src/training/dataset.js';
import { readRegularFile } from '../src/safe-read.js';
import { MAX_MANIFEST_BYTES } from '../src/worldmodel/bundle-read.js';
import { BUNDLE_FORMAT } from '../src/worldmodel/manifest.js';
import { readPolicyBundle } from '../src/policies/bundle.js';
import { POLICY_FORMAT } from '../src/policies/manifest.js';
import { loadBundle, type OnnxTensorInfo } from '../src/worldmodel/bundle.js';

/** What {@link describePath} found. */
export type InfoResult =
  | { kind: 'bundle'; path: string; summary: Record<string, unknown>; text: string }
  | { kind: 'dataset'; path: string; summary: Record<string, unknown>; text: string }
  | { kind: 'policy'; path: string; summary: Record<string, unknown>; text: string };

function dims(t: OnnxTensorInfo): string {
  return `${t.name} [${(t.dims ?? []).map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/**
 * Validates and describes a world-model bundle, dataset or policy bundle directory.
 * @param quick - datasets: read only the manifest (no data hashes). Default false.
 * @throws {@link EmbodiedError} (BundleError / DatasetError) when it is neither or invalid.
 */
export async function describePath(path: string, quick = false): Promise<InfoResult> {
  const root = resolve(path);
  let format: unknown;
  try {
    // Never blocks on a FIFO, never follows a final symlink, never reads more than a manifest can be.
    const read = await readRegularFile(join(root, 'manifest.json'), MAX_MANIFEST_BYTES);
    if ('problem' in read) throw new EmbodiedError(`${root}/manifest.json: ${read.problem}`);
    const parsed: unknown = JSON.parse(read.bytes.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new EmbodiedError(`${root}/manifest.json: expected a JSON object, got ${describeValue(parsed)}`);
    format = (parsed as { format?: unknown }).format;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new EmbodiedError(`${root}: neither a world-model bundle nor a dataset (no manifest.json)`, { cause: e });
    if (code === 'ELOOP') throw new EmbodiedError(`${root}/manifest.json: a symbolic link; expected a regular file`, { cause: e });
    if (e instanceof SyntaxError) throw new EmbodiedError(`${root}/manifest.json: not valid JSON (${e.message})`, { cause: e });
    throw e;
  }
  if (format === BUNDLE_FORMAT) {
    const b = await loadBundle(root);
    const m = b.manifest;
    const lines = [
      `world-model bundle ${m.name} (${m.format}) at ${root}`,
      `  models ${m.envId}: obs ${m.obsDim}, action ${m.actionDim} in [${m.actionLow.join(', ')}]..[${m.actionHigh.join(', ')}], latent ${m.latentDim}`,
      `  ensemble of ${b.dynamics.length}, terminal head ${m.hasTerminal ? 'yes' : 'no'}, decoder ${b.decoder ? 'yes' : 'no'}, fused rollout ${b.rollout ? `yes (H ${b.rolloutHorizon ?? 'dynamic'}${m.rolloutMode ? `, ${m.rolloutMode}` : ''})` : 'no'}`,
      `  initial observations: ${b.initialObservations ? b.initialObservations.length / m.obsDim : 'none'}; training horizon ${m.trainingHorizon}`,
      ...[b.encoder, ...b.dynamics, ...(b.decoder ? [b.decoder] : []), ...(b.rollout ? [b.rollout] : [])].map(
        (f) =>
          `  ${f.file.padEnd(18)} ${f.role.padEnd(8)} in: ${f.signature.inputs.map(dims).join(', ')}  out: ${f.signature.outputs.map(dims).join(', ')}  (${(f.bytes.length / 1024).toFixed(1)} KiB, opset ${f.signature.opset ?? '?'}${f.signature.producer ? `, ${f.signature.producer}` : ''})`,
      ),
      `  provenance: ${m.provenance.producer}, ${m.provenance.createdAt}${m.provenance.trainingSteps !== undefined ? `, ${m.provenance.trainingSteps} steps` : ''}${m.provenance.seed !== undefined ? `, seed ${m.provenance.seed}` : ''}${m.provenance.datasetHash ? `, dataset ${m.provenance.datasetHash.slice(0, 12)}…` : ''}`,
      ...(m.provenance.finalLosses
        ? [
            `  final losses: ${Object.entries(m.provenance.finalLosses)
              .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
              .join(', ')}`,
          ]
        : []),
    ];
    const summary = { ...m, files: { ...m.files }, ensembleSize: b.dynamics.length, initialObservations: b.initialObservations ? b.initialObservations.length / m.obsDim : 0 };
    return { kind: 'bundle', path: root, summary, text: lines.join('\n') };
  }
  if (format === DATASET_FORMAT) {
    const m = quick ? await readDatasetManifest(root) : (await Dataset.load(root)).manifest!;
    const lengths = m.counts.transitions / Math.max(1, m.counts.episodes);
    const lines = [
      `dataset (${m.format}) at ${root}${quick ? ' — manifest only (--quick)' : ' — validated (hashes, episodes)'}`,
      `  ${m.counts.transitions} transitions in ${m.counts.episodes} episodes (mean length ${lengths.toFixed(1)}) of ${m.envId} (options ${JSON.stringify(m.envOptions)})`,
      `  obs ${m.obsDim}, action ${m.actionDim}; policy ${m.policy}; seed ${m.seed} (episode k: seed + k)`,
      `  ${m.complete ? 'complete' : `incomplete (${m.stopReason})`}; ${m.producer}, ${m.createdAt}${m.rapierPackage ? `; ${m.rapierPackage}@${m.rapierVersion}` : ''}`,
      `  content hash ${m.contentHash}`,
      ...Object.values(m.fields).map((f) => `  ${f.file.padEnd(22)} ${f.dtype.padEnd(7)} [${f.shape.join(', ')}]`),
    ];
    return { kind: 'dataset', path: root, summary: m as unknown as Record<string, unknown>, text: lines.join('\n') };
  }
  if (format === POLICY_FORMAT) return describePolicy(root);
  throw new EmbodiedError(`${root}/manifest.json: unknown format ${describeValue(format)} (expected ${BUNDLE_FORMAT}, ${DATASET_FORMAT} or ${POLICY_FORMAT})`);
}

/** A policy bundle: manifest and file hashes verified. */
async function describePolicy(root: string): Promise<InfoResult> {
  const { manifest: m } = await readPolicyBundle(root);
  const p = m.provenance;
  const n = m.network;
  const lines = [
    `policy bundle ${m.name} (${m.format}) at ${root} — validated (manifest, file hashes)`,
    `  ${m.algorithm} policy for ${m.envId} (options ${JSON.stringify(m.envOptions)}): obs ${m.obsDim} → action ${m.actionDim} in [${m.actionLow.join(', ')}] … [${m.actionHigh.join(', ')}]`,
    `  network: ${n.kind}, hidden [${n.hidden.join(', ')}] ${n.activation}${n.layerNorm ? ' + layer norm' : ''}${n.value ? ', value head' : ''}${m.encoder ? `; reads observations through the encoder of ${m.encoder.worldModel} (latent ${m.encoder.latentDim})` : ''}`,
    `  trained ${p.trainingSteps} optimiser steps${p.envSteps !== undefined ? `, ${p.envSteps} environment steps` : ''}; seed ${p.seed}${p.datasetHashes ? `; datasets ${p.datasetHashes.map((h) => h.slice(0, 12)).join(', ')}` : ''}`,
    `  ${p.producer}, ${p.createdAt}; files ${Object.keys(m.fileHashes).join(', ')}`,
  ];
  return { kind: 'policy', path: root, summary: m as unknown as Record<string, unknown>, text: lines.join('\n') };
}
