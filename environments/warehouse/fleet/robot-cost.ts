/**
 * The cost fleet MPC gives one robot's candidate motions on a known map: how far the robot is from what
 * its task layer asks — a reference trajectory to follow (the reservation plan of prioritised planning) or
 * a goal to reach along routes around shelves —, how deep its footprint (and its carried package's) would
 * reach into shelves, how close it would come to the other robots' expected paths, and how fast it would
 * still be moving at its goal. The map is known to the planner (a costmap, as in a real warehouse); the
 * motion is what the model predicts.
 *
 * Positions are not in the ego-centric state, so they are integrated from the predicted own velocity
 * (ego entries 0, 1): `p_t = p_{t−1} + (v_{t−1} + v_t)/2 · dt` from the robot's true position and velocity
 * at the start of the plan. The same integration serves a learned model and the Rapier oracle, so the two
 * are scored by the same rule.
 *
 * Per candidate, summed over the horizon's steps t (each term's weight in {@link FleetCostWeights}):
 *
 * - track (with a reference `r_t`): `|p_t + offset − r_t|²`, the tracked point's (the robot's centre, or a
 *   point shifted toward its carried package) squared distance from where the plan wants it after step t;
 * - route (with a goal instead): the route length from `p_t` to the goal (`PathDistances.between`; the
 *   straight distance plus `unreachable` where no route reaches);
 * - shelves: `Σ depth²` over the blocked cells (and cells outside the grid) that the robot's footprint,
 *   grown by `margin`, overlaps at `p_t`, and the same for the carried package's (grown by `packageMargin`);
 * - robots: `Σ_j max(0, radius − |p_t − q_j(t)|)²` over the other robots' predicted positions `q_j(t)`;
 * - stop: `|v_t|² · max(0, 1 − d_t / stopWithin)` with d_t the route length to the goal (or the distance
 *   to the reference's last point): slow down at the goal (a package is released, and gripped, only at
 *   low speed);
 * - effort and smooth: `|a_t|²` and `|a_t − a_{t−1}|²` of the planned velocity commands (`a_{−1}` = `a_0`):
 *   motion that gains nothing, sideways in an aisle, costs a little, so sampling noise is not executed.
 *
 * @module
 */
import { InvalidArgumentError } from '../../../src/errors.js';
import type { PlanningObjective, RolloutBatch } from '../../../src/planning/objectives.js';
import type { WarehouseConfig } from '../config.js';
import { type Layout, isBlocked } from '../layout.js';
import type { PathDistances } from '../path-distance.js';

/** Weights and distances of the fleet cost; defaults in brackets. */
export interface FleetCostWeights {
  /** Weight of the squared tracking error, per m² and step [100]. */
  readonly track?: number;
  /** Weight of the route length, per m and step [1]. */
  readonly route?: number;
  /** Weight of the squared depth into shelves, per m² and step [400]. */
  readonly shelves?: number;
  /** Clearance the robot keeps from shelves on top of its footprint, m [0.05]. */
  readonly margin?: number;
  /** Clearance the carried package keeps from shelves, m [0] (its contacts are not robot–shelf collisions, but they snag). */
  readonly packageMargin?: number;
  /** Weight of the squared proximity hinge to other robots, per m² and step [100]. */
  readonly robots?: number;
  /** Centre distance below which two robots' predicted positions cost, m [0.85]. */
  readonly radius?: number;
  /** Weight of the squared speed near the goal, per (m/s)² and step [2]. */
  readonly stop?: number;
  /** Route length within which the stop term starts, m [0.6]. */
  readonly stopWithin?: number;
  /** Weight of the squared velocity command, per step [0.01]: motion that gains nothing (sideways in an aisle) costs. */
  readonly effort?: number;
  /** Weight of the squared change of the velocity command between steps [0.05]. */
  readonly smooth?: number;
  /** Added to the straight distance where no route reaches the goal, m [20]. */
  readonly unreachable?: number;
}

/** One robot's situation at the start of a plan. */
export interface RobotCostContext {
  /** Robot centre, grid frame, m. */
  readonly x: number;
  readonly z: number;
  /** Goal of the robot's centre, m (used when there is no `reference`). */
  readonly goalX: number;
  readonly goalZ: number;
  /** Where the tracked point should be after each step of the horizon, `H × 2`; replaces the goal's route term. */
  readonly reference?: Float32Array;
  /** Tracked point − robot centre, m (with a `reference`; default 0, 0). */
  readonly offsetX?: number;
  readonly offsetZ?: number;
  /** Carried package centre − robot centre, m (0, 0 when not carrying). */
  readonly carriedDx: number;
  readonly carriedDz: number;
  /** The other robots' predicted positions, `others × H × 2` (x, z per step); may be empty. */
  readonly others: Float32Array;
}

/** Resolved {@link FleetCostWeights}. */
export type ResolvedFleetCostWeights = Required<FleetCostWeights>;

/** {@link FleetCostWeights} with every default filled in. */
export function fleetCostWeights(w: FleetCostWeights = {}): ResolvedFleetCostWeights {
  return {
    track: 100,
    route: 1,
    shelves: 400,
    margin: 0.05,
    packageMargin: 0,
    robots: 100,
    radius: 0.85,
    stop: 2,
    stopWithin: 0.6,
    effort: 0.01,
    smooth: 0.05,
    unreachable: 20,
    ...w,
  };
}

/**
 * Predicted planar positions of `count` candidates (`count × H × 2`) from predicted ego states
 * (`count × H × S`, own velocity at entries 0, 1) and the true start position and velocity.
 */
export function integratePositions(
  states: Float32Array,
  count: number,
  horizon: number,
  stateDim: number,
  start: { readonly x: number; readonly z: number; readonly vx: number; readonly vz: number },
  dt: number,
): Float32Array {
  const out = new Float32Array(count * horizon * 2);
  for (let c = 0; c < count; c++) {
    let x = start.x;
    let z = start.z;
    let vx = start.vx;
    let vz = start.vz;
    for (let t = 0; t < horizon; t++) {
      const k = (c * horizon + t) * stateDim;
      const nx = states[k]!;
      const nz = states[k + 1]!;
      x += 0.5 * (vx + nx) * dt;
      z += 0.5 * (vz + nz) * dt;
      vx = nx;
      vz = nz;
      out[(c * horizon + t) * 2] = x;
      out[(c * horizon + t) * 2 + 1] = z;
    }
  }
  return out;
}

/** Squared depths of a square footprint (half size `h`) at (x, z) into blocked cells and the grid's outside. */
export function shelfPenetration(layout: Layout, cellSize: number, x: number, z: number, h: number): number {
  const s = cellSize;
  const reach = h + s / 2;
  const r0 = Math.floor(z / s);
  const c0 = Math.floor(x / s);
  let sum = 0;
  for (let r = r0 - 1; r <= r0 + 1; r++) {
    for (let c = c0 - 1; c <= c0 + 1; c++) {
      const outside = r < 0 || c < 0 || r >= layout.rows || c >= layout.cols;
      if (!outside && !isBlocked(layout.cells[r * layout.cols + c]!)) continue;
      const dx = reach - Math.abs(x - (c + 0.5) * s);
      const dz = reach - Math.abs(z - (r + 0.5) * s);
      if (dx > 0 && dz > 0) sum += Math.min(dx, dz) ** 2;
    }
  }
  return sum;
}

/**
 * The fleet cost of one robot (see the module docs) as a {@link PlanningObjective} over predicted ego
 * states. `context` carries the robot's true position and velocity at the plan's start (the integration's
 * first step), and its reference or goal.
 */
export function fleetRobotCost(
  setup: { readonly layout: Layout; readonly config: WarehouseConfig },
  paths: PathDistances,
  context: RobotCostContext & { readonly vx: number; readonly vz: number },
  weights: ResolvedFleetCostWeights,
): PlanningObjective {
  const { layout, config } = setup;
  const dt = config.physicsDt * config.substeps;
  const hr = config.robotSize / 2 + weights.margin;
  const hp = config.packageSize / 2 + weights.packageMargin;
  const carrying = context.carriedDx !== 0 || context.carriedDz !== 0;
  const others = context.others.length;
  const ref = context.reference;
  const ox = context.offsetX ?? 0;
  const oz = context.offsetZ ?? 0;
  return {
    name: 'warehouse-fleet-robot',
    evaluate(batch: RolloutBatch, costs: Float32Array): void {
      const { count, horizon: H, stateDim: S, actionDim: A, actions } = batch;
      if (ref !== undefined && ref.length !== 2 * H) throw new InvalidArgumentError(`fleetRobotCost: expected a reference of ${H} × 2 values, got ${ref.length}`);
      const states = batch.rollout.states;
      const p = integratePositions(states, count, H, S, context, dt);
      const robots = others / (2 * H);
      for (let c = 0; c < count; c++) {
        let cost = 0;
        for (let t = 0; t < H; t++) {
          const x = p[(c * H + t) * 2]!;
          const z = p[(c * H + t) * 2 + 1]!;
          let goal: number;
          let progress: number;
          if (ref !== undefined) {
            const ex = x + ox - ref[2 * t]!;
            const ez = z + oz - ref[2 * t + 1]!;
            progress = weights.track * (ex * ex + ez * ez);
            goal = Math.hypot(x + ox - ref[2 * H - 2]!, z + oz - ref[2 * H - 1]!);
          } else {
            goal = paths.between(x, z, context.goalX, context.goalZ) ?? Math.hypot(x - context.goalX, z - context.goalZ) + weights.unreachable;
            progress = weights.route * goal;
          }
          let shelves = shelfPenetration(layout, config.cellSize, x, z, hr);
          if (carrying) shelves += shelfPenetration(layout, config.cellSize, x + context.carriedDx, z + context.carriedDz, hp);
          let near = 0;
          for (let j = 0; j < robots; j++) {
            const d = Math.hypot(x - context.others[(j * H + t) * 2]!, z - context.others[(j * H + t) * 2 + 1]!);
            if (d < weights.radius) near += (weights.radius - d) ** 2;
          }
          const k = (c * H + t) * S;
          const speed2 = states[k]! ** 2 + states[k + 1]! ** 2;
          const a = (c * H + t) * A;
          const b = t === 0 ? a : a - A;
          const effort = actions[a]! ** 2 + actions[a + 1]! ** 2;
          const change = (actions[a]! - actions[b]!) ** 2 + (actions[a + 1]! - actions[b + 1]!) ** 2;
          cost +=
            progress +
            weights.shelves * shelves +
            weights.robots * near +
            weights.stop * speed2 * Math.max(0, 1 - goal / weights.stopWithin) +
            weights.effort * effort +
            weights.smooth * change;
        }
        costs[c]! += cost;
      }
    },
  };
}
