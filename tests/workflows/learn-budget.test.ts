/** How learn splits the remaining budget between rounds (workflows/learn/budget.ts). */
import { describe, expect, it } from 'vitest';
import { confirmationEstimateMs, quickValidationMs, roundBudget } from '../../workflows/learn/budget.js';
import type { LearnRoundRecord } from '../../workflows/learn/state.js';

/** A finished round with the timings the budget reads. */
function round(p: { validateMs: number; confirmMs?: number; mpcStepMs?: number; mpcEpisodeSteps?: number; transitions?: number; episodes?: number }): LearnRoundRecord {
  return {
    round: 0,
    policy: 'scripted',
    data: 'round-0/data',
    datasetHash: 'x',
    transitions: p.transitions ?? 4000,
    episodes: p.episodes ?? 40,
    collectSeed: 1,
    model: 'round-0/model',
    trainSteps: 3600,
    trainSeed: 2,
    trainStepsPerSecond: 100,
    validationSeed: 3,
    scores: { successRate: 0.8, oracleSuccessRate: null, pps: 0.9, validHorizon: null, driftHorizon: 30, driftAtHorizon: 0.1, controllability: 0.9 },
    targetsMet: false,
    ...(p.mpcStepMs !== undefined && { mpcStepMs: p.mpcStepMs }),
    ...(p.mpcEpisodeSteps !== undefined && { mpcEpisodeSteps: p.mpcEpisodeSteps }),
    times: { collectMs: 2000, trainMs: 36_000, validateMs: p.validateMs, ...(p.confirmMs !== undefined && { confirmMs: p.confirmMs }), totalMs: 50_000 },
  };
}

describe('roundBudget', () => {
  it('gives round 0 an equal share and keeps 15 % of it for the validation', () => {
    const b = roundBudget(undefined, 4, 180_000)!;
    expect(b.rounds).toBe(4);
    expect(b.shareMs).toBeCloseTo(45_000);
    expect(b.reserveMs).toBeCloseTo(6_750);
  });

  it('plans one long round when only one round can be validated and confirmed (long episodes)', () => {
    // CartPole-like: a 12 s quick validation, 500-step episodes at 5 ms a step → 20 × 2.5 s = 50 s to confirm.
    const last = round({ validateMs: 12_000, mpcStepMs: 5, mpcEpisodeSteps: 500 });
    expect(confirmationEstimateMs(last)).toBeCloseTo(50_000);
    const b = roundBudget(last, 3, 125_000)!;
    expect(b.rounds).toBe(1);
    expect(b.shareMs).toBeCloseTo(125_000);
    // The last round keeps its validation's and confirmation's time (+ 50 %) free: 125 − 93 = 32 s of training, and may not overrun it.
    expect(b.reserveMs).toBeCloseTo(1.5 * (12_000 + 50_000));
    expect(b.trainLimitMs(32_000)).toBeCloseTo(32_000);
  });

  it('keeps the planned rounds when they fit, reserving only the quick validation before the last', () => {
    // PushBox-like: 11 s quick validation, 100-step episodes at 20 ms → 40 s to confirm; 428 s left.
    const last = round({ validateMs: 11_000, mpcStepMs: 20, mpcEpisodeSteps: 100 });
    const b = roundBudget(last, 3, 428_000)!;
    expect(b.rounds).toBe(3);
    expect(b.shareMs).toBeCloseTo(428_000 / 3);
    expect(b.reserveMs).toBeCloseTo(11_000);
    // An earlier round may run a quarter (+ 2 s) past its allotment, into the later rounds' shares.
    expect(b.trainLimitMs(100_000)).toBeCloseTo(127_000);
    expect(roundBudget(undefined, 4, 600_000)!.trainLimitMs(100_000)).toBeCloseTo(127_000);
  });

  it('measures the quick validation without the previous confirmation', () => {
    const last = round({ validateMs: 60_000, confirmMs: 45_000, mpcStepMs: 20, mpcEpisodeSteps: 100 });
    expect(quickValidationMs(last)).toBeCloseTo(15_000);
    // Without step timings, the last confirmation's time stands for the next.
    expect(confirmationEstimateMs(round({ validateMs: 60_000, confirmMs: 45_000 }))).toBeCloseTo(45_000);
    // Without an episode-length measurement, the collection's mean episode length stands for it.
    expect(confirmationEstimateMs(round({ validateMs: 1, mpcStepMs: 2, transitions: 1000, episodes: 10 }))).toBeCloseTo(20 * 100 * 2);
  });

  it('reserves only the quick validation when the confirmation cannot fit any more', () => {
    const last = round({ validateMs: 10_000, mpcStepMs: 5, mpcEpisodeSteps: 500 });
    const b = roundBudget(last, 2, 30_000)!;
    expect(b.rounds).toBe(1);
    expect(b.reserveMs).toBeCloseTo(10_000);
  });

  it('stops when not even a quick validation and the fewest training steps fit', () => {
    const last = round({ validateMs: 10_000, mpcStepMs: 5, mpcEpisodeSteps: 500 });
    // 50 steps at 100 steps/s = 0.5 s of training.
    expect(roundBudget(last, 2, 10_400)).toBeUndefined();
    expect(roundBudget(last, 2, 10_600)).toBeDefined();
    expect(roundBudget(last, 0, 100_000)).toBeUndefined();
    expect(roundBudget(undefined, 4, 0)).toBeUndefined();
  });
});
