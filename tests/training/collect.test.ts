import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../../environments/line-world/index.js';
import { randomPolicy, policyFromFunction } from '../../src/policy.js';
import { Box } from '../../src/spaces.js';
import { NonFiniteTransitionError, collect, policySeedFor } from '../../src/training/collect.js';
import { make } from '../../src/registry.js';
import type { ResetOptions, StepResult } from '../../src/env.js';
import { Wrapper } from '../../src/wrappers/wrapper.js';
import { Dataset, DatasetError } from '../../src/training/dataset.js';

const actionSpace = new Box(-1, 1, [1]);
const tmp = () => mkdtempSync(join(tmpdir(), 'collect-'));

describe('collect', () => {
  it('starts each episode with the reset options its seed draws, identically for any number of workers', { timeout: 60_000 }, async () => {
    const dir = tmp();
    // Odd seeds start at x = 0.5 with the goal at −0.8; even seeds keep the environment's own start.
    const resetOptions = (seed: number) => (seed % 2 === 1 ? { position: 0.5, goal: -0.8 } : undefined);
    const common = { envId: 'LineWorld-v0', episodes: 6, seed: 20, resetOptions, progress: false } as const;
    const one = await collect({ ...common, policy: randomPolicy(actionSpace), out: join(dir, 'w1') });
    const two = await collect({ ...common, policy: () => randomPolicy(actionSpace), workers: 2, out: join(dir, 'w2') });
    const three = await collect({ ...common, policy: () => randomPolicy(actionSpace), workers: 3, vectorMode: 'sync', out: join(dir, 'w3') });
    expect(two.manifest.contentHash).toBe(one.manifest.contentHash);
    expect(three.manifest.contentHash).toBe(one.manifest.contentHash);
    const ds = await Dataset.load(one.path);
    const first = ds.initialObservations();
    for (let k = 0; k < 6; k++) {
      const seed = 20 + k;
      if (seed % 2 === 1) expect([first[k * 3], first[k * 3 + 2]]).toEqual([0.5, Math.fround(-0.8)]);
      else expect(Math.abs(first[k * 3]!)).toBeLessThanOrEqual(0.05);
    }
    // Bad reset options fail the collection with the environment's message; nothing is written.
    await expect(collect({ ...common, resetOptions: () => ({ position: 99 }), policy: randomPolicy(actionSpace), out: join(dir, 'bad') })).rejects.toThrow(/options.position/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });

  it('collects whole episodes, seeded per episode, identically for any number of workers', async () => {
    const dir = tmp();
    const one = await collect({ envId: 'LineWorld-v0', policy: randomPolicy(actionSpace), episodes: 5, seed: 11, out: join(dir, 'w1'), progress: false });
    // Two worker threads (WorkerVectorEnv) and three in-thread environments (SyncVectorEnv).
    const threads = await collect({ envId: 'LineWorld-v0', policy: () => randomPolicy(actionSpace), episodes: 5, workers: 2, seed: 11, out: join(dir, 'w2'), progress: false });
    expect(threads.manifest.extra?.vector).toBe('WorkerVectorEnv');
    const three = await collect({
      envId: 'LineWorld-v0',
      policy: () => randomPolicy(actionSpace),
      episodes: 5,
      workers: 3,
      vectorMode: 'sync',
      seed: 11,
      out: join(dir, 'w3'),
      progress: false,
    });
    expect(one.manifest.contentHash).toBe(threads.manifest.contentHash);
    expect(one.manifest.contentHash).toBe(three.manifest.contentHash);
    expect(one.manifest.episodeSeeds).toEqual([11, 12, 13, 14, 15]);
    expect(one.manifest.policy).toBe('random');
    expect(one.manifest.envId).toBe('LineWorld-v0');
    expect(one.stopped).toBe(false);
    const ds = await Dataset.load(one.path);
    expect(ds.numEpisodes).toBe(5);
    // LineWorld-v0 is registered with a 200-step limit: every episode ends terminated or truncated at 200.
    for (let k = 0; k < 5; k++) {
      const { start, end } = ds.episodeRange(k);
      expect(end - start).toBeLessThanOrEqual(200);
      expect(ds.terminated[end - 1]! + ds.truncated[end - 1]!).toBe(1);
    }
    // Another seed, other data.
    const other = await collect({ envId: 'LineWorld-v0', policy: randomPolicy(actionSpace), episodes: 5, seed: 12, out: join(dir, 'o'), progress: false });
    expect(other.manifest.contentHash).not.toBe(one.manifest.contentHash);
  });

  it('with a step budget writes exactly that many transitions, cutting the last episode', async () => {
    const dir = tmp();
    const seen: number[] = [];
    const r = await collect({
      envId: 'LineWorld-v0',
      policy: () => randomPolicy(actionSpace),
      steps: 450,
      workers: 3,
      vectorMode: 'sync',
      seed: 5,
      out: join(dir, 's'),
      progress: false,
      onProgress: (p) => seen.push(p.transitions),
    });
    const ds = await Dataset.load(r.path);
    expect(ds.size).toBe(450);
    expect(ds.truncated[449]! + ds.terminated[449]!).toBe(1);
    expect(seen.at(-1)).toBe(450);
    const r1 = await collect({ envId: 'LineWorld-v0', policy: randomPolicy(actionSpace), steps: 450, seed: 5, out: join(dir, 's1'), progress: false });
    expect(r1.manifest.contentHash).toBe(r.manifest.contentHash);
  });

  it('seeds the policy per episode from the episode seed', async () => {
    const seeds: number[] = [];
    const policy = { name: 'probe', reset: (s: number) => seeds.push(s), act: () => Float32Array.of(0) };
    await collect({ envId: 'LineWorld-v0', policy, episodes: 2, seed: 100, out: join(tmp(), 'p'), progress: false });
    expect(seeds).toEqual([policySeedFor(100), policySeedFor(101)]);
    expect(policySeedFor(100)).not.toBe(100);
  });

  it('stops on an AbortSignal, keeping the finished episodes', async () => {
    const controller = new AbortController();
    const r = await collect({
      envId: 'LineWorld-v0',
      policy: randomPolicy(actionSpace),
      episodes: 1000,
      seed: 1,
      out: join(tmp(), 'a'),
      progress: false,
      signal: controller.signal,
      onProgress: (p) => p.episodes === 3 && controller.abort(),
    });
    expect(r.stopped).toBe(true);
    expect(r.manifest.stopReason).toBe('stopped');
    expect(r.manifest.complete).toBe(false);
    expect((await Dataset.load(r.path)).numEpisodes).toBe(3);
  });

  it('writes nothing when stopped before the first episode ends', async () => {
    const dir = tmp();
    const controller = new AbortController();
    let steps = 0;
    const policy = policyFromFunction('stopper', () => {
      if (++steps === 5) controller.abort();
      return Float32Array.of(0);
    });
    await expect(collect({ envId: 'LineWorld-v0', policy, episodes: 3, out: join(dir, 'n'), progress: false, signal: controller.signal })).rejects.toThrow(DatasetError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('discards the staging data and rethrows when the policy fails', async () => {
    const dir = tmp();
    const policy = policyFromFunction('bad', () => Float32Array.of(7));
    await expect(collect({ envId: 'LineWorld-v0', policy, episodes: 1, out: join(dir, 'f'), progress: false })).rejects.toThrow(
      /invalid action for env 0: expected index 0 in \[-1, 1\], got 7/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stops at a non-finite transition, names it, and keeps the episodes finished before it (issue 14)', async () => {
    /** LineWorld whose episode with seed 3 returns a NaN reward at its third step. */
    class NanRewardAt extends Wrapper {
      private seed: number | undefined;
      private t = 0;
      override async reset(opts?: ResetOptions) {
        this.seed = opts?.seed;
        this.t = 0;
        return this.env.reset(opts);
      }
      override async step(action: Float32Array): Promise<StepResult<Float32Array>> {
        const r = await this.env.step(action);
        return ++this.t === 3 && this.seed === 3 ? { ...r, reward: Number.NaN } : r;
      }
    }
    const out = join(tmp(), 'nan');
    const err = await collect({ env: () => new NanRewardAt(make('LineWorld-v0')), policy: randomPolicy(actionSpace), episodes: 6, seed: 0, out, progress: false }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NonFiniteTransitionError);
    expect((err as Error).message).toMatch(
      /^collect: the episode with seed 3 produced a non-finite reward at step 2 \(NaN at index 0\); a dataset holds finite values only\. The 3 episodes finished before it were kept in .*nan \(stopReason 'stopped'\)$/,
    );
    expect(err).toMatchObject({ seed: 3, step: 2, field: 'reward' });
    const kept = await Dataset.load(out);
    expect(kept.numEpisodes).toBe(3);
    expect(kept.manifest?.stopReason).toBe('stopped');
  });

  it('validates its options', async () => {
    const out = join(tmp(), 'x');
    const policy = randomPolicy(actionSpace);
    await expect(collect({ envId: 'LineWorld-v0', policy, out })).rejects.toThrow(/collect options: `episodes`: expected exactly one of `episodes` and `steps`/);
    await expect(collect({ envId: 'LineWorld-v0', policy, episodes: 2, workers: 2, out })).rejects.toThrow(/expected a policy factory/);
    await expect(collect({ policy, episodes: 2, out })).rejects.toThrow(/expected exactly one of `envId`, `env` \(a factory\) and `vectorEnv`/);
    await expect(collect({ envId: 'LineWorld-v0', policy, episodes: -1, out })).rejects.toThrow(/`episodes`: .*(too small|>0)/i);
    await expect(collect({ envId: 'Nope-v0', policy, episodes: 1, out })).rejects.toThrow(/Unknown environment id "Nope-v0"/);
  });
});

const child = fileURLToPath(new URL('./collect-child.fixture.ts', import.meta.url));

/** Starts a collection in a child process, waits for `ready(out)`, kills it with SIGKILL after `delayMs`. */
async function killMidWrite(out: string, checkpointEvery: number, delayMs: number, ready: () => boolean): Promise<void> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, out, String(checkpointEvery)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  const deadline = Date.now() + 20_000;
  while (!ready()) {
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`child never got ready (exit ${proc.exitCode}): ${stderr}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, delayMs));
  proc.kill('SIGKILL');
  await exited;
}

describe('a publish that crashed between its two renames (issue 14)', () => {
  it('is recovered by the next writer: the previous dataset is put back, not deleted', async () => {
    const dir = tmp();
    const out = join(dir, 'd');
    const first = await collect({ envId: 'LineWorld-v0', policy: randomPolicy(actionSpace), episodes: 2, seed: 1, out, progress: false });
    // What the crash leaves: nothing at `out`, the old copy renamed aside by a process that is gone.
    const aside = join(dir, '.d.old-4194000-0123abcd');
    renameSync(out, aside);
    await expect(collect({ envId: 'LineWorld-v0', policy: randomPolicy(actionSpace), episodes: 2, seed: 2, out, progress: false })).rejects.toThrow(/already exists/);
    expect(existsSync(aside)).toBe(false);
    expect((await Dataset.load(out)).manifest!.contentHash).toBe(first.manifest.contentHash);
  });
});

// Spawns three child processes (tsx start-up ≈ 1 s each on an idle machine).
describe('a killed collection', () => {
  it('leaves either the last checkpoint (valid) or nothing, never a corrupt dataset', async () => {
    const dir = tmp();
    const delays = [3, 41];
    for (const [i, delay] of delays.entries()) {
      const out = join(dir, `k${i}`);
      // Ready once the first checkpoint is published; then kill during later checkpoints.
      await killMidWrite(out, 3000, delay, () => existsSync(join(out, 'manifest.json')));
      if (!existsSync(out)) {
        // Killed between the two renames of a publish: the previous checkpoint is hidden beside it.
        expect(readdirSync(dir).some((n) => n.startsWith(`.k${i}.old-`))).toBe(true);
        continue;
      }
      const ds = await Dataset.load(out);
      expect(ds.manifest!.stopReason).toBe('checkpoint');
      expect(ds.manifest!.complete).toBe(false);
      expect(ds.size).toBeGreaterThanOrEqual(3000);
    }
    // The dead writers' hidden staging directories remain until the next collection to the same path.
    expect(readdirSync(dir).some((n) => n.startsWith('.k0.staging-'))).toBe(true);
    const again = await collect({ envId: 'LineWorld-v0', policy: randomPolicy(actionSpace), episodes: 1, out: join(dir, 'k0'), overwrite: true, progress: false });
    expect(again.manifest.complete).toBe(true);
    expect(readdirSync(dir).filter((n) => n.startsWith('.k0.'))).toEqual([]);
  });

  it('without checkpoints leaves nothing at the output path', async () => {
    const dir = tmp();
    const out = join(dir, 'nock');
    await killMidWrite(out, 0, 30, () => readdirSync(dir).some((n) => n.startsWith('.nock.staging-')));
    expect(existsSync(out)).toBe(false);
  });
});
