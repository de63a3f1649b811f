/** Statistics (t, bootstrap, Wilson intervals), geometry (penetration depths) and drift arithmetic. */
import { describe, expect, it } from 'vitest';
import { pushBoxValidationSpec } from '../../environments/push-box/validation.js';
import {
  bodyDepth,
  controllability,
  normalisedErrors,
  obstacleDepth,
  observationScale,
  physicalPlausibilityScore,
  summarizeContender,
  sweptPenetration,
  type ObservedBody,
  type CheckResult,
} from '../../src/validation/index.js';
import { bootstrapInterval, studentT975, tInterval, wilsonInterval } from '../../src/stats.js';

describe('intervals', () => {
  it('t-interval matches the textbook value', () => {
    const r = tInterval([1, 2, 3, 4, 5]);
    expect(r.mean).toBe(3);
    // s = √2.5, t(4) = 2.776: half width 2.776·1.5811/√5 = 1.963
    expect(r.high - r.mean).toBeCloseTo(1.963, 3);
    expect(tInterval([7]).low).toBeNaN();
    expect(studentT975(1000)).toBeCloseTo(1.962, 3);
    expect(() => studentT975(0)).toThrow(/expected a positive integer df, got 0/);
  });

  it('Wilson interval is inside [0, 1] and right at the extremes', () => {
    const none = wilsonInterval(0, 5);
    expect(none.mean).toBe(0);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.4345, 3);
    const half = wilsonInterval(5, 10);
    expect(half.low).toBeCloseTo(0.2366, 3);
    expect(half.high).toBeCloseTo(0.7634, 3);
    expect(() => wilsonInterval(3, 2)).toThrow(/expected integers 0 <= successes <= n, got successes=3, n=2/);
  });

  it('bootstrap is seeded: same data and seed, same interval; it brackets the mean', () => {
    const data = Array.from({ length: 40 }, (_, i) => (i % 7) * 0.3 + (i % 3));
    const a = bootstrapInterval(data, { seed: 4 });
    const b = bootstrapInterval(data, { seed: 4 });
    expect(a).toEqual(b);
    expect(a.low).toBeLessThan(a.mean);
    expect(a.high).toBeGreaterThan(a.mean);
    expect(bootstrapInterval(data, { seed: 5 })).not.toEqual(a);
    expect(() => bootstrapInterval(data, { resamples: 3 })).toThrow(/expected `resamples` to be an integer >= 10, got 3/);
  });

  it('summarises contenders with Wilson success rates and t returns', () => {
    const r = summarizeContender(
      'x',
      'scripted',
      [
        { seed: 1, return: -1, length: 10, success: true },
        { seed: 2, return: -3, length: 20, success: false },
      ],
      5,
    );
    expect(r.successRate.mean).toBe(0.5);
    expect(r.return.mean).toBe(-2);
    expect(r.length.mean).toBe(15);
  });
});

describe('geometry', () => {
  const box: ObservedBody = { name: 'box', position: [0, 1, 2], halfExtents: [0.05, 0.05, 0.05], mass: 1, dynamic: true };
  const table = { name: 'table', min: [-0.5, -0.1, -0.5], max: [0.5, 0, 0.5] } as const;

  it('a box resting on the table does not penetrate it; a sunken one does, by the sunken depth', () => {
    expect(obstacleDepth(box, [0.1, 0.05, 0.1], table)).toBeCloseTo(0, 9);
    expect(obstacleDepth(box, [0.1, 0.03, 0.1], table)).toBeCloseTo(0.02, 9);
    // Beyond the table's edge it may be low: it has fallen off.
    expect(obstacleDepth(box, [0.7, -0.2, 0.1], table)).toBeLessThan(0);
  });

  it('a pusher touching the box face is not inside it; one at its centre is', () => {
    const pusher: ObservedBody = { name: 'pusher', position: [9, -1, 10], halfExtents: [0.03, 0.04, 0.03], mass: 1, dynamic: false };
    expect(bodyDepth(pusher, [0.08, 0.045, 0], box, [0, 0.05, 0])).toBeCloseTo(0, 9);
    expect(bodyDepth(pusher, [0, 0.045, 0], box, [0, 0.05, 0])).toBeCloseTo(0.08, 9);
  });

  it('swept penetration catches a box that tunnels through the table between two steps', () => {
    const spec = pushBoxValidationSpec();
    const above = new Float32Array(13);
    const below = new Float32Array(13);
    above.set([0, 0.05, 0], 0);
    below.set([0, -0.3, 0], 0);
    above.set([0.4, 0.4], 9);
    below.set([0.4, 0.4], 9);
    // Neither end is inside the table, but the motion between them passes through it.
    expect(sweptPenetration(spec, above, 0, above, 0).depth).toBeLessThan(0.005);
    expect(sweptPenetration(spec, below, 0, below, 0).depth).toBeLessThan(0.005);
    const p = sweptPenetration(spec, above, 0, below, 0);
    expect(p.depth).toBeGreaterThan(0.05);
    expect(p.what).toBe('box in table');
  });
});

describe('drift and scores', () => {
  it('normalised errors are RMS per field in σ units, masked where the episode ended', () => {
    const real = Float32Array.from([0, 0, 0, 0]); // B=1, H=2, D=2
    const pred = Float32Array.from([1, 2, 3, 4]);
    const std = Float32Array.from([1, 2]);
    const e = normalisedErrors(real, pred, Uint8Array.from([1, 0]), std, [{ name: 'a', start: 0, size: 2 }], 1, 2);
    expect(e.overall[0]).toBeCloseTo(1, 9); // sqrt((1² + 1²)/2)
    expect(e.overall[1]).toBeNaN();
    expect(e.mse[0]).toBeCloseTo(1, 9);
  });

  it('σ is floored so near-constant entries do not magnify tiny errors', () => {
    expect(Array.from(observationScale(2, 0.01, [0.5, 1e-6]))).toEqual([0.5, Math.fround(0.01)]);
    const obs = Float32Array.from([0, 5, 2, 5]); // two rows of D = 2
    expect(Array.from(observationScale(2, 0.01, undefined, obs))).toEqual([1, Math.fround(0.01)]);
  });

  it('controllability is 0 when random actions predict as well as the true ones, 1 when the true ones are exact', () => {
    const rows = (v: number) => ({ count: 1, horizon: 2, fields: new Float64Array(2), overall: new Float64Array(2), mse: Float64Array.from([v, v]) });
    expect(controllability(rows(1), rows(1)).score).toBe(0);
    expect(controllability(rows(0), rows(1)).score).toBe(1);
    expect(controllability(rows(0.25), rows(1)).score).toBeCloseTo(0.75, 9);
    expect(controllability(rows(0.1), rows(1)).perStep[0]!.deltaPsnr).toBeCloseTo(10, 9);
  });

  it('PPS averages scored checks only', () => {
    const c = (score: number | null, status: CheckResult['status']) =>
      ({ id: 'gravity', name: '', status, score, scenario: '', formula: '', details: {}, instances: [] }) as CheckResult;
    expect(physicalPlausibilityScore([c(1, 'scored'), c(0.5, 'scored'), c(null, 'not-applicable')])).toBe(0.75);
    expect(physicalPlausibilityScore([c(null, 'not-available')])).toBeNull();
  });
});
