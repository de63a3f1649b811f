/**
 * The prioritised fleet baseline (issue 16): space-time reservations and zero robot–robot collisions
 * on the medium layout with 8 and 16 robots; the fleet metrics in `info`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReservationTable, WarehouseEnv, WarehousePrioritizedPolicy, distanceMap, spaceTimeAStar } from '../../environments/warehouse/index.js';

describe('reservation table and space-time A*', () => {
  // A 1 × 5 corridor: cells 0 1 2 3 4.
  const open = new Uint8Array(5).fill(1);

  it('plans straight to the goal on an empty table and waits there', () => {
    const table = new ReservationTable(5, 6);
    const path = spaceTimeAStar(table, open, 1, 5, 0, 0, 4, distanceMap(open, 1, 5, 4));
    expect(path).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses vertex, following and swap conflicts', () => {
    const table = new ReservationTable(5, 6);
    table.reservePath([2, 2, 3], 1); // robot 1 sits in 2 for two ticks, then moves to 3 for good
    expect(table.free(0, 2, 0)).toBe(false); // vertex
    expect(table.free(2, 2, 0)).toBe(false); // robot 1 leaves 2 at tick 2: entering then would follow it in
    expect(table.free(3, 2, 0)).toBe(true); // a tick after it left, the cell is free again
    expect(table.free(1, 3, 0)).toBe(false); // robot 1 enters 3 at tick 2: being there at tick 1 would be followed
    expect(table.free(2, 2, 1)).toBe(true); // its own cells are free to itself
    // Robot 0 cannot pass robot 1 in a corridor: it gets as close as the rules allow.
    const path = spaceTimeAStar(table, open, 1, 5, 0, 0, 4, distanceMap(open, 1, 5, 4))!;
    for (let t = 0; t < path.length; t++) expect(table.free(t, path[t]!, 0)).toBe(true);
    expect(path.at(-1)).toBeLessThan(3);
  });
});

describe('WarehousePrioritizedPolicy', () => {
  it.each([8, 16])(
    'delivers every package on the medium layout with %i robots and no robot–robot collision',
    async (robots) => {
      const env = new WarehouseEnv({ layout: 'medium', robots });
      const policy = new WarehousePrioritizedPolicy(env);
      policy.reset(0);
      let { observation } = await env.reset({ seed: 0 });
      let info: Record<string, unknown> = {};
      for (let t = 0; t < 1000; t++) {
        const r = await env.step(policy.act(observation));
        observation = r.observation;
        info = r.info;
        expect(info.robotRobotCollisions).toBe(0);
        if (r.terminated) break;
      }
      expect(info).toMatchObject({ success: true, deliveries: 8, robotRobotCollisions: 0 });
      // Metrics: throughput per simulated hour and per robot-hour, idle robot-seconds.
      const simTime = info.simTime as number;
      expect(info.throughput).toBeCloseTo((8 * 3600) / simTime, 6);
      expect(info.deliveriesPerRobotHour).toBeCloseTo((8 * 3600) / (simTime * robots), 6);
      expect(info.idleTime).toBeCloseTo((info.idleSteps as number) * 0.1, 6);
      const latency = policy.planLatency();
      expect(latency.meanMs).toHaveLength(robots);
      expect(latency.plans.every((n) => n > 0)).toBe(true);
      expect(latency.maxMs.every((ms, i) => ms >= latency.meanMs[i]!)).toBe(true);
      await env.close();
    },
    30_000,
  );

  it("drives carriers without touching a shelf (their braking and the package's clearance), medium, 8 robots", async () => {
    // Before both (seed 108 of the bench's seeds): 3 robot–shelf contacts — a carrier overshooting into the wall at a
    // dead end after a one-cell move, and packages whose corners caught the shelf corners entering an aisle.
    const env = new WarehouseEnv({ layout: 'medium', robots: 8 });
    const policy = new WarehousePrioritizedPolicy(env);
    policy.reset(108);
    let { observation, info } = await env.reset({ seed: 108 });
    for (let t = 0; t < 300; t++) {
      const r = await env.step(policy.act(observation));
      observation = r.observation;
      info = r.info;
      if (r.terminated) break;
    }
    expect(info).toMatchObject({ robotShelfCollisions: 0, robotRobotCollisions: 0 });
    expect(info.deliveries).toBeGreaterThanOrEqual(7);
    await env.close();
  }, 30_000);

  it('refuses what it cannot drive', () => {
    expect(() => new WarehousePrioritizedPolicy({} as never)).toThrow(/expected a WarehouseEnv/);
    expect(() => new WarehousePrioritizedPolicy(new WarehouseEnv({ gripMode: 'push' }))).toThrow(/expected gripMode 'lift'/);
    expect(() => new WarehousePrioritizedPolicy(new WarehouseEnv(), { window: 1 })).toThrow(/`window` to be an integer ≥ 2/);
  });
});

describe('runFleet (embodied fleet)', () => {
  it('reports the fleet metrics per episode, on a built-in layout and on a MovingAI map', async () => {
    const { formatFleetReport, runFleet } = await import('../../workflows/fleet.js');
    const report = await runFleet({ envOptions: { layout: 'small' }, maxSteps: 40, episodes: 2, seed: 3 });
    expect(report).toMatchObject({ policy: 'prioritized', robots: 2, packages: 4, maxSteps: 40, stopped: false });
    expect(report.episodes.map((e) => [e.seed, e.steps])).toEqual([
      [3, 40],
      [4, 40],
    ]);
    const e = report.episodes[0]!;
    expect(e.planLatency.meanMs).toHaveLength(2);
    expect(e.simTime).toBeCloseTo(4, 6);
    expect(e.stepsPerSecond).toBeGreaterThan(0);
    expect(formatFleetReport(report)).toMatch(/robot-robot {2}robot-shelf/);
    const map = join(import.meta.dirname, '../../environments/warehouse/maps/aisles-24x12.map');
    const greedy = await runFleet({ envOptions: { layoutFile: map, robots: 3 }, policy: 'greedy', maxSteps: 10 });
    expect(greedy).toMatchObject({ robots: 3, packages: 3, layout: { rows: 12, cols: 24 } });
    expect(greedy.episodes[0]!.planLatency.meanMs).toEqual([]);
    await expect(runFleet({ envOptions: {}, policy: 'smart' as never })).rejects.toThrow(/`policy`/);
  });
});

describe('egoObservations', () => {
  it('describes each robot relative to itself: the same on a shifted map, the same length for any fleet', async () => {
    const { SMALL_MAP, egoObservations, egoObservationDim, EGO_BASE } = await import('../../environments/warehouse/index.js');
    const shifted = SMALL_MAP.split('\n')
      .map((l) => (l.trim() === '' ? l : `###${l}`))
      .join('\n');
    const a = new WarehouseEnv({ layout: SMALL_MAP });
    const b = new WarehouseEnv({ layout: shifted });
    const oa = (await a.reset({ seed: 4 })).observation;
    const ob = (await b.reset({ seed: 4 })).observation;
    const ea = egoObservations(oa, a);
    const eb = egoObservations(ob, b);
    expect(ea).toHaveLength(2 * egoObservationDim());
    for (let i = 0; i < ea.length; i++) expect(eb[i]).toBeCloseTo(ea[i]!, 4);
    // Robot 0 sees robot 1 in its first slot; the second slot is empty (two robots).
    expect(ea[EGO_BASE]).toBe(1);
    expect(ea[EGO_BASE + 1]).toBeCloseTo(oa[16]! - oa[0]!, 5);
    expect(Array.from(ea.subarray(EGO_BASE + 5, EGO_BASE + 10))).toEqual([0, 0, 0, 0, 0]);
    // Shelves: the nearest blocked cell of robot 0 (start cell (1, 1) beside the border) is 1 m away or less.
    const shelf = EGO_BASE + 5 * 4;
    expect(ea[shelf]).toBe(1);
    expect(Math.hypot(ea[shelf + 1]!, ea[shelf + 2]!)).toBeLessThanOrEqual(1.3);
    const big = new WarehouseEnv({ layout: 'medium', robots: 8 });
    expect(egoObservations((await big.reset({ seed: 0 })).observation, big)).toHaveLength(8 * egoObservationDim());
    expect(() => egoObservations(new Float32Array(3), a)).toThrow(/expected a flat observation of 2 × 16 values, got 3/);
    await Promise.all([a.close(), b.close(), big.close()]);
  });
});

describe('collectFleetDataset', () => {
  it('records every robot of fleets of different sizes and maps as ego-centric episodes of one dataset', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { collectFleetDataset } = await import('../../workflows/fleet-data.js');
    const { Dataset } = await import('../../src/training/dataset.js');
    const { egoObservationDim } = await import('../../environments/warehouse/index.js');
    const out = join(mkdtempSync(join(tmpdir(), 'fleet-data-')), 'ds');
    const map = join(import.meta.dirname, '../../environments/warehouse/maps/aisles-24x12.map');
    const manifest = await collectFleetDataset({ out, fleets: [{ layout: 'small' }, { layoutFile: map, robots: 3 }], maxSteps: 12, seed: 2 });
    expect(manifest.counts.episodes).toBe(2 + 3);
    const ds = await Dataset.load(out);
    expect(ds.numEpisodes).toBe(5);
    expect(ds.size).toBe(5 * 12);
    expect(ds.obsDim).toBe(egoObservationDim());
    expect(ds.actionDim).toBe(3);
    const again = join(mkdtempSync(join(tmpdir(), 'fleet-data-')), 'ds');
    expect((await collectFleetDataset({ out: again, fleets: [{ layout: 'small' }, { layoutFile: map, robots: 3 }], maxSteps: 12, seed: 2 })).contentHash).toBe(
      manifest.contentHash,
    );
  });

  it('draws a noise std per robot and episode from [noiseMin, noise], and refuses noiseMin above noise', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { collectFleetDataset } = await import('../../workflows/fleet-data.js');
    const { Dataset } = await import('../../src/training/dataset.js');
    const root = mkdtempSync(join(tmpdir(), 'fleet-noise-'));
    const base = { fleets: [{ layout: 'small' }], maxSteps: 30, seed: 4 };
    await collectFleetDataset({ ...base, out: join(root, 'plain'), noise: 0 });
    await collectFleetDataset({ ...base, out: join(root, 'same'), noise: 0.5, noiseMin: 0.5 });
    await collectFleetDataset({ ...base, out: join(root, 'spread'), noise: 0.5 });
    await collectFleetDataset({ ...base, out: join(root, 'mixed'), noise: 0.5, noiseMin: 0 });
    const load = async (name: string) => Dataset.load(join(root, name));
    const [plain, same, spread, mixed] = await Promise.all(['plain', 'same', 'spread', 'mixed'].map(load));
    // noiseMin = noise is the constant std: the same actions as leaving noiseMin out.
    expect(Array.from(same!.actions)).toEqual(Array.from(spread!.actions));
    // At the first step (before paths part) the noise is std × the same normal draw as with the constant std:
    // robot r's std is noiseMin + (noise − noiseMin) × u_r, u_r from the episode seed's stream 2, robot r.
    const { Rng } = await import('../../src/rng.js');
    let checked = 0;
    for (let r = 0; r < 2; r++) {
      const std = 0.5 * Rng.fromSeed(4).derive(2).derive(r).uniform();
      for (const k of [0, 1]) {
        const i = r * 30 * 3 + k;
        if (Math.abs(mixed!.actions[i]!) > 0.999 || Math.abs(spread!.actions[i]!) > 0.999) continue; // clipped to the box
        expect((mixed!.actions[i]! - plain!.actions[i]!) / (spread!.actions[i]! - plain!.actions[i]!)).toBeCloseTo(std / 0.5, 4);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1);
    await expect(collectFleetDataset({ ...base, out: join(root, 'bad'), noise: 0.2, noiseMin: 0.3 })).rejects.toThrow(/`noiseMin` ≤ `noise`/);
  });
});
