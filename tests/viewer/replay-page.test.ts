/**
 * The viewer's replay player in headless Chromium: the page loads with no console errors and no request
 * leaving the machine, the replay advances (pixels change between screenshots), the page written with
 * `--out` plays from `file://`, and bad input (another format version, a missing file) is a message on
 * the page, not a blank canvas.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { randomPolicy } from '../../src/policy.js';
import { make } from '../../src/registry.js';
import { RecordFrames, writeReplay } from '../../workflows/demo/replay.js';
import { serveViewer, writeViewer } from '../../workflows/view.js';
import { hasChromium, openBrowser, viewerState, waitReady, watchedPage, type BrowserFixture } from './browser.js';

let fx: BrowserFixture;
let replayPath: string;

/** A PushBox episode of seeded random actions (100 steps: 5 s at 1×), recorded. */
async function recordReplay(path: string): Promise<void> {
  const env = new RecordFrames(make<Float32Array, Float32Array>('PushBox-v0'));
  const policy = randomPolicy(env.actionSpace, 3);
  let { observation } = await env.reset({ seed: 3 });
  for (let t = 0; t < 100; t++) {
    const r = await env.step(await policy.act(observation));
    observation = r.observation;
    if (r.terminated || r.truncated) break;
  }
  await writeReplay(path, env.replay({ agent: 'scripted' }));
  await env.close();
}

describe.skipIf(!hasChromium)('viewer: replay player in headless Chromium', () => {
  beforeAll(async () => {
    fx = await openBrowser();
    replayPath = join(fx.dir, 'replay.json');
    await recordReplay(replayPath);
  }, 30_000);
  afterAll(async () => fx?.close());

  it('loads with no console errors and plays: frames advance and pixels change', async () => {
    const server = await serveViewer({ input: replayPath, assets: fx.assets });
    const { page, errors, outside } = await watchedPage(fx.context);
    try {
      await page.goto(server.url);
      await waitReady(page);
      // From the first frame again, whatever loading took.
      await page.evaluate(() => (globalThis as unknown as { __embodiedViewer: { select(m: string): Promise<void> } }).__embodiedViewer.select('Replay'));
      const canvas = page.locator('.pane canvas').first();
      const first = await canvas.screenshot();
      const before = await viewerState<{ frame: number; frames: number; playing: boolean }>(page);
      await page.waitForTimeout(600);
      const second = await canvas.screenshot();
      const after = await viewerState<{ frame: number }>(page);
      expect(before.mode).toBe('Replay');
      expect(before.state.frames).toBeGreaterThan(10);
      expect(after.state.frame).toBeGreaterThan(before.state.frame);
      expect(second.equals(first)).toBe(false);
      // Stepping back by key shows the previous frame and pauses.
      await page.keyboard.press('ArrowLeft');
      const stepped = await viewerState<{ frame: number; playing: boolean }>(page);
      expect(stepped.state.playing).toBe(false);
      expect(await page.locator('aside').textContent()).toContain('return so far');
      expect(errors).toEqual([]);
      expect(outside).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  }, 30_000);

  it('plays from file:// when written with --out', async () => {
    const written = await writeViewer({ input: replayPath, out: join(fx.dir, 'out'), assets: fx.assets });
    const { page, errors } = await watchedPage(fx.context);
    try {
      await page.goto(written.url);
      await waitReady(page);
      await page.waitForFunction(() => ((globalThis as unknown as { __embodiedViewer: { state(): { frame: number } } }).__embodiedViewer.state().frame ?? 0) > 2, null, {
        timeout: 10_000,
      });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 30_000);

  const problems: [string, (dir: string) => string, RegExp][] = [
    [
      'a replay of another format version',
      (dir) => {
        const old = join(dir, 'old.json');
        writeFileSync(old, JSON.stringify({ format: 'embodied.replay/v0', frames: [] }));
        return old;
      },
      /is a replay of format "embodied\.replay\/v0"; this viewer plays "embodied\.replay\/v1"/,
    ],
    ['a missing file', (dir) => join(dir, 'missing.json'), /Cannot read .*missing\.json: no such file/],
  ];
  it.each(problems)(
    'shows a message on the page for %s',
    async (_, makeInput, message) => {
      const server = await serveViewer({ input: makeInput(fx.dir), assets: fx.assets });
      const { page, errors } = await watchedPage(fx.context);
      try {
        await page.goto(server.url);
        await waitReady(page);
        expect(await page.locator('#problem').isVisible()).toBe(true);
        expect(await page.locator('#problem-text').textContent()).toMatch(message);
        expect((await viewerState(page)).problem).toMatch(message);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
        await server.close();
      }
    },
    45_000,
  );
});

if (!hasChromium) console.warn('viewer browser tests skipped: /usr/bin/chromium is not installed (apt-get install -y chromium)');
