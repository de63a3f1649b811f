/**
 * The version `embodied --version` prints: read at run time from the package's own package.json, so
 * the sources (`cli/`) and the compiled CLI (`dist/cli/`) both report what was installed.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `version` of the nearest package.json named `embodied` above this file; `unknown` when there is none. */
export function packageVersion(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'embodied' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No (readable) package.json here: keep climbing.
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
