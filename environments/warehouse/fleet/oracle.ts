/**
 * The Rapier oracle for fleet MPC: a {@link RolloutModel} over ego-centric per-robot states whose
 * predictions are the warehouse simulation itself. Fleet MPC ({@link WarehouseFleetMpcPolicy}) with this
 * model instead of a learned one is the upper bound the learned fleet is measured against: same task
 * layer, same cost, same planner, exact dynamics.
 *
 * Rows are robot-major, as {@link FleetPlanner} hands them in: with n candidates per robot, row `r·n + k`
 * is robot r's candidate k. Candidate k of every robot is rolled out **together** in one restored copy of
 * the world — robot r's row k drives robot r while the others drive their own k-th candidates — so one plan
 * iteration of a fleet of R robots costs n rollouts of H steps (not R·n), and robots meet the others'
 * candidates, not fixed paths. The start is given explicitly: `setStart(env.getState(), observation)` with
 * the state and flat observation of the environment being controlled; every row of `rollout`'s states must
 * equal that observation's ego vector of its robot. After the episode terminates inside the horizon the
 * states repeat. Rewards are the environment's fleet reward split evenly over robots (fleet MPC's route
 * cost does not use them).
 *
 * The rollout yields to the event loop (`setImmediate`) between candidates once `yieldEveryMs` has passed,
 * as `PhysicsRolloutModel` does, so timers and signals still run during a long plan.
 *
 * @module
 */
import { EnvStateError, InvalidArgumentError } from '../../../src/errors.js';
import type { PhysicsEnvState } from '../../../src/physics/physics-env.js';
import type { RolloutModel, RolloutResult } from '../../../src/planning/rollout-model.js';
import type { WarehouseOptions } from '../config.js';
import type { WarehouseTaskState } from '../task.js';
import { WarehouseEnv } from '../warehouse-env.js';
import { egoObservationDim, egoObservations, type EgoObservationOptions } from './ego.js';

/** The Rapier oracle over ego-centric fleet states (see the module docs). */
export class WarehouseFleetOracle implements RolloutModel {
  readonly actionDim = 3;
  readonly stateDim: number;
  private start: { state: PhysicsEnvState<WarehouseTaskState>; ego: Float32Array } | undefined;
  private closed = false;

  private constructor(
    private readonly env: WarehouseEnv,
    private readonly ego: EgoObservationOptions,
    private readonly yieldEveryMs: number,
  ) {
    this.stateDim = egoObservationDim(ego);
  }

  /**
   * An oracle for environments made with `options` (a pool environment of its own, reset once).
   * @param ego - the ego-centric vector's sizes (those the controller uses)
   */
  static async create(options: WarehouseOptions, ego: EgoObservationOptions = {}, yieldEveryMs = 10): Promise<WarehouseFleetOracle> {
    const env = new WarehouseEnv(options);
    await env.reset({ seed: 0 });
    return new WarehouseFleetOracle(env, ego, yieldEveryMs);
  }

  /** Robots of the fleet. */
  get robots(): number {
    return this.env.numRobots;
  }

  /** Sets the state rollouts start from: the controlled environment's `getState()` and its flat observation. */
  setStart(state: PhysicsEnvState<WarehouseTaskState>, observation: Float32Array): void {
    this.start = { state, ego: egoObservations(observation, this.env, this.ego) };
  }

  async rollout(states: Float32Array, actions: Float32Array, horizon: number): Promise<RolloutResult> {
    if (this.closed) throw new EnvStateError('WarehouseFleetOracle.rollout: the oracle is closed');
    const start = this.start;
    if (start === undefined) throw new EnvStateError('WarehouseFleetOracle.rollout: call setStart(env.getState(), observation) first');
    const { stateDim: S, actionDim: A } = this;
    const R = this.env.numRobots;
    const B = states.length / S;
    const n = B / R;
    if (!Number.isInteger(n) || n < 1 || actions.length !== B * horizon * A) {
      throw new InvalidArgumentError(
        `WarehouseFleetOracle.rollout: expected robots (${R}) × n rows of ${S} states and ${horizon} × ${A} actions each, got ${states.length} and ${actions.length} values (it rolls every robot out together, so every batch needs every robot's candidates: no per-robot deadlines with the oracle)`,
      );
    }
    for (let b = 0; b < B; b++) {
      const r = Math.floor(b / n);
      for (let i = 0; i < S; i++) {
        if (states[b * S + i] !== start.ego[r * S + i])
          throw new InvalidArgumentError(`WarehouseFleetOracle.rollout: row ${b} (robot ${r}) is not the start's ego vector of robot ${r}`);
      }
    }
    const out = new Float32Array(B * horizon * S);
    const rewards = new Float32Array(B * horizon);
    const joint = new Float32Array(R * A);
    let since = performance.now();
    for (let k = 0; k < n; k++) {
      this.env.setState(start.state);
      let ego = start.ego;
      let reward = 0;
      let ended = false;
      for (let t = 0; t < horizon; t++) {
        if (!ended) {
          for (let r = 0; r < R; r++) joint.set(actions.subarray(((r * n + k) * horizon + t) * A, ((r * n + k) * horizon + t + 1) * A), r * A);
          const step = await this.env.step(joint);
          ego = egoObservations(step.observation, this.env, this.ego);
          reward = step.reward / R;
          ended = step.terminated;
        } else reward = 0;
        for (let r = 0; r < R; r++) {
          out.set(ego.subarray(r * S, (r + 1) * S), ((r * n + k) * horizon + t) * S);
          rewards[(r * n + k) * horizon + t] = reward;
        }
      }
      if (performance.now() - since > this.yieldEveryMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.closed) throw new EnvStateError('WarehouseFleetOracle.rollout: the oracle was closed during a rollout');
        since = performance.now();
      }
    }
    return { states: out, rewards };
  }

  /** Releases the pool environment. */
  async close(): Promise<void> {
    this.closed = true;
    await this.env.close();
  }
}
