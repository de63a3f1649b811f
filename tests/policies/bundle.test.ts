/**
 * Policy networks and bundles: the exported policy equals the float64 reference evaluation of the same
 * network, runs through the ONNX policy adapter as a `Policy` and as an agent in `controlLoop`, keeps its
 * actions in the bounds, and refuses tampered files and environments it was not trained for. The
 * behaviour-cloning objective's gradients match central differences.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { controlLoop } from '../../agents/control-loop.js';
import { OnnxPolicy } from '../../agents/onnx-policy.js';
import { policyAgent } from '../../agents/policy-agent.js';
import { checkPolicyFits, loadPolicyBundle } from '../../agents/policy-bundle.js';
import { Graph, ParamScope, evaluateGraph, nd } from '../../src/graph/index.js';
import { exportPolicyBundle, readPolicyBundle } from '../../src/policies/bundle.js';
import { parsePolicyConfig, type PolicyConfig } from '../../src/policies/config.js';
import { PolicyBundleError } from '../../src/policies/errors.js';
import { PolicyGraphs } from '../../src/policies/graphs.js';
import { tanhGaussianLogProb } from '../../src/policies/losses.js';
import { BehaviorCloningObjective } from '../../src/policies/objectives.js';
import { PolicySampler } from '../../src/policies/sampler.js';
import { Rng } from '../../src/rng.js';
import { Box } from '../../src/spaces.js';
import { ToyEnv } from '../fixtures/toy-env/toy-env.js';
import { describePath } from '../../workflows/info.js';
import { finiteDifferenceCheck } from '../graph/gradcheck.js';

afterEach(() => expect(OnnxPolicy.live).toBe(0));

/** Random weights for every parameter of `config`'s actor (and value head), by name. */
function randomParams(config: PolicyConfig, seed: number): Map<string, Float32Array> {
  const g = new Graph();
  const objective = new BehaviorCloningObjective(config, 2);
  const data = Object.fromEntries(objective.inputs.map((i) => [i.name, g.input(i.name, i.shape)]));
  const scope = new ParamScope(g);
  objective.build(scope, data);
  if (config.value) objective.network.value(scope, data.obs!);
  const rng = Rng.fromSeed(seed);
  return new Map([...g.params].map(([name, t]) => [name, Float32Array.from({ length: (t.shape as number[]).reduce((a, b) => a * b, 1) }, () => rng.normal(0, 0.7))]));
}

const stats = { mean: Float32Array.of(0.1, -0.2), std: Float32Array.of(0.5, 2) };

async function writeToyBundle(kind: 'deterministic' | 'gaussian', dir = mkdtempSync(join(tmpdir(), 'policy-'))) {
  const config = parsePolicyConfig({ obsDim: 2, actionDim: 1, kind, hidden: [8, 8], value: true });
  const params = randomParams(config, 3);
  const env = new ToyEnv();
  const manifest = await exportPolicyBundle(join(dir, 'p'), {
    config,
    stats,
    params,
    name: 'toy',
    envId: 'Toy-v0',
    observationSpace: env.observationSpace.toJSON(),
    actionSpace: env.actionSpace.toJSON(),
    actionLow: [-1],
    actionHigh: [1],
    algorithm: 'bc',
    provenance: { seed: 3, trainingSteps: 0, settings: {} },
  });
  return { dir: join(dir, 'p'), config, params, manifest };
}

describe('policy bundles', () => {
  it('policy.onnx equals the float64 network, stays in the bounds, and value.onnx is written', async () => {
    const { dir, config, params, manifest } = await writeToyBundle('gaussian');
    expect(manifest.files).toEqual({ policy: 'policy.onnx', value: 'value.onnx' });
    const spec = new PolicyGraphs(config, stats, params, [-1], [1]).policy();
    const obs = Float32Array.of(0.3, 0.9, -1.5, 0.2, 2, -3);
    const [want] = evaluateGraph(spec.graph, [spec.outputs.action!], { inputs: { obs: nd([3, 2], obs) }, params: new Map([...params].map(([k, v]) => [k, Float64Array.from(v)])) });
    const { policy } = await loadPolicyBundle(dir);
    try {
      const got = await policy.actBatch(obs);
      for (let i = 0; i < 3; i++) {
        expect(got[i]).toBeCloseTo(want!.data[i]!, 5);
        expect(Math.abs(got[i]!)).toBeLessThanOrEqual(1);
      }
      expect(await policy.act(obs.subarray(0, 2))).toEqual(Float32Array.of(got[0]!));
    } finally {
      await policy.close();
    }
  });

  it('embodied info describes a policy bundle (describePath)', async () => {
    const { dir } = await writeToyBundle('gaussian');
    const r = await describePath(dir);
    expect(r.kind).toBe('policy');
    expect(r.text).toMatch(
      /^policy bundle toy \(embodied\.policy\/v1\) at .* — validated \(manifest, file hashes\)\n {2}bc policy for Toy-v0 \(options \{\}\): obs 2 → action 1 in \[-1\] … \[1\]\n {2}network: gaussian, hidden \[8, 8\] tanh, value head/,
    );
  });

  it('runs as an RxJS agent in controlLoop', async () => {
    const { dir } = await writeToyBundle('deterministic');
    const { policy } = await loadPolicyBundle(dir, { env: new ToyEnv() });
    try {
      const steps = await lastValueFrom(controlLoop(() => new ToyEnv(), policyAgent(policy), { dt: 5, seed: 1, maxSteps: 8 }).pipe(toArray()));
      expect(steps).toHaveLength(8);
      expect(steps.filter((s) => !s.late).length).toBeGreaterThan(0);
    } finally {
      await policy.close();
    }
  });

  it('refuses a modified file, a foreign manifest and an environment it was not trained for', async () => {
    const { dir, manifest } = await writeToyBundle('deterministic');
    const bytes = readFileSync(join(dir, 'policy.onnx'));
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(join(dir, 'policy.onnx'), bytes);
    await expect(readPolicyBundle(dir)).rejects.toThrow(/policy.onnx does not match its SHA-256 in manifest.json/);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 'embodied.worldmodel/v1' }));
    await expect(readPolicyBundle(dir)).rejects.toThrow('not a policy bundle manifest (expected format "embodied.policy/v1", got "embodied.worldmodel/v1")');
    const other = { spec: { id: 'Other-v0' }, observationSpace: new Box(-1, 1, [2]), actionSpace: new Box(-1, 1, [1]) };
    expect(() => checkPolicyFits(manifest, other as never)).toThrow(new PolicyBundleError('Policy toy: trained for Toy-v0, but the environment is Other-v0'));
    const wide = { spec: { id: 'Toy-v0' }, observationSpace: new Box(-1, 1, [3]), actionSpace: new Box(-1, 1, [1]) };
    expect(() => checkPolicyFits(manifest, wide as never)).toThrow(/expects observations of 2 values/);
  });

  it('the sampler draws u = μ + σ·ε with the log-probability of the loss, seeded', async () => {
    const config = parsePolicyConfig({ obsDim: 2, actionDim: 1, kind: 'gaussian', hidden: [8], value: true });
    const params = randomParams(config, 5);
    const sampler = await PolicySampler.create(config);
    try {
      sampler.setWeights(params, stats);
      const obs = Float32Array.of(0.3, 0.9, -1.5, 0.2);
      const a = await sampler.sample(obs, Rng.fromSeed(7));
      const b = await sampler.sample(obs, Rng.fromSeed(7));
      expect(a).toEqual(b);
      const g = new Graph();
      const u = g.input('u', [2, 1]);
      const mean = g.input('mean', [2, 1]);
      const ls = g.input('ls', [1]);
      const [logp] = evaluateGraph(g, [tanhGaussianLogProb(u, mean, ls)], {
        inputs: { u: nd([2, 1], a.preTanh), mean: nd([2, 1], a.mean), ls: nd([1], [Math.max(-5, Math.min(1, params.get('actor.log_std')![0]!))]) },
      });
      expect(a.logp[0]).toBeCloseTo(logp!.data[0]!, 4);
      expect(a.logp[1]).toBeCloseTo(logp!.data[1]!, 4);
      const det = await sampler.sample(obs, false);
      expect(det.preTanh).toEqual(det.mean);
    } finally {
      await sampler.close();
    }
  });
});

describe('behaviour-cloning objective', () => {
  for (const kind of ['deterministic', 'gaussian'] as const) {
    it(`${kind}: gradients match central differences`, () => {
      const config = parsePolicyConfig({ obsDim: 3, actionDim: 2, kind, hidden: [5, 4], activation: 'tanh', layerNorm: true });
      const objective = new BehaviorCloningObjective(config, 4);
      const g = new Graph();
      const data = Object.fromEntries(objective.inputs.map((i) => [i.name, g.input(i.name, i.shape)]));
      const { loss } = objective.build(new ParamScope(g), data);
      const rng = Rng.fromSeed(11);
      const params = new Map(
        [...g.params].map(([n, t]) => [n, Float64Array.from({ length: (t.shape as number[]).reduce((a, b) => a * b, 1) }, () => rng.normal(n.includes('ln_scale') ? 1 : 0, 0.5))]),
      );
      const inputs = {
        obs: nd(
          [4, 3],
          Array.from({ length: 12 }, () => rng.normal()),
        ),
        actions: nd(
          [4, 2],
          Array.from({ length: 8 }, () => rng.uniformRange(-0.9, 0.9)),
        ),
        obs_mean: nd([3], [0.1, 0, -0.1]),
        obs_std: nd([3], [1, 2, 0.5]),
      };
      const report = finiteDifferenceCheck({ loss, wrt: [...g.params.values()] }, inputs, params);
      expect(report.worst, report.where).toBeLessThan(1);
    });
  }
});
