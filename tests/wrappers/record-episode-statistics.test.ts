import { describe, expect, it } from 'vitest';
import { EmbodiedError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';
import { RecordEpisodeStatistics } from '../../src/wrappers/record-episode-statistics.js';
import { TimeLimit } from '../../src/wrappers/time-limit.js';
import { LineWorld } from '../../environments/line-world/index.js';

async function episode(env: RecordEpisodeStatistics, seed: number, rng: Rng) {
  await env.reset({ seed });
  let ret = 0;
  let len = 0;
  for (;;) {
    const r = await env.step(env.actionSpace.sample(rng));
    ret += r.reward;
    len++;
    if (r.terminated || r.truncated) return { ret, len, info: r.info };
    expect(r.info.episode).toBeUndefined();
  }
}

describe('RecordEpisodeStatistics', () => {
  it('writes { r, l, t } on the final step, matching the summed rewards', async () => {
    const env = new RecordEpisodeStatistics(new TimeLimit(new LineWorld(), 30));
    const rng = Rng.fromSeed(0);
    for (let seed = 0; seed < 5; seed++) {
      const { ret, len, info } = await episode(env, seed, rng);
      const stats = info.episode as { r: number; l: number; t: number };
      expect(stats.r).toBe(ret);
      expect(stats.l).toBe(len);
      expect(stats.t).toBeGreaterThanOrEqual(0);
      expect(stats.t).toBeLessThan(5);
      expect(info.success).toBeTypeOf('boolean'); // the inner info is kept
    }
    expect(env.episodeCount).toBe(5);
    expect(env.returnQueue).toHaveLength(5);
    expect(env.lengthQueue.every((l) => l <= 30)).toBe(true);
    expect(env.timeQueue).toHaveLength(5);
  });

  it('keeps only the last bufferLength episodes', async () => {
    const env = new RecordEpisodeStatistics(new TimeLimit(new LineWorld(), 2), { bufferLength: 3 });
    const lengths: number[] = [];
    const rng = Rng.fromSeed(1);
    for (let seed = 0; seed < 5; seed++) lengths.push((await episode(env, seed, rng)).len);
    expect(env.lengthQueue).toEqual(lengths.slice(-3));
    expect(env.episodeCount).toBe(5);
  });

  it('restores episode counters and queues with the env state', async () => {
    const env = new RecordEpisodeStatistics(new TimeLimit(new LineWorld(), 6));
    const rng = Rng.fromSeed(2);
    await episode(env, 0, rng);
    await env.reset({ seed: 1 });
    await env.step(Float32Array.of(1));
    const state = structuredClone(env.getState());
    const finish = async () => {
      for (;;) {
        const r = await env.step(Float32Array.of(-1));
        if (r.terminated || r.truncated) return (r.info.episode as { r: number; l: number }).r;
      }
    };
    const first = await finish();
    expect(env.episodeCount).toBe(2);
    env.setState(state);
    expect(env.episodeCount).toBe(1);
    expect(await finish()).toBe(first);
    expect(env.returnQueue).toHaveLength(2);
    expect(() => env.setState({ inner: state.inner, wrapper: null })).toThrow(/expected a saved RecordEpisodeStatistics state/);
  });

  it('refuses to overwrite an inner info.episode and validates options', async () => {
    const env = new RecordEpisodeStatistics(new RecordEpisodeStatistics(new TimeLimit(new LineWorld(), 1)));
    await env.reset({ seed: 0 });
    await expect(env.step(Float32Array.of(0))).rejects.toThrow(EmbodiedError);
    const other = new RecordEpisodeStatistics(new RecordEpisodeStatistics(new TimeLimit(new LineWorld(), 1)), { infoKey: 'outer' });
    await other.reset({ seed: 0 });
    const r = await other.step(Float32Array.of(0));
    expect(r.info.outer).toMatchObject({ r: (r.info.episode as { r: number }).r, l: 1 });
    expect(() => new RecordEpisodeStatistics(new LineWorld(), { bufferLength: 0 })).toThrow(/RecordEpisodeStatistics options: `bufferLength`/);
  });
});
