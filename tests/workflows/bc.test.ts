/**
 * Behaviour cloning end to end on Reach-v0 (Rapier): scripted demonstrations → `trainBehaviorCloning` →
 * a policy bundle that solves held-out seeds; stop and resume bit for bit; and the errors for data of
 * another environment, of other spaces, and with a NaN reward.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../environments/index.js';
import '../fixtures/toy-env/card.js';
import { decodeNpy, encodeNpy, typedArrayBytes } from '../../src/codecs/npy.js';
import { PolicyDataError } from '../../src/policies/errors.js';
import { datasetContentHash } from '../../src/training/dataset-manifest.js';
import { trainBehaviorCloning } from '../../workflows/bc.js';
import { collectDataset } from '../../workflows/collect.js';
import { evaluatePolicy } from '../../workflows/evaluate-policy.js';

const root = mkdtempSync(join(tmpdir(), 'bc-'));
const reach = join(root, 'reach');
const toy = join(root, 'toy');

beforeAll(async () => {
  await collectDataset({ env: 'Reach-v0', policy: 'scripted', episodes: 60, seed: 1, out: reach });
  await collectDataset({ env: 'Toy-v0', policy: 'scripted', episodes: 4, seed: 1, out: toy });
}, 60_000);

describe('trainBehaviorCloning', () => {
  it('clones the scripted Reach controller: ≥ 90% success on held-out seeds, with curves and provenance', async () => {
    const r = await trainBehaviorCloning({ data: reach, out: join(root, 'reach-bc'), steps: 1200, batchSize: 128, network: { hidden: [64, 64] } });
    expect(r.stopped).toBe(false);
    expect(r.manifest!.algorithm).toBe('bc');
    expect(r.manifest!.provenance.datasetHashes).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(r.bundle!, 'curves.json'), 'utf8')).charts[0].title).toBe('loss');
    const e = await evaluatePolicy({ policy: r.bundle!, seeds: Array.from({ length: 10 }, (_v, i) => 100 + i) });
    expect(e.summary.successRate).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  it('a stopped run resumes to the same weights as an uninterrupted one', async () => {
    const base = { data: reach, steps: 300, batchSize: 32, network: { hidden: [16] }, checkpointEvery: 0 };
    const full = await trainBehaviorCloning({ ...base, out: join(root, 'full') });
    const controller = new AbortController();
    const stopped = await trainBehaviorCloning({ ...base, out: join(root, 'part'), signal: controller.signal, onProgress: (p) => p.step >= 100 && controller.abort() });
    expect(stopped.stopped).toBe(true);
    expect(stopped.steps).toBe(100);
    const resumed = await trainBehaviorCloning({ ...base, out: join(root, 'part'), resume: true });
    expect(resumed.steps).toBe(300);
    expect(readFileSync(join(root, 'part', 'policy.onnx'))).toEqual(readFileSync(join(root, 'full', 'policy.onnx')));
    expect(full.finalLosses.loss).toBe(resumed.finalLosses.loss);
  }, 60_000);

  it('refuses a dataset of another environment', async () => {
    await expect(trainBehaviorCloning({ data: toy, env: 'Reach-v0', out: join(root, 'x1'), steps: 1 })).rejects.toThrow(
      new PolicyDataError(`Dataset ${toy} was collected in Toy-v0, not in Reach-v0; behaviour cloning needs data of the policy's environment`),
    );
  });

  it("refuses data whose sizes differ from the environment's spaces", async () => {
    const dir = join(root, 'relabelled');
    await collectDataset({ env: 'Toy-v0', policy: 'scripted', episodes: 2, seed: 2, out: dir });
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...m, envId: 'Reach-v0' }));
    await expect(trainBehaviorCloning({ data: dir, out: join(root, 'x2'), steps: 1 })).rejects.toThrow(
      /has observations of 2 and actions of 1 values, but Reach-v0's spaces have 6 and 2/,
    );
  });

  it('refuses a NaN reward, naming the field', async () => {
    const dir = join(root, 'nan');
    await collectDataset({ env: 'Toy-v0', policy: 'scripted', episodes: 2, seed: 3, out: dir });
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const rewards = decodeNpy(readFileSync(join(dir, m.fields.rewards.file)), 'rewards').data as Float32Array;
    rewards[1] = Number.NaN;
    writeFileSync(join(dir, m.fields.rewards.file), encodeNpy(rewards, [rewards.length], 'float32'));
    m.fields.rewards.sha256 = createHash('sha256').update(typedArrayBytes(rewards)).digest('hex');
    m.contentHash = datasetContentHash(m.fields);
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    await expect(trainBehaviorCloning({ data: dir, out: join(root, 'x3'), steps: 1 })).rejects.toThrow(/rewards\[1\] holds a non-finite value \(NaN\)/);
  });
});
