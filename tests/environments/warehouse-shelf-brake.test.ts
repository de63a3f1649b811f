/**
 * The shelf brake (issue 16): speed and separation monitoring under fleet plans — the braking law, the free
 * distance on the grid, and a robot driven at full speed at a wall that stops short of it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type FleetMotionSource,
  WarehouseEnv,
  WarehouseFleetMpcPolicy,
  brakeCap,
  egoObservationDim,
  freeDistance,
  parseLayout,
  resolveWarehouseOptions,
  shelfBrake,
} from '../../environments/warehouse/index.js';
import { WAREHOUSE_OBS as O } from '../../environments/warehouse/observation.js';
import { initRapier } from '../../src/physics/rapier.js';

beforeAll(async () => {
  await initRapier();
});

// Row 1 is an aisle, x in [1, 7], with walls at both ends and shelves on both sides (but for the package's
// and the drop zone's cells in row 2).
const CORRIDOR = `
########
#R.....#
#P####D#
########
`;

describe('brakeCap', () => {
  it('allows exactly the speed from which one more step and braking stop at the point', () => {
    const a = 3;
    const dt = 0.1;
    for (const d of [0.05, 0.3, 1]) {
      const v = brakeCap(10, d, a, dt);
      expect(v * dt + (v * v) / (2 * a)).toBeCloseTo(d, 12);
      expect(brakeCap(-10, -d, a, dt)).toBeCloseTo(-v, 12);
    }
    expect(brakeCap(0.1, 1, a, dt)).toBe(0.1); // slow enough already
    expect(brakeCap(-2, 0.5, a, dt)).toBe(-2); // moving away
    expect(brakeCap(2, 0, a, dt)).toBe(0); // at the point: no speed toward it
  });
});

describe('freeDistance', () => {
  const layout = parseLayout(CORRIDOR);
  it('measures from the footprint’s leading edge to the first blocked cell across its width, or the limit', () => {
    const box = [1.25, 1.75, 1.25, 1.75] as const; // a 0.5 m robot at (1.5, 1.5)
    expect(freeDistance(layout, 1, box, 'x', 1, 10)).toBeCloseTo(5.25, 12); // to the wall at x = 7
    expect(freeDistance(layout, 1, box, 'x', 1, 2)).toBe(2);
    expect(freeDistance(layout, 1, box, 'x', -1, 10)).toBeCloseTo(0.25, 12); // to x = 1
    expect(freeDistance(layout, 1, box, 'z', 1, 10)).toBeCloseTo(1.25, 12); // a package's cell is floor: to row 3
    expect(freeDistance(layout, 1, box, 'z', -1, 10)).toBeCloseTo(0.25, 12);
    // Flush with a boundary is not into it; past it is 0.
    expect(freeDistance(layout, 1, [6.5, 7, 1.25, 1.75], 'x', 1, 10)).toBe(0);
    expect(freeDistance(layout, 1, [6.5, 7.02, 1.25, 1.75], 'x', 1, 10)).toBe(0);
    expect(freeDistance(layout, 1, [5.5, 6, 1.25, 1.75], 'x', 1, 10)).toBeCloseTo(1, 12);
    // A footprint reaching into row 2 meets that row's shelves too.
    const open = parseLayout('#####\n#R..P\n#...D\n#####');
    expect(freeDistance(open, 1, [1.25, 1.75, 1.5, 2.4], 'x', 1, 10)).toBeCloseTo(3.25, 12); // the grid's edge, x = 5
  });
});

describe('shelfBrake', () => {
  const options = resolveWarehouseOptions({ layout: CORRIDOR }, 'test');
  const setup = { layout: options.layout, config: options.config, controlDt: 0.1 };
  const robot = { x: 6.4, z: 1.5, vx: 1.5, vz: 0, carrying: false, carriedDx: 0, carriedDz: 0 };

  it('limits the command toward a shelf to what the robot can stop from, and leaves motion along it alone', () => {
    const [vx, vz] = shelfBrake(setup, robot, 1.5, 0);
    expect(vx).toBeLessThan(1.5);
    expect(vx).toBeGreaterThan(0);
    expect(vz).toBe(0);
    expect(shelfBrake(setup, { ...robot, x: 2.5, vx: 0.5 }, 0.5, 0)).toEqual([0.5, 0]); // far away
    expect(shelfBrake(setup, { ...robot, vx: 0 }, -1.5, 0)[0]).toBe(-1.5); // away from the wall
    expect(shelfBrake(setup, robot, -1.5, 0)[0]).toBe(0); // braking: it stops before it reverses
    // A carried package ahead of the robot is what meets the shelf first: it brakes earlier.
    const carrying = shelfBrake(setup, { ...robot, x: 6.1, carrying: true, carriedDx: 0.45, carriedDz: 0 }, 1.5, 0)[0];
    expect(carrying).toBeLessThan(shelfBrake(setup, { ...robot, x: 6.1 }, 1.5, 0)[0]);
  });

  it('gives the braking axis the whole drive: the other axis keeps its speed, a braking axis does not reverse', () => {
    // Braking in x: the planner's sideways command is replaced by the current sideways speed.
    const [vx, vz] = shelfBrake(setup, { ...robot, vz: 0.05 }, 1.5, 0.2);
    expect(vx).toBeLessThan(1.5);
    expect(vz).toBe(0.05);
    // Braking in x and z at once (a corner): neither axis is driven backward beyond a stop.
    const corner = { ...robot, x: 6.6, z: 1.4, vx: 1, vz: -1 };
    expect(shelfBrake(setup, corner, -1, 1)).toEqual([0, 0]);
    const [cx, cz] = shelfBrake(setup, corner, 1, -1);
    expect(cx).toBeLessThan(1);
    expect(cz).toBeGreaterThan(-1);
  });

  it('stops a robot commanded at full speed at a wall short of it (without the brake, it hits)', async () => {
    const run = async (brake: boolean) => {
      const env = new WarehouseEnv({ layout: CORRIDOR });
      let { observation, info } = await env.reset({ seed: 0, options: { robots: [[1.5, 1.5]] } });
      for (let t = 0; t < 60; t++) {
        const s = { x: observation[O.x]!, z: observation[O.z]!, vx: observation[O.vx]!, vz: observation[O.vz]!, carrying: false, carriedDx: 0, carriedDz: 0 };
        const [vx, vz] = brake ? shelfBrake(setup, s, 1.5, 0) : [1.5, 0];
        ({ observation, info } = await env.step(Float32Array.of(vx / 1.5, vz / 1.5, -1)));
      }
      await env.close();
      return { contacts: info.robotShelfCollisions, x: observation[O.x]! };
    };
    const braked = await run(true);
    expect(braked.contacts).toBe(0);
    expect(braked.x).toBeGreaterThan(6.6); // it did drive up to the wall (x = 7, its half size 0.25)
    expect((await run(false)).contacts).toBeGreaterThan(0);
  });

  it('sits under fleet MPC’s plans by default, and `shelfBrake: false` executes them as they are', async () => {
    // A motion source that plans full speed east for every robot, every step.
    const source: FleetMotionSource = {
      horizon: 10,
      stateDim: egoObservationDim(),
      plan: async (request) => ({
        actions: new Float32Array(request.robots.length * 10 * 2).map((_, k) => (k % 2 === 0 ? 1 : 0)),
        predicted: new Float32Array(0),
        overran: request.robots.map(() => false),
        iterations: request.robots.map(() => 1),
        ms: 0,
      }),
    };
    const first = async (options: { shelfBrake?: boolean }) => {
      const env = new WarehouseEnv({ layout: CORRIDOR });
      const { observation } = await env.reset({ seed: 0, options: { robots: [[6.4, 1.5]] } });
      const policy = new WarehouseFleetMpcPolicy(env, source, options);
      policy.reset(0);
      const action = await policy.act(observation);
      await env.close();
      return action[0]!;
    };
    // At rest 0.35 m from the wall: at most the speed it can stop from (well below full speed).
    expect(await first({})).toBeLessThan(0.8);
    expect(await first({ shelfBrake: false })).toBe(1);
  });
});
