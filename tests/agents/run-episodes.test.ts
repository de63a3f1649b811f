import { describe, expect, it } from 'vitest';
import { lastValueFrom, take, toArray } from 'rxjs';
import { evaluateAgent, runEpisodes } from '../../agents/run-episodes.js';
import { meanCI95, percentile, summarizeEpisodes, formatMeanCI } from '../../agents/episode-stats.js';
import { studentT975 } from '../../src/stats.js';
import { policyAgent } from '../../agents/policy-agent.js';
import { PointEnv, towardZero } from './fixtures/point-env.js';

describe('runEpisodes', () => {
  it('runs one episode per seed and summarises success and return', async () => {
    PointEnv.live = 0;
    const { results, summary } = await evaluateAgent(() => new PointEnv(), policyAgent(towardZero()), { seeds: [1, 2, 3, 4], concurrency: 2 });
    expect(results.map((r) => r.seed)).toEqual([1, 2, 3, 4]);
    expect(results.every((r) => r.success && r.terminated && r.length >= 2 && r.length <= 4)).toBe(true);
    expect(summary.successRate).toBe(1);
    expect(summary.return.n).toBe(4);
    expect(summary.return.mean).toBeCloseTo(results.reduce((s, r) => s + r.return, 0) / 4, 10);
    expect(PointEnv.live).toBe(0);
  });

  it('counts failures: a too-weak controller never reaches the goal within maxSteps', async () => {
    const { summary } = await evaluateAgent(() => new PointEnv(), policyAgent(towardZero(0.1)), { seeds: [1, 2, 3], maxSteps: 5 });
    expect(summary.successRate).toBe(0);
    expect(summary.length.mean).toBe(5);
  });

  it('stops and closes running environments on unsubscribe', async () => {
    PointEnv.live = 0;
    const rs = await lastValueFrom(runEpisodes(() => new PointEnv(), policyAgent(towardZero()), { seeds: [1, 2, 3, 4, 5] }).pipe(take(2), toArray()));
    expect(rs).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 10));
    expect(PointEnv.live).toBe(0);
  });

  it('rejects bad input', () => {
    expect(() => runEpisodes(() => new PointEnv(), policyAgent(towardZero()), { seeds: [] })).toThrow(/runEpisodes options: `seeds`: expected at least one seed/);
    expect(() => runEpisodes('PointEnv' as never, policyAgent(towardZero()), { seeds: [1] })).toThrow(/expected an environment factory .* got "PointEnv"/);
  });
});

describe('episode statistics', () => {
  it('computes a Student-t 95% interval', () => {
    const m = meanCI95([1, 2, 3, 4, 5]);
    expect(m.mean).toBe(3);
    expect(m.std).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(m.ci95).toBeCloseTo((2.776 * Math.sqrt(2.5)) / Math.sqrt(5), 10);
    expect(formatMeanCI(m)).toBe('3.00 ± 1.96');
    expect(Number.isNaN(meanCI95([7]).ci95)).toBe(true);
    expect(studentT975(1000)).toBeCloseTo(1.9623, 3);
    expect(studentT975(40)).toBeCloseTo(2.021, 3);
    expect(() => studentT975(0)).toThrow(/positive integer df, got 0/);
  });

  it('interpolates percentiles and summarises empty input as NaN', () => {
    expect(percentile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8, 12);
    expect(() => percentile([1], 1.5)).toThrow(/expected q in \[0, 1\], got 1.5/);
    expect(Number.isNaN(summarizeEpisodes([]).successRate)).toBe(true);
  });
});
