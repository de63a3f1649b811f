/**
 * Property tests over the SDK's parsers of outside input (issue 14, acceptance): bundle and dataset
 * manifests, `.npy` headers, warehouse ASCII layouts and the CLI's number options. Whatever the input,
 * each parser either returns a valid value or throws its typed error — never a raw `TypeError`,
 * `RangeError` or the like (a raw error fails the property and fast-check prints the shrunk input).
 *
 * `npm test` runs {@link RUNS} cases per property (200 by default, a few seconds in all). A soak run:
 * `FUZZ_RUNS=20000 npx vitest run tests/reliability/fuzz.test.ts` (and `FUZZ_SEED=<n>` for another
 * seed; the seed of a failure is printed and replays it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError as CommanderArgumentError } from 'commander';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { integerOption, numberOption } from '../../cli/options.js';
import { parseLayout, LayoutError } from '../../environments/warehouse/layout.js';
import { NpyError, decodeNpy, encodeNpy, parseNpyHeader } from '../../src/codecs/npy.js';
import { DatasetError } from '../../src/training/dataset-manifest.js';
import { readDatasetManifest } from '../../src/training/dataset.js';
import { BundleError } from '../../src/worldmodel/bundle-error.js';
import { parseBundleManifest, readBundleManifest } from '../../src/worldmodel/bundle.js';

/** Reads a non-negative integer from the environment (a typo must not silently run 0 cases). */
function envInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`${name}: expected a non-negative integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** Cases per property. */
const RUNS = Math.max(1, envInteger('FUZZ_RUNS', 200));
/** Every property runs from this seed, so a failure in CI replays here. */
const SEED = envInteger('FUZZ_SEED', 14);
/** Cases for properties that touch the file system (each writes a file). */
const FILE_RUNS = Math.max(1, Math.ceil(RUNS / 4));
/** Generous: the default run takes a few seconds in all; a soak run scales it. */
const TIMEOUT_MS = 20_000 + RUNS * 20;

const params = (numRuns = RUNS) => ({ numRuns, seed: SEED });

/** Runs `f`: its value, or the error when it is an instance of `expected` (anything else propagates). */
function typedOrValue<T>(f: () => T, expected: abstract new (...args: never[]) => Error): { value: T } | { error: Error } {
  try {
    return { value: f() };
  } catch (e) {
    if (e instanceof expected) return { error: e };
    throw e;
  }
}

async function typedOrValueAsync<T>(f: () => Promise<T>, expected: abstract new (...args: never[]) => Error): Promise<{ value: T } | { error: Error }> {
  try {
    return { value: await f() };
  } catch (e) {
    if (e instanceof expected) return { error: e };
    throw e;
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'embodied-fuzz-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------------
// (a) manifests

const validBundleManifest = JSON.parse(readFileSync(new URL('../../models/pushbox/manifest.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** Every path (object keys and array indices) into a JSON value. */
function jsonPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...jsonPaths(v, [...prefix, k])]);
}

/** A deep copy of `base` with the value at `path` replaced (`undefined`: deleted). */
function mutated(base: unknown, path: readonly (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy;
}

/** A valid manifest with one to three fields replaced by random JSON (or removed). */
function mutatedManifest(base: unknown): fc.Arbitrary<unknown> {
  const paths = jsonPaths(base);
  const edit = fc.tuple(fc.constantFrom(...paths), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), fc.double(), fc.string()));
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) =>
    edits.reduce((m, [path, value]) => {
      try {
        return mutated(m, path, value);
      } catch {
        return m; // an earlier edit removed the parent of this path: skip it
      }
    }, base),
  );
}

/** Random JSON text: valid JSON, truncated JSON, a valid manifest with edits, or any string. */
function manifestText(base: unknown): fc.Arbitrary<string> {
  return fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    mutatedManifest(base).map((v) => JSON.stringify(v) ?? 'null'),
    fc.tuple(fc.nat(), mutatedManifest(base)).map(([cut, v]) => {
      const text = JSON.stringify(v) ?? '';
      return text.slice(0, cut % (text.length + 1));
    }),
    fc.string({ unit: 'binary', maxLength: 64 }),
  );
}

describe('fuzz: manifests give a typed error or a valid manifest', () => {
  it('parseBundleManifest on any JSON value', { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (json) => {
        const r = typedOrValue(() => parseBundleManifest(json), BundleError);
        if ('error' in r) expect(r.error.message).toMatch(/invalid bundle manifest/);
      }),
      params(),
    );
  });

  it('parseBundleManifest on a valid manifest with fields replaced or removed', { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(mutatedManifest(validBundleManifest), (json) => {
        const r = typedOrValue(() => parseBundleManifest(json), BundleError);
        if ('value' in r) {
          expect(r.value.actionLow).toHaveLength(r.value.actionDim);
          expect(r.value.files.dynamics.length).toBeGreaterThan(0);
        }
      }),
      params(),
    );
  });

  it('readBundleManifest on any manifest.json text', { timeout: TIMEOUT_MS }, async () => {
    const dir = join(scratch, 'bundle');
    rmSync(dir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    await fc.assert(
      fc.asyncProperty(manifestText(validBundleManifest), async (text) => {
        writeFileSync(join(dir, 'manifest.json'), text);
        await typedOrValueAsync(() => readBundleManifest(dir), BundleError);
      }),
      params(FILE_RUNS),
    );
  });

  it('readDatasetManifest on any manifest.json text', { timeout: TIMEOUT_MS }, async () => {
    const dir = join(scratch, 'dataset');
    rmSync(dir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    const hash = 'a'.repeat(64);
    const field = (file: string, dtype: string, shape: number[]) => ({ file, dtype, shape, sha256: hash });
    const validDataset = {
      format: 'embodied.dataset/v1',
      layout: 'transitions',
      envId: 'PushBox-v0',
      envVersion: 0,
      envOptions: {},
      observationSpace: { type: 'Box', low: [-1, -1], high: [1, 1], shape: [2] },
      actionSpace: { type: 'Box', low: [-1], high: [1], shape: [1] },
      obsDim: 2,
      actionDim: 1,
      policy: 'random',
      seed: 0,
      episodeSeeds: [0],
      producer: 'embodied@0.1.0',
      createdAt: '2026-12-06T00:00:00.000Z',
      complete: true,
      stopReason: 'finished',
      counts: { transitions: 1, episodes: 1 },
      fields: {
        observations: field('observations.npy', 'float32', [1, 2]),
        next_observations: field('next_observations.npy', 'float32', [1, 2]),
        actions: field('actions.npy', 'float32', [1, 1]),
        rewards: field('rewards.npy', 'float32', [1]),
        terminated: field('terminated.npy', 'bool', [1]),
        truncated: field('truncated.npy', 'bool', [1]),
        episode: field('episode.npy', 'int32', [1]),
      },
      contentHash: hash,
    };
    await fc.assert(
      fc.asyncProperty(manifestText(validDataset), async (text) => {
        writeFileSync(join(dir, 'manifest.json'), text);
        await typedOrValueAsync(() => readDatasetManifest(dir), DatasetError);
      }),
      params(FILE_RUNS),
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// (b) .npy headers

const MAGIC = [0x93, ...Buffer.from('NUMPY')];

/** A version 1.0 `.npy` header around `dict`, padded as numpy pads it. */
function npyBytes(dict: string, data: Uint8Array = new Uint8Array(0), version: readonly [number, number] = [1, 0]): Uint8Array {
  const prefix = version[0] === 1 ? 10 : 12;
  const pad = 64 - ((prefix + dict.length + 1) % 64);
  const text = Buffer.from(`${dict}${' '.repeat(pad)}\n`, 'latin1');
  const len = version[0] === 1 ? [text.length & 0xff, text.length >> 8] : [text.length & 0xff, (text.length >> 8) & 0xff, text.length >> 16, 0];
  return new Uint8Array([...MAGIC, version[0], version[1], ...len, ...text, ...data]);
}

/** Shape text: mostly digits and commas, with the characters of near-miss numbers mixed in. */
const shapeText = fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '9', ',', ',', ' ', '.', 'x', 'e', 'L', '-', '+', '(', 'a', '\t'), maxLength: 24 });
const descrText = fc.oneof(fc.constantFrom('<f4', '<f8', '|u1', '|b1', '<i4', '<i8', '>f4', '<f2', 'O', ''), fc.string({ maxLength: 6 }));

describe('fuzz: .npy headers give a typed error or a correct parse', () => {
  it('parseNpyHeader on random bytes, with and without the magic string', { timeout: TIMEOUT_MS }, () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc.tuple(fc.constantFrom(1, 2, 3, 0, 4, 255), fc.nat(255), fc.uint8Array({ maxLength: 80 })).map(([major, minor, rest]) => new Uint8Array([...MAGIC, major, minor, ...rest])),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        const r = typedOrValue(() => parseNpyHeader(b), NpyError);
        if ('value' in r) expect(r.value.dataOffset).toBeLessThanOrEqual(b.length);
      }),
      params(),
    );
  });

  it('random header dictionaries and shape strings: a shape of decimal integers or NpyError', { timeout: TIMEOUT_MS }, () => {
    const dict = fc
      .tuple(descrText, fc.constantFrom('False', 'True', 'false', '0'), shapeText, fc.boolean())
      .map(([descr, fortran, shape, spaced]) =>
        spaced ? `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': (${shape}), }` : `{'shape':(${shape}),'fortran_order':${fortran},'descr':'${descr}'}`,
      );
    fc.assert(
      fc.property(dict, fc.constantFrom<[number, number]>([1, 0], [2, 0], [3, 0]), (d, version) => {
        const r = typedOrValue(() => parseNpyHeader(npyBytes(d, undefined, version)), NpyError);
        if ('value' in r) {
          const expected = /'shape'\s*:\s*\(([^)]*)\)/
            .exec(d)![1]!
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '')
            .map((s) => Number(s.replace(/L$/, '')));
          expect(r.value.shape).toEqual(expected);
          for (const n of r.value.shape) expect(Number.isSafeInteger(n) && n >= 0).toBe(true);
        }
      }),
      params(),
    );
  });

  it('decodeNpy on a valid header with a random data section, and a round trip of random arrays', { timeout: TIMEOUT_MS }, () => {
    fc.assert(
      fc.property(fc.array(fc.nat(5), { maxLength: 3 }), fc.uint8Array({ maxLength: 200 }), (shape, data) => {
        const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
        const r = typedOrValue(() => decodeNpy(npyBytes(dict, data)), NpyError);
        if ('value' in r) expect(r.value.data.length * 4).toBe(data.length);
      }),
      params(),
    );
    fc.assert(
      fc.property(
        fc
          .array(fc.nat(4), { maxLength: 3 })
          .chain((shape) => fc.tuple(fc.constant(shape), fc.float32Array({ minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }))),
        ([shape, values]) => {
          const decoded = decodeNpy(encodeNpy(values, shape));
          expect(decoded.shape).toEqual(shape);
          expect(decoded.data).toEqual(values);
        },
      ),
      params(),
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// (c) warehouse layouts

const cell = fc.constantFrom('#', 'W', '.', '.', '.', 'R', 'P', 'D');

describe('fuzz: warehouse layouts give LayoutError or a valid layout', () => {
  it('parseLayout on random text of layout symbols, line breaks and strays', { timeout: TIMEOUT_MS }, () => {
    const text = fc.string({ unit: fc.constantFrom('#', 'W', '.', 'R', 'P', 'D', '\n', '\r\n', ' ', '\t', 'x', 'r', '\u00a0'), maxLength: 80 });
    fc.assert(
      fc.property(fc.oneof(text, fc.string({ maxLength: 40 })), (map) => {
        const r = typedOrValue(() => parseLayout(map), LayoutError);
        if ('error' in r) {
          const e = r.error as LayoutError;
          expect(e.row).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
        } else {
          expect(r.value.robots.length).toBeGreaterThan(0);
          expect(r.value.packages.length).toBeGreaterThan(0);
          expect(r.value.dropZones.length).toBeGreaterThan(0);
        }
      }),
      params(),
    );
  });

  it('parseLayout on random rectangular grids', { timeout: TIMEOUT_MS }, () => {
    const grid = fc
      .tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }))
      .chain(([rows, cols]) => fc.array(fc.array(cell, { minLength: cols, maxLength: cols }), { minLength: rows, maxLength: rows }));
    fc.assert(
      fc.property(grid, (g) => {
        const r = typedOrValue(() => parseLayout(g.map((row) => row.join('')).join('\n')), LayoutError);
        if ('value' in r) {
          expect(r.value.rows).toBe(g.length);
          expect(r.value.cols).toBe(g[0]!.length);
        } else {
          const e = r.error as LayoutError;
          expect(e.row).toBeLessThanOrEqual(g.length);
          expect(e.column).toBeLessThanOrEqual(g[0]!.length + 1);
        }
      }),
      params(),
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// (d) CLI numbers

/** Strings near numbers: signs, exponents, hex, blanks, decimal points, huge digit runs. */
const numberish = fc.oneof(
  fc.string({ unit: fc.constantFrom('0', '1', '5', '9', '.', 'e', 'E', '-', '+', 'x', 'b', 'o', ' ', '_', 'n', 'I', 'N'), maxLength: 12 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.bigInt().map(String),
  fc.string(),
);

describe('fuzz: CLI number options give commander’s InvalidArgumentError or a valid number', () => {
  it.each([0, 1])('integerOption(%d)', { timeout: TIMEOUT_MS }, (min) => {
    const parse = integerOption(min);
    fc.assert(
      fc.property(numberish, (v) => {
        const r = typedOrValue(() => parse(v), CommanderArgumentError);
        if ('value' in r) {
          expect(Number.isSafeInteger(r.value) && r.value >= min).toBe(true);
          expect(v.trim()).toMatch(/^[+-]?\d+$/);
          expect(r.value).toBe(Number(v));
        }
      }),
      params(),
    );
  });

  it.each([0, 1e-9])('numberOption(%d)', { timeout: TIMEOUT_MS }, (min) => {
    const parse = numberOption(min);
    fc.assert(
      fc.property(numberish, (v) => {
        const r = typedOrValue(() => parse(v), CommanderArgumentError);
        if ('value' in r) {
          expect(Number.isFinite(r.value) && r.value >= min).toBe(true);
          expect(v.trim()).not.toMatch(/^[+-]?0[xob]/i);
          expect(r.value).toBe(Number(v));
        }
      }),
      params(),
    );
  });
});
