/** One coordinator per run: a second one is refused with the first's name; a dead process's lock is taken over. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { QueueError } from '../../../workflows/distributed/jobs.js';
import { lockRun, runLockFile } from '../../../workflows/distributed/run-lock.js';

const shared = mkdtempSync(join(tmpdir(), 'run-lock-'));
afterAll(() => rmSync(shared, { recursive: true, force: true }));

/** A pid that no process has any more (a child that has exited). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function writeLock(run: string, info: Record<string, unknown>): void {
  const file = runLockFile(shared, run);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(info));
}

describe('lockRun', () => {
  it('refuses a second coordinator of the same run, naming the first; released, the run can be taken again', async () => {
    const release = await lockRun(shared, 'run-a', 'collect');
    expect(JSON.parse(readFileSync(runLockFile(shared, 'run-a'), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), command: 'collect' });
    const second = lockRun(shared, 'run-a', 'collect');
    await expect(second).rejects.toBeInstanceOf(QueueError);
    await expect(lockRun(shared, 'run-a', 'collect')).rejects.toThrow(
      new RegExp(
        `run run-a is already being coordinated by collect \\(pid ${process.pid} on ${hostname()}, since .*\\); wait for it .* remove .*coordinator\\.json and run this again`,
      ),
    );
    // Another run is independent.
    const other = await lockRun(shared, 'run-b', 'collect');
    await other();
    await release();
    expect(existsSync(runLockFile(shared, 'run-a'))).toBe(false);
    await (await lockRun(shared, 'run-a', 'collect'))();
  });

  it('takes over the lock of a process that died on this machine, not one on another machine', async () => {
    writeLock('run-c', { host: hostname(), pid: deadPid(), since: '2026-01-01T00:00:00.000Z', command: 'collect' });
    const release = await lockRun(shared, 'run-c', 'collect');
    expect(JSON.parse(readFileSync(runLockFile(shared, 'run-c'), 'utf8')).pid).toBe(process.pid);
    await release();
    writeLock('run-d', { host: 'elsewhere.lan', pid: 4242, since: '2026-01-01T00:00:00.000Z', command: 'collect' });
    await expect(lockRun(shared, 'run-d', 'collect')).rejects.toThrow(/pid 4242 on elsewhere\.lan/);
    expect(JSON.parse(readFileSync(runLockFile(shared, 'run-d'), 'utf8')).host).toBe('elsewhere.lan');
  });

  it('releases only its own lock', async () => {
    const release = await lockRun(shared, 'run-e', 'collect');
    writeLock('run-e', { host: 'elsewhere.lan', pid: 7, since: 'x', command: 'collect' });
    await release();
    expect(existsSync(runLockFile(shared, 'run-e'))).toBe(true);
  });
});
