/**
 * `embodied fleet`: flags become `runFleet` options (layout, MovingAI file, fleet size) and the report
 * is printed as a table or JSON.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerFleetCommand } from '../../cli/commands/fleet.js';
import '../../environments/index.js';

const MAP = join(import.meta.dirname, '../../environments/warehouse/maps/aisles-24x12.map');

async function fleet(args: string[]): Promise<string[]> {
  const program = new Command().exitOverride();
  registerFleetCommand(program);
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
  await program.parseAsync(['fleet', ...args], { from: 'user' });
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

describe('embodied fleet', () => {
  it('runs a fleet on a MovingAI file with the flags’ fleet size and prints the JSON report', async () => {
    const [out] = await fleet(['--layout-file', MAP, '--robots', '3', '--packages', '2', '--drop-zones', 'east', '--max-steps', '5', '--json']);
    const report = JSON.parse(out!);
    expect(report).toMatchObject({ policy: 'prioritized', robots: 3, packages: 2, maxSteps: 5, layout: { rows: 12, cols: 24 } });
    expect(report.episodes[0]).toMatchObject({ seed: 0, steps: 5, robotRobotCollisions: 0 });
  });

  it('prints the table for the greedy fleet on a built-in layout', async () => {
    const lines = await fleet(['--layout', 'small', '--policy', 'greedy', '--max-steps', '5', '--episodes', '2', '--seed', '4']);
    const text = lines.join('\n');
    expect(text).toMatch(/Warehouse-v0 'small' \(12×9\) · 2 robots, 4 packages · greedy fleet · up to 5 steps/);
    expect(text).toMatch(/^4 {5}/m);
    expect(text).toMatch(/^5 {5}/m);
    expect(text).toMatch(/mean: .* deliveries/);
  });

  it('runs fleet MPC on a learned shared model (--policy mpc --model) and refuses a missing or stray --model', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { collectFleetDataset } = await import('../../workflows/fleet-data.js');
    const { trainWorldModel } = await import('../../workflows/train.js');
    const { LEARN_MODEL } = await import('../../src/training/recipe.js');
    const dir = mkdtempSync(join(tmpdir(), 'embodied-fleet-mpc-'));
    try {
      await collectFleetDataset({ out: join(dir, 'data'), fleets: [{ layout: 'small' }], maxSteps: 40, noise: 0.5 });
      await trainWorldModel({ data: join(dir, 'data'), out: join(dir, 'model'), steps: 50, config: { ...LEARN_MODEL, linearSkip: true }, threads: 1 });
      const [out] = await fleet(['--layout', 'small', '--policy', 'mpc', '--model', join(dir, 'model'), '--max-steps', '4', '--json']);
      const report = JSON.parse(out!);
      expect(report).toMatchObject({ policy: 'mpc', robots: 2, maxSteps: 4 });
      expect(report.episodes[0].steps).toBe(4);
      expect(report.episodes[0].planLatency.meanMs).toHaveLength(2);
      expect(report.episodes[0].planLatency.meanMs[0]).toBeGreaterThan(0);
      expect(report.episodes[0].deadlineMisses).toEqual([0, 0]);
      // The same model planned in a worker thread, with a deadline per robot that a 4-step episode meets.
      const [inWorker] = await fleet([
        '--layout',
        'small',
        '--policy',
        'mpc',
        '--model',
        join(dir, 'model'),
        '--max-steps',
        '4',
        '--plan-worker',
        '--deadline-ms',
        '60000',
        '--json',
      ]);
      const worker = JSON.parse(inWorker!);
      expect(worker.episodes[0].steps).toBe(4);
      const [unbraked] = await fleet(['--layout', 'small', '--policy', 'mpc', '--model', join(dir, 'model'), '--max-steps', '4', '--no-shelf-brake', '--json']);
      expect(JSON.parse(unbraked!).episodes[0].steps).toBe(4);
      expect(worker.episodes[0].deadlineMisses).toEqual([0, 0]);
      expect(worker.episodes[0].planLatency.meanMs[0]).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await fleet(['--layout', 'small', '--policy', 'mpc', '--max-steps', '4'])).toEqual([]);
    expect(printed).toHaveBeenLastCalledWith("embodied fleet: --model: expected --model (a bundle directory) with policy 'mpc', and only then");
    expect(process.exitCode).toBe(1);
    expect(await fleet(['--layout', 'small', '--model', 'somewhere', '--max-steps', '4'])).toEqual([]);
    expect(printed).toHaveBeenCalledTimes(2);
    expect(await fleet(['--layout', 'small', '--policy', 'mpc', '--model', 'somewhere', '--wait-ms', '50', '--max-steps', '4'])).toEqual([]);
    expect(printed).toHaveBeenLastCalledWith('embodied fleet: --wait-ms: expected --wait-ms only with --plan-worker (a plan on this thread cannot be given up on) (got 50)');
    expect(await fleet(['--layout', 'small', '--deadline-ms', '50', '--max-steps', '4'])).toEqual([]);
    expect(printed).toHaveBeenLastCalledWith('embodied fleet: --policy: expected --plan-worker, --deadline-ms and --wait-ms only with --policy mpc (got "prioritized")');
    expect(await fleet(['--layout', 'small', '--no-shelf-brake', '--max-steps', '4'])).toEqual([]);
    expect(printed.mock.lastCall?.[0]).toMatch(/shelf-brake: expected the shelf brake turned off only with --policy mpc/);
  }, 60_000);
});
