/**
 * Fleet MPC (issue 16): all robots' candidate populations in one batched model call per iteration,
 * with the same result as planning each robot alone; the proximity cost.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { FleetPlanner, createOptimizer, fleetRobotSeed, rewardObjective, sequenceProblem, type RolloutModel } from '../../src/planning/index.js';

/** A point robot per row: state [x, z], action [vx, vz] × 0.5 m per step; reward −distance to (2, 1). Rows are independent. */
function pointModel(): RolloutModel & { calls: number; rows: number[] } {
  return {
    stateDim: 2,
    actionDim: 2,
    calls: 0,
    rows: [],
    async rollout(states, actions, horizon) {
      this.calls++;
      const B = states.length / 2;
      this.rows.push(B);
      const out = new Float32Array(B * horizon * 2);
      const rewards = new Float32Array(B * horizon);
      for (let b = 0; b < B; b++) {
        let x = states[2 * b]!;
        let z = states[2 * b + 1]!;
        for (let t = 0; t < horizon; t++) {
          x += 0.5 * actions[(b * horizon + t) * 2]!;
          z += 0.5 * actions[(b * horizon + t) * 2 + 1]!;
          out[(b * horizon + t) * 2] = x;
          out[(b * horizon + t) * 2 + 1] = z;
          rewards[b * horizon + t] = -Math.hypot(x - 2, z - 1);
        }
      }
      return { states: out, rewards };
    },
  };
}

const spec = { algorithm: 'mppi', samples: 32, elites: 8, iterations: 3 } as const;
const starts = Float32Array.of(0, 0, 4, 0, 1, 3);

describe('FleetPlanner', () => {
  it('makes one batched model call per iteration, equal to planning each robot alone', async () => {
    const model = pointModel();
    const fleet = new FleetPlanner(model, { robots: 3, horizon: 5, low: [-1, -1], high: [1, 1], optimizer: spec, seed: 7 });
    const batched = await fleet.plan(starts);
    expect(batched.modelCalls).toBe(3);
    expect(model.calls).toBe(3);
    expect(model.rows).toEqual([96, 96, 96]); // 3 robots × 32 candidates in each call

    const alone = pointModel();
    const problem = sequenceProblem(5, [-1, -1], [1, 1]);
    const objective = rewardObjective();
    for (let r = 0; r < 3; r++) {
      const optimizer = createOptimizer(problem, { ...spec, seed: fleetRobotSeed(7, r) });
      const result = await optimizer.optimize(
        async (candidates, costs) => {
          const n = costs.length;
          const s = new Float32Array(2 * n);
          for (let k = 0; k < n; k++) s.set(starts.subarray(2 * r, 2 * r + 2), 2 * k);
          const rollout = await alone.rollout(s, candidates, 5);
          costs.fill(0);
          await objective.evaluate({ count: n, horizon: 5, stateDim: 2, actionDim: 2, startStates: s, actions: candidates, rollout }, costs);
        },
        { mean: new Float32Array(10) },
      );
      expect(Array.from(batched.actions.subarray(r * 10, (r + 1) * 10))).toEqual(Array.from(result.solution));
      expect(batched.results[r]!.bestCost).toBe(result.bestCost);
    }
    expect(alone.calls).toBe(9); // per-robot planning: robots × iterations calls
  });

  it('adds a proximity cost on the other robots’ predicted paths', async () => {
    const together = Float32Array.of(0, 0, 0.1, 0);
    const plain = new FleetPlanner(pointModel(), { robots: 2, horizon: 4, low: [-1, -1], high: [1, 1], optimizer: spec });
    const close = new FleetPlanner(pointModel(), { robots: 2, horizon: 4, low: [-1, -1], high: [1, 1], optimizer: spec, proximity: { weight: 100, radius: 3, position: [0, 1] } });
    await plain.plan(together);
    const first = await close.plan(together);
    expect(first.modelCalls).toBe(4); // 3 iterations + the paths for the next plan's proximity cost
    const a = await plain.plan(together);
    const b = await close.plan(together);
    // The same samples (same seeds), now costed for coming within 3 m of the other robot's path.
    expect(b.results[0]!.bestCost).toBeGreaterThan(a.results[0]!.bestCost);
    expect(() => new FleetPlanner(pointModel(), { robots: 2, horizon: 4, low: [-1], high: [1], optimizer: spec })).toThrow(/actionDim 2/);
    await expect(plain.plan(new Float32Array(3))).rejects.toThrow(/expected 2 × 2 start states/);
  });

  it('gives each robot its own objective and starts from given initial means', async () => {
    const seen: number[] = [];
    const toward = (gx: number) => ({
      name: `toward-${gx}`,
      evaluate(batch: { count: number; horizon: number; rollout: { states: Float32Array } }, costs: Float32Array) {
        for (let c = 0; c < batch.count; c++) costs[c]! += Math.abs(batch.rollout.states[(c * batch.horizon + batch.horizon - 1) * 2]! - gx);
      },
    });
    const fleet = new FleetPlanner(pointModel(), {
      robots: 2,
      horizon: 4,
      low: [-1, -1],
      high: [1, 1],
      optimizer: spec,
      objective: (robot) => {
        seen.push(robot);
        return toward(robot === 0 ? -2 : 2);
      },
    });
    const { actions } = await fleet.plan(Float32Array.of(0, 0, 0, 0));
    expect(seen).toEqual([0, 1, 0, 1, 0, 1]); // robot order in every batched call
    const sumX = (r: number) => Array.from({ length: 4 }, (_, t) => actions[(r * 4 + t) * 2]!).reduce((a, b) => a + b, 0);
    expect(sumX(0)).toBeLessThan(-2); // robot 0 heads for x = −2, robot 1 for x = +2
    expect(sumX(1)).toBeGreaterThan(2);
    await expect(fleet.plan(Float32Array.of(0, 0, 0, 0), { means: new Float32Array(3) })).rejects.toThrow(/initial means of 2 × 4 × 2/);
    // Given means replace the warm start: a zero-sample-noise planner returns them.
    const exact = new FleetPlanner(pointModel(), { robots: 2, horizon: 4, low: [-1, -1], high: [1, 1], optimizer: { algorithm: 'cem', samples: 8, iterations: 1, initStd: 1e-9 } });
    const means = Float32Array.from({ length: 16 }, (_, i) => ((i % 5) - 2) / 4);
    const planned = await exact.plan(Float32Array.of(0, 0, 0, 0), { means });
    for (let i = 0; i < 16; i++) expect(planned.actions[i]).toBeCloseTo(means[i]!, 5);
  });

  it('stops each robot at its own deadline, reports the robots whose first iteration ended past it, and cancels on stop', async () => {
    // Every model call keeps the thread busy 15 ms: an iteration of the batched plan takes about that long.
    // It is told whose rows each batch holds (FleetRolloutModel).
    const base = pointModel();
    const batches: number[][] = [];
    const slow = Object.assign(base, {
      async rolloutFleet(robots: Int32Array, states: Float32Array, actions: Float32Array, horizon: number) {
        batches.push([...new Set(robots)]);
        const until = performance.now() + 15;
        while (performance.now() < until) {}
        return base.rollout(states, actions, horizon);
      },
    });
    const long = { algorithm: 'cem', samples: 16, iterations: 40 } as const;
    const fleet = new FleetPlanner(slow, { robots: 3, horizon: 4, low: [-1, -1], high: [1, 1], optimizer: long, seed: 2 });
    // Robot 1's deadline leaves room for its first iteration even on a loaded machine (a 100 ms deadline was
    // missed once when two other CPU-bound jobs shared the 2 cores), and ends it long before all 40 (~600 ms).
    const res = await fleet.plan(starts, { deadlineMs: [1, 250, 10_000] });
    const iterations = res.results.map((r) => r.iterations.length);
    // Robot 0's deadline passed during the first iteration: one iteration, late. Robot 1 stops after a few,
    // in time; robot 2 runs all 40, and the batches shrink as robots leave.
    expect(iterations[0]).toBe(1);
    expect(iterations[1]).toBeGreaterThanOrEqual(1);
    expect(iterations[1]).toBeLessThan(40);
    expect(iterations[2]).toBe(40);
    expect(res.overran).toEqual([true, false, false]);
    expect(slow.rows[0]).toBe(48);
    expect(slow.rows.at(-1)).toBe(16);
    expect(batches[0]).toEqual([0, 1, 2]);
    expect(batches[1]).toEqual([1, 2]); // robot 0 left after its first iteration
    expect(batches.at(-1)).toEqual([2]);
    // stop() ends everyone after the current iteration.
    const before = slow.calls;
    const cancelled = await fleet.plan(starts, { stop: () => slow.calls > before });
    expect(cancelled.results.map((r) => r.iterations.length)).toEqual([1, 1, 1]);
    expect(cancelled.overran).toEqual([false, false, false]);
    await expect(fleet.plan(starts, { deadlineMs: [5, 5] })).rejects.toThrow(/positive number or 3 of them \(one per robot\), got \[5,5\]/);
    await expect(fleet.plan(starts, { deadlineMs: 0 })).rejects.toThrow(/deadlineMs/);
  });

  it('seeds a plan from init.seed: the same plan whatever was planned before', async () => {
    const fleet = new FleetPlanner(pointModel(), { robots: 3, horizon: 5, low: [-1, -1], high: [1, 1], optimizer: spec, seed: 7 });
    const means = new Float32Array(3 * 5 * 2);
    const first = await fleet.plan(starts, { means, seed: 11 });
    await fleet.plan(starts, { means }); // the streams go on
    const again = await fleet.plan(starts, { means, seed: 11 });
    expect(Array.from(again.actions)).toEqual(Array.from(first.actions));
    const other = await fleet.plan(starts, { means, seed: 12 });
    expect(Array.from(other.actions)).not.toEqual(Array.from(first.actions));
  });
});
