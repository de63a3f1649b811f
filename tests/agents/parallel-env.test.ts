import { describe, expect, it } from 'vitest';
import { ParallelEnvAdapter, type ParallelEnv } from '../../agents/parallel-env.js';
import { isStateful } from '../../src/env.js';
import { Box } from '../../src/spaces.js';

/** Two counters; robot r terminates when its counter reaches `ends[r]`; `truncateAt` truncates everyone. */
function fakeParallel(ends: Record<string, number>, truncateAt = 100, stateful = true): ParallelEnv & { closed: number } {
  const ids = Object.keys(ends);
  let counts: Record<string, number> = {};
  const env: ParallelEnv & { closed: number } = {
    possibleAgents: ids,
    closed: 0,
    observationSpace: () => new Box(-100, 100, [1]),
    actionSpace: () => new Box(-1, 1, [1]),
    async reset() {
      counts = Object.fromEntries(ids.map((id) => [id, 0]));
      return { observations: Object.fromEntries(ids.map((id) => [id, Float32Array.of(0)])), infos: Object.fromEntries(ids.map((id) => [id, { success: false }])) };
    },
    async step(actions) {
      for (const id of ids) counts[id] = counts[id]! + actions[id]![0]!;
      const done = (id: string) => counts[id]! >= ends[id]!;
      const trunc = Object.values(counts).some((c) => c >= truncateAt);
      return {
        observations: Object.fromEntries(ids.map((id) => [id, Float32Array.of(counts[id]!)])),
        rewards: Object.fromEntries(ids.map((id, i) => [id, i + 1])),
        terminations: Object.fromEntries(ids.map((id) => [id, done(id)])),
        truncations: Object.fromEntries(ids.map((id) => [id, trunc])),
        infos: Object.fromEntries(ids.map((id) => [id, { success: done(id) }])),
      };
    },
    async close() {
      env.closed++;
    },
    ...(stateful && {
      getState: () => ({ ...counts }),
      setState: (s: unknown) => {
        counts = { ...(s as Record<string, number>) };
      },
    }),
  };
  return env;
}

describe('ParallelEnvAdapter', () => {
  it('sums rewards, terminates when every agent has, and reports per-agent rewards and infos', async () => {
    const adapter = new ParallelEnvAdapter(fakeParallel({ a: 1, b: 2 }), 'Team-v0');
    expect(adapter.spec.id).toBe('Team-v0');
    expect(adapter.agents).toEqual(['a', 'b']);
    expect(adapter.actionSpace.contains({ a: Float32Array.of(0.5), b: Float32Array.of(0) })).toBe(true);
    const first = await adapter.reset({ seed: 1 });
    expect(first.info).toEqual({ success: false, perAgent: { a: { success: false }, b: { success: false } } });
    const s1 = await adapter.step({ a: Float32Array.of(1), b: Float32Array.of(1) });
    expect([s1.reward, s1.terminated, s1.truncated, s1.info.success, s1.info.rewards]).toEqual([3, false, false, false, { a: 1, b: 2 }]);
    const s2 = await adapter.step({ a: Float32Array.of(0), b: Float32Array.of(1) });
    expect([s2.terminated, s2.info.success]).toEqual([true, true]);
    await adapter.close();
    expect((adapter.env as ReturnType<typeof fakeParallel>).closed).toBe(1);
  });

  it('truncates when any agent is truncated, and is Stateful exactly when the parallel env is', async () => {
    const adapter = new ParallelEnvAdapter(fakeParallel({ a: 10, b: 10 }, 1));
    await adapter.reset();
    expect((await adapter.step({ a: Float32Array.of(1), b: Float32Array.of(0) })).truncated).toBe(true);
    expect(isStateful(adapter)).toBe(true);
    const saved = adapter.getState();
    await adapter.step({ a: Float32Array.of(1), b: Float32Array.of(1) });
    adapter.setState(saved);
    expect(adapter.getState()).toEqual(saved);
    const plain = new ParallelEnvAdapter(fakeParallel({ a: 1 }, 100, false));
    expect(isStateful(plain)).toBe(false);
    expect(() => plain.getState()).toThrow(/getState\(\) called on a parallel environment without getState/);
    expect(() => new ParallelEnvAdapter({} as ParallelEnv)).toThrow(/expected a parallel environment \{ possibleAgents, reset, step, close \}/);
  });
});
