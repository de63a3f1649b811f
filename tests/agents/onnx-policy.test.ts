/**
 * ONNX policies, with tiny models built by the SDK's graph builder: `action = tanh(obs · W + b)`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lastValueFrom, take, toArray } from 'rxjs';
import { Graph, init, linear, log, serializeModel, tanh } from '../../src/graph/index.js';
import { OnnxPolicy, onnxPolicyAgent } from '../../agents/onnx-policy.js';
import { policyAgent } from '../../agents/policy-agent.js';
import { runEpisode } from '../../agents/run-episode.js';
import { PointEnv } from './fixtures/point-env.js';

/** `tanh(obs · W + b)` for obs [B, inDim] with the given row-major W [inDim, outDim] and b. */
function tanhPolicy(w: number[], b: number[], inDim: number, names = { input: 'obs', output: 'action' }): Uint8Array {
  const g = new Graph();
  const obs = g.input(names.input, ['B', inDim]);
  const W = g.param('W', [inDim, b.length], init.zeros());
  const B = g.param('b', [b.length], init.zeros());
  return serializeModel({
    graph: g,
    outputs: { [names.output]: tanh(linear(obs, W, B)) },
    paramValues: new Map([
      ['W', Float32Array.from(w)],
      ['b', Float32Array.from(b)],
    ]),
  });
}

afterEach(() => expect(OnnxPolicy.live).toBe(0));

describe('OnnxPolicy', () => {
  it('computes tanh(obs·W + b) for one row and for a batch', async () => {
    await using policy = await OnnxPolicy.load(tanhPolicy([1, -2, 0.5, 3, 0, 1], [0.1, -0.2], 3));
    expect([policy.obsDim, policy.actionDim]).toEqual([3, 2]);
    const a = await policy.act(Float32Array.of(0.2, -0.1, 0.4));
    expect(Array.from(a)).toEqual([Math.tanh(0.2 * 1 - 0.1 * 0.5 + 0 + 0.1), Math.tanh(0.2 * -2 - 0.1 * 3 + 0.4 * 1 - 0.2)].map((v) => expect.closeTo(v, 6)));
    const batch = await policy.actBatch(Float32Array.of(0.2, -0.1, 0.4, 0, 0, 0));
    expect(batch).toHaveLength(4);
    expect(batch[2]).toBeCloseTo(Math.tanh(0.1), 6);
  });

  it('clips to the action bounds when given', async () => {
    await using policy = await OnnxPolicy.load(tanhPolicy([10], [0], 1), { actionLow: [-0.5], actionHigh: [0.5] });
    expect(Array.from(await policy.act(Float32Array.of(1)))).toEqual([0.5]);
  });

  it('drives an episode through policyAgent and reaches the goal', async () => {
    await using policy = await OnnxPolicy.load(tanhPolicy([-1], [0], 1));
    const ts = await lastValueFrom(runEpisode(() => new PointEnv(), policyAgent(policy), { seed: 5, maxSteps: 30 }).pipe(toArray()));
    expect(ts.at(-1)!.info.success).toBe(true);
    expect(ts[0]!.action[0]).toBeCloseTo(Math.tanh(-ts[0]!.observation[0]!), 6);
  });

  it('explains a model that does not fit', async () => {
    await expect(OnnxPolicy.load(tanhPolicy([1], [0], 1, { input: 'x', output: 'action' }))).rejects.toThrow(/has no input named 'obs' \(inputs: x\)/);
    await expect(OnnxPolicy.load(tanhPolicy([1], [0], 1), { outputName: 'act' })).rejects.toThrow(/has no output named 'act' \(outputs: action\)/);
    await expect(OnnxPolicy.load(tanhPolicy([1], [0], 1), { obsDim: 3 })).rejects.toThrow(/`obsDim` is 3 but model bytes declares 1/);
    await expect(OnnxPolicy.load(Uint8Array.of(1, 2, 3))).rejects.toThrow(/onnxruntime could not load model bytes/);
    await expect(OnnxPolicy.load('/nonexistent/policy.onnx')).rejects.toThrow(/ENOENT/);
    await using policy = await OnnxPolicy.load(tanhPolicy([1, 1], [0], 2));
    await expect(policy.act(Float32Array.of(1, 2, 3))).rejects.toThrow(/expected a Float32Array of B × 2 observation values, got Float32Array\(3\)/);
  });

  it('reports non-finite actions', async () => {
    const g = new Graph();
    const obs = g.input('obs', ['B', 1]);
    const bytes = serializeModel({ graph: g, outputs: { action: log(obs) } });
    await using policy = await OnnxPolicy.load(bytes);
    await expect(policy.act(Float32Array.of(-1))).rejects.toThrow(/the model returned NaN at row 0, dimension 0/);
  });
});

describe('onnxPolicyAgent', () => {
  it('opens a session per episode and releases it when the episode ends or is unsubscribed', async () => {
    const bytes = tanhPolicy([-1], [0], 1);
    const full = await lastValueFrom(runEpisode(() => new PointEnv(), onnxPolicyAgent(bytes), { seed: 5, maxSteps: 30 }).pipe(toArray()));
    expect(full.at(-1)!.info.success).toBe(true);
    const cut = await lastValueFrom(runEpisode(() => new PointEnv(), onnxPolicyAgent(bytes), { seed: 5 }).pipe(take(2), toArray()));
    expect(cut).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 20));
  });

  it('sends a load failure to error', async () => {
    await expect(lastValueFrom(runEpisode(() => new PointEnv(), onnxPolicyAgent(Uint8Array.of(0)), { seed: 1 }))).rejects.toThrow(/onnxruntime could not load/);
  });
});
