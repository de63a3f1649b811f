/**
 * The Redis connection of a distributed run, from a `redis://` or `rediss://` URL plus ioredis options
 * passed through unchanged (password, TLS certificates, timeouts: see docs/distributed.md, Security).
 *
 * @module
 */
import type { RedisOptions } from 'ioredis';
import { InvalidArgumentError } from '../../src/errors.js';

/**
 * ioredis options for `url` (`redis://[user:password@]host[:port][/db]`; `rediss://` turns TLS on),
 * with `extra` laid over them (e.g. `{ tls: { ca } }`, `{ password }`).
 * @throws {@link InvalidArgumentError} for anything but a redis:// or rediss:// URL.
 */
export function redisOptions(url: string, extra: Record<string, unknown> = {}): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidArgumentError(`expected \`queue\` to be a Redis URL such as redis://127.0.0.1:6379, got ${JSON.stringify(url)}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new InvalidArgumentError(`expected \`queue\` to be a redis:// or rediss:// URL, got ${JSON.stringify(url)}`);
  }
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new InvalidArgumentError(`expected \`queue\`'s path to be a database number (redis://host:port/0), got ${JSON.stringify(u.pathname)}`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port === '' ? 6379 : Number(u.port),
    ...(u.username !== '' && { username: decodeURIComponent(u.username) }),
    ...(u.password !== '' && { password: decodeURIComponent(u.password) }),
    ...(db !== '' && { db: Number(db) }),
    ...(u.protocol === 'rediss:' && { tls: {} }),
    ...extra,
  };
}

/** `url` without its password, for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
