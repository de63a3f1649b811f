/**
 * Objectives: the cost of each candidate action sequence, computed from a batched rollout. Each
 * objective *adds* its cost into the `costs` array, so several compose by listing them.
 *
 * - {@link rewardObjective}: minus the sum of predicted (discounted) rewards, plus an optional
 *   terminal value (TD-MPC2, PETS).
 * - {@link goalObjective}: distance of the predicted states to a goal state or latent, at the last step
 *   or averaged over all steps, L1 (V-JEPA 2-AC) or squared L2 (DINO-WM).
 * - {@link decodedObjective}: a user cost over decoded observations.
 * - {@link uncertaintyObjective}: ensemble disagreement as a penalty (pessimism) or bonus (exploration).
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';
import { parseOptions, z } from '../options.js';
import { PlanningError } from './optimizer.js';
import type { RolloutResult } from './rollout-model.js';

/** One batch of rolled-out candidates, as an objective sees it. */
export interface RolloutBatch {
  /** N, candidates. */
  readonly count: number;
  /** H, steps. */
  readonly horizon: number;
  /** S, state size. */
  readonly stateDim: number;
  /** A, action size. */
  readonly actionDim: number;
  /** Start state of every candidate, `N × S` (all rows equal). */
  readonly startStates: Float32Array;
  /** The candidates, `N × H × A`. */
  readonly actions: Float32Array;
  /** The model's predictions: states `N × H × S`, rewards `N × H`, optional terminals and uncertainty `N × H`. */
  readonly rollout: RolloutResult;
}

/** A cost over rollouts. */
export interface PlanningObjective {
  /** Short name for reports. */
  readonly name: string;
  /** Adds this objective's cost of each candidate to `costs` (length N; lower is better). */
  evaluate(batch: RolloutBatch, costs: Float32Array): void | Promise<void>;
}

/** Estimates the value of the final states, `N × S` → N values (higher is better). */
export type TerminalValueFunction = (states: Float32Array, count: number) => Float32Array | Promise<Float32Array>;

/** Zod schema of {@link RewardObjectiveOptions}. */
export const RewardObjectiveOptionsSchema = z
  .object({
    /** γ ∈ (0, 1]: reward at step t weighs γ^t. Default: `1`. */
    discount: z.number().gt(0).lte(1).default(1),
    /** V(s_H), added with weight γ^H (TD-MPC2's Q-value bootstrap). Default: none. */
    terminalValue: z.custom<TerminalValueFunction>((v) => typeof v === 'function', 'expected a function').optional(),
    /**
     * When the model predicts terminal probabilities p_t, weigh step t's reward (and the terminal value)
     * by the probability of still running, Π_{τ<t}(1 − p_τ). Default: `true`.
     */
    respectTerminals: z.boolean().default(true),
  })
  .strict();

/** Options of {@link rewardObjective}. */
export type RewardObjectiveOptions = z.input<typeof RewardObjectiveOptionsSchema>;

/** Cost = −(Σ_t γ^t r_t + γ^H V(s_H)): maximise the predicted (discounted) return. */
export function rewardObjective(options: RewardObjectiveOptions = {}): PlanningObjective {
  const o = parseOptions(RewardObjectiveOptionsSchema, options, 'rewardObjective options');
  const { discount, terminalValue, respectTerminals } = o;
  return {
    name: 'reward',
    async evaluate(batch, costs) {
      const { count: n, horizon: h, stateDim: s, rollout } = batch;
      const { rewards } = rollout;
      const terminals = respectTerminals ? rollout.terminals : undefined;
      const alive = new Float64Array(n).fill(1);
      for (let i = 0; i < n; i++) {
        let g = 0;
        let w = 1;
        let run = 1;
        for (let t = 0; t < h; t++) {
          g += w * run * rewards[i * h + t]!;
          if (terminals !== undefined) run *= 1 - terminals[i * h + t]!;
          w *= discount;
        }
        alive[i] = run;
        costs[i] = costs[i]! - g;
      }
      if (terminalValue !== undefined) {
        const last = new Float32Array(n * s);
        for (let i = 0; i < n; i++) last.set(rollout.states.subarray((i * h + h - 1) * s, (i * h + h) * s), i * s);
        const v = await terminalValue(last, n);
        if (!(v instanceof Float32Array) || v.length !== n) {
          throw new PlanningError(`rewardObjective: expected \`terminalValue\` to return a Float32Array of ${n} values, got ${describeValue(v)}`);
        }
        const gh = discount ** h;
        for (let i = 0; i < n; i++) costs[i] = costs[i]! - gh * alive[i]! * v[i]!;
      }
    },
  };
}

/** A {@link goalObjective}, whose goal can be changed between plans. */
export interface GoalObjective extends PlanningObjective {
  /** Replaces the goal (copied). */
  setGoal(goal: ArrayLike<number>): void;
  /** The current goal (a copy). */
  readonly goal: Float32Array;
}

/** Zod schema of {@link GoalObjectiveOptions}. */
export const GoalObjectiveOptionsSchema = z
  .object({
    /** The goal state or latent (length S, or length of `dims`), e.g. `encode(goalObservation)`. */
    goal: z.custom<ArrayLike<number>>((v) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView)), 'expected an array of numbers'),
    /** `'l1'`: mean |x − g| (V-JEPA 2-AC); `'mse'`: mean (x − g)² (DINO-WM); `'l2'`: ‖x − g‖₂. Default: `'mse'`. */
    norm: z.enum(['l1', 'l2', 'mse']).default('mse'),
    /** Distance at the last predicted step only (DINO-WM, V-JEPA 2-AC), or the mean over all steps. Default: `'last'`. */
    steps: z.enum(['last', 'all']).default('last'),
    /** State indices the distance reads (e.g. the position part of an observation). Default: all. */
    dims: z.array(z.number().int().nonnegative()).nonempty().readonly().optional(),
    /** Multiplier of the distance. Default: `1`. */
    weight: z.number().positive().default(1),
  })
  .strict();

/** Options of {@link goalObjective}. */
export type GoalObjectiveOptions = z.input<typeof GoalObjectiveOptionsSchema>;

/** Cost = weight × distance(predicted state, goal), at the last step or averaged over the horizon. */
export function goalObjective(options: GoalObjectiveOptions): GoalObjective {
  const o = parseOptions(GoalObjectiveOptionsSchema, options, 'goalObjective options');
  const dims = o.dims === undefined ? undefined : Int32Array.from(o.dims);
  let goal = checkGoal(o.goal, dims?.length);
  const { norm, steps, weight } = o;
  return {
    name: 'goal',
    get goal() {
      return goal.slice();
    },
    setGoal(g) {
      goal = checkGoal(g, dims?.length ?? goal.length);
    },
    evaluate(batch, costs) {
      const { count: n, horizon: h, stateDim: s } = batch;
      const states = batch.rollout.states;
      const m = goal.length;
      if (dims === undefined ? m !== s : dims.some((d) => d >= s)) {
        throw new PlanningError(
          `goalObjective: the goal has ${m} values${dims === undefined ? '' : ` read from state indices [${Array.from(dims).join(', ')}]`} but the model's states have ${s}`,
        );
      }
      const t0 = steps === 'last' ? h - 1 : 0;
      const scale = weight / (h - t0);
      for (let i = 0; i < n; i++) {
        let total = 0;
        for (let t = t0; t < h; t++) {
          const base = (i * h + t) * s;
          let acc = 0;
          for (let j = 0; j < m; j++) {
            const diff = states[base + (dims === undefined ? j : dims[j]!)]! - goal[j]!;
            acc += norm === 'l1' ? Math.abs(diff) : diff * diff;
          }
          total += norm === 'l2' ? Math.sqrt(acc) : acc / m;
        }
        costs[i] = costs[i]! + scale * total;
      }
    },
  };
}

function checkGoal(goal: ArrayLike<number>, expected: number | undefined): Float32Array {
  const arr = Float32Array.from(goal as ArrayLike<number>);
  if (arr.length === 0 || (expected !== undefined && arr.length !== expected) || !arr.every((v) => Number.isFinite(v))) {
    throw new InvalidArgumentError(
      `goalObjective: expected \`goal\` to be ${expected === undefined ? 'a non-empty array of' : `${expected}`} finite numbers, got ${describeValue(goal)}`,
    );
  }
  return arr;
}

/** Decodes states `M × S` into observations `M × O`. */
export type DecodeFunction = (states: Float32Array, count: number) => Float32Array | Promise<Float32Array>;

/** Zod schema of {@link DecodedObjectiveOptions}. */
export const DecodedObjectiveOptionsSchema = z
  .object({
    /** The decoder (e.g. a world model's `decode`). */
    decode: z.custom<DecodeFunction>((v) => typeof v === 'function', 'expected a function'),
    /** O, values per decoded observation. */
    observationDim: z.number().int().positive(),
    /** Decode every step, or only the last (cheaper). Default: `'all'`. */
    steps: z.enum(['last', 'all']).default('all'),
    /**
     * Adds the cost of each candidate into `costs` from its decoded observations: `N × T × O`, where T is
     * H (`steps: 'all'`) or 1 (`'last'`).
     */
    cost: z.custom<(observations: Float32Array, batch: RolloutBatch, costs: Float32Array) => void | Promise<void>>((v) => typeof v === 'function', 'expected a function'),
  })
  .strict();

/** Options of {@link decodedObjective}. */
export type DecodedObjectiveOptions = z.input<typeof DecodedObjectiveOptionsSchema>;

/** A user cost over decoded observations (for goals and constraints stated in observation space). */
export function decodedObjective(options: DecodedObjectiveOptions): PlanningObjective {
  const o = parseOptions(DecodedObjectiveOptionsSchema, options, 'decodedObjective options');
  return {
    name: 'decoded',
    async evaluate(batch, costs) {
      const { count: n, horizon: h, stateDim: s } = batch;
      const t = o.steps === 'all' ? h : 1;
      let states = batch.rollout.states;
      if (o.steps === 'last') {
        states = new Float32Array(n * s);
        for (let i = 0; i < n; i++) states.set(batch.rollout.states.subarray((i * h + h - 1) * s, (i * h + h) * s), i * s);
      }
      const observations = await o.decode(states, n * t);
      if (!(observations instanceof Float32Array) || observations.length !== n * t * o.observationDim) {
        throw new PlanningError(
          `decodedObjective: expected \`decode\` to return a Float32Array of ${n * t} × ${o.observationDim} = ${n * t * o.observationDim} values, got ${describeValue(observations)}`,
        );
      }
      await o.cost(observations, batch, costs);
    },
  };
}

/** Zod schema of {@link UncertaintyObjectiveOptions}. */
export const UncertaintyObjectiveOptionsSchema = z
  .object({
    /** Weight of the summed per-step uncertainty. Default: `1`. */
    weight: z.number().gte(0).default(1),
    /** `'penalty'` adds it to the cost (pessimism: avoid what the model does not know); `'bonus'` subtracts it (exploration). Default: `'penalty'`. */
    mode: z.enum(['penalty', 'bonus']).default('penalty'),
    /** γ: step t's uncertainty weighs γ^t. Default: `1`. */
    discount: z.number().gt(0).lte(1).default(1),
  })
  .strict();

/** Options of {@link uncertaintyObjective}. */
export type UncertaintyObjectiveOptions = z.input<typeof UncertaintyObjectiveOptionsSchema>;

/** Cost ± weight × Σ_t γ^t u_t, from the model's ensemble disagreement `rollout.uncertainty`. */
export function uncertaintyObjective(options: UncertaintyObjectiveOptions = {}): PlanningObjective {
  const o = parseOptions(UncertaintyObjectiveOptionsSchema, options, 'uncertaintyObjective options');
  const sign = o.mode === 'penalty' ? o.weight : -o.weight;
  return {
    name: `uncertainty-${o.mode}`,
    evaluate(batch, costs) {
      const u = batch.rollout.uncertainty;
      const { count: n, horizon: h } = batch;
      if (u === undefined) {
        throw new PlanningError('uncertaintyObjective: the model returned no `uncertainty`; expected an ensemble model that reports disagreement (N × H values)');
      }
      if (u.length !== n * h) {
        throw new PlanningError(`uncertaintyObjective: expected \`uncertainty\` of N × H = ${n * h} values, got ${u.length}`);
      }
      for (let i = 0; i < n; i++) {
        let acc = 0;
        let w = 1;
        for (let t = 0; t < h; t++) {
          acc += w * u[i * h + t]!;
          w *= o.discount;
        }
        costs[i] = costs[i]! + sign * acc;
      }
    },
  };
}
