import { describe, expect, it } from 'vitest';
import { make } from '../../src/registry.js';
import '../../environments/warehouse/index.js'; // registers Warehouse-v0
import { WarehouseGreedyPolicy } from '../../environments/warehouse/scripted.js';

describe('WarehouseGreedyPolicy', () => {
  // 50 tiny episodes ≈ 3.5k env steps: a couple of seconds.
  it('delivers every package within the time limit in ≥ 90% of 50 seeded Warehouse-tiny episodes', async () => {
    const env = make('Warehouse-v0', { layout: 'tiny' });
    const policy = new WarehouseGreedyPolicy(env); // unwraps the TimeLimit stack
    let solved = 0;
    const lengths: number[] = [];
    for (let seed = 0; seed < 50; seed++) {
      let { observation } = await env.reset({ seed });
      for (let t = 1; ; t++) {
        const r = await env.step(policy.act(observation));
        observation = r.observation;
        if (r.terminated || r.truncated) {
          if (r.terminated && r.info.success) {
            solved++;
            lengths.push(t);
          }
          break;
        }
      }
    }
    expect(solved / 50).toBeGreaterThanOrEqual(0.9);
    lengths.sort((a, b) => a - b);
    expect(lengths[lengths.length >> 1]).toBeLessThan(100); // well under the 200-step limit
    await env.close();
  });

  it('refuses push mode and mismatched observations', () => {
    expect(() => new WarehouseGreedyPolicy({ gripMode: 'push' })).toThrow(/expected gripMode 'lift', got "push"/);
    expect(() => new WarehouseGreedyPolicy({ layout: 'small' }).act(new Float32Array(14))).toThrow(/expected an observation of 32 values, got 14/);
    expect(() => new WarehouseGreedyPolicy(make('Warehouse-v0', {}, { maxEpisodeSteps: false }))).not.toThrow();
    expect(() => new WarehouseGreedyPolicy({ layout: 'nowhere' })).toThrow(/did you mean a built-in layout name/);
  });
});
