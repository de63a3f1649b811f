import { describe, expect, it, beforeEach } from 'vitest';
import { EMPTY, firstValueFrom, lastValueFrom, map, mergeMap, of, take, throwError, toArray, type Observable } from 'rxjs';
import { runEpisode } from '../../agents/run-episode.js';
import { policyAgent } from '../../agents/policy-agent.js';
import { randomAgent } from '../../agents/random-agent.js';
import type { Agent, Percept } from '../../agents/types.js';
import { PointEnv, towardZero } from './fixtures/point-env.js';
import '../../environments/reach/index.js';
import { make } from '../../src/registry.js';

const settle = (ms = 20) => new Promise((r) => setTimeout(r, ms));

beforeEach(() => {
  PointEnv.live = 0;
  PointEnv.closed = 0;
});

describe('runEpisode', () => {
  it('emits one transition per step, in order, and completes when the task terminates', async () => {
    const ts = await lastValueFrom(runEpisode(() => new PointEnv(), policyAgent(towardZero()), { seed: 3 }).pipe(toArray()));
    expect(ts.length).toBeGreaterThanOrEqual(3);
    ts.forEach((t, i) => {
      expect(t.step).toBe(i);
      expect(t.action[0]).toBeCloseTo(Math.max(-1, Math.min(1, -t.observation[0]!)), 6);
      if (i > 0) expect(t.observation).toBe(ts[i - 1]!.nextObservation);
    });
    expect(ts.at(-1)!.terminated).toBe(true);
    expect(ts.at(-1)!.info.success).toBe(true);
    expect(ts.slice(0, -1).every((t) => !t.terminated && !t.truncated)).toBe(true);
    expect(PointEnv.live).toBe(0);
  });

  it('hands the agent percept i before it may answer, with the step index, seed and a state thunk', async () => {
    const seen: Percept<Float32Array>[] = [];
    const agent: Agent = (p) => p.pipe(map((percept) => (seen.push(percept), Float32Array.of(0.5))));
    await lastValueFrom(runEpisode(() => new PointEnv(), agent, { seed: 9, maxSteps: 4 }));
    expect(seen.map((p) => p.step)).toEqual([0, 1, 2, 3]);
    expect(seen.every((p) => p.seed === 9)).toBe(true);
    expect(typeof seen[0]!.state).toBe('function');
  });

  it('gives the state of the environment at the percept', async () => {
    const xs: number[] = [];
    const agent: Agent = (p) => p.pipe(map((percept) => (xs.push((percept.state!() as { x: number }).x - percept.observation[0]!), Float32Array.of(0.25))));
    await lastValueFrom(runEpisode(() => new PointEnv(), agent, { seed: 1, maxSteps: 3 }));
    expect(xs).toEqual([0, 0, 0].map(() => expect.closeTo(0, 6)));
  });

  it('truncates after maxSteps and marks the last transition truncated', async () => {
    const ts = await lastValueFrom(
      runEpisode(
        () => new PointEnv(),
        policyAgent(() => Float32Array.of(0.1)),
        { seed: 1, maxSteps: 5 },
      ).pipe(toArray()),
    );
    expect(ts).toHaveLength(5);
    expect(ts.map((t) => t.truncated)).toEqual([false, false, false, false, true]);
  });

  it('is cold: each subscription is a new, seeded, reproducible episode', async () => {
    const episode = runEpisode(() => new PointEnv(), randomAgent(new PointEnv().actionSpace, 4), { seed: 7, maxSteps: 6 });
    PointEnv.live--; // the space-only instance above is never reset or closed
    expect(PointEnv.live).toBe(0);
    const a = await lastValueFrom(episode.pipe(toArray()));
    const b = await lastValueFrom(episode.pipe(toArray()));
    expect(a.map((t) => Array.from(t.action))).toEqual(b.map((t) => Array.from(t.action)));
    const c = await lastValueFrom(runEpisode(() => new PointEnv(), randomAgent(new PointEnv().actionSpace, 5), { seed: 7, maxSteps: 6 }).pipe(toArray()));
    expect(c.map((t) => t.action[0])).not.toEqual(a.map((t) => t.action[0]));
  });

  it('closes the environment it built when the consumer unsubscribes mid-episode, after the step in flight', async () => {
    const env = new PointEnv(5);
    const ts = await lastValueFrom(
      runEpisode(
        () => env,
        policyAgent(() => Float32Array.of(0.01)),
        { seed: 1 },
      ).pipe(take(3), toArray()),
    );
    expect(ts).toHaveLength(3);
    await settle();
    expect(PointEnv.closed).toBe(1);
    expect(PointEnv.live).toBe(0);
    expect(env.steps).toBe(3);
  });

  it('releases on unsubscribe while the agent is still thinking and never steps afterwards', async () => {
    const env = new PointEnv();
    const asked: number[] = [];
    // Answers percept 0 at once and never answers percept 1: the unsubscribe lands mid-thought.
    const agent: Agent = (p) => p.pipe(mergeMap((x) => (asked.push(x.step), x.step === 0 ? of(Float32Array.of(0.1)) : new Promise<Float32Array>(() => {}))));
    const sub = runEpisode(() => env, agent, { seed: 2 }).subscribe();
    await settle();
    expect(asked).toEqual([0, 1]);
    expect(PointEnv.live).toBe(1);
    sub.unsubscribe();
    await settle();
    expect(env.steps).toBe(1);
    expect(PointEnv.live).toBe(0);
  });

  it('frees the Rapier world of an environment it built when unsubscribed mid-episode', async () => {
    const closed: string[] = [];
    const factory = () => {
      const env = make('Reach-v0');
      const close = env.close.bind(env);
      env.close = async () => {
        closed.push(env.spec.id);
        await close();
        // A closed PhysicsEnv has freed its scene: stepping or reading its state now fails.
        expect(() => (env as unknown as { getState(): unknown }).getState()).toThrow(/after close\(\)|no scene/);
      };
      return env;
    };
    const space = make('Reach-v0').actionSpace;
    const ts = await lastValueFrom(runEpisode(factory, randomAgent(space, 1), { seed: 1 }).pipe(take(3), toArray()));
    expect(ts).toHaveLength(3);
    await settle();
    expect(closed).toEqual(['Reach-v0']);
  });

  it('never closes an environment the caller passed in', async () => {
    const env = new PointEnv();
    await lastValueFrom(runEpisode(env, policyAgent(towardZero()), { seed: 1 }));
    expect(PointEnv.closed).toBe(0);
    await env.close();
  });

  it('sends agent errors to error and closes the environment', async () => {
    const agent: Agent = (p) => p.pipe(mergeMap((x) => (x.step === 2 ? throwError(() => new Error('policy exploded')) : of(Float32Array.of(0.1)))));
    await expect(lastValueFrom(runEpisode(() => new PointEnv(), agent, { seed: 1 }))).rejects.toThrow(/policy exploded/);
    expect(PointEnv.live).toBe(0);
  });

  it('sends a policy that throws synchronously to error', async () => {
    const agent = policyAgent<Float32Array, Float32Array>(() => {
      throw new Error('bad policy');
    });
    await expect(lastValueFrom(runEpisode(() => new PointEnv(), agent, { seed: 1 }))).rejects.toThrow(/bad policy/);
    expect(PointEnv.live).toBe(0);
  });

  it('sends an invalid action to error with the environment message', async () => {
    await expect(
      lastValueFrom(
        runEpisode(
          () => new PointEnv(),
          policyAgent(() => Float32Array.of(7)),
          { seed: 1 },
        ),
      ),
    ).rejects.toThrow(/invalid action: expected index 0 in \[-1, 1\], got 7/);
    expect(PointEnv.live).toBe(0);
  });

  it('rejects an agent that answers twice or completes early', async () => {
    const twice: Agent = (p) => p.pipe(mergeMap(() => of(Float32Array.of(0.1), Float32Array.of(0.1))));
    await expect(lastValueFrom(runEpisode(() => new PointEnv(), twice, { seed: 1 }))).rejects.toThrow(/emitted an action while no observation was waiting/);
    const quitter: Agent = (p: Observable<Percept>) =>
      p.pipe(
        take(1),
        mergeMap(() => EMPTY),
      );
    await expect(firstValueFrom(runEpisode(() => new PointEnv(), quitter, { seed: 1 }))).rejects.toThrow(/agent completed before the episode ended/);
    await settle();
    expect(PointEnv.live).toBe(0);
  });

  it('rejects bad options with a clear message', () => {
    expect(() => runEpisode(() => new PointEnv(), policyAgent(towardZero()), { maxSteps: 0 })).toThrow(/runEpisode options: `maxSteps`: .*(>0|greater than 0|too small)/i);
    expect(() => runEpisode(() => new PointEnv(), policyAgent(towardZero()), { seed: -1 })).toThrow(/`seed`/);
    expect(() => policyAgent(42 as never)).toThrow(/expected a Policy .* got 42/);
  });
});
