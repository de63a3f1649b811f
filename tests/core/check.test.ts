import { describe, expect, it } from 'vitest';
import { checkEnv } from '../../src/check.js';
import { make } from '../../src/registry.js';
import { NormalizeObservation } from '../../src/wrappers/normalize-observation.js';
import { FrameStack } from '../../src/wrappers/frame-stack.js';
import { LineWorld } from '../../environments/line-world/index.js';
import { BROKEN_ENVS, DeclaredNondeterministic, NotStateful, WideSpaces } from '../fixtures/broken-envs.js';

describe('checkEnv', () => {
  it.each(BROKEN_ENVS)('catches $check: $name', async ({ check, make: build, message }) => {
    const report = await checkEnv(build(), { timeoutMs: 200 });
    expect(report.passed).toBe(false);
    const failure = report.failures.find((f) => f.check === check);
    expect(failure, `expected a ${check} failure, got ${JSON.stringify(report.failures)}`).toBeDefined();
    expect(failure!.message).toMatch(message);
  });

  it('passes LineWorld, bare and wrapped, listing every check', async () => {
    const bare = await checkEnv(new LineWorld());
    expect(bare.passed).toBe(true);
    expect(bare.checks.map((c) => c.name)).toEqual([
      'spec',
      'observation-space',
      'action-space',
      'reset-result',
      'reset-seed-determinism',
      'reset-seed-different',
      'reset-options',
      'step-result',
      'step-determinism',
      'render',
      'state-clonable',
      'state-restore',
      'state-no-side-effects',
      'close',
      'use-after-close',
    ]);
    const wrapped = await checkEnv(new FrameStack(make('LineWorld-v0'), 3));
    expect(wrapped.failures).toEqual([]);
    expect(wrapped.warnings).toEqual([expect.stringMatching(/checking a wrapped environment \(FrameStack → TimeLimit → LineWorld-v0\)/)]);
  });

  it('skips determinism checks for a declared nondeterministic env', async () => {
    const report = await checkEnv(new DeclaredNondeterministic());
    expect(report.passed).toBe(true);
    const skipped = report.checks.filter((c) => c.skipped).map((c) => c.name);
    expect(skipped).toEqual(['reset-seed-determinism', 'reset-seed-different', 'step-determinism', 'state-restore', 'state-no-side-effects']);
    expect(report.checks.find((c) => c.name === 'step-determinism')!.message).toBe('skipped: spec.nondeterministic is true');
  });

  it('skips state checks for an env that is not Stateful', async () => {
    const report = await checkEnv(new NotStateful());
    expect(report.passed).toBe(true);
    expect(report.checks.filter((c) => c.skipped).map((c) => c.message)).toEqual(['skipped: not Stateful', 'skipped: not Stateful', 'skipped: not Stateful']);
  });

  it('warns about unbounded and non-normalised Box spaces without failing', async () => {
    const report = await checkEnv(new WideSpaces(), { skipRenderCheck: true });
    expect(report.warnings).toEqual([
      expect.stringMatching(/observationSpace is unbounded at indices \[0, 1, 2\]/),
      expect.stringMatching(/actionSpace is not a symmetric, normalised Box/),
    ]);
    // Unbounded or wide boxes are advice, not failures.
    expect(report.failures.filter((f) => f.check.endsWith('space'))).toEqual([]);
  });

  it('reports a later check as skipped when reset is broken, and never throws', async () => {
    const reset = BROKEN_ENVS.find((b) => b.name === 'reset observation outside the space')!;
    const report = await checkEnv(reset.make());
    expect(report.checks.find((c) => c.name === 'step-determinism')).toMatchObject({ skipped: true, message: 'skipped: reset() is broken' });
    const hopeless = await checkEnv({} as never);
    expect(hopeless.passed).toBe(false);
    expect(hopeless.failures.map((f) => f.check)).toContain('observation-space');
  });

  it('keeps the env open with skipCloseCheck, and validates its options', async () => {
    const env = new LineWorld();
    const report = await checkEnv(env, { skipCloseCheck: true });
    expect(report.passed).toBe(true);
    await expect(env.reset({ seed: 0 })).resolves.toBeDefined();
    await expect(checkEnv(env, { stateSteps: 0 })).rejects.toThrow(/checkEnv options: `stateSteps`/);
  });

  it('checks wrapper stacks with their own state (NormalizeObservation)', async () => {
    // Updating statistics make the same seed give other observations, as in Gymnasium: caught.
    const learning = await checkEnv(new NormalizeObservation(make('LineWorld-v0')));
    expect(learning.failures.map((f) => f.check)).toEqual(['reset-seed-determinism', 'step-determinism', 'state-no-side-effects']);
    expect(learning.failures[0]!.message).toMatch(/two reset\(\{ seed: 123 \}\) calls gave different observations: \S+ vs \S+ at \[0\]/);
    // Frozen statistics are deterministic, and the wrapper's state round-trips with the env's.
    const frozen = new NormalizeObservation(make('LineWorld-v0'), { frozen: true });
    frozen.loadStats({ mean: [0, 0, 0.1], var: [0.5, 0.2, 0.4], count: 50 });
    const report = await checkEnv(frozen);
    expect(report.failures).toEqual([]);
    expect(report.warnings.some((w) => /observationSpace is unbounded/.test(w))).toBe(true);
  });
});
