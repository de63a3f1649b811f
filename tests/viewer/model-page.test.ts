/**
 * The viewer's world-model modes in headless Chromium, with the shipped PushBox bundle: the browser's
 * `WorldModel` (onnxruntime-web, WASM) gives Node's outputs (onnxruntime-node) to 1e-4 for the same
 * bundle, observations and actions; dream vs real renders both panes and measures an error per field;
 * in play mode a key press changes the imagined state and the MPC agent can take over; a bundle for an
 * environment the page cannot simulate is a message on the page.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { Rng } from '../../src/rng.js';
import { WorldModel } from '../../src/worldmodel/world-model.js';
import { shippedModel } from '../../workflows/shipped-models.js';
import { serveViewer, type ViewerServer } from '../../workflows/view.js';
import { hasChromium, openBrowser, viewerState, waitReady, watchedPage, type BrowserFixture } from './browser.js';

const B = 4;
const H = 12;

/** What both runtimes compute: encode, H steps (latent, reward), decode of every step; and the fused rollout. */
interface Outputs {
  latents: number[];
  rewards: number[];
  decoded: number[];
  rolloutStates: number[];
}

let fx: BrowserFixture;
let server: ViewerServer;
let page: Page;
let errors: string[];

async function waitIdle(p: Page): Promise<void> {
  await p.waitForFunction(() => (globalThis as unknown as { __embodiedViewer: { state(): { busy?: boolean } } }).__embodiedViewer.state().busy === false, null, {
    timeout: 15_000,
  });
}

describe.skipIf(!hasChromium)('viewer: world model in the browser', () => {
  beforeAll(async () => {
    fx = await openBrowser();
    server = await serveViewer({ input: shippedModel('pushbox'), assets: fx.assets });
    const watched = await watchedPage(fx.context);
    page = watched.page;
    errors = watched.errors;
    await page.goto(`${server.url}?mode=dream-vs-real`);
    await waitReady(page, 25_000);
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    await fx?.close();
  });

  it("renders dream vs real: both panes drawn, an error per field, and the browser's model equals Node's to 1e-4", async () => {
    await page.waitForFunction(() => ((globalThis as unknown as { __embodiedViewer: { state(): { steps: number } } }).__embodiedViewer.state().steps ?? 0) >= 3, null, {
      timeout: 15_000,
    });
    const dream = await viewerState<{ steps: number; errors: number[]; fields: string[] }>(page);
    expect(dream.state.fields).toContain('box position');
    expect(dream.state.errors).toHaveLength(dream.state.fields.length);
    for (const e of dream.state.errors) expect(Number.isFinite(e)).toBe(true);
    const canvases = page.locator('.pane canvas');
    expect(await canvases.count()).toBe(2);
    for (const k of [0, 1]) {
      const shot = await canvases.nth(k).screenshot();
      // A drawn pane has many distinct byte values; a blank canvas is one colour.
      expect(new Set(shot.subarray(200)).size, `pane ${k}`).toBeGreaterThan(50);
    }
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForTimeout(300); // a step in flight finishes
    // Orbiting the real pane moves the imagined pane's camera too.
    const dreamBefore = await canvases.nth(1).screenshot();
    const box = (await canvases.nth(0).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForTimeout(200);
    expect((await canvases.nth(1).screenshot()).equals(dreamBefore)).toBe(false);

    const node = await WorldModel.load(shippedModel('pushbox'));
    const obs = node.initialObservations!.slice(0, B * node.obsDim);
    const rng = Rng.fromSeed(7);
    const actions = Float32Array.from({ length: B * H * node.actionDim }, () => rng.uniformRange(-1, 1));
    const compute = async (m: WorldModel, o: Float32Array, a: Float32Array, B: number, H: number): Promise<Outputs> => {
      const out: Outputs = { latents: [], rewards: [], decoded: [], rolloutStates: [] };
      const A = m.actionDim;
      let z = await m.encode(o);
      const z0 = z;
      for (let h = 0; h < H; h++) {
        const act = new Float32Array(B * A);
        for (let b = 0; b < B; b++) act.set(a.subarray((b * H + h) * A, (b * H + h + 1) * A), b * A);
        const s = await m.step(z, act);
        z = s.nextLatent;
        out.latents.push(...z);
        out.rewards.push(...s.reward);
        out.decoded.push(...(await m.decode(z)));
      }
      out.rolloutStates.push(...(await m.rollout(z0, a, H)).states);
      return out;
    };
    const inNode = await compute(node, obs, actions, B, H);
    await node.close();
    const inBrowser = await page.evaluate(
      async ({ o, a, B, H, source }) => {
        const m = (globalThis as unknown as { __embodiedViewer: { model: WorldModel } }).__embodiedViewer.model;
        // The same function as in Node, sent as source (the page has no test code of its own).
        const run = new Function(`return ${source}`)() as (m: WorldModel, o: Float32Array, a: Float32Array, B: number, H: number) => Promise<Outputs>;
        return run(m, Float32Array.from(o), Float32Array.from(a), B, H);
      },
      { o: Array.from(obs), a: Array.from(actions), B, H, source: compute.toString() },
    );
    for (const key of ['latents', 'rewards', 'decoded', 'rolloutStates'] as const) {
      expect(inBrowser[key].length, key).toBe(inNode[key].length);
      let worst = 0;
      for (let i = 0; i < inNode[key].length; i++) worst = Math.max(worst, Math.abs(inNode[key][i]! - inBrowser[key][i]!));
      expect(worst, `${key}: largest |browser − node|`).toBeLessThanOrEqual(1e-4);
    }
    expect(errors).toEqual([]);
  }, 30_000);

  it('play: a key press changes the imagined state; the MPC agent can take over', async () => {
    await page.evaluate(() => (globalThis as unknown as { __embodiedViewer: { select(m: string): Promise<void> } }).__embodiedViewer.select('Play'));
    await waitReady(page);
    await page.keyboard.press('p'); // pause the clock: steps only on 'n'
    await waitIdle(page);
    /** Forks from the real state, takes 4 steps holding `key` (or none), returns the imagined pusher x change. */
    const imaginedMove = async (key?: string): Promise<number> => {
      await page.keyboard.press('f');
      await page.waitForFunction(() => (globalThis as unknown as { __embodiedViewer: { state(): { imaginedSteps: number } } }).__embodiedViewer.state().imaginedSteps === 0);
      const start = (await viewerState<{ imagined: number[] }>(page)).state.imagined;
      if (key) await page.keyboard.down(key);
      for (let k = 0; k < 4; k++) {
        await page.keyboard.press('n');
        await waitIdle(page);
      }
      if (key) await page.keyboard.up(key);
      const end = await viewerState<{ imagined: number[]; imaginedSteps: number }>(page);
      expect(end.state.imaginedSteps).toBe(4);
      return end.state.imagined[9]! - start[9]!; // observation 9: the pusher's x
    };
    const idle = await imaginedMove();
    const right = await imaginedMove('ArrowRight');
    expect(right - idle).toBeGreaterThan(0.02);

    await page.keyboard.press('m');
    await page.keyboard.press('n');
    await waitIdle(page);
    const mpc = await viewerState<{ mpc: boolean; action: number[] }>(page);
    expect(mpc.state.mpc).toBe(true);
    expect(mpc.state.action).toHaveLength(2);
    for (const a of mpc.state.action) expect(Math.abs(a)).toBeLessThanOrEqual(1);
    expect(errors).toEqual([]);
  }, 30_000);

  it('says so when the bundle models an environment the page cannot simulate', async () => {
    const bundle = join(fx.dir, 'custom-bundle');
    cpSync(shippedModel('pushbox'), bundle, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
    writeFileSync(join(bundle, 'manifest.json'), JSON.stringify({ ...manifest, envId: 'Custom-v0' }));
    const other = await serveViewer({ input: bundle, assets: fx.assets });
    const watched = await watchedPage(fx.context);
    try {
      await watched.page.goto(other.url);
      await waitReady(watched.page);
      expect(await watched.page.locator('#problem').isVisible()).toBe(true);
      expect(await watched.page.locator('#problem-text').textContent()).toMatch(/The browser viewer cannot simulate Custom-v0: it runs the built-in environments \(.*PushBox-v0/);
      expect(watched.errors).toEqual([]);
    } finally {
      await watched.page.close();
      await other.close();
    }
  }, 30_000);
});
