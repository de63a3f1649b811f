import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { learn, ReplayMismatchError, type LearnOptions } from '../../workflows/learn.js';
import { collectDataset } from '../../workflows/collect.js';
import { cosineDecay, trainWorldModel } from '../../workflows/train.js';
import { differingBundleFiles } from '../../workflows/learn/replay.js';
import type { LearnSettings } from '../../environments/card.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { writeTestBundle } from '../worldmodel/onnx-fixtures.js';

// A budgeted run (scaled training steps, on-policy episodes sized to the time) on Reach, a few seconds a round.
const tiny: LearnSettings = {
  collect: { episodes: 6, workers: 1 },
  onPolicy: { episodes: 3, samples: 16, horizon: 5, iterations: 1 },
  train: { steps: 400, latentDim: 8, hidden: 16, batchSize: 16, horizon: 3, lr: 3e-3, lrSchedule: 'cosine' },
  rounds: 2,
  validation: { episodes: 2, maxSteps: 20, samples: 16, horizon: 5, iterations: 1 },
  targets: { successRate: 2, pps: 2, validHorizon: 1000 },
};
const tmp = () => mkdtempSync(join(tmpdir(), 'learn-replay-'));
const run = (out: string, extra: Partial<LearnOptions> = {}): Promise<Awaited<ReturnType<typeof learn>>> =>
  learn({ env: 'Reach-v0', budget: '40s', out, seed: 5, settings: tiny, ...extra });

describe('learn replay', () => {
  it('makes a budgeted run again from its folder and from its bundle: the same data, the same bundle bits', async () => {
    const dir = tmp();
    const first = await run(join(dir, 'first'));
    expect(first.model).toBeDefined();
    const selected = first.selectedRound!;
    const recorded = first.state.rounds.filter((r) => r.round <= selected);

    const fromRun = await learn({ env: 'Reach-v0', replay: join(dir, 'first'), out: join(dir, 'again') });
    expect(fromRun.stopReason).toBe('rounds');
    expect(fromRun.state.rounds.map((r) => [r.datasetHash, r.episodes, r.trainSteps])).toEqual(recorded.map((r) => [r.datasetHash, r.episodes, r.trainSteps]));
    expect(fromRun.replay).toEqual({ source: join(dir, 'first', `round-${selected}`, 'model'), differingFiles: [] });
    expect(await differingBundleFiles(fromRun.model!, first.model!)).toEqual([]);
    // The published manifest carries what a replay needs, so the bundle alone is enough.
    const manifest = JSON.parse(readFileSync(join(first.model!, 'manifest.json'), 'utf8'));
    expect(manifest.provenance.learn.settings).toEqual(first.state.settings);
    expect(manifest.provenance.learn.rounds.map((r: { episodes: number }) => r.episodes)).toEqual(first.state.rounds.map((r) => r.episodes));
    const fromBundle = await learn({ env: 'Reach-v0', replay: first.model!, out: join(dir, 'bundle') });
    expect(fromBundle.replay?.differingFiles).toEqual([]);
    expect(fromBundle.state.seed).toBe(5);
  }, 300_000);

  it('refuses data that does not match the record, and bad sources, touching nothing', async () => {
    const dir = tmp();
    const first = await run(join(dir, 'first'), { settings: { ...tiny, rounds: 1 } });
    const edited = join(dir, 'edited');
    cpSync(join(dir, 'first'), edited, { recursive: true });
    const state = JSON.parse(readFileSync(join(edited, 'state.json'), 'utf8'));
    state.rounds[0].datasetHash = '0'.repeat(64);
    writeFileSync(join(edited, 'state.json'), JSON.stringify(state));
    // Checked as soon as the round's collection ends, before it trains on the data.
    const trained: number[] = [];
    const mismatch = await learn({ env: 'Reach-v0', replay: edited, out: join(dir, 'x'), onEvent: (e) => e.kind === 'train-progress' && trained.push(e.progress.step) }).catch(
      (e: unknown) => e,
    );
    expect(mismatch).toBeInstanceOf(ReplayMismatchError);
    expect((mismatch as Error).message).toMatch(/replaying round 0: its data has content hash [0-9a-f]{64}, the run recorded 0{64}/);
    expect(trained.filter((s) => s > 0)).toEqual([]);

    await expect(learn({ env: 'CartPole-v0', replay: first.out, out: join(dir, 'y') })).rejects.toThrow(/a run of Reach-v0, not of CartPole-v0/);
    await expect(learn({ env: 'Reach-v0', replay: join(dir, 'nothing'), out: join(dir, 'y') })).rejects.toThrow(InvalidArgumentError);
    const trainedBundle = join(dir, 'trained');
    writeTestBundle(trainedBundle, { obsDim: 13, actionDim: 2, latentDim: 8, decoder: true, manifest: { name: 'not-learned', envId: 'PushBox-v0' } });
    await expect(learn({ env: 'PushBox-v0', replay: trainedBundle, out: join(dir, 'y') })).rejects.toThrow(/not one learn published/);
    mkdirSync(join(dir, 'empty'));
    await expect(learn({ env: 'Reach-v0', replay: join(dir, 'empty'), out: join(dir, 'y') })).rejects.toThrow(
      /expected a learn run's folder .* or a bundle learn published; .* is neither/,
    );
    // A published record that lacks what a replay reads is named, field by field.
    const broken = join(dir, 'broken');
    const learnRecord = { env: 'PushBox-v0', seed: 0, selectedRound: 0, rounds: [{ round: 0, episodes: 4, trainSteps: 10 }] };
    writeTestBundle(broken, {
      obsDim: 13,
      actionDim: 2,
      latentDim: 8,
      decoder: true,
      manifest: { name: 'broken', envId: 'PushBox-v0', provenance: { producer: 'test', createdAt: '2026-12-07T00:00:00Z', learn: learnRecord } },
    });
    await expect(learn({ env: 'PushBox-v0', replay: broken, out: join(dir, 'y') })).rejects.toThrow(/provenance\.learn: `rounds\.0\.datasetHash`/);
    await expect(learn({ env: 'Reach-v0', replay: first.out, out: join(dir, 'y'), resume: true })).rejects.toThrow(/`replay` and `resume`/);
    await expect(learn({ env: 'Reach-v0', replay: first.model!, out: first.out, overwrite: true })).rejects.toThrow(/holds the bundle the replay compares with/);
    expect(existsSync(join(dir, 'y'))).toBe(false);
    expect(readdirSync(first.out).sort()).toEqual(['model', 'report.html', 'round-0', 'state.json']);
  }, 240_000);

  it('a training stopped early equals one of its steps on the stopped schedule (how a replay redoes a round whose time ran out)', async () => {
    const dir = tmp();
    const data = join(dir, 'data');
    await collectDataset({ env: 'Reach-v0', policy: 'random', episodes: 4, seed: 1, out: data });
    const config = {
      latentDim: 8,
      encoderHidden: [16],
      dynamicsHidden: [16],
      rewardHidden: [16],
      terminalHidden: [16],
      decoderHidden: [16],
      batchSize: 16,
      horizon: 3,
      lrSchedule: 'cosine' as const,
    };
    // Planned 240 steps, stopped after 64 (between chunks), then exported at the steps reached — as learn does.
    const stop = new AbortController();
    const stopped = await trainWorldModel({ data, out: join(dir, 'a'), steps: 240, seed: 2, config, signal: stop.signal, onProgress: (p) => p.step >= 64 && stop.abort() });
    expect(stopped.stopped).toBe(true);
    const reached = stopped.steps;
    await trainWorldModel({ data, out: join(dir, 'a'), steps: reached, seed: 2, config, resume: true });
    const replayed = await trainWorldModel({ data, out: join(dir, 'b'), steps: reached, seed: 2, config: { ...config, ...cosineDecay(config, 240) } });
    expect(replayed.steps).toBe(reached);
    expect(await differingBundleFiles(join(dir, 'a'), join(dir, 'b'))).toEqual([]);
    // Without the planned schedule the same steps give other weights: the test can fail.
    await trainWorldModel({ data, out: join(dir, 'c'), steps: reached, seed: 2, config });
    expect(await differingBundleFiles(join(dir, 'a'), join(dir, 'c'))).not.toEqual([]);
  }, 60_000);
});
