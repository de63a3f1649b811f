/**
 * Peers: our own small PyTorch programs (`bench/peers/*.py`) that do the same work as a benchmark case,
 * with the same shapes, run in the same benchmark process so that a `…vs-pytorch` ratio compares two
 * numbers measured minutes apart on the same machine, never a figure from elsewhere.
 *
 * A benchmark probes the interpreter once ({@link probePeer}); when torch is there it runs in rounds:
 * our cases for a few runs, then the peer for the same budget (a child process: it warms up, times,
 * prints one JSON line per thread count), and again. Load that drifts during the run hits both sides
 * alike. {@link PeerComparison} turns the rounds into one result entry.
 *
 * Ratios are speed-ups, > 1 when ours is faster: peer time / our time for `ms`, our rate / the peer's
 * rate for `steps/s`. The peer's best thread count counts in each round.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, summarize, type BenchResult } from '../harness.js';

/** Where the peer programs live. */
export const PEERS_DIR = dirname(fileURLToPath(import.meta.url));

/** The interpreter tried by default: Debian's python3, where `apt-get install python3-torch` puts torch. */
export const DEFAULT_PYTHON = '/usr/bin/python3';

/** One case as a peer prints it (one JSON line). */
export interface PeerRecord {
  /** Which workload, e.g. `'mppi.ref'`. */
  readonly case: string;
  /** `'ms'` per call (lower is better) or `'steps/s'` (higher is better). */
  readonly unit: 'ms' | 'steps/s';
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
  /** torch version. */
  readonly torch: string;
  /** torch intra-op threads. */
  readonly threads: number;
  /** The case's sizes and anything else the peer printed. */
  readonly [key: string]: unknown;
}

/** A runnable peer interpreter. */
export interface Peer {
  /** The command that runs a peer script: `[...command, script, ...args]`. */
  readonly command: readonly string[];
  /** torch version it imports. */
  readonly torch: string;
  /** Runs `bench/peers/<script>` with `args`; returns its JSON lines. @throws Error when it fails or prints no record. */
  run(script: string, args: readonly string[]): PeerRecord[];
}

/** What {@link probePeer} found. */
export type PeerProbe = { readonly peer: Peer; readonly reason?: undefined } | { readonly peer?: undefined; readonly reason: string };

const PROBE = 'import torch; print(torch.__version__)';

/**
 * Checks once whether `command` (default: `$BENCH_PEER_PYTHON`, else {@link DEFAULT_PYTHON}) runs and
 * imports torch. `BENCH_PEER_PYTHON=none` turns peers off.
 */
export function probePeer(command: readonly string[] = defaultCommand()): PeerProbe {
  if (command.length === 0 || command[0] === 'none') return { reason: 'peers turned off (BENCH_PEER_PYTHON=none)' };
  const r = spawnSync(command[0]!, [...command.slice(1), '-c', PROBE], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { reason: `${command.join(' ')} could not be run (${r.error.message})` };
  if (r.status !== 0) return { reason: `${command.join(' ')} has no torch (${lastLine(r.stderr) || `exit code ${r.status}`})` };
  const torch = lastLine(r.stdout);
  if (!torch) return { reason: `${command.join(' ')} printed no torch version` };
  return { peer: { command: [...command], torch, run: (script, args) => runPeer(command, script, args) } };
}

function defaultCommand(): string[] {
  const env = process.env.BENCH_PEER_PYTHON;
  return env === undefined || env === '' ? [DEFAULT_PYTHON] : env.split(' ').filter((s) => s !== '');
}

function lastLine(text: string | null | undefined): string {
  const lines = (text ?? '').trim().split('\n');
  return lines[lines.length - 1]!.trim();
}

function runPeer(command: readonly string[], script: string, args: readonly string[]): PeerRecord[] {
  const path = join(PEERS_DIR, script);
  // No __pycache__ left in the source tree.
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  const r = spawnSync(command[0]!, [...command.slice(1), path, ...args], { encoding: 'utf8', env, timeout: 600_000, maxBuffer: 16 * 2 ** 20 });
  const what = `peer ${script} ${args.join(' ')}`;
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what}: exit code ${r.status}: ${lastLine(r.stderr)}`);
  const records = r.stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as PeerRecord);
  if (records.length === 0) throw new Error(`${what}: printed no JSON record`);
  for (const rec of records) {
    if ((rec.unit !== 'ms' && rec.unit !== 'steps/s') || !(rec.median > 0) || !Number.isSafeInteger(rec.threads)) {
      throw new Error(`${what}: malformed record ${JSON.stringify(rec)}`);
    }
  }
  return records;
}

/** The fastest of a round's records (one per thread count): least `ms`, most `steps/s`. */
export function bestRecord(records: readonly PeerRecord[]): PeerRecord {
  if (records.length === 0) throw new Error('bestRecord: no records');
  const faster = (a: PeerRecord, b: PeerRecord) => (a.unit === 'ms' ? a.median < b.median : a.median > b.median);
  return records.reduce((best, r) => (faster(r, best) ? r : best));
}

/** Speed-up of ours over the peer, > 1 when ours is faster (see the module comment). */
export function speedup(ours: number, peer: number, unit: 'ms' | 'steps/s'): number {
  return unit === 'ms' ? peer / ours : ours / peer;
}

/**
 * The rounds of one comparison: our samples of a case in each round beside the peer's records of the
 * same round, reduced to one `…vs-pytorch` entry.
 */
export class PeerComparison {
  private readonly rounds: { ours: number; peer: PeerRecord; all: readonly PeerRecord[] }[] = [];

  /** @param unit - the unit of our samples and of the peer's records */
  constructor(readonly unit: 'ms' | 'steps/s') {}

  /** Adds one round: our samples (in {@link unit}) and the peer's records of the same round. */
  addRound(ourSamples: readonly number[], records: readonly PeerRecord[]): void {
    if (ourSamples.length === 0) throw new Error('PeerComparison.addRound: no samples of ours');
    for (const r of records) {
      if (r.unit !== this.unit) throw new Error(`PeerComparison.addRound: expected peer records in ${this.unit}, got ${r.unit} (${r.case})`);
    }
    if (records.length === 0) return;
    this.rounds.push({ ours: median(ourSamples), peer: bestRecord(records), all: records });
  }

  /** Rounds recorded so far. */
  get size(): number {
    return this.rounds.length;
  }

  /**
   * The entry `name` (unit `x`, one run per round), with the peer's own numbers in `params`; `undefined`
   * when no round had a peer, so nothing is stored.
   */
  result(name: string, params: Record<string, unknown> = {}): BenchResult | undefined {
    if (this.rounds.length === 0) return undefined;
    const ratios = this.rounds.map((r) => speedup(r.ours, r.peer.median, this.unit));
    const byThreads: Record<string, number> = {};
    for (const t of new Set(this.rounds.flatMap((r) => r.all.map((a) => a.threads)))) {
      byThreads[String(t)] = median(this.rounds.flatMap((r) => r.all.filter((a) => a.threads === t).map((a) => a.median)));
    }
    return summarize(name, 'x', ratios, {
      ...params,
      oursMedian: median(this.rounds.map((r) => r.ours)),
      peerMedian: median(this.rounds.map((r) => r.peer.median)),
      peerUnit: this.unit,
      peerBestThreads: this.rounds.map((r) => r.peer.threads),
      peerMedianByThreads: byThreads,
      torch: this.rounds[0]!.peer.torch,
      rounds: this.rounds.length,
      note: `speed-up over the PyTorch-eager peer, > 1 when ours is faster (${this.unit === 'ms' ? 'peer ms / our ms' : 'our steps/s / peer steps/s'}), one ratio per round of interleaved runs; the peer's best thread count each round`,
    });
  }
}

/** Prints why no peer ran and no `…vs-pytorch` ratio is stored. */
export function reportNoPeer(area: string, reason: string): void {
  console.log(`[${area}] PyTorch peer not run: ${reason}. No …vs-pytorch ratios are stored (install python3-torch, or set BENCH_PEER_PYTHON).`);
}
