/**
 * `embodied view`'s Node side (workflows/view.ts): what data the page gets for each input, the static
 * server (127.0.0.1, only the page's own files), and `--out` (refuses folders that are not its own).
 * The page itself runs in tests/viewer/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { UnsafeOutputError } from '../../src/output-dir.js';
import { shippedModel } from '../../workflows/shipped-models.js';
import { ORT_WASM_FILE, serveViewer, viewData, viewerAssets, writeViewer } from '../../workflows/view.js';

let dir: string;
let assets: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'view-'));
  // A stand-in for the built page: the workflow only copies and serves these files.
  assets = join(dir, 'assets');
  mkdirSync(assets);
  writeFileSync(join(assets, 'index.html'), '<!doctype html><title>viewer</title>');
  writeFileSync(join(assets, 'viewer.js'), '/* page */');
  writeFileSync(join(assets, ORT_WASM_FILE), Buffer.from([0, 97, 115, 109]));
  writeFileSync(join(dir, 'replay.json'), JSON.stringify({ format: 'embodied.replay/v1', frames: [] }));
  writeFileSync(join(dir, 'broken.json'), '{ not json');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('viewData', () => {
  it('passes a replay file through for the page to check', async () => {
    const data = await viewData({ input: join(dir, 'replay.json') });
    expect(data.format).toBe('embodied.view/v1');
    expect(data.replay?.json).toEqual({ format: 'embodied.replay/v1', frames: [] });
    expect(data.problem).toBeUndefined();
  });

  it('turns a missing or non-JSON file into a problem the page shows', async () => {
    const missing = await viewData({ input: join(dir, 'nope.json') });
    expect(missing.problem).toMatch(/Cannot read .*nope\.json: no such file\. Expected a replay\.json/);
    const broken = await viewData({ input: join(dir, 'broken.json') });
    expect(broken.problem).toMatch(/broken\.json is not JSON/);
  });

  it('encodes a bundle with its signatures, and the environment it models', async () => {
    const data = await viewData({ input: shippedModel('pushbox') });
    expect(data.env).toEqual({ id: 'PushBox-v0', options: {} });
    expect(data.bundle?.manifest.envId).toBe('PushBox-v0');
    const encoder = readFileSync(join(shippedModel('pushbox'), 'encoder.onnx'));
    expect(Buffer.from(data.bundle!.encoder.base64, 'base64').equals(encoder)).toBe(true);
    expect(data.bundle!.encoder.signature.inputs[0]!.name).toBe('obs');
    expect(data.bundle!.dynamics).toHaveLength(1);
  });

  it('takes an environment id (with its shipped model) and rejects unknown ones', async () => {
    const data = await viewData({ envId: 'PushBox-v0' });
    expect(data.bundle?.manifest.name).toBe('PushBox-v0-world-model');
    const reach = await viewData({ envId: 'Reach-v0' });
    expect(reach.bundle).toBeUndefined();
    expect(reach.env?.id).toBe('Reach-v0');
    await expect(viewData({ envId: 'PushBox-v9' })).rejects.toThrow(/PushBox-v9/);
    await expect(viewData({})).rejects.toThrow('view options: expected exactly one of `input` (a replay file or a bundle directory) and `envId`');
  });
});

describe('serveViewer', () => {
  it('serves the page, data.js and the WASM on 127.0.0.1, and nothing else', async () => {
    const server = await serveViewer({ input: join(dir, 'replay.json'), assets });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(server.url);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toContain('<title>viewer</title>');
      const data = await (await fetch(`${server.url}data.js`)).text();
      expect(data).toMatch(/^window\.EMBODIED_VIEW = \{"format":"embodied\.view\/v1"/);
      expect((await fetch(`${server.url}${ORT_WASM_FILE}`)).headers.get('content-type')).toBe('application/wasm');
      for (const path of ['package.json', '..%2Fpackage.json', 'models/pushbox/manifest.json']) expect((await fetch(`${server.url}${path}`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('says when the page is not built', () => {
    expect(() => viewerAssets(join(dir, 'none'))).toThrow(/the viewer page is not built: .* lacks index\.html, viewer\.js; run `npm run build`/);
  });
});

describe('writeViewer', () => {
  it('writes the page, data.js and (with a model) the WASM as a script, and marks the folder', async () => {
    const out = join(dir, 'out');
    const written = await writeViewer({ input: shippedModel('pushbox'), out, assets });
    expect(written.url).toBe(`file://${join(out, 'index.html')}`);
    expect(readFileSync(join(out, 'ort-wasm.js'), 'utf8')).toBe('window.EMBODIED_ORT_WASM = "AGFzbQ==";\n');
    expect(readFileSync(join(out, 'data.js'), 'utf8')).toContain('"ortWasm":{"kind":"script","src":"ort-wasm.js"}');
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).format).toBe('embodied.viewer/v1');
    // An earlier viewer folder may be written again.
    await writeViewer({ input: join(dir, 'replay.json'), out, assets });
  });

  it('refuses a folder that is not a viewer page', async () => {
    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    await expect(writeViewer({ input: join(dir, 'replay.json'), out: other, assets })).rejects.toThrow(UnsafeOutputError);
    expect(readFileSync(join(other, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
