/**
 * The peer bookkeeping of the benchmarks (bench/peers/peer.ts), with fake peers: node scripts that answer
 * like the PyTorch programs. Nothing here runs torch or times anything.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerComparison, bestRecord, probePeer, speedup, type PeerRecord } from '../../bench/peers/peer.js';

let dir: string;
/** A fake interpreter: answers the torch probe, then prints `records` for every script. */
function fakePeer(name: string, body: string): string[] {
  const path = join(dir, `${name}.mjs`);
  writeFileSync(path, body);
  return [process.execPath, path];
}
const line = (r: Partial<PeerRecord>) => JSON.stringify({ peer: 'pytorch-eager', min: r.median, max: r.median, runs: 3, torch: '9.9.9-fake', ...r });
const answering = (records: Partial<PeerRecord>[]) => `
if (process.argv[2] === '-c') { console.log('9.9.9-fake'); process.exit(0); }
console.log('some chatter first');
${records.map((r) => `console.log(${JSON.stringify(line(r))});`).join('\n')}
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'embodied-peers-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('probePeer', () => {
  it('finds a peer and reads its JSON lines', () => {
    const probe = probePeer(
      fakePeer(
        'ms',
        answering([
          { case: 'mppi.ref', unit: 'ms', median: 30, threads: 1 },
          { case: 'mppi.ref', unit: 'ms', median: 20, threads: 2 },
        ]),
      ),
    );
    expect(probe.reason).toBeUndefined();
    expect(probe.peer!.torch).toBe('9.9.9-fake');
    const records = probe.peer!.run('mppi.py', ['--budgets', '512x12x6']);
    expect(records.map((r) => [r.threads, r.median])).toEqual([
      [1, 30],
      [2, 20],
    ]);
  });

  it.each([
    [
      'an interpreter without torch',
      () => fakePeer('notorch', 'console.error("ModuleNotFoundError: No module named \'torch\'"); process.exit(1);'),
      /has no torch \(ModuleNotFoundError/,
    ],
    ['a missing interpreter', () => [join(dir, 'no-such-python')], /could not be run/],
    ['peers turned off', () => ['none'], /turned off/],
  ])('says why there is no peer: %s', (_what, command, reason) => {
    const probe = probePeer(command());
    expect(probe.peer).toBeUndefined();
    expect(probe.reason).toMatch(reason);
  });

  it('fails loudly on a peer that prints no record or a malformed one', () => {
    expect(() => probePeer(fakePeer('silent', answering([]))).peer!.run('mppi.py', [])).toThrow(/printed no JSON record/);
    expect(() => probePeer(fakePeer('bad', answering([{ case: 'x', unit: 'ms', median: 0, threads: 1 }]))).peer!.run('mppi.py', [])).toThrow(/malformed record/);
    const failing = fakePeer('fails', "if (process.argv[2] === '-c') { console.log('1'); process.exit(0); } console.error('boom'); process.exit(3);");
    expect(() => probePeer(failing).peer!.run('mppi.py', [])).toThrow(/exit code 3: boom/);
  });
});

describe('PeerComparison', () => {
  const ms = (threads: number, median: number): PeerRecord => ({ case: 'mppi.ref', unit: 'ms', median, min: median, max: median, runs: 3, torch: '9.9.9-fake', threads });
  const rate = (threads: number, median: number): PeerRecord => ({ ...ms(threads, median), case: 'worldmodel.train', unit: 'steps/s' });

  it('the best record is the fastest: least ms, most steps/s', () => {
    expect(bestRecord([ms(1, 30), ms(2, 20)]).threads).toBe(2);
    expect(bestRecord([rate(1, 12), rate(2, 5)]).threads).toBe(1);
  });

  it('a speed-up is > 1 when ours is faster, in either unit', () => {
    expect(speedup(10, 20, 'ms')).toBe(2);
    expect(speedup(40, 20, 'ms')).toBe(0.5);
    expect(speedup(30, 10, 'steps/s')).toBe(3);
    expect(speedup(5, 10, 'steps/s')).toBe(0.5);
  });

  it('stores peer ms / our ms per round against the peer’s best thread count, with the peer’s numbers in params', () => {
    const c = new PeerComparison('ms');
    c.addRound([10, 11, 9], [ms(1, 30), ms(2, 20)]); // ours 10 ms, peer best 20 ms: 2×
    c.addRound([20, 20, 20], [ms(1, 30), ms(2, 40)]); // ours 20 ms, peer best 30 ms: 1.5×
    c.addRound([40, 40, 40], [ms(1, 20), ms(2, 25)]); // ours 40 ms, peer best 20 ms: 0.5×
    const r = c.result('planning.mppi.ref.512x12x6.vs-pytorch', { samples: 512 })!;
    expect(r).toMatchObject({ name: 'planning.mppi.ref.512x12x6.vs-pytorch', unit: 'x', median: 1.5, min: 0.5, max: 2, runs: 3 });
    expect(r.params).toMatchObject({ samples: 512, oursMedian: 20, peerMedian: 20, peerUnit: 'ms', peerBestThreads: [2, 1, 1], torch: '9.9.9-fake', rounds: 3 });
    expect(r.params.peerMedianByThreads).toEqual({ 1: 30, 2: 25 });
  });

  it('stores our steps/s / peer steps/s', () => {
    const c = new PeerComparison('steps/s');
    c.addRound([30, 30, 30], [rate(1, 10), rate(2, 6)]);
    expect(c.result('training.worldmodel.vs-pytorch.threads1')).toMatchObject({ median: 3, runs: 1, params: { peerMedian: 10, peerBestThreads: [1] } });
  });

  it('stores nothing when no round had a peer', () => {
    const c = new PeerComparison('ms');
    c.addRound([10], []);
    expect(c.size).toBe(0);
    expect(c.result('planning.mppi.ref.512x12x6.vs-pytorch')).toBeUndefined();
  });

  it('refuses peer records in another unit', () => {
    expect(() => new PeerComparison('ms').addRound([10], [rate(1, 10)])).toThrow(/expected peer records in ms, got steps\/s/);
  });
});

describe('the benchmarks', () => {
  const bench = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench');
  it.each(['planning.bench.ts', 'training.bench.ts'])('%s compares with a peer run in the same process only', (file) => {
    const source = readFileSync(join(bench, file), 'utf8');
    expect(source).toContain('probePeer()');
    expect(source).toContain('new PeerComparison(');
    // A peer figure typed into the source would be a ratio against a number measured elsewhere.
    expect(source).not.toMatch(/PYTORCH_[A-Z_]*MS|peerMs\s*:/);
  });
});
