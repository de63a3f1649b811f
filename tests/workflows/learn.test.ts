import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { learn, parseDuration, type LearnOptions } from '../../workflows/learn.js';
import type { LearnSettings } from '../../environments/card.js';
import { InvalidArgumentError, UnknownEnvError } from '../../src/errors.js';
import { UnsafeOutputError } from '../../src/output-dir.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { createPlanSource } from '../../agents/plan-factory.js';

// A tiny model and few episodes on Reach: each round takes a few seconds.
const tiny: LearnSettings = {
  collect: { episodes: 6, workers: 1 },
  onPolicy: { episodes: 2, samples: 16, horizon: 5, iterations: 1 },
  train: {
    steps: 150,
    latentDim: 8,
    hidden: 16,
    batchSize: 16,
    horizon: 3,
    lr: 3e-3,
    lrSchedule: 'constant',
  },
  rounds: 2,
  validation: { episodes: 2, maxSteps: 20, samples: 16, horizon: 5, iterations: 1 },
  targets: { successRate: 2, pps: 2, validHorizon: 1000 },
};
const base = (out: string, extra: Partial<LearnOptions> = {}): LearnOptions => ({ env: 'Reach-v0', budget: '5m', out, seed: 3, settings: tiny, scaleSteps: false, ...extra });
const tmp = () => mkdtempSync(join(tmpdir(), 'learn-'));

describe('learn', () => {
  it('runs rounds into a bundle that loads and plans, with provenance, state and report', async () => {
    const out = join(tmp(), 'run');
    const events: string[] = [];
    const r = await learn({ ...base(out), onEvent: (e) => events.push(e.kind) });
    expect(r.stopReason).toBe('rounds');
    expect(r.state.rounds.map((x) => x.round)).toEqual([0, 1]);
    expect(r.state.rounds[1]!.policy).toBe('mpc');
    expect(events).toContain('round-done');
    for (const k of [0, 1]) for (const f of ['data/manifest.json', 'model/manifest.json', 'report.json', 'report.html']) expect(existsSync(join(out, `round-${k}`, f))).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('vegaEmbed');
    const manifest = JSON.parse(readFileSync(join(out, 'model', 'manifest.json'), 'utf8'));
    expect(manifest.provenance.learn.rounds).toHaveLength(2);
    expect(manifest.provenance.learn.planner).toMatchObject({ horizon: 5, samples: 16, iterations: 1 });
    expect(manifest.provenance.learn.selectedRound).toBe(r.selectedRound);
    // Round 1 trained (in a worker thread) on round 0's data while it collected its own.
    expect(r.state.rounds.map((x) => x.trainedOn)).toEqual([[0], [0]]);
    // The validated planner is the bundle's certified one: plan and validate use it by default.
    expect(manifest.planner).toMatchObject({ horizon: 5, samples: 16, iterations: 1, certified: { episodes: 2, maxSteps: 20 } });
    // Round 0 started episodes from random physical states with passive phases (the card's explorationStart).
    expect(JSON.parse(readFileSync(join(out, 'round-0', 'data', 'manifest.json'), 'utf8')).policy).toContain('passive(20)');
    // Validation seeds are never collection seeds.
    for (const x of r.state.rounds) expect(x.collectSeed).toBeGreaterThanOrEqual(1_000_000);
    const model = await WorldModel.load(r.model!);
    await model.close();
    const source = await createPlanSource({ envId: 'Reach-v0', model: r.model!, horizon: 5, samples: 16, iterations: 1 });
    await source.close();
  }, 60_000);

  it('resumes after an aborted round without redoing finished rounds, and reproduces the uninterrupted data', async () => {
    const dir = tmp();
    const controller = new AbortController();
    const stopped = await learn({
      ...base(join(dir, 'a')),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind === 'phase' && e.round === 1 && e.phase === 'train') controller.abort();
      },
    });
    expect(stopped.stopReason).toBe('aborted');
    expect(stopped.state.rounds).toHaveLength(1);
    expect(existsSync(join(dir, 'a', 'model', 'manifest.json'))).toBe(true);
    expect(existsSync(join(dir, 'a', 'round-1'))).toBe(false);
    const round0 = readFileSync(join(dir, 'a', 'round-0', 'data', 'manifest.json'), 'utf8');
    const starts: number[] = [];
    const resumed = await learn({ ...base(join(dir, 'a'), { resume: true }), onEvent: (e) => e.kind === 'round-start' && starts.push(e.round) });
    expect(starts).toEqual([1]);
    expect(readFileSync(join(dir, 'a', 'round-0', 'data', 'manifest.json'), 'utf8')).toBe(round0);
    const straight = await learn(base(join(dir, 'b')));
    expect(resumed.state.rounds.map((x) => x.datasetHash)).toEqual(straight.state.rounds.map((x) => x.datasetHash));
    expect(resumed.state.rounds.map((x) => x.scores)).toEqual(straight.state.rounds.map((x) => x.scores));
  }, 90_000);

  it('stops early when the targets are met, and before a round the budget cannot fit', async () => {
    const met = await learn(
      base(join(tmp(), 'met'), { settings: { ...tiny, rounds: 3, targets: { successRate: 0, stopSuccessRate: 0, stopEpisodes: 24, pps: 0, validHorizon: 0 } } }),
    );
    expect(met.stopReason).toBe('targets-met');
    expect(met.state.rounds).toHaveLength(1);
    // A round that may stop the run early is confirmed on `stopEpisodes` episodes, not only the usual 20.
    expect(met.state.rounds[0]!.confirmation?.episodes).toBe(24);
    // A round at the bar but below the stop rate does not end the run: it goes on while its rounds last.
    const atBar = await learn(base(join(tmp(), 'bar'), { settings: { ...tiny, rounds: 2, targets: { successRate: 0, stopSuccessRate: 1.01, pps: 0, validHorizon: 0 } } }));
    expect(atBar.stopReason).toBe('rounds');
    expect(atBar.state.rounds.map((r) => r.targetsMet)).toEqual([true, true]);
    // Below the stop rate after 20 episodes, and in the last planned round, the confirmation stays at 20.
    expect(atBar.state.rounds.map((r) => r.confirmation?.episodes)).toEqual([20, 20]);
    const short = await learn(base(join(tmp(), 'short'), { budget: '2s', scaleSteps: true, settings: { ...tiny, rounds: 5 } }));
    expect(short.stopReason).toBe('budget');
    expect(short.state.rounds.length).toBeLessThan(5);
    expect(short.state.wallMs).toBeLessThan(2000 + 5000 + 3000);
  }, 60_000);

  it('rejects bad input with typed errors and touches nothing', async () => {
    const dir = tmp();
    await expect(learn({ env: 'Nope-v0', out: join(dir, 'x') })).rejects.toThrow(UnknownEnvError);
    for (const budget of ['0s', '-1m', 'soon', 0, -5])
      await expect(learn({ env: 'Reach-v0', budget, out: join(dir, 'x') })).rejects.toThrow(/`budget`: expected a positive duration/);
    expect(existsSync(join(dir, 'x'))).toBe(false);
    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    await expect(learn({ env: 'Reach-v0', out: other, overwrite: true })).rejects.toThrow(UnsafeOutputError);
    await expect(learn({ env: 'Reach-v0', out: other, resume: true })).rejects.toThrow(/not a learn run/);
    expect(readdirSync(other)).toEqual(['notes.txt']);
    const run = join(dir, 'run');
    mkdirSync(run);
    writeFileSync(join(run, 'state.json'), JSON.stringify({ format: 'embodied.learn/v1', env: 'Reach-v0', seed: 0, rounds: [] }));
    await expect(learn({ env: 'Reach-v0', out: run })).rejects.toThrow(InvalidArgumentError);
    await expect(learn({ env: 'Reach-v0', out: run, seed: 9, resume: true })).rejects.toThrow(/seed 0, not Reach-v0 with seed 9/);
  });

  it('parses budgets', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1.5m')).toBe(90_000);
  });
});
