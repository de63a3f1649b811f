import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../environments/index.js';
import { Command } from 'commander';
import { registerCollectCommand } from '../../cli/commands/collect.js';
import { inFlagTerms } from '../../cli/options.js';
import { noisyPolicy } from '../../src/policy-wrappers.js';
import { collectDataset, collectPolicyFactory } from '../../workflows/collect.js';
import { describePath } from '../../workflows/info.js';
import { Box } from '../../src/spaces.js';
import { Dataset } from '../../src/training/dataset.js';
import { writeTestBundle } from '../worldmodel/onnx-fixtures.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'cli-'));

describe('embodied collect', () => {
  it('collects with the scripted baseline plus seeded noise', async () => {
    const out = join(tmp(), 'reach');
    const r = await collectDataset({ env: 'Reach-v0', steps: 300, policy: 'scripted', noise: 0.3, seed: 4, out });
    expect(r.manifest.policy).toBe('scripted:reach-pd+noise(0.3)');
    expect(r.manifest.rapierPackage).toBe('@dimforge/rapier3d-deterministic-compat');
    expect(r.manifest.rapierVersion).toMatch(/^\d+\.\d+/);
    const ds = await Dataset.load(out);
    expect(ds.size).toBe(300);
    // Scripted PD control toward the goal: distance falls over an episode on average.
    const { start, end } = ds.episodeRange(0);
    expect(ds.rewards[end - 1]!).toBeGreaterThan(ds.rewards[start]!);
  });

  it('rejects unknown policies and environments without a scripted baseline', () => {
    expect(() => collectPolicyFactory({ env: 'LineWorld-v0', policy: 'scripted', episodes: 1, out: 'x' })).toThrow(
      /no scripted policy for LineWorld-v0; scripted policies exist for Reach-v0, PushBox-v0/,
    );
    expect(() => collectPolicyFactory({ env: 'LineWorld-v0', policy: 'greedy' as 'random', episodes: 1, out: 'x' })).toThrow(
      /`policy`: expected random, scripted or mpc \(got "greedy"\)/,
    );
    return expect(collectDataset({ env: 'LineWorld-v0', out: 'x' })).rejects.toThrow(/give exactly one of `steps` and `episodes`/);
  });

  it('prints workflow errors in flag terms', () => {
    const program = new Command();
    registerCollectCommand(program);
    const collect = program.commands.find((c) => c.name() === 'collect')!;
    expect(
      inFlagTerms("collectDataset options: `episodes`: give exactly one of `steps` and `episodes`; `policy: 'mpc'` needs `model`; `noise` and `randomProb`; `other`", collect),
    ).toBe('--episodes: give exactly one of --steps and --episodes; --policy mpc needs --model; --noise and --random-prob; `other`');
  });

  it('has no resume, and the docs do not promise one (issue 14 item 14)', () => {
    const program = new Command().exitOverride();
    registerCollectCommand(program);
    for (const c of program.commands) c.exitOverride().configureOutput({ writeErr: () => {} });
    expect(() => program.parse(['collect', '--env', 'LineWorld-v0', '--steps', '10', '--out', 'x', '--resume'], { from: 'user' })).toThrow(/unknown option '--resume'/);
    const docs = ['README.md', 'docs/world-models.md', 'docs/getting-started.md', 'docs/training.md', 'docs/reliability.md'].map((f) =>
      readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8'),
    );
    for (const text of docs) {
      for (const line of text.split('\n').filter((l) => /\bcollect/i.test(l) && /resum/i.test(l) && !/\blearn\b/.test(l)))
        expect(line).toMatch(/no (`--)?resume|cannot be resumed/);
    }
    expect(docs[1]).toMatch(/A collection cannot be resumed/);
  });

  it('noise is seeded per episode and stays inside the bounds', async () => {
    const space = new Box(-1, 1, [2]);
    const p = noisyPolicy({ name: 'zero', act: () => new Float32Array(2) }, space, 5);
    p.reset!(3);
    const a = (await p.act(new Float32Array(6))) as Float32Array;
    p.reset!(3);
    const b = (await p.act(new Float32Array(6))) as Float32Array;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(space.contains(a)).toBe(true);
  });
});

describe('embodied info', () => {
  it('describes a dataset after validating it', async () => {
    const out = join(tmp(), 'line');
    await collectDataset({ env: 'LineWorld-v0', episodes: 3, seed: 1, out });
    const r = await describePath(out);
    expect(r.kind).toBe('dataset');
    expect(r.text).toMatch(/transitions in 3 episodes .* of LineWorld-v0/);
    expect(r.text).toMatch(/validated \(hashes, episodes\)/);
    expect(r.text).toMatch(/observations\.npy\s+float32 \[\d+, 3\]/);
    expect((await describePath(out, true)).text).toMatch(/manifest only/);
  });

  it('describes a bundle with its ONNX signatures', async () => {
    const dir = tmp();
    writeTestBundle(dir, { ensemble: 2, decoder: true, rollout: true, hasTerminal: true, initialObservations: new Float32Array(9) });
    const r = await describePath(dir);
    expect(r.kind).toBe('bundle');
    expect(r.text).toMatch(/models LineWorld-v0: obs 3, action 2 .* latent 4/);
    expect(r.text).toMatch(/ensemble of 2, terminal head yes, decoder yes, fused rollout yes \(H dynamic\)/);
    expect(r.text).toMatch(
      /dynamics_1\.onnx\s+dynamics in: latent \[batch, 4\], action \[batch, 2\]\s+out: next_latent \[batch, 4\], reward \[batch, 1\], terminal_logit \[batch, 1\]/,
    );
    expect(r.text).toMatch(/initial observations: 3/);
  });

  it('names what is wrong', async () => {
    await expect(describePath(tmp())).rejects.toThrow(/neither a world-model bundle nor a dataset \(no manifest\.json\)/);
    const dir = tmp();
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 'something/v9' }));
    await expect(describePath(dir)).rejects.toThrow(/unknown format "something\/v9" \(expected embodied\.worldmodel\/v1, embodied\.dataset\/v1 or embodied\.policy\/v1\)/);
    const bad = tmp();
    writeTestBundle(bad, {});
    writeFileSync(join(bad, 'encoder.onnx'), 'not onnx');
    await expect(describePath(bad)).rejects.toThrow(/encoder\.onnx: not a valid ONNX model/);
  });

  it('refuses a manifest that is a FIFO or a symlink instead of hanging on it or following it (issue 14)', async () => {
    const fifo = tmp();
    execFileSync('mkfifo', [join(fifo, 'manifest.json')]);
    await expect(describePath(fifo)).rejects.toThrow(/manifest\.json: not a regular file \(a FIFO\)/);
    const link = tmp();
    writeFileSync(join(link, 'real.json'), JSON.stringify({ format: 'embodied.dataset/v1' }));
    symlinkSync(join(link, 'real.json'), join(link, 'manifest.json'));
    await expect(describePath(link)).rejects.toThrow(/manifest\.json: a symbolic link; expected a regular file/);
  });
});
