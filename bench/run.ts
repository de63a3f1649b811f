/**
 * `npm run bench [-- --only <area>[,<area>…]]`: runs each `bench/<area>.bench.ts` in its own process
 * (fresh WASM and V8 state, `--no-liftoff` so Rapier tiers up quickly), one after another so they do
 * not compete for the 2 cores. Each writes `bench/results/<area>.json`.
 */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';

const here = dirname(fileURLToPath(import.meta.url));
const program = new Command()
  .name('bench')
  .option('--only <areas>', 'comma-separated areas to run (file names without .bench.ts)')
  .option('--list', 'list the areas and exit')
  .parse(process.argv);
const opts = program.opts<{ only?: string; list?: boolean }>();

const areas = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
if (opts.list) {
  console.log(areas.join('\n'));
  process.exit(0);
}
const wanted = opts.only ? opts.only.split(',').map((s) => s.trim()) : areas;
const unknown = wanted.filter((a) => !areas.includes(a));
if (unknown.length > 0) {
  console.error(`Unknown bench area(s): ${unknown.join(', ')}. Available: ${areas.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const area of wanted) {
  console.log(`\n=== bench: ${area} ===`);
  const r = spawnSync(process.execPath, ['--no-liftoff', '--import', 'tsx', join(here, `${area}.bench.ts`)], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`bench ${area} failed with exit code ${r.status}`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
