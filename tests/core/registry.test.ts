import { afterEach, describe, expect, it } from 'vitest';
import { RegistrationError, UnknownEnvError } from '../../src/errors.js';
import { closeMatches, listEnvs, make, makeVec, parseEnvId, register, registration, spec, unregister } from '../../src/registry.js';
import { TimeLimit } from '../../src/wrappers/time-limit.js';
import { LineWorld } from '../../environments/line-world/index.js';

const temp: string[] = [];
function registerTemp(id: string, extra: Record<string, unknown> = {}): void {
  register({ id, entryPoint: (o) => Object.assign(new LineWorld(o), { spec: { id } }), ...extra });
  temp.push(id);
}
afterEach(() => {
  for (const id of temp.splice(0)) unregister(id);
});

describe('registry', () => {
  it('parses versioned ids', () => {
    expect(parseEnvId('PushBox-v0')).toEqual({ namespace: undefined, name: 'PushBox', version: 0 });
    expect(parseEnvId('lab/Arm-3dof-v12')).toEqual({ namespace: 'lab', name: 'Arm-3dof', version: 12 });
    expect(() => parseEnvId('PushBox')).toThrow(/form `Name-vN` \(e.g. `PushBox-v0`\), got "PushBox"/);
    expect(() => parseEnvId('PushBox-v')).toThrow(RegistrationError);
  });

  it('lists LineWorld-v0 with its spec, and make adds the TimeLimit', () => {
    expect(listEnvs()).toContain('LineWorld-v0');
    expect(spec('LineWorld-v0')).toMatchObject({ id: 'LineWorld-v0', maxEpisodeSteps: 200 });
    const env = make('LineWorld-v0', { dt: 0.05 });
    expect(env).toBeInstanceOf(TimeLimit);
    expect((env as TimeLimit).maxEpisodeSteps).toBe(200);
    expect(((env as TimeLimit).unwrapped as LineWorld).params.dt).toBe(0.05);
    expect(make('LineWorld-v0', {}, { maxEpisodeSteps: false })).toBeInstanceOf(LineWorld);
    expect(registration('LineWorld-v0').module).toMatch(/line-world\/card\.(ts|js)$/);
  });

  it('unknown ids list close matches (other versions, typos)', () => {
    expect(() => make('LineWorld-v1')).toThrow(UnknownEnvError);
    expect(() => make('LineWorld-v1')).toThrow(/Unknown environment id "LineWorld-v1". Did you mean: LineWorld-v0\?/);
    expect(() => make('LinWorld-v0')).toThrow(/Did you mean: LineWorld-v0/);
    expect(closeMatches('lineworld-v0')).toContain('LineWorld-v0');
    expect(() => spec('Zzzzzzzzzzzzzzzzzzzzz-v0')).toThrow(/Registered: .*LineWorld-v0/);
  });

  it('keeps versions apart', () => {
    registerTemp('LineWorld-v7', { maxEpisodeSteps: 7 });
    expect(spec('LineWorld-v7').maxEpisodeSteps).toBe(7);
    expect(spec('LineWorld-v0').maxEpisodeSteps).toBe(200);
    expect(closeMatches('LineWorld-v3').slice(0, 2).sort()).toEqual(['LineWorld-v0', 'LineWorld-v7']);
  });

  it('refuses duplicate registrations unless overridden, and malformed ones', () => {
    registerTemp('Dup-v0');
    expect(() => registerTemp('Dup-v0')).toThrow(/Environment `Dup-v0` is already registered; pass \{ override: true \} to replace it/);
    register({ id: 'Dup-v0', entryPoint: () => new LineWorld(), maxEpisodeSteps: 3 }, { override: true });
    expect(spec('Dup-v0').maxEpisodeSteps).toBe(3);
    expect(() => register({ id: 'Bad', entryPoint: () => new LineWorld() })).toThrow(/form `Name-vN`/);
    expect(() => register({ id: 'Bad-v0', entryPoint: 3 as never })).toThrow(/`entryPoint` to be a function, got 3/);
    expect(() => register({ id: 'Bad-v0', entryPoint: () => new LineWorld(), maxEpisodeSteps: 0 })).toThrow(/`maxEpisodeSteps` to be a positive integer, got 0/);
  });

  it('re-registering from the same module is harmless', () => {
    registerTemp('Same-v0', { module: 'file:///x.ts' });
    expect(() => register({ id: 'Same-v0', entryPoint: () => new LineWorld(), module: 'file:///x.ts' })).not.toThrow();
  });

  it('make checks the built spec id and its options argument', () => {
    register({ id: 'Liar-v0', entryPoint: () => new LineWorld() });
    temp.push('Liar-v0');
    expect(() => make('Liar-v0')).toThrow(/spec.id is "LineWorld-v0"/);
    expect(() => make('LineWorld-v0', 3 as never)).toThrow(/expected `options` to be an object, got 3/);
    expect(() => make('LineWorld-v0', { dt: -1 })).toThrow(/LineWorld-v0 options: `dt`/);
  });

  it('makeVec validates its arguments', async () => {
    await expect(makeVec('LineWorld-v0', 0)).rejects.toThrow(/`n` to be a positive integer, got 0/);
    await expect(makeVec('LineWorld-v0', 2, 'thread' as never)).rejects.toThrow(/`mode` to be 'sync' or 'worker', got "thread"/);
    await expect(makeVec('Nope-v0', 2)).rejects.toThrow(UnknownEnvError);
    await expect(makeVec('LineWorld-v0', 2, 'sync', { numWorkers: 2 })).rejects.toThrow(/apply to 'worker' mode only/);
    registerTemp('NoModule-v0');
    await expect(makeVec('NoModule-v0', 2, 'worker')).rejects.toThrow(/the registration has no `module` for workers to import/);
  });
});
