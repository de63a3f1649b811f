import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { RecordFrames, REPLAY_FORMAT, writeReplay } from '../../workflows/demo/replay.js';
import { make } from '../../src/registry.js';
import { LineWorld } from '../../environments/line-world/index.js';

describe('RecordFrames and replay files', () => {
  it('records the frame after reset and after every step, with actions and rewards; a new reset starts over', async () => {
    const env = new RecordFrames(make<Float32Array, Float32Array>('Warehouse-v0'));
    await env.reset({ seed: 3 });
    const actions = [Float32Array.of(1, 0, -1), Float32Array.of(0.5, 0.5, 1), Float32Array.of(0, 0, 0)];
    const rewards: number[] = [];
    for (const a of actions) rewards.push((await env.step(a)).reward);
    const r = env.replay({ agent: 'test', envOptions: {} });
    expect(r.format).toBe(REPLAY_FORMAT);
    expect(r.envId).toBe('Warehouse-v0');
    expect(r.seed).toBe(3);
    expect(r.controlDt).toBeCloseTo(0.1, 9);
    expect(r.frames).toHaveLength(4);
    expect(r.actions).toEqual(actions.map((a) => Array.from(a)));
    expect(r.rewards).toEqual(rewards);
    expect(r.finalInfo.deliveries).toBe(0);
    // The robot moved along +x between the first two frames; drop zones are markers.
    const robotX = (k: number) => r.frames[k]!.bodies.find((b) => b.name === 'robot-0')!.position[0];
    expect(robotX(1)).toBeGreaterThan(robotX(0));
    expect(r.frames[0]!.markers?.some((m) => m.tag === 'drop-zone')).toBe(true);

    const out = join(mkdtempSync(join(tmpdir(), 'replay-')), 'nested', 'replay.json');
    await writeReplay(out, r);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(JSON.parse(JSON.stringify(r)));

    await env.reset({ seed: 4 });
    expect(env.replay({ agent: 'test' }).frames).toHaveLength(1);
    await env.close();
  });

  it('refuses environments that do not render frames', async () => {
    const inner = new LineWorld();
    expect(() => new RecordFrames(inner)).toThrow(/expected an environment that renders 'frame' scenes, LineWorld-v0 renders \["ansi"\]/);
    await inner.close();
  });
});
