#!/usr/bin/env node
// The `embodied` command. In a checkout (the TypeScript sources are present) it runs them through tsx,
// so an edit is never shadowed by a stale dist/ (`npm ci` builds dist/ through `prepare`). An installed
// package ships only the compiled dist/, and runs that.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'cli', 'main.ts');
const compiled = join(root, 'dist', 'cli', 'main.js');
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  console.error(`embodied: neither ${compiled} nor ${source} exists; build the package with \`npm run build\``);
  process.exitCode = 1;
}
