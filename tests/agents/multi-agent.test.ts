import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { concatMap, lastValueFrom, map, of, timer, toArray } from 'rxjs';
import { multiAgent, type RobotTelemetry } from '../../agents/multi-agent.js';
import { ParallelEnvAdapter } from '../../agents/parallel-env.js';
import { policyAgent } from '../../agents/policy-agent.js';
import { runEpisode } from '../../agents/run-episode.js';
import type { Agent, Percept } from '../../agents/types.js';
import { WarehouseParallelEnv } from '../../environments/warehouse/index.js';
import { WarehouseGreedyPolicy } from '../../environments/warehouse/scripted.js';

type Obs = Record<string, number>;
const team = (step: number): Percept<Obs> => ({
  observation: { a: step * 10, b: step * 10 + 1 },
  info: { perAgent: { a: { who: 'a' }, b: { who: 'b' } } },
  step,
  seed: 1,
});
const values = { p: team(0), q: team(1), r: team(2) };
const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Answers observation x with x + 0.5 after `frames` virtual frames (0: at once). */
const robot =
  (frames: number, ts?: TestScheduler): Agent<number, number> =>
  (p) =>
    p.pipe(concatMap((x) => (frames === 0 ? of(x.observation + 0.5) : timer(frames, ts).pipe(map(() => x.observation + 0.5)))));

describe('multiAgent (virtual time)', () => {
  it('merges one action per robot per step, in robot order, waiting for the slowest without deadlines', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const agent = multiAgent({ a: robot(0), b: robot(3, ts) }, { scheduler: ts });
      expectObservable(hot('p-----q|', values).pipe(agent)).toBe('---x-----(y|)', { x: { a: 0.5, b: 1.5 }, y: { a: 10.5, b: 11.5 } });
    });
  });

  it('covers a robot that misses its own deadline with its fallback and drops its stale answer', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const events: RobotTelemetry[] = [];
      // b takes 3 frames, its deadline is 2; a has no deadline and answers at once.
      const agent = multiAgent({ a: robot(0), b: robot(3, ts) }, { scheduler: ts, deadlineMs: { b: 2 }, initialActions: { b: -1 } });
      agent.telemetry$.subscribe((e) => events.push(e));
      // p@0: b falls back @2 (initial −1); its answer for p (1.5) lands @3, stale.
      // q@6: b's answer for q lands @9 (queued behind nothing): late again → hold its latest answer (1.5) @8.
      // r@12: b answers r's percept @15, fallback @14 holds 11.5 (the stale answer of q).
      expectObservable(hot('p-----q-----r|', values).pipe(agent)).toBe('--x-----y-----(z|)', { x: { a: 0.5, b: -1 }, y: { a: 10.5, b: 1.5 }, z: { a: 20.5, b: 11.5 } });
      ts.flush();
      expect(events).toEqual([
        { robot: 'b', step: 0, kind: 'fallback', action: 'initial' },
        { robot: 'b', step: 0, kind: 'stale' },
        { robot: 'b', step: 1, kind: 'fallback', action: 'held' },
        { robot: 'b', step: 1, kind: 'stale' },
        { robot: 'b', step: 2, kind: 'fallback', action: 'held' },
      ]);
    });
  });

  it('gives each robot its own observation and info', () => {
    const seen: Record<string, Percept<number>[]> = { a: [], b: [] };
    const spy =
      (id: string): Agent<number, number> =>
      (p) =>
        p.pipe(map((x) => (seen[id]!.push(x), 0)));
    of(team(0), team(1))
      .pipe(multiAgent({ a: spy('a'), b: spy('b') }))
      .subscribe();
    expect(seen.a!.map((x) => [x.observation, x.info.who, x.step])).toEqual([
      [0, 'a', 0],
      [10, 'a', 1],
    ]);
    expect(seen.b!.map((x) => [x.observation, x.info.who, x.step])).toEqual([
      [1, 'b', 0],
      [11, 'b', 1],
    ]);
  });

  it('errors when a late robot has nothing to fall back on, and on bad options', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const agent = multiAgent({ a: robot(0), b: robot(3, ts) }, { scheduler: ts, deadlineMs: 2 });
      expectObservable(hot('p|', values).pipe(agent)).toBe(
        '--#',
        undefined,
        expect.objectContaining({ message: expect.stringMatching(/b missed its 2 ms deadline at step 0 and has no previous action to hold; pass `initialActions`/) }),
      );
    });
    expect(() => multiAgent({})).toThrow(/expected a non-empty record of agents keyed by robot id/);
    expect(() => multiAgent({ a: robot(0) }, { deadlineMs: { c: 5 } })).toThrow(/`deadlineMs` names "c", which has no agent \(robots: a\)/);
    expect(() => multiAgent({ a: robot(0) }, { deadlineMs: -1 })).toThrow(/expected `deadlineMs` to be a positive number of milliseconds, got -1/);
  });
});

describe('multiAgent on Warehouse-v0 (per-robot dict API)', () => {
  it('runs one decentralised greedy agent per robot; each acts on its own block only', async () => {
    // Measured ~2 s under load: 30 warehouse steps of the two-robot `small` layout.
    const env = new WarehouseParallelEnv({ layout: 'small' });
    const ids = env.possibleAgents;
    expect(ids).toEqual(['robot_0', 'robot_1']);
    const robotAgent = (i: number) => {
      const greedy = new WarehouseGreedyPolicy(env.env);
      // The baseline computes each robot from its own block; feed it this robot's block in every slot.
      return policyAgent((obs: Float32Array) => {
        const full = new Float32Array(obs.length * ids.length);
        for (let j = 0; j < ids.length; j++) full.set(obs, j * obs.length);
        return greedy.act(full).slice(i * 3, i * 3 + 3);
      });
    };
    const adapter = new ParallelEnvAdapter(env, 'Warehouse-v0');
    const steps = await lastValueFrom(runEpisode(adapter, multiAgent(Object.fromEntries(ids.map((id, i) => [id, robotAgent(i)]))), { seed: 1, maxSteps: 30 }).pipe(toArray()));
    expect(steps).toHaveLength(30);
    const reference = new WarehouseGreedyPolicy(env.env);
    for (const t of steps.slice(0, 5)) {
      const flat = new Float32Array([...t.observation.robot_0!, ...t.observation.robot_1!]);
      const joint = reference.act(flat);
      expect(Array.from(t.action.robot_0!)).toEqual(Array.from(joint.slice(0, 3)));
      expect(Array.from(t.action.robot_1!)).toEqual(Array.from(joint.slice(3, 6)));
    }
    const last = steps.at(-1)!;
    expect(Object.keys(last.info.rewards as object)).toEqual(ids);
    expect(last.reward).toBeCloseTo((last.info.rewards as Record<string, number>).robot_0! + (last.info.rewards as Record<string, number>).robot_1!, 6);
    // Both robots drove somewhere.
    for (const id of ids)
      expect(Math.hypot(last.nextObservation[id]![0]! - steps[0]!.observation[id]![0]!, last.nextObservation[id]![1]! - steps[0]!.observation[id]![1]!)).toBeGreaterThan(0.5);
    await adapter.close();
  });
});
