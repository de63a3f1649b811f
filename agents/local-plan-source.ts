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

/** Turns a percept into the planner's start state (called when the plan is requested). */
export type StartStateFunction<O> = (percept: Percept<O>) => Float32Array | Promise<Float32Array>;

/** How a percept becomes a start state. */
export type StartMode<O> = 'auto' | 'observation' | 'encode' | 'oracle' | StartStateFunction<O>;

/** Options of {@link localPlanSource}. */
export interface LocalPlanSourceOptions<O = Float32Array> {
  /**
   * The planner (model, objective, optimiser). Required. Requests are served one at a time, so several
   * episodes may share a source; they then also share the planner's warm-start memory, so give each
   * concurrent episode its own source for the best plans.
   */
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
  // Plans run one at a time: the planner's buffers and the oracle's start state are shared, so two
  // overlapping requests (two episodes on one source) must not interleave.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    planner,
    horizon: planner.horizon,
    actionDim: planner.actionDim,
    actionLow: problem.low.slice(0, problem.actionDim),
    actionHigh: problem.high.slice(0, problem.actionDim),
    plan(request: PlanRequest<O>): Observable<LocalPlanOutcome> {
      // Read the percept now: its state thunk expires when this returns.
      const { state: startState, sync } = start(request.percept);
      const job = queue.then(async () => {
        const state = await startState;
        sync?.();
        const warmStart = request.shift === undefined ? false : warmFromAgent && request.warmStart ? request.warmStart : true;
        const result = await planner.plan(state, { warmStart, shift: request.shift ?? 1, seed: request.seed });
        return { actions: result.solution, iterations: result.iterations.length, bestCost: result.bestCost, nanCount: result.nanCount, timing: result.timing };
      });
      queue = job.catch(() => undefined);
      return from(job);
    },
  };
}

/** A start state, and (for the oracle) the synchronisation to run just before planning from it. */
interface StartState {
  readonly state: Float32Array | Promise<Float32Array>;
  readonly sync?: () => void;
}

function startFunction<O>(planner: Planner, mode: StartMode<O>): (percept: Percept<O>) => StartState {
  if (typeof mode === 'function') return (percept) => ({ state: mode(percept) });
  const model = planner.model as Planner['model'] & { encode?: (obs: Float32Array) => Promise<Float32Array> };
  const resolved = mode === 'auto' ? (model instanceof PhysicsRolloutModel ? 'oracle' : typeof model.encode === 'function' ? 'encode' : 'observation') : mode;
  switch (resolved) {
    case 'oracle': {
      if (!(model instanceof PhysicsRolloutModel)) throw new InvalidArgumentError("localPlanSource: `start: 'oracle'` needs a planner over a PhysicsRolloutModel");
      const oracle = model as PhysicsRolloutModel<O>;
      return (percept) => {
        if (percept.state === undefined) {
          throw new InvalidArgumentError(
            'localPlanSource: the oracle needs the environment state with each percept (a Stateful environment; in controlLoop pass `captureState: true`)',
          );
        }
        const envState = percept.state();
        const observation = asFloat32(percept.observation, 'observation').slice();
        return { state: observation, sync: () => oracle.setStart(envState, observation as O) };
      };
    }
    case 'encode':
      if (typeof model.encode !== 'function') throw new InvalidArgumentError("localPlanSource: `start: 'encode'` needs a planner over a model with `encode` (a WorldModel)");
      return (percept) => ({ state: model.encode!(asFloat32(percept.observation, 'observation')) });
    case 'observation':
      return (percept) => ({ state: asFloat32(percept.observation, 'observation') });
    default:
      throw new InvalidArgumentError(`localPlanSource: expected \`start\` 'auto', 'observation', 'encode', 'oracle' or a function, got ${describeValue(mode)}`);
  }
}

function asFloat32(value: unknown, what: string): Float32Array {
  if (!(value instanceof Float32Array)) throw new InvalidArgumentError(`localPlanSource: expected the ${what} to be a Float32Array, got ${describeValue(value)}`);
  return value;
}
