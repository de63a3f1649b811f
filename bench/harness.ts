/**
 * Benchmark harness: warm-up, interleaved repeated runs, medians, machine record, atomic JSON output.
 * Every `bench/<area>.bench.ts` uses it and writes `bench/results/<area>.json`.
 *
 * Result format (see DESIGN.md): `{ machine, results: [{ name, unit, median, min, max, runs, params }] }`.
 */
import { cpus, totalmem } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFileAtomic } from '../src/atomic-write.js';
import { quantile } from '../src/stats.js';

const require = createRequire(import.meta.url);

/** Units a result may have. */
export type BenchUnit = 'ms' | 'steps/s' | 'GFLOP/s' | 'x' | 'Hz' | 'MB' | 's' | 'items/s' | '%' | 'count' | 'deliveries/robot-h';

/** One benchmark entry. */
export interface BenchResult {
  name: string;
  unit: BenchUnit;
  median: number;
  min: number;
  max: number;
  runs: number;
  params: Record<string, unknown>;
}

/** The machine a result file was measured on. */
export interface MachineInfo {
  cpus: number;
  model: string;
  memoryGiB: number;
  node: string;
  onnxruntime: string;
  rapier: string;
  date: string;
}

/** Version of an installed package, found by walking up from its entry point (some packages do not export package.json). */
function packageVersion(name: string): string {
  let dir: string;
  try {
    dir = dirname(require.resolve(name));
  } catch {
    return 'not installed';
  }
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

/** Describes this machine for the result file. */
export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpus: c.length,
    model: c[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    onnxruntime: packageVersion('onnxruntime-node'),
    rapier: `@dimforge/rapier3d-deterministic-compat@${packageVersion('@dimforge/rapier3d-deterministic-compat')}`,
    date: new Date().toISOString(),
  };
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export { quantile };

/** Summarises samples into a result entry. */
export function summarize(name: string, unit: BenchUnit, samples: readonly number[], params: Record<string, unknown> = {}): BenchResult {
  return { name, unit, median: median(samples), min: Math.min(...samples), max: Math.max(...samples), runs: samples.length, params };
}

/** Milliseconds taken by one call of `fn`. */
export async function timeMs(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * Runs each case `runs` times, interleaved (A B C A B C …) so drift in machine load hits all alike,
 * after `warmup` untimed rounds. Returns the samples (ms per call) of each case, by name.
 */
export async function interleave(
  cases: Record<string, () => unknown | Promise<unknown>>,
  { warmup = 2, runs = 7 }: { warmup?: number; runs?: number } = {},
): Promise<Record<string, number[]>> {
  const names = Object.keys(cases);
  for (let w = 0; w < warmup; w++) for (const n of names) await cases[n]!();
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < runs; r++) for (const n of names) samples[n]!.push(await timeMs(cases[n]!));
  return samples;
}

/** Appends each case's samples of one round to `into` (the samples of all rounds so far, by case). */
export function appendSamples(into: Record<string, number[]>, round: Readonly<Record<string, readonly number[]>>): void {
  for (const [name, values] of Object.entries(round)) {
    const list = into[name] ?? [];
    list.push(...values);
    into[name] = list;
  }
}

/** Per-run ratios a[i] / b[i] of two interleaved sample lists (same length). */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((v, i) => v / b[i]!);
}

/** Writes `bench/results/<area>.json` atomically and prints a table. */
export async function writeResults(area: string, results: BenchResult[]): Promise<string> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  const path = join(dir, `${area}.json`);
  await writeFileAtomic(path, `${JSON.stringify({ machine: machineInfo(), results }, null, 2)}\n`);
  const rows = results.map((r) => `${r.name.padEnd(56)} ${fmt(r.median).padStart(12)} ${r.unit.padEnd(8)} [${fmt(r.min)} … ${fmt(r.max)}] n=${r.runs}`);
  console.log(`\n${area}\n${rows.join('\n')}\nwrote ${path}`);
  return path;
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}
