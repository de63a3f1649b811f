/**
 * A private redis-server for a test: 127.0.0.1, a free port, no persistence, its own temporary folder.
 * Tests skip (with a message) when Debian's redis-server is not installed (.ci/run installs it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The redis-server binary, or undefined when there is none. */
export function redisServerBinary(): string | undefined {
  if (existsSync('/usr/bin/redis-server')) return '/usr/bin/redis-server';
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() !== '' ? found.stdout.trim() : undefined;
}

/** Why the distributed tests skip, or undefined when they run. */
export const redisMissing =
  redisServerBinary() === undefined ? 'redis-server is not installed (apt-get install redis-server; .ci/run does it): skipping the distributed-run tests' : undefined;
if (redisMissing) console.warn(redisMissing);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A running test Redis. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then waits for its exit). */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: no persistence). */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

/** Starts a redis-server on a free port. */
export async function startTestRedis(): Promise<TestRedis> {
  const binary = redisServerBinary();
  if (binary === undefined) throw new Error(redisMissing);
  const dir = mkdtempSync(join(tmpdir(), 'redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (await accepts(port)) return;
      await sleep(25);
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A started `embodied worker` process with its output collected. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves when the worker printed `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then waits for its exit. */
  stop(): Promise<void>;
}

/** Starts `node bin/embodied.mjs worker …args`. */
export function startWorkerProcess(args: string[]): WorkerProcess {
  const child = spawn(process.execPath, ['bin/embodied.mjs', 'worker', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += String(d);
  });
  child.stderr!.on('data', (d) => {
    out += String(d);
  });
  return {
    child,
    output: () => out,
    async waitFor(text, timeoutMs = 20_000) {
      const t0 = Date.now();
      while (!(typeof text === 'string' ? out.includes(text) : text.test(out))) {
        if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}) before printing ${text}:\n${out}`);
        if (Date.now() - t0 > timeoutMs) throw new Error(`the worker did not print ${text} within ${timeoutMs} ms:\n${out}`);
        await sleep(50);
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      // A worker waits for its running jobs (and for Redis) before it exits: not forever in a test.
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
