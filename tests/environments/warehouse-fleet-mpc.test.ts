/**
 * Fleet MPC for the warehouse (issue 16): the cost terms, the prioritised plan's reference, the Rapier
 * oracle over ego-centric states, and the policy end to end on the oracle.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PathDistances,
  WarehouseEnv,
  WarehouseFleetMpcPolicy,
  WarehouseFleetOracle,
  WarehousePrioritizedPolicy,
  egoObservationDim,
  egoObservations,
  integratePositions,
  parseLayout,
  resolveWarehouseOptions,
  fleetCostWeights,
  fleetRobotCost,
  shelfPenetration,
} from '../../environments/warehouse/index.js';
import { initRapier } from '../../src/physics/rapier.js';

beforeAll(async () => {
  await initRapier();
});

const MAP = `
#######
#R....#
#.###.#
#..P..#
#D....#
#######
`;

describe('fleet MPC costs', () => {
  const layout = parseLayout(MAP);
  const { config } = resolveWarehouseOptions({ layout: MAP }, 'test');

  it('measures routes straight inside the goal’s own cell, so they fall all the way to the goal', () => {
    const paths = new PathDistances(layout, 1);
    const goal: [number, number] = [3.8, 1.3];
    const d = [3.2, 3.4, 3.6, 3.8].map((x) => paths.between(x, 1.3, ...goal)!);
    expect(d[0]).toBeCloseTo(0.6, 6);
    expect(d[3]).toBe(0);
    for (let k = 1; k < d.length; k++) expect(d[k]).toBeLessThan(d[k - 1]!);
    // From the next cell the route still goes through the cells' centres.
    expect(paths.between(2.5, 1.5, ...goal)).toBeCloseTo(1 + Math.hypot(0.3, 0.2), 6);
  });

  it('integrates predicted velocities by the trapezoid rule from the true start', () => {
    // Two candidates, H = 3, S = 2: one accelerating to 1 m/s in x, one standing still.
    const states = Float32Array.of(0.5, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0);
    const p = integratePositions(states, 2, 3, 2, { x: 1, z: 2, vx: 0, vz: 0 }, 0.1);
    expect(Array.from(p.subarray(0, 6)).map((v) => +v.toFixed(6))).toEqual([1.025, 2, 1.1, 2, 1.2, 2]);
    expect(Array.from(p.subarray(6))).toEqual([1, 2, 1, 2, 1, 2]);
  });

  it('charges footprints that reach into shelves or out of the grid, and nothing in an aisle', () => {
    expect(shelfPenetration(layout, 1, 1.5, 1.5, 0.3)).toBe(0); // the corner cell: 0.2 m to each wall
    expect(shelfPenetration(layout, 1, 2.5, 1.8, 0.3)).toBeCloseTo(0.1 ** 2, 6); // 0.1 m into the shelf below
    expect(shelfPenetration(layout, 1, 1.25, 1.5, 0.3)).toBeCloseTo(0.05 ** 2, 6); // into the wall on the left
    expect(shelfPenetration(layout, 1, 0.2, 1.5, 0.3)).toBeGreaterThan(0.2); // outside the walkable area
  });

  it('prefers the candidate that follows the reference, and checks the reference’s length', () => {
    const S = egoObservationDim();
    const H = 4;
    const reference = Float32Array.from({ length: 2 * H }, (_, i) => (i % 2 === 0 ? 1.5 + 0.1 * (i / 2 + 1) : 1.5));
    const objective = fleetRobotCost(
      { layout, config },
      new PathDistances(layout, 1),
      { x: 1.5, z: 1.5, vx: 1, vz: 0, goalX: 1.9, goalZ: 1.5, reference, carriedDx: 0, carriedDz: 0, others: new Float32Array(0) },
      fleetCostWeights(),
    );
    const states = new Float32Array(2 * H * S);
    for (let t = 0; t < H; t++) states[t * S] = 1; // candidate 0 keeps 1 m/s in x; candidate 1 stops at once
    const actions = new Float32Array(2 * H * 2);
    for (let t = 0; t < H; t++) actions[t * 2] = 1 / config.maxSpeed;
    const costs = new Float32Array(2);
    const batch = { count: 2, horizon: H, stateDim: S, actionDim: 2, startStates: new Float32Array(2 * S), actions, rollout: { states, rewards: new Float32Array(2 * H) } };
    objective.evaluate(batch, costs);
    expect(costs[0]).toBeLessThan(costs[1]!);
    expect(() => objective.evaluate({ ...batch, horizon: 2 }, costs)).toThrow(/reference of 2 × 2 values/);
  });
});

describe('WarehousePrioritizedPolicy.reference', () => {
  it('gives where the reservation plan puts each robot, cell centres at tick ends', async () => {
    const env = new WarehouseEnv({ layout: 'medium', robots: 8 });
    const policy = new WarehousePrioritizedPolicy(env);
    expect(() => policy.reference(0, 3)).toThrow(/after act/);
    const { observation } = await env.reset({ seed: 0 });
    policy.act(observation);
    expect(() => policy.reference(8, 3)).toThrow(/robot index in \[0, 7\]/);
    for (let r = 0; r < 8; r++) {
      const ref = policy.reference(r, 12); // one tick (stepsPerMove 12): its last point ends the move
      expect(ref.points).toHaveLength(24);
      if (ref.docking) continue;
      expect(Math.abs((ref.points[22]! % 1) - 0.5)).toBeLessThan(1e-5);
      expect(Math.abs((ref.points[23]! % 1) - 0.5)).toBeLessThan(1e-5);
    }
    await env.close();
  });
});

describe('WarehousePrioritizedPolicy docking', () => {
  it('lines the robot up with a package jittered across a one-cell aisle only as far as keeps 0.1 m to the shelf, and still grips it', async () => {
    const corridor = `
#######
#R.P.D#
#######
`;
    const env = new WarehouseEnv({ layout: corridor });
    const policy = new WarehousePrioritizedPolicy(env);
    policy.reset(0);
    // The package 0.2 m toward the aisle's south wall (z = 2): lined up, the robot would keep 5 cm from it.
    let { observation, info } = await env.reset({ seed: 0, options: { robots: [[1.5, 1.5]], packages: [[3.5, 1.7]] } });
    let docked = false;
    for (let t = 0; t < 200 && Number(info.deliveries) === 0; t++) {
      const action = policy.act(observation);
      const ref = policy.reference(0, 10);
      if (ref.docking) {
        docked = true;
        // Robot half 0.25 + clearance 0.1: the reference stays within 0.15 m of the aisle's centre line.
        for (let k = 0; k < 10; k++) expect(ref.points[2 * k + 1]!).toBeLessThanOrEqual(1.65 + 1e-6);
      }
      ({ observation, info } = await env.step(action));
    }
    expect(docked).toBe(true);
    expect(info.deliveries).toBe(1);
    expect(info.robotShelfCollisions).toBe(0);
    await env.close();
  });
});

/** The `small` layout's environment and a Rapier fleet oracle for it. */
async function smallFleet(): Promise<{ env: WarehouseEnv; oracle: WarehouseFleetOracle; close: () => Promise<void> }> {
  const options = { layout: 'small' } as const;
  const env = new WarehouseEnv(options);
  const oracle = await WarehouseFleetOracle.create(options);
  return { env, oracle, close: async () => (await oracle.close(), await env.close()) };
}

describe('WarehouseFleetOracle', () => {
  it('rolls candidate k of every robot out together, exactly as the environment steps', async () => {
    const { env, oracle, close } = await smallFleet();
    const { observation } = await env.reset({ seed: 3 });
    const S = oracle.stateDim;
    const R = env.numRobots;
    const start = egoObservations(observation, env);
    const states = new Float32Array(R * 2 * S);
    for (let r = 0; r < R; r++) for (let k = 0; k < 2; k++) states.set(start.subarray(r * S, (r + 1) * S), (r * 2 + k) * S);
    const actions = Float32Array.from({ length: R * 2 * 2 * 3 }, (_, i) => (i % 3 === 2 ? -1 : Math.sin(i)));
    await expect(oracle.rollout(states, actions, 2)).rejects.toThrow(/setStart/);
    oracle.setStart(env.getState(), observation);
    const rolled = await oracle.rollout(states, actions, 2);
    // Candidate 1 of every robot, stepped on the environment itself.
    for (let t = 0; t < 2; t++) {
      const joint = new Float32Array(R * 3);
      for (let r = 0; r < R; r++) joint.set(actions.subarray(((r * 2 + 1) * 2 + t) * 3, ((r * 2 + 1) * 2 + t + 1) * 3), r * 3);
      const ego = egoObservations((await env.step(joint)).observation, env);
      for (let r = 0; r < R; r++)
        expect(Array.from(rolled.states.subarray(((r * 2 + 1) * 2 + t) * S, ((r * 2 + 1) * 2 + t + 1) * S))).toEqual(Array.from(ego.subarray(r * S, (r + 1) * S)));
    }
    const moved = Float32Array.from(states);
    moved[0] = 9;
    await expect(oracle.rollout(moved, actions, 2)).rejects.toThrow(/row 0 \(robot 0\) is not the start/);
    await expect(oracle.rollout(states.subarray(S), actions, 2)).rejects.toThrow(/robots \(2\) × n rows/);
    await close();
  });
});

describe('WarehouseFleetMpcPolicy', () => {
  it('delivers on the Rapier oracle without robot–robot collisions, the same way every time', async () => {
    const { env, oracle, close } = await smallFleet();
    const run = async (steps: number) => {
      const policy = new WarehouseFleetMpcPolicy(env, oracle, { optimizer: { algorithm: 'icem', samples: 16, iterations: 2, initStd: 0.1 }, seed: 1 });
      policy.reset(5);
      let { observation, info } = await env.reset({ seed: 5 });
      const trace: number[] = [];
      for (let t = 0; t < steps; t++) {
        oracle.setStart(env.getState(), observation);
        const action = await policy.act(observation);
        trace.push(...action);
        const r = await env.step(action);
        observation = r.observation;
        info = r.info;
        if (r.terminated) break;
      }
      return { info, trace };
    };
    const long = await run(160);
    expect(long.info.deliveries).toBeGreaterThanOrEqual(1);
    expect(long.info.robotRobotCollisions).toBe(0);
    const again = await run(20);
    expect(again.trace).toEqual(long.trace.slice(0, again.trace.length));
    await close();
  }, 120_000);

  it('refuses a model that does not fit the ego vector, and bad options', async () => {
    const env = new WarehouseEnv({ layout: 'small' });
    const model = { stateDim: 5, actionDim: 3, rollout: async () => ({ states: new Float32Array(0), rewards: new Float32Array(0) }) };
    expect(() => new WarehouseFleetMpcPolicy(env, model)).toThrow(/ego-centric states of 52 values .* got stateDim 5/);
    const fits = { ...model, stateDim: egoObservationDim() };
    expect(() => new WarehouseFleetMpcPolicy(env, { ...fits, actionDim: 2 })).toThrow(/actionDim 3\), got actionDim 2/);
    expect(() => new WarehouseFleetMpcPolicy(env, fits, { replanEvery: 11 })).toThrow(/replanEvery in \[1, horizon = 10\]/);
    expect(() => new WarehouseFleetMpcPolicy(env, fits, { shelfBrake: 1 as never })).toThrow(/shelfBrake true, false or its options, got 1/);
    expect(() => new WarehouseFleetMpcPolicy(env, fits, { shelfBrake: { margin: -0.1 } })).toThrow(/shelfBrake.margin ≥ 0 \(m\), got -0.1/);
    expect(() => new WarehouseFleetMpcPolicy(env, fits, { shelfBrake: { brakeFraction: 1.5 } })).toThrow(/brakeFraction in \(0, 1\], got 1.5/);
    expect(() => new WarehouseFleetMpcPolicy(env, fits, { tasks: 'nearest' as 'greedy' })).toThrow(/tasks 'prioritized' or 'greedy'/);
    await expect(new WarehouseFleetMpcPolicy(env, fits).act(new Float32Array(3))).rejects.toThrow(/observation of \d+ values, got 3/);
    await env.close();
  });
});
