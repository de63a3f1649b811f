import { describe, expect, it } from 'vitest';
import { EnvStateError, InvalidActionError, InvalidArgumentError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';
import { WarehouseEnv, WarehouseParallelEnv } from '../../environments/warehouse/index.js';
import { WarehouseGreedyPolicy } from '../../environments/warehouse/scripted.js';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('WarehouseParallelEnv (per-robot dict API)', () => {
  it('keys everything by robot id with per-robot spaces', async () => {
    const env = new WarehouseParallelEnv({ layout: 'small', lidarRays: 3 });
    expect(env.possibleAgents).toEqual(['robot_0', 'robot_1']);
    expect(env.agents).toEqual([]);
    expect(env.maxEpisodeSteps).toBe(500);
    expect(env.observationSpace('robot_1').shape).toEqual([14 + 2 + 3]);
    expect(env.actionSpace('robot_0').shape).toEqual([3]);
    expect(() => env.actionSpace('robot_7')).toThrow(/unknown agent "robot_7" \(agents: robot_0, robot_1\)/);
    const { observations, infos } = await env.reset({ seed: 1 });
    expect(env.agents).toEqual(['robot_0', 'robot_1']);
    expect(Object.keys(observations)).toEqual(env.possibleAgents);
    expect(Object.keys(infos)).toEqual(env.possibleAgents);
    for (const a of env.agents) expect(env.observationSpace(a).contains(observations[a])).toBe(true);
    const rng = Rng.fromSeed(2);
    const step = await env.step(Object.fromEntries(env.agents.map((a) => [a, env.actionSpace(a).sample(rng)])));
    for (const key of ['observations', 'rewards', 'terminations', 'truncations', 'infos'] as const) expect(Object.keys(step[key])).toEqual(env.possibleAgents);
    expect(typeof step.rewards.robot_0).toBe('number');
    expect(step.infos.robot_1).toMatchObject({ deliveries: 0, carrying: expect.any(Number), robotRobotCollisions: expect.any(Number), success: false });
    await env.close();
  });

  it('splits the flat view exactly: same observations, per-robot rewards sum to the flat reward', async () => {
    const par = new WarehouseParallelEnv({ layout: 'small' });
    const flat = new WarehouseEnv({ layout: 'small' });
    const p = await par.reset({ seed: 4 });
    const f = await flat.reset({ seed: 4 });
    expect([...bits(p.observations.robot_0!), ...bits(p.observations.robot_1!)]).toEqual(bits(f.observation));
    const policy = new WarehouseGreedyPolicy(flat);
    let obs = f.observation;
    for (let t = 0; t < 90; t++) {
      const action = policy.act(obs);
      const r = await flat.step(action);
      const q = await par.step({ robot_0: action.slice(0, 3), robot_1: action.slice(3, 6) });
      expect([...bits(q.observations.robot_0!), ...bits(q.observations.robot_1!)]).toEqual(bits(r.observation));
      expect(q.rewards.robot_0! + q.rewards.robot_1!).toBeCloseTo(r.reward, 12);
      obs = r.observation;
    }
    expect(par.env.positions().delivered.some((d) => d)).toBe(true); // the window included a delivery
  });

  it('truncates every robot at maxEpisodeSteps, then refuses to step', async () => {
    const env = new WarehouseParallelEnv({ maxEpisodeSteps: 3 });
    await env.reset({ seed: 0 });
    const still = { robot_0: new Float32Array([0, 0, -1]) };
    expect((await env.step(still)).truncations.robot_0).toBe(false);
    await env.step(still);
    const last = await env.step(still);
    expect(last.truncations).toEqual({ robot_0: true });
    expect(last.terminations).toEqual({ robot_0: false });
    expect(env.agents).toEqual([]);
    await expect(env.step(still)).rejects.toThrow(EnvStateError);
    expect(() => new WarehouseParallelEnv({ maxEpisodeSteps: 0 })).toThrow(InvalidArgumentError);
  });

  it('rejects missing, unknown and malformed actions naming the robot', async () => {
    const env = new WarehouseParallelEnv({ layout: 'small' });
    await env.reset({ seed: 0 });
    const ok = new Float32Array([0, 0, -1]);
    await expect(env.step({ robot_0: ok })).rejects.toThrow(/missing action for robot_1/);
    await expect(env.step({ robot_0: ok, robot_1: ok, robot_2: ok })).rejects.toThrow(/unknown agent "robot_2"/);
    await expect(env.step({ robot_0: ok, robot_1: new Float32Array([0, 3, 0]) })).rejects.toThrow(InvalidActionError);
    await expect(env.step({ robot_0: ok, robot_1: new Float32Array([0, 3, 0]) })).rejects.toThrow(/invalid action for robot_1: expected index 1 in \[-1, 1\], got 3/);
  });

  it('getState/setState round-trips bit for bit, step counter included', async () => {
    const env = new WarehouseParallelEnv({ layout: 'small', maxEpisodeSteps: 30 });
    await env.reset({ seed: 9 });
    const rng = Rng.fromSeed(5);
    const actions = Array.from({ length: 25 }, () => ({ robot_0: env.actionSpace('robot_0').sample(rng), robot_1: env.actionSpace('robot_1').sample(rng) }));
    for (let t = 0; t < 10; t++) await env.step(actions[t]!);
    const state = env.getState();
    const run = async () => {
      const out: unknown[] = [];
      for (let t = 10; t < 25; t++) {
        const r = await env.step(actions[t]!);
        out.push([bits(r.observations.robot_0!), bits(r.observations.robot_1!), r.rewards, r.truncations]);
      }
      return out;
    };
    const first = await run();
    env.setState(state);
    expect(env.elapsedSteps).toBe(10);
    expect(await run()).toEqual(first);
  });
});
