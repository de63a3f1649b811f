/**
 * Whether a process id belongs to a live process on this machine.
 *
 * @module
 */

/** Whether process `pid` runs on this machine (signal 0 probes without signalling; EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
