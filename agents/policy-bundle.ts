/**
 * Policy bundles as policies: {@link loadPolicyBundle} reads an `embodied.policy/v1` bundle (manifest
 * validated, file hashes verified) and opens its `policy.onnx` with the ONNX policy adapter
 * ({@link OnnxPolicy}), clipped into the manifest's action bounds. The result is a `Policy`
 * (`act`, `actBatch`) and, through `policyAgent`, an RxJS agent for `runEpisode` or `controlLoop`.
 *
 * @module
 */
import type { Env } from '../src/env.js';
import { Box } from '../src/spaces.js';
import { readPolicyBundle } from '../src/policies/bundle.js';
import { PolicyBundleError } from '../src/policies/errors.js';
import type { PolicyManifest } from '../src/policies/manifest.js';
import { OnnxPolicy } from './onnx-policy.js';

/** Options of {@link loadPolicyBundle}. */
export interface LoadPolicyBundleOptions {
  /** onnxruntime intra-op threads. Default 1. */
  readonly intraOpNumThreads?: number;
  /** An environment the policy must fit: its id and spaces are checked against the manifest. Default: not checked. */
  readonly env?: Env<Float32Array, Float32Array>;
}

/** A loaded policy bundle: its manifest and the policy (close it when done). */
export interface LoadedPolicyBundle {
  readonly manifest: PolicyManifest;
  readonly policy: OnnxPolicy;
}

/**
 * Opens the policy of bundle `dir`.
 *
 * @example
 * ```ts
 * const { policy } = await loadPolicyBundle('policies/reach');
 * controlLoop(() => make('Reach-v0'), policyAgent(policy), { dt: 50, seed: 1 }).subscribe();
 * ```
 * @throws {@link PolicyBundleError} for a bad bundle, or one that does not fit `options.env`
 */
export async function loadPolicyBundle(dir: string, options: LoadPolicyBundleOptions = {}): Promise<LoadedPolicyBundle> {
  const files = await readPolicyBundle(dir);
  const m = files.manifest;
  if (options.env) checkPolicyFits(m, options.env, files.dir);
  const policy = await OnnxPolicy.load(files.policy, {
    obsDim: m.obsDim,
    actionLow: m.actionLow,
    actionHigh: m.actionHigh,
    intraOpNumThreads: options.intraOpNumThreads ?? 1,
    name: `${m.algorithm}:${m.name}`,
  });
  return { manifest: m, policy };
}

/**
 * Checks that a policy's manifest fits `env`: the same environment id, a Box observation space of
 * `obsDim` values and a Box action space with the manifest's bounds.
 * @throws {@link PolicyBundleError} naming the first mismatch
 */
export function checkPolicyFits(manifest: PolicyManifest, env: Env<Float32Array, Float32Array>, where = manifest.name): void {
  const fail = (what: string) => new PolicyBundleError(`Policy ${where}: ${what}`);
  if (env.spec.id !== manifest.envId) throw fail(`trained for ${manifest.envId}, but the environment is ${env.spec.id}`);
  const obs = env.observationSpace;
  const act = env.actionSpace;
  if (!(obs instanceof Box) || obs.low.length !== manifest.obsDim)
    throw fail(`expects observations of ${manifest.obsDim} values, the environment's space is ${JSON.stringify(obs.toJSON())}`);
  if (!(act instanceof Box) || act.low.length !== manifest.actionDim)
    throw fail(`produces ${manifest.actionDim} action values, the environment's action space is ${JSON.stringify(act.toJSON())}`);
  for (let i = 0; i < manifest.actionDim; i++) {
    if (Math.abs(act.low[i]! - manifest.actionLow[i]!) > 1e-6 || Math.abs(act.high[i]! - manifest.actionHigh[i]!) > 1e-6) {
      throw fail(`action bounds [${manifest.actionLow[i]}, ${manifest.actionHigh[i]}] of dimension ${i} differ from the environment's [${act.low[i]}, ${act.high[i]}]`);
    }
  }
}
