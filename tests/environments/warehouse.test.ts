import { describe, expect, it } from 'vitest';
import { checkEnv } from '../../src/check.js';
import { EnvStateError, InvalidActionError } from '../../src/errors.js';
import { make } from '../../src/registry.js';
import { Rng } from '../../src/rng.js';
import { stateHash } from '../../src/physics/snapshot.js';
import type { Frame } from '../../src/physics/scene.js';
import { WAREHOUSE_OBS as O, WarehouseEnv, type WarehouseOptions } from '../../environments/warehouse/index.js';
import { WarehouseGreedyPolicy } from '../../environments/warehouse/scripted.js';

/** Package centre x at which it touches the +x side of a robot at `x` (gap 0.02 m). */
const touchingPlusX = (x: number) => x + 0.25 + 0.15 + 0.02;
const act = (vx: number, vz: number, grip = -1) => new Float32Array([vx, vz, grip]);
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

async function placed(options: WarehouseOptions, reset: Record<string, unknown>): Promise<{ env: WarehouseEnv; obs: Float32Array }> {
  const env = new WarehouseEnv(options);
  const { observation } = await env.reset({ seed: 0, options: reset });
  return { env, obs: observation };
}

describe('Warehouse-v0', () => {
  it('has the documented spaces, timing and registration', async () => {
    const env = new WarehouseEnv();
    expect(env.observationSpace.shape).toEqual([14]);
    expect(env.actionSpace.shape).toEqual([3]);
    expect(env.controlDt).toBeCloseTo(0.1, 12);
    expect(new WarehouseEnv({ gripMode: 'push' }).actionSpace.shape).toEqual([2]);
    expect(new WarehouseEnv({ lidarRays: 8 }).observationSpace.shape).toEqual([22]);
    const small = new WarehouseEnv({ layout: 'small' });
    expect(small.observationSpace.shape).toEqual([2 * 16]);
    expect(small.actionSpace.shape).toEqual([6]);
    expect(make('Warehouse-v0').spec.maxEpisodeSteps).toBe(200);
    const { observation, info } = await env.reset({ seed: 3 });
    expect(env.observationSpace.contains(observation)).toBe(true);
    expect(observation[O.hasTarget]).toBe(1);
    expect(observation[O.remaining]).toBe(1);
    expect(info).toMatchObject({ success: false, deliveries: 0, packagesRemaining: 1, collisions: 0, idleSteps: 0, throughput: 0, simTime: 0 });
    await env.close();
  });

  it('rejects bad options and reset options with messages naming them', async () => {
    expect(() => new WarehouseEnv({ robotMass: -1 })).toThrow(/Warehouse-v0 options: `robotMass`: .*\(got -1\)/);
    expect(() => new WarehouseEnv({ grip: 'lift' } as never)).toThrow(/Warehouse-v0 options: .*grip/);
    expect(() => new WarehouseEnv({ robotSize: 1.2 })).toThrow(/expected `robotSize` < `cellSize` \(1\), got 1.2/);
    expect(() => new WarehouseEnv({ layout: 'R.x\nP.D' })).toThrow(/unknown symbol "x" at row 1, column 3/);
    const env = new WarehouseEnv();
    await expect(env.reset({ options: { robots: [[1.1, 1.5]] } })).rejects.toThrow(/robots\[0\] at \[1.1,1.5\] overlaps the shelf\/wall at row 2, column 1/);
    await expect(
      env.reset({
        options: {
          robots: [
            [1.5, 1.5],
            [2.5, 2.5],
          ],
        },
      }),
    ).rejects.toThrow(/expected `robots` to have 1 entries \(one per robot\), got 2/);
    await expect(env.reset({ options: { packages: [[9, 0.15, 1]] } })).rejects.toThrow(/packages\[0\] at \[9,1\] is outside the grid/);
    await expect(env.reset({ options: { carrying: [3] } })).rejects.toThrow(/expected `carrying\[0\]` to be −1 or a package index in \[0, 0\], got 3/);
    await expect(env.reset({ options: { carying: [0] } })).rejects.toThrow(/Warehouse-v0 reset options: .*carying/);
    await expect(env.reset({ options: { robots: [[2.5, 2.5]], packages: [[2.7, 2.5]] } })).rejects.toThrow(/robots\[0\] at \[2.5,2.5\] overlaps packages\[0\] at \[2.7,0.15,2.5\]/);
    await expect(env.reset({ options: { packages: [[2.5, 0.1, 2.5]] } })).rejects.toThrow(/expected packages\[0\] height y >= 0.15 \(resting on the floor\), got 0.1/);
    await env.reset({ options: { robots: [[2.5, 2.5]], packages: [[2.5, 0.47, 2.5]] } }); // on top of the robot: allowed
    await env.reset({ seed: 1 });
    await expect(env.step(new Float32Array([0, 0]))).rejects.toThrow(InvalidActionError);
    await expect(env.step(act(2, 0))).rejects.toThrow(/expected index 0 in \[-1, 1\], got 2/);
  });

  it('same seed → identical bits; different seeds → different starts', async () => {
    const run = async (seed: number) => {
      const env = new WarehouseEnv({ layout: 'small', lidarRays: 4 });
      const obs = [bits((await env.reset({ seed })).observation)];
      const rng = Rng.fromSeed(99);
      for (let t = 0; t < 40; t++) obs.push(bits((await env.step(env.actionSpace.sample(rng))).observation));
      const hash = stateHash(env.getState().physics);
      await env.close();
      return { obs, hash };
    };
    const a = await run(7);
    const b = await run(7);
    expect(b.obs).toEqual(a.obs);
    expect(b.hash).toBe(a.hash);
    expect((await run(8)).obs[0]).not.toEqual(a.obs[0]);
  });

  it('getState → N steps → setState → same N steps is bit-identical, through grip, carry and delivery', async () => {
    const env = new WarehouseEnv();
    const policy = new WarehouseGreedyPolicy(env);
    let { observation } = await env.reset({ seed: 5 });
    // Drive until the package is carried, so the saved state holds a grip joint.
    for (let t = 0; t < 200 && observation[O.carrying] === 0; t++) observation = (await env.step(policy.act(observation))).observation;
    expect(observation[O.carrying]).toBe(1);
    const state = env.getState();
    const replay = async (target: WarehouseEnv, start: Float32Array) => {
      const out: unknown[] = [];
      let obs = start;
      for (let t = 0; t < 60; t++) {
        const r = await target.step(policy.act(obs));
        out.push([bits(r.observation), r.reward, r.terminated, r.info]);
        obs = r.observation;
        if (r.terminated) break;
      }
      return { out, hash: stateHash(target.getState().physics) };
    };
    const first = await replay(env, observation);
    expect(first.out.some((s) => (s as [unknown, unknown, boolean])[2])).toBe(true); // delivered within the window
    env.setState(state);
    expect(await replay(env, observation)).toEqual(first);
    // A fresh instance restores the same state too.
    const other = new WarehouseEnv();
    await other.reset({ seed: 123 });
    other.setState(structuredClone(state));
    expect(await replay(other, observation)).toEqual(first);
    expect(() => new WarehouseEnv({ robotMass: 31 }).setState(state)).toThrow(EnvStateError); // no scene yet
    const different = new WarehouseEnv({ robotMass: 31 });
    await different.reset({ seed: 1 });
    expect(() => different.setState(state)).toThrow(/expected a state saved by an environment with the same options and layout/);
  });

  it('grip while touching → the package moves with the robot; without grip it stays put', async () => {
    const start = { robots: [[2.5, 2.5]], packages: [[touchingPlusX(2.5), 2.5]] };
    for (const grip of [1, -1]) {
      const { env, obs } = await placed({}, start);
      expect(obs[O.carrying]).toBe(0);
      let o = (await env.step(act(0, 0, grip))).observation;
      expect(o[O.carrying]).toBe(grip > 0 ? 1 : 0);
      const before = env.positions();
      for (let t = 0; t < 10; t++) o = (await env.step(act(0, 0.5, grip))).observation;
      const after = env.positions();
      const robotMoved = after.robots[0]![2] - before.robots[0]![2];
      const packageMoved = after.packages[0]![2] - before.packages[0]![2];
      expect(robotMoved).toBeGreaterThan(0.5);
      if (grip > 0) {
        expect(Math.abs(packageMoved - robotMoved)).toBeLessThan(0.01);
        expect(o[O.targetHeight]).toBeCloseTo(0.02, 2); // lifted
        expect(o[O.targetDx]).toBeCloseTo(0.42, 2); // same offset as when gripped
      } else {
        expect(Math.abs(packageMoved)).toBeLessThan(0.01);
        expect(o[O.targetHeight]).toBeCloseTo(0, 3);
      }
      await env.close();
    }
  });

  it('grip out of reach attaches nothing; release drops the package where it is', async () => {
    const far = await placed({}, { robots: [[2.5, 2.5]], packages: [[touchingPlusX(2.5) + 0.1, 2.5]] });
    expect((await far.env.step(act(0, 0, 1))).observation[O.carrying]).toBe(0);
    const { env } = await placed({}, { robots: [[2.5, 2.5]], carrying: [0] });
    let o = (await env.step(act(0, 0.5, 1))).observation;
    expect(o[O.carrying]).toBe(1);
    o = (await env.step(act(0, 0, -1))).observation;
    expect(o[O.carrying]).toBe(0);
    for (let t = 0; t < 5; t++) o = (await env.step(act(0, 0, -1))).observation;
    const dropped = env.positions().packages[0]!;
    expect(dropped[1]).toBeCloseTo(0.15, 3); // back on the floor
    for (let t = 0; t < 10; t++) o = (await env.step(act(0, -0.6, -1))).observation;
    expect(env.positions().packages[0]![2]).toBeCloseTo(dropped[2], 3); // left behind
  });

  it('push mode has no grip: packages move only when pushed', async () => {
    const { env } = await placed({ gripMode: 'push' }, { robots: [[2.5, 2.5]], packages: [[touchingPlusX(2.5), 2.5]] });
    const before = env.positions().packages[0]!;
    for (let t = 0; t < 10; t++) await env.step(new Float32Array([0.5, 0]));
    const after = env.positions().packages[0]!;
    expect(after[0] - before[0]).toBeGreaterThan(0.5);
  });

  it('delivers a released package resting in a drop zone: terminates with success and the bonus', async () => {
    for (const sparse of [false, true]) {
      const { env } = await placed({ sparse }, { robots: [[1.5, 4.08]], packages: [[1.5, 0.17, 4.5]], carrying: [0] });
      const held = await env.step(act(0, 0, 1));
      expect(held.terminated).toBe(false); // still carried: not delivered
      const r = await env.step(act(0, 0, -1));
      expect(r.terminated).toBe(true);
      expect(r.truncated).toBe(false);
      expect(r.info).toMatchObject({ success: true, deliveries: 1, packagesRemaining: 0 });
      expect(r.info.throughput).toBeCloseTo(3600 / 0.2, 6);
      expect(r.observation[O.remaining]).toBe(0);
      expect(r.observation[O.hasTarget]).toBe(0);
      if (sparse) expect(r.reward).toBe(1);
      else expect(r.reward).toBeGreaterThan(4.5); // bonus 5 plus a small shaping change
      const frame = env.render('frame') as Frame;
      expect(frame.bodies.map((b) => b.name)).not.toContain('package-0');
      expect(frame.markers?.map((m) => m.tag)).toEqual(['drop-zone']);
      await expect(env.step(act(0, 0))).rejects.toThrow(EnvStateError);
    }
  });

  it('dense reward is the change of the potential: approaching the package is rewarded', async () => {
    const { env } = await placed({}, { robots: [[1.5, 2.5]], packages: [[4.5, 2.5]] });
    const toward = await env.step(act(1, 0));
    const away = await (await placed({}, { robots: [[3.5, 2.5]], packages: [[5.5, 2.5]] })).env.step(act(-1, 0));
    expect(toward.reward).toBeGreaterThan(0.02);
    expect(away.reward).toBeLessThan(-0.02);
    expect(toward.reward).toBeCloseTo(-away.reward, 4); // positions are float32
  });

  it('counts robot–shelf and robot–robot collisions, and a robot cannot pass through a shelf', async () => {
    const { env } = await placed({}, { robots: [[1.5, 2.5]] });
    let info = (await env.step(act(-1, 0))).info;
    for (let t = 0; t < 20; t++) info = (await env.step(act(-1, 0))).info;
    expect(info.robotShelfCollisions).toBe(1);
    expect(env.positions().robots[0]![0]).toBeGreaterThan(1.25 - 0.01); // the border shelf face is at x = 1
    expect(info.idleSteps).toBeGreaterThan(10); // pressed against the shelf
    const two = new WarehouseEnv({ layout: 'R...R\n.....\nP...D' });
    await two.reset({
      seed: 0,
      options: {
        robots: [
          [0.5, 0.5],
          [4.5, 0.5],
        ],
      },
    });
    for (let t = 0; t < 30; t++) info = (await two.step(new Float32Array([1, 0, -1, -1, 0, -1]))).info;
    expect(info.robotRobotCollisions).toBe(1);
    expect(info.collisions).toBe(1);
    expect(two.robotInfo(0).robotRobotCollisions).toBe(1);
    expect(two.robotInfo(1).robotRobotCollisions).toBe(1);
  });

  it('the time limit truncates, never terminates', async () => {
    const env = make('Warehouse-v0');
    await env.reset({ seed: 0 });
    let last;
    for (let t = 0; t < 200; t++) {
      last = await env.step(act(0, 0));
      if (t < 199) expect(last.truncated).toBe(false);
      expect(last.terminated).toBe(false);
    }
    expect(last!.truncated).toBe(true);
    expect(last!.info.simTime).toBeCloseTo(20, 9);
    await expect(env.step(act(0, 0))).rejects.toThrow(EnvStateError);
  });

  it('physics sanity: commanded speed, free fall, resting packages', async () => {
    // A robot commanded at v reaches v at maxAcceleration, then cruises: after 2 s it covered v·t less
    // the ramp's shortfall. Reference: the same servo integrated semi-implicitly at the physics step.
    const { env } = await placed({}, { robots: [[1.5, 1.5]], packages: [[5.5, 4.5]] });
    let o = env.observationSpace.sample(Rng.fromSeed(0));
    for (let t = 0; t < 20; t++) o = (await env.step(act(0.5, 0))).observation;
    const v = 0.75;
    let speed = 0;
    let distance = 0;
    for (let k = 0; k < 100; k++) {
      speed = Math.min(v, speed + 4 * 0.02);
      distance += speed * 0.02;
    }
    expect(o[O.vx]).toBeCloseTo(v, 4);
    expect(o[O.x]! - 1.5).toBeCloseTo(distance, 4);
    expect(Math.abs(distance / (v * 2) - 1)).toBeLessThan(0.05); // within 5% of v·t after 2 s
    // Free fall for 0.5 s from 3 m matches ½gt²; the integrator's error shrinks linearly with the
    // physics step: measured +1.0% at the default 0.02 s, +0.5% at 0.01 s, +0.05% at 0.001 s.
    const fallError = async (physicsDt: number, substeps: number) => {
      const e = (await placed({ physicsDt, substeps }, { robots: [[1.5, 1.5]], packages: [[4.5, 3, 3.5]] })).env;
      for (let t = 0; t < 5; t++) await e.step(act(0, 0));
      return (3 - e.positions().packages[0]![1]) / (0.5 * 9.81 * 0.5 ** 2) - 1;
    };
    const coarse = await fallError(0.02, 5);
    expect(coarse).toBeGreaterThan(0);
    expect(coarse).toBeLessThan(0.011);
    expect(Math.abs(await fallError(0.01, 10))).toBeLessThan(0.006);
    expect(Math.abs(await fallError(0.001, 100))).toBeLessThan(0.001);
    // A package resting on the floor stays put for 10 s and does not sink.
    const rest = (await placed({}, { robots: [[1.5, 1.5]], packages: [[4.5, 3.5]] })).env;
    for (let t = 0; t < 100; t++) await rest.step(act(0, 0));
    const p = rest.positions().packages[0]!;
    expect(Math.hypot(p[0] - 4.5, p[2] - 3.5)).toBeLessThan(1e-4);
    expect(p[1]).toBeCloseTo(0.15, 3);
  });

  it('lidar measures distances to shelves, clipped to its range', async () => {
    const { obs } = await placed({ lidarRays: 4 }, { robots: [[2.5, 2.5]], packages: [[5.5, 1.5]] });
    const lidar = Array.from(obs.slice(14, 18));
    // +x to the border shelf at x = 6; +z to z = 5; −x to x = 1; −z to z = 1.
    [3.5, 2.5, 1.5, 1.5].forEach((d, k) => {
      expect(lidar[k]).toBeCloseTo(d, 3);
    });
    const clipped = (await placed({ lidarRays: 4, lidarRange: 2 }, { robots: [[2.5, 2.5]], packages: [[5.5, 1.5]] })).obs;
    expect(Array.from(clipped.slice(14, 18))).toEqual([2, 2, 1.5, 1.5]);
  });

  it('renders the grid as text and the scene as a frame', async () => {
    const { env } = await placed({}, { robots: [[1.5, 1.5]], packages: [[5.5, 3.5]] });
    const text = env.render('ansi') as string;
    expect(text.split('\n').slice(0, 6)).toEqual(['#######', '#R....#', '#.....#', '#....P#', '#D....#', '#######']);
    expect(text).toMatch(/step 0 {2}delivered 0\/1/);
    const frame = env.render('frame') as Frame;
    expect(frame.bodies.filter((b) => b.tag === 'robot')).toHaveLength(1);
    expect(frame.bodies.filter((b) => b.tag === 'package')).toHaveLength(1);
    expect(frame.markers).toEqual([{ name: 'drop-zone-0', position: [1.5, 0, 4.5], radius: 0.5, tag: 'drop-zone' }]);
    expect(() => env.render('rgb')).toThrow(/expected mode 'frame' or 'ansi', got "rgb"/);
  });

  it('passes checkEnv (tiny; small with lidar in push mode)', async () => {
    const report = await checkEnv(new WarehouseEnv());
    expect(report.failures).toEqual([]);
    const other = await checkEnv(new WarehouseEnv({ layout: 'small', lidarRays: 6, gripMode: 'push', sparse: true }));
    expect(other.failures).toEqual([]);
  });
});
