/**
 * `localPlanSource`: a {@link PlanSource} over a `Planner` on this thread. It turns each percept
 * into the planner's start state — a latent (`WorldModel.encode`), the true state (the physics
 * oracle: `PhysicsRolloutModel.setStart(percept.state(), observation)`), or the observation itself —
 * and plans from it, warm-started by the planner's own previous plan.
 *
 * @module
 */
import { from, type Observable } from 'rxjs';
import { InvalidArgumentError, describeValue } from '../src/errors.js';
import { PhysicsRolloutModel } from '../src/planning/physics-rollout-model.js';
import { Planner, type PlanTiming } from '../src/planning/planner.js';
import type { PlanOutcome, PlanRequest, PlanSource } from './plan-source.js';
import type { Percept } from './types.js';

/** Turns a percept into the planner's start state. */
export type StartStateFunction<O> = (percept: Percept<O>) => Float32Array | Promise<Float32Array>;

/** How a percept becomes a start state. */
export type StartMode<O> = 'auto' | 'observation' | 'encode' | 'oracle' | StartStateFunction<O>;

/** Options of {@link localPlanSource}. */
export interface LocalPlanSourceOptions<O = Float32Array> {
  /** The planner (model, objective, optimiser). One episode at a time may use it. Required. */
  readonly planner: Planner;
  /**
   * `'encode'`: `planner.model.encode(observation)` (a world model); `'oracle'`: sync the
   * `PhysicsRolloutModel` to the percept's exact state and plan from the observation; `'observation'`:
   * plan from the observation as is; or a function. Default: `'auto'` — `'oracle'` for a
   * `PhysicsRolloutModel`, `'encode'` for a model with `encode`, `'observation'` otherwise.
   */
  readonly start?: StartMode<O>;
  /**
   * `'planner'`: the planner's own memory (the previous plan's search mean, shifted by the steps that
   * passed — TD-MPC2); `'agent'`: the agent's shifted executed plan. Default: `'planner'`.
   */
  readonly warmStart?: 'planner' | 'agent';
}

/** A plan outcome with the planner's timing breakdown. */
export interface LocalPlanOutcome extends PlanOutcome {
  readonly timing: PlanTiming;
}

/**
 * Wraps `options.planner` as a plan source for `mpcAgent`.
 *
 * @example
 * ```ts
 * const oracle = await PhysicsRolloutModel.create({ factory: () => make('Reach-v0') });
 * const planner = new Planner(oracle, { horizon: 10, actionLow: oracle.actionLow, actionHigh: oracle.actionHigh,
 *   optimizer: { algorithm: 'mppi', samples: 64, iterations: 3 }, objective: rewardObjective() });
 * const agent = mpcAgent({ source: localPlanSource({ planner }) });
 * ```
 */
export function localPlanSource<O = Float32Array>(options: LocalPlanSourceOptions<O>): PlanSource<O> & { readonly planner: Planner } {
  if (typeof options !== 'object' || options === null || !(options.planner instanceof Planner)) {
    throw new InvalidArgumentError(`localPlanSource: expected options { planner: Planner, … }, got ${describeValue(options)}`);
  }
  const { planner } = options;
  const warmFromAgent = (options.warmStart ?? 'planner') === 'agent';
  if (options.warmStart !== undefined && options.warmStart !== 'planner' && options.warmStart !== 'agent') {
    throw new InvalidArgumentError(`localPlanSource: expected \`warmStart\` 'planner' or 'agent', got ${describeValue(options.warmStart)}`);
  }
  const start = startFunction<O>(planner, options.start ?? 'auto');
  const problem = planner.trajectory.problem;
  return {
    planner,
    horizon: planner.horizon,
    actionDim: planner.actionDim,
    actionLow: problem.low.slice(0, problem.actionDim),
    actionHigh: problem.high.slice(0, problem.actionDim),
    plan(request: PlanRequest<O>): Observable<LocalPlanOutcome> {
      // The start function runs now: the oracle must read the percept's state before this returns.
      const startState = start(request.percept);
      return from(
        (async () => {
          const state = await startState;
          const warmStart = request.shift === undefined ? false : warmFromAgent && request.warmStart ? request.warmStart : true;
          const result = await planner.plan(state, { warmStart, shift: request.shift ?? 1, seed: request.seed });
          return { actions: result.solution, iterations: result.iterations.length, bestCost: result.bestCost, nanCount: result.nanCount, timing: result.timing };
        })(),
      );
    },
  };
}

function startFunction<O>(planner: Planner, mode: StartMode<O>): StartStateFunction<O> {
  if (typeof mode === 'function') return mode;
  const model = planner.model as Planner['model'] & { encode?: (obs: Float32Array) => Promise<Float32Array> };
  const resolved = mode === 'auto' ? (model instanceof PhysicsRolloutModel ? 'oracle' : typeof model.encode === 'function' ? 'encode' : 'observation') : mode;
  switch (resolved) {
    case 'oracle': {
      if (!(model instanceof PhysicsRolloutModel)) throw new InvalidArgumentError("localPlanSource: `start: 'oracle'` needs a planner over a PhysicsRolloutModel");
      const oracle = model as PhysicsRolloutModel<O>;
      return (percept) => {
        if (percept.state === undefined) {
          throw new InvalidArgumentError('localPlanSource: the oracle needs the environment state with each percept (a Stateful environment; in controlLoop pass `captureState: true`)');
        }
        oracle.setStart(percept.state(), percept.observation);
        return asFloat32(percept.observation, 'observation');
      };
    }
    case 'encode':
      if (typeof model.encode !== 'function') throw new InvalidArgumentError("localPlanSource: `start: 'encode'` needs a planner over a model with `encode` (a WorldModel)");
      return (percept) => model.encode!(asFloat32(percept.observation, 'observation'));
    case 'observation':
      return (percept) => asFloat32(percept.observation, 'observation');
    default:
      throw new InvalidArgumentError(`localPlanSource: expected \`start\` 'auto', 'observation', 'encode', 'oracle' or a function, got ${describeValue(mode)}`);
  }
}

function asFloat32(value: unknown, what: string): Float32Array {
  if (!(value instanceof Float32Array)) throw new InvalidArgumentError(`localPlanSource: expected the ${what} to be a Float32Array, got ${describeValue(value)}`);
  return value;
}
