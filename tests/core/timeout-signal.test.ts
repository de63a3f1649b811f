import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { timeoutSignal } from '../../src/timeout-signal.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('timeoutSignal', () => {
  it('aborts after its time with a TimeoutError, and when a source signal aborts', async () => {
    const t = timeoutSignal(30);
    await new Promise((r) => setTimeout(r, 80));
    expect(t.signal.aborted).toBe(true);
    expect((t.signal.reason as DOMException).name).toBe('TimeoutError');
    const source = new AbortController();
    const u = timeoutSignal(60_000, source.signal);
    source.abort(new Error('stop'));
    expect(u.signal.aborted).toBe(true);
    u.dispose();
  });

  it('does not abort once disposed, nor for an infinite time', async () => {
    const t = timeoutSignal(20);
    t.dispose();
    const never = timeoutSignal(Number.POSITIVE_INFINITY);
    await new Promise((r) => setTimeout(r, 60));
    expect(t.signal.aborted).toBe(false);
    expect(never.signal.aborted).toBe(false);
  });

  // Node 20's AbortSignal.any([s, AbortSignal.timeout(ms)]) never aborts once the timeout signal is collected.
  it('still aborts when garbage collection runs while it waits', { timeout: 30_000 }, () => {
    const script = `
      const { timeoutSignal } = await import(${JSON.stringify(join(ROOT, 'src', 'timeout-signal.ts'))});
      const s = timeoutSignal(150, new AbortController().signal).signal;
      const t0 = Date.now();
      while (!s.aborted && Date.now() - t0 < 2000) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
      process.stdout.write(String(s.aborted));`;
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toBe('true');
  });
});
