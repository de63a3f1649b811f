/**
 * The CLI items of issue 13 (the first hour), each by its message or behaviour: `--version`, one
 * command prefix per error, `--planner random` for collect, the overwrite hint in flag terms, step
 * limits above the time limit, `--layout-file`, `envs <id>`, warehouse metrics in `plan`, and the
 * PushBox quick demo's step limit. ~15 s (one spawned CLI, one short warehouse run).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import '../../environments/index.js';
import { registerCollectCommand } from '../../cli/commands/collect.js';
import { registerEnvsCommand } from '../../cli/commands/envs.js';
import { registerPlanCommand } from '../../cli/commands/plan.js';
import { registerValidateCommand } from '../../cli/commands/validate.js';
import { envDetails, formatEnvDetails } from '../../workflows/describe-env.js';
import { withLayoutFile } from '../../cli/layout-file.js';
import { inFlagTerms, integerOption, numberOption, reportErrors } from '../../cli/options.js';
import { packageVersion } from '../../cli/version.js';
import { policyAgent } from '../../agents/policy-agent.js';
import { evaluateAgent } from '../../agents/run-episodes.js';
import { environmentCard, scriptedPolicyFor } from '../../environments/cards.js';
import { resolveLayout } from '../../environments/warehouse/layouts.js';
import { EmbodiedError } from '../../src/errors.js';
import { make } from '../../src/registry.js';
import { Dataset } from '../../src/training/dataset.js';
import { collectDataset } from '../../workflows/collect.js';
import { createPlanSource } from '../../agents/plan-factory.js';
import { parseWorldModelConfig } from '../../src/training/wm-config.js';
import { Trainer } from '../../src/training/trainer.js';
import { formatPlanReport, planEpisodes } from '../../workflows/plan.js';
import { writeTestBundle } from '../worldmodel/onnx-fixtures.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tmp = () => mkdtempSync(join(tmpdir(), 'cli-first-hour-'));

/** A program with the given subcommands, and the one named `name`. */
function commandOf(name: string, ...register: ((program: Command) => void)[]): { program: Command; command: Command } {
  const program = new Command().exitOverride();
  for (const r of register) r(program);
  return { program, command: program.commands.find((c) => c.name() === name)! };
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('embodied --version', () => {
  it("prints package.json's version, read at run time", async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(packageVersion()).toBe(version);
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'bin/embodied.mjs'), '--version'], { cwd: tmpdir() });
    expect(stdout.trim()).toBe(version);
  });
});

describe('error messages', () => {
  it('carry the command name once, however many times the message already has it', async () => {
    const { command } = commandOf('collect', registerCollectCommand);
    expect(inFlagTerms('embodied collect: embodied collect: `steps` is too large', command)).toBe('--steps is too large');
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await reportErrors(command, () => Promise.reject(new EmbodiedError('embodied collect: collectDataset options: `episodes`: bad')));
    expect(printed).toHaveBeenCalledExactlyOnceWith('embodied collect: --episodes: bad');
    expect(process.exitCode).toBe(1);
  });

  it('name --out and --overwrite, not the API, when the output exists', async () => {
    const { command } = commandOf('collect', registerCollectCommand);
    const out = join(tmp(), 'line');
    await collectDataset({ env: 'LineWorld-v0', episodes: 1, out });
    const error = await collectDataset({ env: 'LineWorld-v0', episodes: 1, out }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(EmbodiedError);
    expect(inFlagTerms((error as Error).message, command)).toBe(`${out} already exists; choose another --out or pass --overwrite to replace it`);
    // A writer's own wording (no backticks) is translated too.
    expect(inFlagTerms(`DatasetWriter: ${out} already exists; choose another output directory or pass overwrite: true`, command)).toMatch(/or pass --overwrite$/);
  });
});

describe('collect --planner random', () => {
  it('is accepted as random shooting, as plan accepts it', async () => {
    for (const name of ['collect', 'plan']) {
      const { command } = commandOf(name, registerCollectCommand, registerPlanCommand);
      expect(command.options.find((o) => o.long === '--planner')!.argChoices).toContain('random');
    }
    const dir = tmp();
    writeTestBundle(join(dir, 'model'), { actionDim: 1, manifest: { actionLow: [-1], actionHigh: [1] } });
    const r = await collectDataset({
      env: 'LineWorld-v0',
      policy: 'mpc',
      model: join(dir, 'model'),
      algorithm: 'random',
      samples: 8,
      horizon: 3,
      iterations: 1,
      steps: 5,
      out: join(dir, 'data'),
    });
    expect(r.manifest.policy).toBe('mpc:random-shooting(8x3x1)');
  });
});

describe('step limits', () => {
  it('plan --max-steps above the time limit lifts it; --max-episode-steps sets it', async () => {
    // Running right (objective o0) from seed 5 never reaches the goal: only a limit ends the episode.
    const run = (o: { maxSteps?: number; maxEpisodeSteps?: number }) =>
      planEpisodes({ env: 'LineWorld-v0', oracle: true, episodes: 1, seed: 5, objective: 'o0', samples: 8, iterations: 1, ...o });
    expect((await run({ maxSteps: 250 })).results[0]).toMatchObject({ length: 250, truncated: true });
    expect((await run({ maxEpisodeSteps: 20 })).results[0]).toMatchObject({ length: 20, truncated: true });
  });

  it('collect, plan and validate take --max-episode-steps; collect cuts episodes there', async () => {
    const { program } = commandOf('collect', registerCollectCommand, registerPlanCommand, registerValidateCommand);
    for (const name of ['collect', 'plan']) expect(program.commands.find((c) => c.name() === name)!.options.map((o) => o.long)).toContain('--max-episode-steps');
    const out = join(tmp(), 'short');
    await collectDataset({ env: 'LineWorld-v0', episodes: 2, maxEpisodeSteps: 5, out });
    const ds = await Dataset.load(out);
    expect(ds.episodeRange(0).end - ds.episodeRange(0).start).toBe(5);
    expect(ds.size).toBeLessThanOrEqual(10);
  });
});

describe('--layout-file', () => {
  it('reads the map from a file and names the line and column of a mistake', async () => {
    const dir = tmp();
    const good = join(dir, 'good.txt');
    writeFileSync(good, '#######\n#R.P.D#\n#######\n');
    expect(await withLayoutFile({ sparse: true }, good)).toEqual({ sparse: true, layout: '#######\n#R.P.D#\n#######\n' });
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '\n  ########\n  #R..P.D#\n  #..X...#\n  ########\n');
    await expect(withLayoutFile(undefined, bad)).rejects.toThrow(`--layout-file ${bad}, line 4, column 6: unknown symbol "X"`);
    await expect(withLayoutFile({ layout: 'tiny' }, good)).rejects.toThrow(/give the layout once/);
    await expect(withLayoutFile(undefined, join(dir, 'none.txt'))).rejects.toThrow(/cannot read it \(ENOENT\)/);
    expect(() => resolveLayout('maps/my-layout.txt')).toThrow(/not a file path \(read the file first; the CLI's --layout-file <path> does\)/);
    for (const name of ['collect', 'plan', 'validate']) {
      const { command } = commandOf(name, registerCollectCommand, registerPlanCommand, registerValidateCommand);
      expect(command.options.map((o) => o.long)).toContain('--layout-file');
    }
  });
});

describe('embodied envs <id>', () => {
  it('prints the observation and action tables and the options schema', async () => {
    const { program } = commandOf('envs', registerEnvsCommand);
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    await program.parseAsync(['envs', 'Warehouse-v0'], { from: 'user' });
    const text = lines.join('\n');
    expect(text).toMatch(/^Warehouse-v0 — /);
    expect(text).toMatch(/time limit {2}200 steps/);
    expect(text).toMatch(/observation Box \[14\]\n {2}name +index +low +high +unit\n {2}robot position +0…1 +-?\d+ +\d+ +m/);
    expect(text).toMatch(/action Box \[3\]/);
    expect(text).toMatch(/ {2}layout +string +"tiny"/);
    expect(text).toMatch(/ {2}gripMode +'lift' \| 'push' +"lift"/);
    expect(text).toMatch(/ {2}substeps +integer +5/);
    const line = await envDetails('LineWorld-v0');
    expect(line.observation.rows[0]).toEqual({ name: '[0]', index: '0', low: '-2', high: '2', unit: '' });
    expect(formatEnvDetails(line)).toMatch(/goalTolerance +number +0\.05/);
  });
});

describe('warehouse metrics in plan', () => {
  it('reports deliveries, throughput and collisions from info, in text and JSON', { timeout: 30_000 }, async () => {
    const report = await planEpisodes({ env: 'Warehouse-v0', oracle: true, episodes: 1, maxSteps: 3, samples: 4, horizon: 2, iterations: 1 });
    expect(Object.keys(report.infoMetrics)).toEqual([
      'deliveries',
      'throughput',
      'deliveriesPerRobotHour',
      'collisions',
      'robotRobotCollisions',
      'robotShelfCollisions',
      'idleTime',
    ]);
    expect(JSON.parse(JSON.stringify(report)).infoMetrics.deliveries).toMatchObject({ mean: 0, n: 1 });
    const text = formatPlanReport(report);
    expect(text).toMatch(/\ndeliveries +0\.00 per episode/);
    expect(text).toMatch(/\nthroughput +0\.0 deliveries per simulated hour/);
    expect(text).toMatch(/\ncollisions +\d+\.\d\d per episode/);
    const line = await planEpisodes({ env: 'LineWorld-v0', oracle: true, episodes: 1, samples: 8, iterations: 1 });
    expect(line.infoMetrics).toEqual({});
  });
});

describe('demo --quick on PushBox', () => {
  it('gives the scripted baseline enough steps to succeed on the quick seeds', async () => {
    const quick = environmentCard('PushBox-v0')!.demo!.quick;
    const { summary } = await evaluateAgent(() => make('PushBox-v0'), policyAgent(scriptedPolicyFor('PushBox-v0')!), {
      seeds: Array.from({ length: quick.episodes }, (_, k) => k),
      maxSteps: quick.maxSteps,
    });
    expect(summary.successRate).toBe(1);
  });
});

describe('numbers on the command line (issue 14)', () => {
  it('counts take decimal digits only; numbers take decimal notation with an exponent', () => {
    const count = integerOption(1);
    expect(count('12')).toBe(12);
    for (const bad of ['0x10', '1e1', '10.0', '', ' ', '0b11', '1_000']) expect(() => count(bad), bad).toThrow(/expected an integer ≥ 1/);
    const rate = numberOption(0);
    expect(rate('3e-4')).toBe(3e-4);
    expect(rate('.5')).toBe(0.5);
    for (const bad of ['0x10', 'Infinity', '', '1e', '--1']) expect(() => rate(bad), bad).toThrow(/expected a number ≥ 0/);
  });

  it('plan refuses --model beside --oracle instead of ignoring one', async () => {
    await expect(planEpisodes({ env: 'LineWorld-v0', oracle: true, model: 'models/pushbox', episodes: 1 })).rejects.toThrow(/give either `model` or `oracle: true`, not both/);
  });

  it('sizes beyond what the machine can do are refused with a message, not attempted', async () => {
    const base = { obsDim: 3, actionDim: 1 };
    expect(() => parseWorldModelConfig({ ...base, batchSize: 1e8 })).toThrow(/`batchSize`: at most 65536 windows: larger batches exhaust memory/);
    expect(() => parseWorldModelConfig({ ...base, horizon: 1000 })).toThrow(/`horizon`: at most 64: the training graph unrolls every step of the horizon/);
    await expect(createPlanSource({ envId: 'LineWorld-v0', samples: 1e7 })).rejects.toThrow(/`samples`: at most 100000 candidates/);
    await expect(createPlanSource({ envId: 'LineWorld-v0', horizon: 5000 })).rejects.toThrow(/`horizon`: at most 1000 steps/);
    await expect(Trainer.create({} as never, { seed: 0, intraOpNumThreads: 1000 })).rejects.toThrow(/`intraOpNumThreads`: at most 64 threads/);
  });
});
