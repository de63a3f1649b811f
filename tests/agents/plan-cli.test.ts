/**
 * `embodied plan` on LineWorld-v0 with the oracle (fast): the report, the worker path, errors, and
 * one real run of the command. ~5 s idle (the spawned CLI and the worker each start tsx).
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { formatPlanReport, planEpisodes } from '../../workflows/plan.js';
import { PlanWorker } from '../../agents/plan-worker.js';
import '../../environments/index.js';

const bin = fileURLToPath(new URL('../../bin/embodied.mjs', import.meta.url));

describe('embodied plan', () => {
  it('reports success, return with its CI, plan-time percentiles and fallbacks', async () => {
    const report = await planEpisodes({ env: 'LineWorld-v0', oracle: true, episodes: 3, seed: 5 });
    expect(report.results.map((r) => r.seed)).toEqual([5, 6, 7]);
    expect(report.summary.successRate).toBe(1);
    expect(report.planMs.count).toBe(report.results.reduce((s, r) => s + r.length, 0));
    expect(report.planMs.p95).toBeGreaterThanOrEqual(report.planMs.p50);
    expect(report.fallbacks).toEqual({ deadline: 0, inFlight: 0 });
    const text = formatPlanReport(report);
    expect(text).toMatch(/^LineWorld-v0 · planner mppi \(H=12, replan every 1\) · model oracle \(Rapier\)/);
    expect(text).toMatch(/success {4}100\.0% \(3\/3\)/);
    expect(text).toMatch(/return {5}-?\d+\.\d\d ± \d+\.\d\d \(mean ± 95% CI\)/);
    expect(text).toMatch(/plan time {2}p50 \d+\.\d ms · p95 \d+\.\d ms/);
  });

  it('plans for a formula given as `objective` (mathjs over named observation entries) instead of the reward', async () => {
    // LineWorld observes [x, v, goal]: a formula that pays for reaching the goal solves it as the reward does …
    const toGoal = await planEpisodes({ env: 'LineWorld-v0', oracle: true, episodes: 2, seed: 5, objective: '-abs(o0 - o2)' });
    expect(toGoal.summary.successRate).toBe(1);
    // … and one that pays for running right, away from goals on the left, is what the planner now follows.
    const right = await planEpisodes({ env: 'LineWorld-v0', oracle: true, episodes: 2, seed: 5, objective: 'o0', maxSteps: 30 });
    expect(right.results.every((r) => !r.success)).toBe(true);
    await expect(planEpisodes({ env: 'LineWorld-v0', oracle: true, episodes: 1, objective: '-(x - goal)^2' })).rejects.toThrow(/unknown symbol `x`; known: t, reward, o0 … o2/);
  });

  it('plans in a worker with --worker and leaves no worker behind', async () => {
    const report = await planEpisodes({ env: 'LineWorld-v0', oracle: true, algorithm: 'cem', episodes: 1, seed: 1, worker: true });
    expect(report.summary.successRate).toBe(1);
    expect(report.algorithm).toBe('cem');
    expect(PlanWorker.live).toBe(0);
  });

  it('explains bad arguments', async () => {
    await expect(planEpisodes({ env: 'LineWorld-v0', episodes: 1 })).rejects.toThrow(/give `model` \(a bundle directory\) to plan with a world model, or `oracle: true`/);
    await expect(planEpisodes({ env: 'LineWorld-v0', oracle: true, algorithm: 'gradient' as 'mppi' })).rejects.toThrow(
      /`algorithm`: expected mppi, cem, icem or random \(got "gradient"\)/,
    );
    await expect(planEpisodes({ env: 'LineWorl-v0', oracle: true })).rejects.toThrow(/Unknown environment id "LineWorl-v0". Did you mean: LineWorld-v0/);
    await expect(planEpisodes({ env: 'LineWorld-v0', model: '/nonexistent/bundle' })).rejects.toThrow(/nonexistent\/bundle/);
  });

  it('runs from the command line', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'plan', '--env', 'LineWorld-v0', '--oracle', '--episodes', '2', '--planner', 'random', '--no-progress'], {
      timeout: 60_000,
    });
    expect(stdout).toMatch(/LineWorld-v0 · planner random-shooting/);
    expect(stdout).toMatch(/episodes {3}2/);
  });
});
