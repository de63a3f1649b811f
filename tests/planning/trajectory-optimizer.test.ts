/** The trajectory layer: bounds per action, cold starts, warm starts shifted by the steps executed. */
import { describe, expect, it } from 'vitest';
import type { OptimizeResult, OptimizeStart, SequenceOptimizer, SequenceProblem } from '../../src/planning/optimizer.js';
import { TrajectoryOptimizer } from '../../src/planning/trajectory-optimizer.js';
import { quadratic } from './helpers.js';

/** An optimiser double: records each start and returns a fixed mean (step t, action a ↦ 10t + a). */
function spy(problem: SequenceProblem, elites = false): SequenceOptimizer & { starts: OptimizeStart[]; seeds: number[] } {
  const dim = problem.horizon * problem.actionDim;
  const seq = Float32Array.from({ length: dim }, (_, d) => (10 * Math.floor(d / problem.actionDim) + (d % problem.actionDim)) / 100);
  const starts: OptimizeStart[] = [];
  const seeds: number[] = [];
  return {
    algorithm: 'cem',
    problem,
    maxPopulation: 1,
    starts,
    seeds,
    reseed: (s) => void seeds.push(s),
    async optimize(_objective, start): Promise<OptimizeResult> {
      starts.push({ mean: start.mean.slice(), ...(start.carry && { carry: start.carry.slice() }) });
      return {
        solution: seq.map((v) => -v),
        solutionCost: 0,
        best: seq.slice(),
        bestCost: 0,
        mean: seq.slice(),
        std: new Float32Array(dim),
        elites: elites ? Float32Array.from([...seq, ...seq.map((v) => v + 0.001)]) : undefined,
        iterations: [],
        nanCount: 0,
        evaluations: 0,
        ms: 0,
        objectiveMs: 0,
      };
    },
  };
}

const noop = () => undefined;

describe('TrajectoryOptimizer', () => {
  it('starts cold from the middle of the bounds (or zero, or given actions), per action dimension', () => {
    const mid = new TrajectoryOptimizer({ horizon: 3, low: [-1, 0], high: [1, 4], optimizer: { algorithm: 'cem' } });
    expect(Array.from(mid.startSequence())).toEqual([0, 2, 0, 2, 0, 2]);
    const zero = new TrajectoryOptimizer({ horizon: 2, low: [-1, 0.5], high: [1, 4], optimizer: { algorithm: 'cem' }, initial: 'zero' });
    expect(Array.from(zero.startSequence())).toEqual([0, 0.5, 0, 0.5]);
    const given = new TrajectoryOptimizer({ horizon: 2, low: [-1, 0], high: [1, 4], optimizer: { algorithm: 'cem' }, initial: [0.25, 9] });
    expect(Array.from(given.startSequence())).toEqual([0.25, 4, 0.25, 4]);
    expect(mid.problem.low).toEqual(Float32Array.of(-1, 0, -1, 0, -1, 0));
  });

  it('warm-starts from the previous mean shifted by one step (TD-MPC2: mean[:-1] = prev[1:]), the tail from the initial action', async () => {
    let double: ReturnType<typeof spy> | undefined;
    const traj = new TrajectoryOptimizer({ horizon: 4, low: [-1, -1], high: [1, 1], optimizer: (p) => (double = spy(p)) });
    await traj.optimize(noop);
    expect(Array.from(double!.starts[0]!.mean)).toEqual(new Array(8).fill(0));
    await traj.optimize(noop);
    expect(Array.from(double!.starts[1]!.mean)).toEqual([0.1, 0.11, 0.2, 0.21, 0.3, 0.31, 0, 0].map(Math.fround));
    await traj.optimize(noop, { shift: 3 });
    expect(Array.from(double!.starts[2]!.mean)).toEqual([0.3, 0.31, 0, 0, 0, 0, 0, 0].map(Math.fround));
    await traj.optimize(noop, { shift: 9 });
    expect(Array.from(double!.starts[3]!.mean)).toEqual(new Array(8).fill(0));
    await traj.optimize(noop, { shift: 0 });
    expect(Array.from(double!.starts[4]!.mean)).toEqual([0, 0.01, 0.1, 0.11, 0.2, 0.21, 0.3, 0.31].map(Math.fround));
    await traj.optimize(noop, { warmStart: false });
    expect(Array.from(double!.starts[5]!.mean)).toEqual(new Array(8).fill(0));
    traj.reset();
    expect(traj.hasWarmStart).toBe(false);
    await traj.optimize(noop);
    expect(Array.from(double!.starts[6]!.mean)).toEqual(new Array(8).fill(0));
  });

  it("warm-starts from the solution when asked, and from a caller's own warm start", async () => {
    let double: ReturnType<typeof spy> | undefined;
    const traj = new TrajectoryOptimizer({ horizon: 2, low: [-1], high: [1], optimizer: (p) => (double = spy(p)), warmStartFrom: 'solution' });
    await traj.optimize(noop);
    await traj.optimize(noop);
    expect(Array.from(double!.starts[1]!.mean)).toEqual([Math.fround(-0.1), 0]);
    await traj.optimize(noop, { warmStart: Float32Array.of(0.5, -0.5), seed: 42 });
    expect(Array.from(double!.starts[2]!.mean)).toEqual([0.5, -0.5]);
    expect(double!.seeds).toEqual([42]);
    await expect(traj.optimize(noop, { warmStart: Float32Array.of(1) })).rejects.toThrow(
      /expected `warmStart` to be a Float32Array of H × A = 2 × 1 = 2 values, got Float32Array\(1\)/,
    );
  });

  it("shifts the optimiser's elites into the next plan's carry (iCEM)", async () => {
    let double: ReturnType<typeof spy> | undefined;
    const traj = new TrajectoryOptimizer({ horizon: 3, low: [-1], high: [1], optimizer: (p) => (double = spy(p, true)) });
    await traj.optimize(noop);
    expect(double!.starts[0]!.carry).toBeUndefined();
    await traj.optimize(noop);
    expect(Array.from(double!.starts[1]!.carry!)).toEqual([0.1, 0.2, 0, 0.101, 0.201, 0].map(Math.fround));
    await traj.optimize(noop, { warmStart: false });
    expect(double!.starts[2]!.carry).toBeUndefined();
  });

  it('replans on a moving target: the warm start makes the next plan start near the previous optimum', async () => {
    const target = Float32Array.from({ length: 12 }, (_, d) => Math.sin(0.5 * d) * 0.8);
    const traj = new TrajectoryOptimizer({ horizon: 12, low: [-1], high: [1], optimizer: { algorithm: 'cem', samples: 200, iterations: 15, seed: 1 } });
    await traj.optimize(quadratic(target));
    const shifted = Float32Array.from({ length: 12 }, (_, d) => Math.sin(0.5 * (d + 1)) * 0.8);
    // After one step the optimum is the old one shifted; the start already matches it except for the last step.
    const start = traj.startSequence(1);
    let err = 0;
    for (let d = 0; d < 11; d++) err = Math.max(err, Math.abs(start[d]! - shifted[d]!));
    expect(err).toBeLessThan(0.05);
  });

  it('rejects bad options', async () => {
    expect(() => new TrajectoryOptimizer({ horizon: 0, low: [-1], high: [1], optimizer: { algorithm: 'cem' } })).toThrow(
      /TrajectoryOptimizer: expected `horizon` to be a positive integer, got 0/,
    );
    expect(() => new TrajectoryOptimizer({ horizon: 3, low: [1], high: [-1], optimizer: { algorithm: 'mppi' } })).toThrow(/expected low <= high, got low=1 > high=-1/);
    expect(() => new TrajectoryOptimizer({ horizon: 3, low: [-1], high: [1], optimizer: { algorithm: 'cem' }, initial: [1, 2] })).toThrow(
      /expected `initial` 'mid', 'zero' or 1 finite numbers, got \[1,2\]/,
    );
    expect(() => new TrajectoryOptimizer({ horizon: 3, low: [-1], high: [1], optimizer: (p) => spy({ ...p, horizon: 2 }) })).toThrow(/optimizer over 2 × 1, expected 3 × 1/);
    const traj = new TrajectoryOptimizer({ horizon: 3, low: [-1], high: [1], optimizer: { algorithm: 'cem', samples: 10, iterations: 1 } });
    await expect(traj.optimize(noop, { shift: -1 })).rejects.toThrow(/TrajectoryOptimizer.optimize options: `shift`/);
  });
});
