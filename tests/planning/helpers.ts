/**
 * Test fixtures for the planners: known cost functions over action sequences, and exact batched
 * models (RolloutModel) of simple systems.
 */
import type { PopulationObjective } from '../../src/planning/optimizer.js';
import type { RolloutModel, RolloutResult } from '../../src/planning/rollout-model.js';
import { lineWorldDynamics, type LineWorldParams } from '../../environments/line-world/index.js';

/** Σ_d (x_d − target_d)², and how far the candidates reached (min/max over every coordinate). */
export function quadratic(target: Float32Array): PopulationObjective {
  const dim = target.length;
  return (c, costs) => {
    for (let i = 0; i < costs.length; i++) {
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const e = c[i * dim + d]! - target[d]!;
        s += e * e;
      }
      costs[i] = s;
    }
  };
}

/** A 2-D Rosenbrock per step (actions (x, y)): Σ_t b (y_t − x_t²)² + (1 − x_t)²; minimum 0 at all ones. */
export function rosenbrock(horizon: number, b = 10): PopulationObjective {
  const dim = 2 * horizon;
  return (c, costs) => {
    for (let i = 0; i < costs.length; i++) {
      let s = 0;
      for (let t = 0; t < horizon; t++) {
        const x = c[i * dim + 2 * t]!;
        const y = c[i * dim + 2 * t + 1]!;
        s += b * (y - x * x) ** 2 + (1 - x) ** 2;
      }
      costs[i] = s;
    }
  };
}

/** The cost of one sequence under a population objective. */
export async function costOf(objective: PopulationObjective, x: Float32Array): Promise<number> {
  const costs = new Float32Array(1);
  await objective(x, costs);
  return costs[0]!;
}

/** Wraps an objective, recording the smallest and largest coordinate of every candidate it saw, per coordinate. */
export function recording(objective: PopulationObjective, dim: number): { objective: PopulationObjective; min: Float32Array; max: Float32Array; calls: number[] } {
  const min = new Float32Array(dim).fill(Infinity);
  const max = new Float32Array(dim).fill(-Infinity);
  const calls: number[] = [];
  return {
    min,
    max,
    calls,
    objective: async (c, costs) => {
      calls.push(costs.length);
      for (let i = 0; i < c.length; i++) {
        const d = i % dim;
        if (c[i]! < min[d]!) min[d] = c[i]!;
        if (c[i]! > max[d]!) max[d] = c[i]!;
      }
      await objective(c, costs);
    },
  };
}

/**
 * An exact batched model of LineWorld-v0 (state `[x, v, goal]`, reward −|x − goal|), in plain TS, so
 * planners can be tested in closed loop against the real environment.
 */
export class LineWorldModel implements RolloutModel {
  readonly stateDim = 3;
  readonly actionDim = 1;
  calls = 0;
  constructor(private readonly params: LineWorldParams) {}

  async rollout(states: Float32Array, actions: Float32Array, horizon: number): Promise<RolloutResult> {
    this.calls++;
    const n = states.length / 3;
    const out = { states: new Float32Array(n * horizon * 3), rewards: new Float32Array(n * horizon) };
    for (let i = 0; i < n; i++) {
      let x = states[i * 3]!;
      let v = states[i * 3 + 1]!;
      const goal = states[i * 3 + 2]!;
      for (let t = 0; t < horizon; t++) {
        const next = lineWorldDynamics(this.params, x, v, actions[i * horizon + t]!);
        x = Math.fround(next.x);
        v = Math.fround(next.v);
        const row = i * horizon + t;
        out.states[row * 3] = x;
        out.states[row * 3 + 1] = v;
        out.states[row * 3 + 2] = goal;
        out.rewards[row] = -Math.abs(x - goal);
      }
    }
    return out;
  }
}

/** A linear model s' = s + a (S = A), reward −‖s'‖², optionally with uncertainty and terminals. */
export class IntegratorModel implements RolloutModel {
  constructor(
    readonly stateDim: number,
    readonly extras: { uncertainty?: (row: number) => number; terminals?: (row: number) => number; nanWhen?: (first: number) => boolean } = {},
  ) {}
  get actionDim(): number {
    return this.stateDim;
  }
  async rollout(states: Float32Array, actions: Float32Array, horizon: number): Promise<RolloutResult> {
    const s = this.stateDim;
    const n = states.length / s;
    const out: { states: Float32Array; rewards: Float32Array; uncertainty?: Float32Array; terminals?: Float32Array } = {
      states: new Float32Array(n * horizon * s),
      rewards: new Float32Array(n * horizon),
    };
    if (this.extras.uncertainty) out.uncertainty = new Float32Array(n * horizon);
    if (this.extras.terminals) out.terminals = new Float32Array(n * horizon);
    const x = new Float64Array(s);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < s; j++) x[j] = states[i * s + j]!;
      const poisoned = this.extras.nanWhen?.(actions[i * horizon * s]!) ?? false;
      for (let t = 0; t < horizon; t++) {
        const row = i * horizon + t;
        let r = 0;
        for (let j = 0; j < s; j++) {
          x[j] = x[j]! + actions[row * s + j]!;
          out.states[row * s + j] = x[j]!;
          r -= x[j]! * x[j]!;
        }
        out.rewards[row] = poisoned ? Number.NaN : r;
        if (out.uncertainty) out.uncertainty[row] = this.extras.uncertainty!(row);
        if (out.terminals) out.terminals[row] = this.extras.terminals!(row);
      }
    }
    return out;
  }
}
