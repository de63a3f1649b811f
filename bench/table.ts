/**
 * `npx tsx bench/table.ts [area…]`: prints `bench/results/<area>.json` (all areas by default) as Markdown
 * tables — one per area, headed by the machine and date it was measured on — for docs/performance.md.
 * It only formats what the benchmarks wrote; it measures nothing.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult, MachineInfo } from './harness.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
const wanted = process.argv.slice(2);
const areas = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .filter((a) => wanted.length === 0 || wanted.includes(a))
  .sort();

/** Three significant digits, without exponent notation for ordinary magnitudes. */
function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(3)).toString();
}

for (const area of areas) {
  const file = JSON.parse(readFileSync(join(dir, `${area}.json`), 'utf8')) as { machine: MachineInfo; results: BenchResult[] };
  const m = file.machine;
  console.log(`### ${area}\n`);
  console.log(`${m.cpus} × ${m.model}, ${m.memoryGiB} GiB, Node ${m.node}, onnxruntime ${m.onnxruntime}, ${m.rapier}; measured ${m.date.slice(0, 16).replace('T', ' ')} UTC\n`);
  console.log('| benchmark | median | min … max | unit | runs |');
  console.log('|---|---|---|---|---|');
  for (const r of file.results) console.log(`| ${r.name} | ${fmt(r.median)} | ${fmt(r.min)} … ${fmt(r.max)} | ${r.unit} | ${r.runs} |`);
  console.log('');
}
