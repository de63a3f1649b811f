/**
 * A policy prior for planning (TD-MPC2's `num_pi_trajs`): a policy proposes `P` action sequences from the
 * start state — closed-loop, `a_t = π(s_t)` along the model's own rollout — which the optimiser puts in its
 * population every iteration and starts a cold search from. A good policy lets the planner find good
 * plans with far fewer samples of its own; a bad one only costs `P` slots of the population.
 *
 * The proposals work with any {@link RolloutModel}, the Rapier oracle included (whose rollouts must all
 * start at the planned state): the closed-loop sequence is found by a fixed-point iteration — roll the
 * current sequences out, set each step's action to the policy's action at the state the rollout reached,
 * repeat — warm-started from the previous plan's proposals shifted by one step, so one or two rounds
 * suffice.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';
import { parseOptions, z } from '../options.js';
import { Rng } from '../rng.js';
import type { RolloutModel } from './rollout-model.js';

/** Anything that maps a batch of observations `[B × obsDim]` to actions `[B × A]` (e.g. `OnnxPolicy`). */
export interface BatchPolicy {
  /** Actions `[B × A]` (in the action bounds) for observations `[B × obsDim]`. */
  actBatch(observations: Float32Array): Promise<Float32Array> | Float32Array;
}

/** What a {@link Planner} asks of a prior. */
export interface PlanPrior {
  /** P, sequences proposed per plan. */
  readonly trajectories: number;
  /**
   * Proposes `P × H × A` sequences from `startState` (a model state), in action units within `[low, high]`.
   */
  propose(model: RolloutModel, startState: Float32Array, horizon: number, low: Float32Array, high: Float32Array): Promise<Float32Array>;
  /** Forgets the previous plan's proposals (start of an episode). */
  reset(): void;
}

/** Zod schema of {@link PolicyPriorOptions}. */
export const PolicyPriorOptionsSchema = z
  .object({
    /** P, sequences proposed per plan (the first noise-free, the others with Gaussian action noise). Default 24. */
    trajectories: z.number().int().positive().default(24),
    /** Std of the action noise of proposals 2…P, as a fraction of each action's range. Default 0.1. */
    noise: z.number().nonnegative().default(0.1),
    /** Fixed-point rounds per plan (each one batched rollout of P × H and one policy call on P × H states). Default 1 (the previous plan's proposals, shifted, start the next). */
    rounds: z.number().int().positive().default(1),
    /** Seed of the action noise. Default 0. */
    seed: z.number().int().nonnegative().default(0),
    /**
     * Maps model states `[B × stateDim]` to the policy's observations `[B × obsDim]`. Default: the identity
     * (the Rapier oracle's states are observations).
     */
    toObservation: z.custom<(states: Float32Array, count: number) => Float32Array | Promise<Float32Array>>((v) => typeof v === 'function', 'expected a function').optional(),
  })
  .strict();

/** Options of {@link policyPrior}. */
export type PolicyPriorOptions = z.input<typeof PolicyPriorOptionsSchema>;

/**
 * A {@link PlanPrior} from a policy.
 *
 * @example
 * ```ts
 * const { policy } = await loadPolicyBundle('policies/pushbox-bc');
 * const planner = new Planner(model, { ...settings, prior: policyPrior(policy, { trajectories: 24 }) });
 * ```
 */
export function policyPrior(policy: BatchPolicy, options: PolicyPriorOptions = {}): PlanPrior {
  if (typeof policy !== 'object' || policy === null || typeof policy.actBatch !== 'function') {
    throw new InvalidArgumentError(`policyPrior: expected a policy with \`actBatch(observations)\`, got ${describeValue(policy)}`);
  }
  const o = parseOptions(PolicyPriorOptionsSchema, options, 'policyPrior options');
  const rng = Rng.fromSeed(o.seed);
  let previous: Float32Array | undefined;
  const toObs = o.toObservation ?? ((s: Float32Array) => s);
  return {
    trajectories: o.trajectories,
    reset() {
      previous = undefined;
    },
    async propose(model, startState, horizon, low, high) {
      const P = o.trajectories;
      const { stateDim: S, actionDim: A } = model;
      const dim = horizon * A;
      const starts = new Float32Array(P * S);
      for (let p = 0; p < P; p++) starts.set(startState, p * S);
      const noise = new Float32Array(P * dim);
      for (let i = dim; i < noise.length; i++) noise[i] = rng.normal() * o.noise * (high[i % dim]! - low[i % dim]!);
      const act = async (states: Float32Array, rows: number) => {
        const a = await policy.actBatch(await toObs(states, rows));
        if (!(a instanceof Float32Array) || a.length !== rows * A)
          throw new InvalidArgumentError(`policyPrior: the policy returned ${describeValue(a)}; expected ${rows} × ${A} actions`);
        return a;
      };
      // Round 0: the previous proposals shifted by one step (their last step repeated), else π(start) held.
      const seqs = new Float32Array(P * dim);
      if (previous !== undefined && previous.length === P * dim) {
        for (let p = 0; p < P; p++) {
          seqs.set(previous.subarray(p * dim + A, (p + 1) * dim), p * dim);
          seqs.set(previous.subarray((p + 1) * dim - A, (p + 1) * dim), (p + 1) * dim - A);
        }
      } else {
        const a0 = await act(startState, 1);
        for (let i = 0; i < P * horizon; i++) seqs.set(a0, i * A);
      }
      const obsRows = new Float32Array(P * horizon * S);
      for (let round = 0; round < o.rounds; round++) {
        const { states } = await model.rollout(starts, seqs, horizon);
        // The state before step t: the start for t = 0, else the rollout's state after step t − 1.
        for (let p = 0; p < P; p++) {
          obsRows.set(startState, p * horizon * S);
          obsRows.set(states.subarray(p * horizon * S, (p * horizon + horizon - 1) * S), (p * horizon + 1) * S);
        }
        const actions = await act(obsRows, P * horizon);
        for (let i = 0; i < seqs.length; i++) {
          const v = actions[i]! + noise[i]!;
          const d = i % dim;
          seqs[i] = v < low[d]! ? low[d]! : v > high[d]! ? high[d]! : v;
        }
      }
      previous = seqs.slice();
      return seqs;
    },
  };
}
