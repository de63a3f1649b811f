/**
 * Runs every example as a user would — `node --import tsx examples/<name>.ts <flags>` in a child
 * process — with small budgets, and checks the exit code and the lines that carry its result.
 *
 * The examples that need a PushBox world model get a tiny random-weight bundle written here (see
 * `pushBoxBundle`), so the tests neither depend on nor wait for the shipped `models/pushbox`;
 * train-your-own.ts trains, exports, validates and plans with a bundle of the SDK's own.
 *
 * Cost: each child spends ~2 s of CPU importing the SDK (onnxruntime, Rapier, tsx) before its few
 * seconds of work, so the children run concurrently (vitest's default limit of 5 at a time): ~25 s on
 * an idle 2-core machine, more under load. The per-child wall times are printed at the end.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pkg from 'onnx-proto';
import { afterAll, describe, expect, it } from 'vitest';
// Only the light parts of the SDK in this process: the examples themselves run in children.
import { rewardObjective } from '../../src/planning/objectives.js';
import { Planner } from '../../src/planning/planner.js';
import { loadBundle, parseBundleManifest } from '../../src/worldmodel/bundle.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { writeTestBundle } from '../worldmodel/onnx-fixtures.js';

const { onnx } = pkg;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TIMEOUT = 180_000; // a child under heavy load; each takes seconds when the machine is idle
const tmp = mkdtempSync(join(tmpdir(), 'examples-test-'));
const timings: { run: string; ms: number }[] = [];

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `examples/<file>` with `args` from the repository root, the way its header says. */
function run(file: string, args: readonly string[] = []): Promise<Run> {
  const t0 = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join('examples', file), ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      timings.push({ run: `${file} ${args.join(' ')}`, ms: performance.now() - t0 });
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Fails with the child's output, so a broken example explains itself. */
function expectExit(r: Run, code: number): void {
  if (r.code !== code) throw new Error(`expected exit code ${code}, got ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
}

/**
 * A tiny PushBox-v0 bundle with random weights, written directly with onnx-proto the way an external
 * exporter would (no Rapier or training in this process): the examples only need a model of the right
 * shape. train-your-own.ts covers bundles trained and exported by the SDK itself.
 */
function pushBoxBundle(): string {
  const dir = join(tmp, 'pushbox-model');
  if (!existsSync(dir))
    writeTestBundle(dir, { obsDim: 13, actionDim: 2, latentDim: 8, decoder: true, rollout: true, seed: 3, manifest: { name: 'tiny-pushbox', envId: 'PushBox-v0' } });
  return dir;
}

afterAll(() => {
  console.log(`examples, wall time per run (concurrent, so under shared CPU):\n${timings.map((t) => `  ${(t.ms / 1000).toFixed(1).padStart(5)} s  ${t.run}`).join('\n')}`);
  rmSync(tmp, { recursive: true, force: true });
});

describe.concurrent('examples run as written', () => {
  it('quickstart.ts: steps PushBox-v0 with random actions and passes checkEnv', { timeout: TIMEOUT }, async () => {
    const r = await run('quickstart.ts', ['--max-steps', '15', '--seed', '3']);
    expectExit(r, 0);
    expect(r.stdout).toContain('PushBox-v0: observation Box[13], action Box[2]');
    expect(r.stdout).toMatch(/episode 0: 15 steps, return -\d+\.\d{3}, success false/);
    expect(r.stdout).toMatch(/checkEnv\(PushBox-v0\): passed — 15\/15 checks passed/);
  });

  it('policy-from-demonstrations.ts: clones scripted Reach-v0 episodes into a policy bundle and runs it in controlLoop', { timeout: TIMEOUT }, async () => {
    const r = await run('policy-from-demonstrations.ts', ['--out', join(tmp, 'policy-example'), '--episodes', '40', '--steps', '800']);
    expectExit(r, 0);
    expect(r.stdout).toMatch(/collected \d+ transitions in 40 episodes/);
    expect(r.stdout).toMatch(/held-out success (8\d|9\d|100)% \(10 episodes\)/);
    expect(r.stdout).toMatch(/controlLoop: \d+ steps, \d+ late, success (true|false)/);
    expect(existsSync(join(tmp, 'policy-example', 'policy', 'policy.onnx'))).toBe(true);
  });

  it('custom-env.ts: registers GridTreasure-v0, reaches the treasure, passes checkEnv', { timeout: TIMEOUT }, async () => {
    const r = await run('custom-env.ts');
    expectExit(r, 0);
    expect(r.stdout).toContain('registered examples/GridTreasure-v0 (50-step limit)');
    expect(r.stdout).toMatch(/episode: return \d\.\d, success true/);
    expect(r.stdout).toMatch(/ok {3}state-restore/);
    expect(r.stdout).toContain('checkEnv(examples/GridTreasure-v0): passed');
  });

  it('custom-env.ts --bug: checkEnv catches a reset that ignores its seed (exit code 1)', { timeout: TIMEOUT }, async () => {
    const r = await run('custom-env.ts', ['--bug']);
    expectExit(r, 1);
    expect(r.stdout).toMatch(/FAIL reset-seed-determinism/);
    expect(r.stdout).toMatch(/checkEnv\(examples\/GridTreasure-v0\): FAILED \(reset-seed-determinism/);
  });

  it('train-your-own.ts: collects, trains, exports and validates Reach-v0 into --out', { timeout: TIMEOUT }, async () => {
    const out = join(tmp, 'train-your-own');
    const r = await run('train-your-own.ts', ['--steps', '500', '--train-steps', '20', '--episodes', '1', '--max-steps', '8', '--out', out]);
    expectExit(r, 0);
    expect(r.stdout).toMatch(/collected 500 transitions in \d+ episodes of Reach-v0/);
    expect(r.stdout).toMatch(/trained 20 steps \(.*\): loss \d/);
    expect(r.stdout).toMatch(/drift \(random actions\): h=1 \d+\.\d{3} σ, h=15 \d+\.\d{3} σ/);
    for (const name of ['learned MPC', 'oracle MPC', 'random']) expect(r.stdout).toMatch(new RegExp(`closed loop ${name} +success \\d\\.\\d\\d over 1 episodes`));
    for (const f of ['data/manifest.json', 'model/manifest.json', 'model/encoder.onnx', 'report/report.json', 'report/report.html']) expect(existsSync(join(out, f)), f).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 'report/report.json'), 'utf8')) as { format: string; env: { id: string } };
    expect(report.format).toBe('embodied.validation/v1');
    expect(report.env.id).toBe('Reach-v0');
    const model = await WorldModel.load(join(out, 'model'));
    expect(model.manifest.envId).toBe('Reach-v0');
    await model.close();
  });

  it('dream-vs-real.ts: prompts the model with a real observation and prints per-field and latent gaps', { timeout: TIMEOUT }, async () => {
    const model = pushBoxBundle();
    const r = await run('dream-vs-real.ts', ['--model', model, '--steps', '6', '--every', '2']);
    expectExit(r, 0);
    expect(r.stdout).toContain('tiny-pushbox (PushBox-v0, latent 8) prompted with the real observation of seed 0; scripted actions');
    expect(r.stdout).toMatch(/^step +box position \(m\) +box velocity \(m\/s\).* latent gap$/m);
    const rows = r.stdout.split('\n').filter((l) => /^\d+ /.test(l));
    expect(rows.map((l) => Number(l.split(/\s+/)[0]))).toEqual([1, 2, 4, 6]);
    // Six field errors and the latent gap, all finite, non-negative numbers.
    for (const row of rows) {
      const values = row.trim().split(/\s+/).slice(1).map(Number);
      expect(values).toHaveLength(7);
      expect(values.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    }
    expect(r.stdout).toMatch(/mean error over 6 steps: box position \d+\.\d{4} m, .*; final latent gap \d+\.\d{4}/);
  });

  it('mpc-pushbox.ts: MPC in the latent space of a world model, acting in Rapier (the preset algorithm: iCEM)', { timeout: TIMEOUT }, async () => {
    const model = pushBoxBundle();
    const r = await run('mpc-pushbox.ts', ['--model', model, '--episodes', '2', '--max-steps', '5', '--samples', '16', '--horizon', '5', '--iterations', '1']);
    expectExit(r, 0);
    expect(r.stdout).toContain(`ICEM with the world model at ${model}: horizon 5, 16 samples × 1 iterations, replan every 1`);
    expect(r.stdout).toMatch(/^seed 100: .* after 5 steps, return -\d/m);
    expect(r.stdout).toMatch(/^seed 101: .* after 5 steps, return -\d/m);
    expect(r.stdout).toMatch(/success rate \d+% \(\d\/2\), return -\d/);
    expect(r.stdout).toMatch(/plan latency over 10 plans: p50 \d+\.\d ms, p95 \d+\.\d ms/);
  });

  it('mpc-pushbox.ts --oracle: the same planner with Rapier as the model', { timeout: TIMEOUT }, async () => {
    const r = await run('mpc-pushbox.ts', ['--oracle', '--episodes', '1', '--max-steps', '3', '--samples', '8', '--horizon', '4', '--iterations', '1']);
    expectExit(r, 0);
    expect(r.stdout).toContain('ICEM with the Rapier oracle: horizon 4, 8 samples × 1 iterations');
    expect(r.stdout).toMatch(/^seed 100: .* after 3 steps/m);
    expect(r.stdout).toMatch(/plan latency over 3 plans/);
  });

  it('warehouse-fleet.ts: one greedy RxJS agent per robot delivers packages', { timeout: TIMEOUT }, async () => {
    const r = await run('warehouse-fleet.ts', ['--max-steps', '90', '--every', '30']);
    expectExit(r, 0);
    expect(r.stdout).toContain("Warehouse-v0 'small': 2 robots (robot_0, robot_1), 4 packages, 2 drop zones");
    // Seeded physics and a deterministic controller: the same episode every time (seed 1).
    expect(r.stdout).toMatch(/^step {3}30: 0\/4 delivered, carrying robot_0 #0, robot_1 #1$/m);
    expect(r.stdout).toMatch(/^robot_0: 1 deliveries, \d+ robot-robot and \d+ robot-shelf collisions, idle \d+ steps$/m);
    expect(r.stdout).toMatch(/^robot_1: 1 deliveries/m);
    expect(r.stdout).toMatch(/team: 2\/4 packages delivered in 90 steps \(9\.0 s simulated/);
    expect(r.stdout).toMatch(/throughput 800 deliveries per simulated hour/); // 2 per 9 s
    expect(r.stdout).toContain('0 deadline fallbacks');
  });

  it('warehouse-fleet.ts --slow-ms: a robot later than its deadline is covered by its fallback', { timeout: TIMEOUT }, async () => {
    const r = await run('warehouse-fleet.ts', ['--max-steps', '8', '--every', '100', '--deadline-ms', '5', '--slow-ms', '25']);
    expectExit(r, 0);
    const m = /(\d+) deadline fallbacks \((\d+) late answers dropped\)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    // robot_0 answers 25 ms late against a 5 ms deadline, so its steps fall back (measured: 8 of 8;
    // the bound leaves room for a scheduler hiccup on a loaded machine). Without the delay: 0 (above).
    expect(Number(m![1])).toBeGreaterThanOrEqual(4);
    expect(Number(m![1])).toBeLessThanOrEqual(8);
  });
});

describe('import-pytorch-model.md', () => {
  const md = readFileSync(join(ROOT, 'examples/import-pytorch-model.md'), 'utf8');

  it('links only to files that exist', () => {
    const links = [...md.matchAll(/\]\((\.\.?\/[^)#]+)(#[^)]*)?\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) expect(existsSync(resolve(ROOT, 'examples', link)), link).toBe(true);
  });

  it("its manifest is valid, and a bundle exported as it says (batch axis named 'batch') loads and plans", async () => {
    const json = /```json\n([\s\S]*?)```/.exec(md)![1]!;
    const manifest = parseBundleManifest(JSON.parse(json));
    const dir = join(tmp, 'torch-style');
    writeTestBundle(dir, {
      obsDim: manifest.obsDim,
      actionDim: manifest.actionDim,
      latentDim: manifest.latentDim,
      hasTerminal: true,
      decoder: true,
      initialObservations: new Float32Array(2 * manifest.obsDim),
      manifest,
    });
    const model = await WorldModel.load(dir);
    expect(model.hasTerminal && model.hasDecoder && model.initialObservations?.length === 2 * manifest.obsDim).toBe(true);
    const planner = new Planner(model, {
      horizon: 4,
      actionLow: manifest.actionLow,
      actionHigh: manifest.actionHigh,
      optimizer: { algorithm: 'mppi', samples: 8, iterations: 1, elites: 4, seed: 0 },
      objective: rewardObjective(),
    });
    const plan = await planner.plan(await model.encode(new Float32Array(manifest.obsDim)));
    expect(plan.action).toHaveLength(manifest.actionDim);
    expect(Array.from(plan.action).every((a) => a >= -1 && a <= 1)).toBe(true);
    await model.close();
  });

  it('quotes the error the loader really gives for a fixed batch axis', async () => {
    const quoted = /^(encoder\.onnx: input `obs`: expected axis 0 \(batch\).*)$/m.exec(md)![1]!;
    const dir = join(tmp, 'fixed-batch');
    writeTestBundle(dir, { obsDim: 6, actionDim: 2, latentDim: 4 });
    const model = onnx.ModelProto.decode(readFileSync(join(dir, 'encoder.onnx')));
    model.graph!.input![0]!.type!.tensorType!.shape!.dim![0] = { dimValue: 1 };
    writeFileSync(join(dir, 'encoder.onnx'), onnx.ModelProto.encode(model).finish());
    await expect(loadBundle(dir)).rejects.toThrow(quoted);
  });
});
