/**
 * One coordinator per run: `<shared>/runs/<run>/coordinator.json`, created exclusively by the command that
 * gathers and assembles the run and removed when it ends. The same command started twice at once (two
 * terminals, a retried CI step) would otherwise assemble twice, and the first to finish deletes the shards
 * the other is still reading. A second coordinator is refused with a {@link QueueError} naming the first;
 * a lock left by a process that died on this machine is taken over (a process on another machine cannot be
 * checked from here: the message says which file to remove once it is gone).
 *
 * Hand-written: the lock is a file in the shared folder every machine sees; a Redis lock would outlive a
 * Redis restart badly, and lock libraries for Node lock local files with `mkdir`, which is what `wx`
 * does here in one call.
 *
 * @module
 */
import { readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { QueueError } from './jobs.js';
import { runFolder } from './shared-folder.js';
import { processAlive } from '../../src/process-alive.js';

/** What the lock file holds. */
interface LockInfo {
  readonly host: string;
  readonly pid: number;
  readonly since: string;
  readonly command: string;
}

/** The lock file of run `run`. */
export function runLockFile(shared: string, run: string): string {
  return join(runFolder(shared, run), 'coordinator.json');
}

async function readLock(file: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockInfo;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Being written this instant, or torn: held by someone this process cannot name.
    if (e instanceof SyntaxError) return { host: 'an unknown host', pid: -1, since: 'unknown', command: 'another command' };
    throw e;
  }
}

/**
 * Takes the run's coordinator lock for `command` (e.g. `collect`); returns its release.
 * @throws {@link QueueError} when another live coordinator holds it.
 */
export async function lockRun(shared: string, run: string, command: string): Promise<() => Promise<void>> {
  const file = runLockFile(shared, run);
  await mkdir(runFolder(shared, run), { recursive: true });
  const mine: LockInfo = { host: hostname(), pid: process.pid, since: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${JSON.stringify(mine)}\n`, { flag: 'wx' });
      return async () => {
        const now = await readLock(file);
        if (now?.pid === mine.pid && now.host === mine.host && now.since === mine.since) await rm(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const held = await readLock(file);
    if (held === undefined) continue; // released meanwhile
    if (held.host === mine.host && Number.isSafeInteger(held.pid) && !processAlive(held.pid)) {
      await rm(file, { force: true }); // its process is gone: take it over
      continue;
    }
    throw new QueueError(
      `run ${run} is already being coordinated by ${held.command} (pid ${held.pid} on ${held.host}, since ${held.since}); ` +
        `wait for it to finish — it gathers and assembles the same results — or, if that process is gone, remove ${file} and run this again`,
    );
  }
  throw new QueueError(`could not take the coordinator lock ${file}: another coordinator keeps taking it`);
}
