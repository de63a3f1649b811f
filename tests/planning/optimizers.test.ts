/**
 * The optimisers on known functions of action sequences: a shifted quadratic and a Rosenbrock-like
 * cost, to stated tolerances within stated iterations; bounds; determinism; NaN handling; errors.
 */
import { describe, expect, it } from 'vitest';
import { CemOptimizer } from '../../src/planning/cem.js';
import { createOptimizer, type OptimizerSpec } from '../../src/planning/create-optimizer.js';
import { IcemOptimizer } from '../../src/planning/icem.js';
import { MppiOptimizer } from '../../src/planning/mppi.js';
import { PlanningError, checkProblem, sequenceProblem, type PopulationObjective } from '../../src/planning/optimizer.js';
import { evaluatePopulation, selectElites } from '../../src/planning/population.js';
import { RandomShootingOptimizer } from '../../src/planning/random-shooting.js';
import { Rng } from '../../src/rng.js';
import { costOf, quadratic, recording, rosenbrock } from './helpers.js';

const H = 8;
const A = 2;
const D = H * A;
/** A target that varies quickly from step to step and dimension to dimension. */
const wiggly = Float32Array.from({ length: D }, (_, d) => 0.5 * Math.sin(1.3 * d + 0.4));
/** A target that varies slowly over time (what colored noise is for). */
const smooth = Float32Array.from({ length: D }, (_, d) => (d % A === 0 ? 0.6 * Math.sin(0.35 * Math.floor(d / A) + 0.2) : -0.4 + 0.08 * Math.floor(d / A)));
const box = () => sequenceProblem(H, [-1, -1], [1, 1]);
const zeros = () => ({ mean: new Float32Array(D) });
const maxError = (x: Float32Array, target: Float32Array) => Math.max(...Array.from(x, (v, i) => Math.abs(v - target[i]!)));
const seeds = [0, 1, 2, 3];

describe('shifted quadratic in H × A = 8 × 2, bounds [−1, 1]', () => {
  const cases: [string, OptimizerSpec, Float32Array, number][] = [
    ['CEM, 200 samples, 15 iterations', { algorithm: 'cem', samples: 200, iterations: 15 }, wiggly, 0.02],
    ['iCEM β = 0, 200 samples, 15 iterations', { algorithm: 'icem', samples: 200, iterations: 15, noiseExponent: 0 }, wiggly, 0.08],
    ['iCEM β = 2 (default), 200 samples, 15 iterations, smooth target', { algorithm: 'icem', samples: 200, iterations: 15 }, smooth, 0.16],
    ['MPPI, 200 samples, 20 elites, λ = 0.5, 15 iterations', { algorithm: 'mppi', samples: 200, elites: 20, iterations: 15, temperature: 0.5 }, wiggly, 0.06],
  ];
  it.each(cases)('%s: every coordinate within the stated tolerance of the optimum', async (_name, spec, target, tolerance) => {
    for (const seed of seeds) {
      const result = await createOptimizer(box(), { ...spec, seed }).optimize(quadratic(target), zeros());
      expect(maxError(result.solution, target)).toBeLessThan(tolerance);
      expect(result.iterations).toHaveLength(15);
      expect(result.iterations[14]!.bestCost).toBeLessThan(result.iterations[0]!.bestCost);
    }
  });

  it('random shooting, 2000 samples, H × A = 2 × 1: within 0.05', async () => {
    const target = Float32Array.of(0.37, -0.52);
    for (const seed of seeds) {
      const rs = new RandomShootingOptimizer(sequenceProblem(2, [-1], [1]), { samples: 2000, seed });
      const result = await rs.optimize(quadratic(target), { mean: new Float32Array(2) });
      expect(maxError(result.solution, target)).toBeLessThan(0.05);
      expect(result.solutionCost).toBe(result.bestCost);
    }
  });
});

describe('Rosenbrock-like: a 2-D Rosenbrock (b = 10) at each of 4 steps, bounds [−2, 2], start cost 4', () => {
  const f = rosenbrock(4);
  const problem = () => sequenceProblem(4, [-2, -2], [2, 2]);
  const cases: [string, OptimizerSpec, number][] = [
    ['CEM (σ_min 0.05, best)', { algorithm: 'cem', samples: 300, elites: 30, iterations: 40, minStd: 0.05, execute: 'best' }, 0.3],
    ['iCEM β = 0 (σ_min 0.05)', { algorithm: 'icem', samples: 300, elites: 30, iterations: 40, noiseExponent: 0, minStd: 0.05 }, 0.7],
    ['MPPI (λ = 2, σ₀ = 1, σ_min 0.05)', { algorithm: 'mppi', samples: 300, elites: 30, iterations: 40, temperature: 2, noiseStd: 1, minStd: 0.05 }, 0.3],
  ];
  it.each(cases)('%s, 300 samples × 40 iterations: cost below the stated bound, far below random shooting with the same budget', async (_name, spec, bound) => {
    for (const seed of seeds) {
      const result = await createOptimizer(problem(), { ...spec, seed }).optimize(f, { mean: new Float32Array(8) });
      const cost = await costOf(f, result.solution);
      expect(cost).toBeLessThan(bound);
      const rs = await new RandomShootingOptimizer(problem(), { samples: 12_000, seed }).optimize(f, { mean: new Float32Array(8) });
      expect(cost).toBeLessThan(rs.bestCost / 4);
    }
  });
});

describe('bounds are never violated (property over seeds and bound shapes)', () => {
  // Asymmetric, per-step bounds, with the optimum far outside them: samples pile onto the bounds.
  const low = Float32Array.from({ length: D }, (_, d) => -0.2 - 0.05 * (d % 3));
  const high = Float32Array.from({ length: D }, (_, d) => 0.1 + 0.1 * (d % 4));
  const problem = () => checkProblem({ horizon: H, actionDim: A, low, high }, 'test');
  const outside = Float32Array.from({ length: D }, (_, d) => (d % 2 === 0 ? 5 : -5));
  const specs: OptimizerSpec[] = [
    { algorithm: 'random-shooting', samples: 300 },
    { algorithm: 'cem', samples: 100, iterations: 4, initStd: 3, execute: 'best' },
    { algorithm: 'cem', samples: 100, iterations: 4, initStd: 3 },
    { algorithm: 'icem', samples: 100, iterations: 4, initStd: 3 },
    { algorithm: 'mppi', samples: 100, elites: 10, iterations: 4, noiseStd: 3, execute: 'sample' },
    { algorithm: 'mppi', samples: 100, elites: 10, iterations: 4, noiseStd: 3 },
  ];
  it.each(specs.map((s) => [`${s.algorithm} ${JSON.stringify(s)}`, s] as const))('%s', async (_name, spec) => {
    for (let seed = 0; seed < 6; seed++) {
      const rec = recording(quadratic(outside), D);
      // Start far outside the box too: the start mean is clipped in.
      const result = await createOptimizer(problem(), { ...spec, seed }).optimize(rec.objective, { mean: outside.slice() });
      for (let d = 0; d < D; d++) {
        expect(rec.min[d]).toBeGreaterThanOrEqual(low[d]!);
        expect(rec.max[d]).toBeLessThanOrEqual(high[d]!);
        for (const x of [result.solution, result.best, result.mean]) {
          expect(x[d]).toBeGreaterThanOrEqual(low[d]!);
          expect(x[d]).toBeLessThanOrEqual(high[d]!);
        }
      }
    }
  });
});

describe('determinism', () => {
  const specs: OptimizerSpec[] = [
    { algorithm: 'random-shooting', samples: 200 },
    { algorithm: 'cem', samples: 100, iterations: 3 },
    { algorithm: 'icem', samples: 100, iterations: 3 },
    { algorithm: 'mppi', samples: 100, elites: 10, iterations: 3, execute: 'sample' },
  ];
  it.each(specs.map((s) => [s.algorithm, s] as const))('%s: same seed, same bits; another seed, another plan; reseed restarts the stream', async (_n, spec) => {
    const run = async (seed: number) => (await createOptimizer(box(), { ...spec, seed }).optimize(quadratic(wiggly), zeros())).solution;
    const a = await run(7);
    const b = await run(7);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Array.from(await run(8))).not.toEqual(Array.from(a));
    const opt = createOptimizer(box(), { ...spec, seed: 7 });
    await opt.optimize(quadratic(wiggly), zeros());
    opt.reseed(7);
    const c = (await opt.optimize(quadratic(wiggly), zeros())).solution;
    expect(Array.from(c)).toEqual(Array.from(a));
  });
});

describe('NaN costs count as +∞ and are reported', () => {
  /** NaN whenever the first action is positive, else the quadratic towards a target with a positive first action. */
  const target = wiggly.map((v, d) => (d === 0 ? 0.5 : v));
  const poisoned: PopulationObjective = (c, costs) => {
    quadratic(target)(c, costs);
    for (let i = 0; i < costs.length; i++) if (c[i * D]! > 0) costs[i] = Number.NaN;
  };
  const specs: OptimizerSpec[] = [
    { algorithm: 'random-shooting', samples: 400 },
    { algorithm: 'cem', samples: 200, iterations: 6, execute: 'best' },
    { algorithm: 'icem', samples: 200, iterations: 6 },
    { algorithm: 'mppi', samples: 200, elites: 20, iterations: 6, execute: 'best' },
  ];
  it.each(specs.map((s) => [s.algorithm, s] as const))('%s: never picks a NaN candidate, counts every NaN', async (_n, spec) => {
    let expected = 0;
    const counting: PopulationObjective = (c, costs) => {
      poisoned(c, costs);
      for (let i = 0; i < costs.length; i++) if (Number.isNaN(costs[i]!)) expected++;
    };
    const result = await createOptimizer(box(), { ...spec, seed: 1 }).optimize(counting, zeros());
    expect(result.nanCount).toBe(expected);
    expect(result.nanCount).toBeGreaterThan(0);
    expect(result.iterations.reduce((s, it) => s + it.nanCount, 0)).toBe(expected);
    expect(result.solution[0]).toBeLessThanOrEqual(0);
    expect(Number.isFinite(result.bestCost)).toBe(true);
    // MBRL-Lib scored NaN as −1e-10, above every real (positive) cost here; we never do.
    expect(result.iterations.every((it) => Number.isFinite(it.bestCost))).toBe(true);
  });

  it('an objective that returns NaN for everything is a PlanningError naming the iteration', async () => {
    const allNaN: PopulationObjective = (_c, costs) => void costs.fill(Number.NaN);
    for (const spec of specs) {
      await expect(createOptimizer(box(), spec).optimize(allNaN, zeros())).rejects.toThrow(PlanningError);
    }
    await expect(new CemOptimizer(box(), { samples: 50 }).optimize(allNaN, zeros())).rejects.toThrow(
      /CemOptimizer: the objective returned NaN for all 50 candidates in iteration 0/,
    );
    // An objective that forgets to write costs scores NaN (not stale values from the previous call).
    await expect(new MppiOptimizer(box(), { samples: 30, elites: 3 }).optimize(() => undefined, zeros())).rejects.toThrow(/returned NaN for all 30 candidates/);
  });
});

describe('iCEM specifics', () => {
  it('decays the population, adds kept elites and the mean, and carries elites into the next plan', async () => {
    const icem = new IcemOptimizer(box(), { samples: 200, elites: 20, iterations: 4, populationDecay: 2, keepEliteFraction: 0.25 });
    expect(icem.keepElites).toBe(5);
    expect([0, 1, 2, 3].map((i) => icem.populationAt(i))).toEqual([200, 100, 50, 40]);
    const rec = recording(quadratic(smooth), D);
    const first = await icem.optimize(rec.objective, zeros());
    expect(rec.calls).toEqual([200, 105, 55, 46]);
    expect(first.iterations.map((i) => i.samples)).toEqual([200, 105, 55, 46]);
    expect(first.evaluations).toBe(406);
    expect(first.elites).toHaveLength(20 * D);
    // Elites are sorted best first: the first elite is the best of the last iteration.
    expect(await costOf(quadratic(smooth), first.elites!.slice(0, D))).toBeCloseTo(first.iterations[3]!.bestCost, 5);
    // The next plan re-evaluates the carried elites in its first iteration.
    rec.calls.length = 0;
    await icem.optimize(rec.objective, { mean: first.mean, carry: first.elites! });
    expect(rec.calls[0]).toBe(205);
  });

  it('evaluates the mean in the last iteration: with one iteration from the optimum, that mean wins', async () => {
    const withMean = await new IcemOptimizer(box(), { samples: 40, iterations: 1, seed: 3 }).optimize(quadratic(smooth), { mean: smooth.slice() });
    expect(withMean.evaluations).toBe(41);
    expect(withMean.bestCost).toBe(0);
    expect(Array.from(withMean.solution)).toEqual(Array.from(smooth));
    expect(withMean.solutionCost).toBe(0);
    const without = await new IcemOptimizer(box(), { samples: 40, iterations: 1, seed: 3, addMean: false }).optimize(quadratic(smooth), { mean: smooth.slice() });
    expect(without.evaluations).toBe(40);
    expect(without.bestCost).toBeGreaterThan(0);
  });
});

describe('MPPI specifics', () => {
  it('without updateStd keeps σ₀; σ stays inside [σ_min, σ_max]', async () => {
    const fixed = await new MppiOptimizer(box(), { samples: 64, elites: 64, iterations: 3, noiseStd: 0.3, updateStd: false }).optimize(quadratic(wiggly), zeros());
    expect(Array.from(fixed.std).every((s) => Math.abs(s - 0.3) < 1e-7)).toBe(true);
    const adaptive = await new MppiOptimizer(box(), { samples: 64, elites: 8, iterations: 6, minStd: 0.2, maxStd: 0.5 }).optimize(quadratic(wiggly), zeros());
    expect(Array.from(adaptive.std).every((s) => s >= 0.2 - 1e-7 && s <= 0.5 + 1e-7)).toBe(true);
  });

  it('a small temperature makes the mean follow the best elite; a large one averages them', async () => {
    const greedy = await new MppiOptimizer(box(), { samples: 100, elites: 20, iterations: 1, temperature: 1e-6, seed: 2 }).optimize(quadratic(wiggly), zeros());
    expect(maxError(greedy.mean, greedy.best)).toBeLessThan(1e-6);
    const flat = await new MppiOptimizer(box(), { samples: 100, elites: 20, iterations: 1, temperature: 1e6, seed: 2 }).optimize(quadratic(wiggly), zeros());
    expect(maxError(flat.mean, flat.best)).toBeGreaterThan(0.1);
  });
});

describe('selection', () => {
  it('selectElites matches a full sort (ties by index, infinities last) for random costs', () => {
    const rng = Rng.fromSeed(5);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + rng.integer(0, 300);
      const k = 1 + rng.integer(0, n - 1);
      const costs = Float32Array.from({ length: n }, () => {
        const u = rng.uniform();
        return u < 0.1 ? Number.POSITIVE_INFINITY : u < 0.15 ? Number.NEGATIVE_INFINITY : Math.round(rng.normal() * 4) / 2;
      });
      const order = new Int32Array(n);
      selectElites(costs, n, k, order);
      const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => costs[a]! - costs[b]! || a - b || 0);
      // Infinite minus infinite is NaN in the comparator above; sort those by index explicitly.
      expected.sort((a, b) => (costs[a] === costs[b] ? a - b : costs[a]! < costs[b]! ? -1 : 1));
      expect(Array.from(order.subarray(0, k))).toEqual(expected.slice(0, k));
    }
  });

  it('evaluatePopulation turns NaN into +∞ and counts it', async () => {
    const costs = new Float32Array(5);
    const ev = await evaluatePopulation((_c, out) => void out.set([1, Number.NaN, 3, Number.NaN, -1]), new Float32Array(5), costs, 5, 1, 0, 'test');
    expect(ev.nanCount).toBe(2);
    expect(Array.from(costs)).toEqual([1, Infinity, 3, Infinity, -1]);
  });
});

describe('bad input', () => {
  it.each([
    [/expected `horizon` to be a positive integer, got 0/, () => sequenceProblem(0, [-1], [1])],
    [/expected low <= high, got low=2 > high=1 at step 0, action 1/, () => sequenceProblem(3, [-1, 2], [1, 1])],
    [/expected `low` and `high` of the same length, got 1 and 2/, () => sequenceProblem(3, [-1], [1, 1])],
    [/expected `low` and `high` to be non-empty arrays of numbers/, () => sequenceProblem(3, [], [])],
    [/expected finite bounds, got low=-Infinity, high=1/, () => sequenceProblem(3, [-Infinity], [1])],
    [
      /p: expected `low` to be a Float32Array of H × A = 2 × 2 = 4 values/,
      () => checkProblem({ horizon: 2, actionDim: 2, low: new Float32Array(3), high: new Float32Array(4) }, 'p'),
    ],
    [/CemOptimizer options: expected `samples` >= `elites`, got samples=10 < elites=20/, () => new CemOptimizer(box(), { samples: 10, elites: 20 })],
    [/IcemOptimizer options: expected `samples` >= `elites`, got samples=5 < elites=6/, () => new IcemOptimizer(box(), { samples: 5, elites: 6 })],
    [/MppiOptimizer options: expected `samples` >= `elites`, got samples=32 < elites=64/, () => new MppiOptimizer(box(), { samples: 32, elites: 64 })],
    [/expected `minStd` <= `maxStd`, got minStd=1 > maxStd=0.5/, () => new MppiOptimizer(box(), { minStd: 1, maxStd: 0.5 })],
    [/MppiOptimizer options: `temperature`: .*(got 0)/, () => new MppiOptimizer(box(), { temperature: 0 })],
    [/CemOptimizer options: `alpha`: .*(got 1)/, () => new CemOptimizer(box(), { alpha: 1 })],
    [/CemOptimizer options: `iterations`: .*(got 0)/, () => new CemOptimizer(box(), { iterations: 0 })],
    [/CemOptimizer options: .*sample/, () => new CemOptimizer(box(), { sample: 10 } as never)],
    [/expected `algorithm` 'random-shooting', 'cem', 'icem' or 'mppi', got "pso"/, () => createOptimizer(box(), { algorithm: 'pso' } as never)],
  ])('throws %s', (message, fn) => {
    expect(fn).toThrow(message);
  });

  it('rejects a start of the wrong shape or with NaN', async () => {
    const cem = new CemOptimizer(box(), { samples: 20, iterations: 1 });
    await expect(cem.optimize(quadratic(wiggly), { mean: new Float32Array(5) })).rejects.toThrow(
      /CemOptimizer.optimize: expected `start.mean` to be a Float32Array of H × A = 8 × 2 = 16 values, got Float32Array\(5\)/,
    );
    const bad = new Float32Array(D);
    bad[3] = Number.NaN;
    await expect(cem.optimize(quadratic(wiggly), { mean: bad })).rejects.toThrow(/expected a finite `start.mean`, got NaN at index 3/);
    const icem = new IcemOptimizer(box(), { samples: 20, iterations: 1 });
    await expect(icem.optimize(quadratic(wiggly), { mean: new Float32Array(D), carry: new Float32Array(D + 1) })).rejects.toThrow(
      /expected `start.carry` to be a Float32Array of K × 16 values/,
    );
  });
});

describe('early stop (start.stop)', () => {
  it.each([
    ['cem', { algorithm: 'cem', samples: 20, iterations: 5 }],
    ['icem', { algorithm: 'icem', samples: 20, iterations: 5 }],
    ['mppi', { algorithm: 'mppi', samples: 20, elites: 4, iterations: 5 }],
  ] as [string, OptimizerSpec][])('%s stops after the iteration where stop says so, with its best so far, and never asks after the last', async (_name, spec) => {
    const asked: number[] = [];
    const stopped = await createOptimizer(box(), { ...spec, seed: 3 }).optimize(quadratic(wiggly), { mean: new Float32Array(D), stop: (it) => (asked.push(it), it === 1) });
    expect(asked).toEqual([0, 1]);
    expect(stopped.iterations).toHaveLength(2);
    expect(stopped.bestCost).toBe(Math.min(...stopped.iterations.map((i) => i.bestCost)));
    // The same seed without a stop makes the same first two iterations, then goes on.
    const all: number[] = [];
    const full = await createOptimizer(box(), { ...spec, seed: 3 }).optimize(quadratic(wiggly), { mean: new Float32Array(D), stop: (it) => (all.push(it), false) });
    expect(all).toEqual([0, 1, 2, 3]);
    expect(full.iterations).toHaveLength(5);
    expect(full.iterations.slice(0, 2).map((i) => i.bestCost)).toEqual(stopped.iterations.map((i) => i.bestCost));
  });
});
