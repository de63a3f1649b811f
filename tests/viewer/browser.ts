/**
 * What the viewer's browser tests share: the page built into a temporary folder (viewer/build.mjs, as
 * `npm run build` does), and Debian's headless Chromium driven by playwright-core — the setup of the
 * validation report's test. Tests skip, saying so, where /usr/bin/chromium is missing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { buildViewer } from '../../viewer/build.mjs';

/** Debian's Chromium (`.ci/run` installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser tests can run here. */
export const hasChromium = existsSync(CHROMIUM);

/** A built viewer and a running browser. */
export interface BrowserFixture {
  readonly assets: string;
  readonly context: BrowserContext;
  readonly dir: string;
  close(): Promise<void>;
}

/** Builds the page (not minified: faster) and launches Chromium with a fresh profile. */
export async function openBrowser(): Promise<BrowserFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'viewer-test-'));
  const assets = join(dir, 'viewer');
  await buildViewer(assets, { minify: false });
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1000, height: 560 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    assets,
    context,
    dir,
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A page that records console errors, page errors, and requests that leave 127.0.0.1 and the disk. */
export async function watchedPage(context: BrowserContext): Promise<{ page: Page; errors: string[]; outside: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  const outside: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    const url = r.url();
    if (!/^(file:|data:|blob:|http:\/\/127\.0\.0\.1[:/])/.test(url)) outside.push(url);
  });
  return { page, errors, outside };
}

/** Waits until the page's current mode has mounted (or shown a problem). */
export async function waitReady(page: Page, timeout = 20_000): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as { __embodiedViewer?: { ready: boolean } }).__embodiedViewer?.ready === true, null, { timeout });
}

/** The page's viewer handle, read in the page. */
export function viewerState<T = Record<string, unknown>>(page: Page): Promise<{ mode?: string; problem?: string; modes: string[]; state: T }> {
  return page.evaluate(() => {
    const h = (globalThis as unknown as { __embodiedViewer: { mode?: string; problem?: string; modes: string[]; state(): unknown } }).__embodiedViewer;
    return { ...(h.mode !== undefined && { mode: h.mode }), ...(h.problem !== undefined && { problem: h.problem }), modes: h.modes, state: h.state() as T };
  });
}
