import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SpaceError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';
import { Box, DictSpace, Discrete, MultiDiscrete, batchBox, oneHot, spaceFromJSON, type Space } from '../../src/spaces.js';

const cases: { name: string; space: Space<unknown>; outside: unknown[] }[] = [
  { name: 'bounded Box', space: new Box([-1, 0], [1, 10]), outside: [Float32Array.of(2, 0), Float32Array.of(0), [0, 0], Float32Array.of(NaN, 0)] },
  { name: 'unbounded Box', space: new Box(-Infinity, Infinity, [2, 2]), outside: [new Float64Array(4), new Float32Array(3)] },
  { name: 'half-bounded Box', space: new Box([0, -Infinity], [Infinity, 5]), outside: [Float32Array.of(-1, 0), Float32Array.of(0, 6)] },
  { name: 'Discrete', space: new Discrete(4, -1), outside: [3, -2, 0.5, '1'] },
  { name: 'MultiDiscrete', space: new MultiDiscrete([2, 3], [0, 1]), outside: [Int32Array.of(2, 1), Int32Array.of(0, 0), Int32Array.of(0)] },
  {
    name: 'Dict',
    space: new DictSpace({ pos: new Box(-1, 1, [2]), gripper: new Discrete(2) }),
    outside: [{ pos: Float32Array.of(0, 0) }, { pos: Float32Array.of(0, 0), gripper: 2 }, { pos: Float32Array.of(0, 0), gripper: 0, extra: 1 }, null],
  },
];

describe.each(cases)('$name', ({ space, outside }) => {
  it('samples members, deterministically per seed', () => {
    const a = Rng.fromSeed(5);
    const b = Rng.fromSeed(5);
    for (let i = 0; i < 200; i++) {
      const x = space.sample(a);
      expect(space.explain(x)).toBeUndefined();
      expect(space.contains(x)).toBe(true);
      expect(space.sample(b)).toEqual(x);
    }
  });

  it('explains non-members', () => {
    for (const x of outside) {
      expect(space.contains(x)).toBe(false);
      expect(space.explain(x)).toMatch(/expected|missing|unexpected/);
    }
  });

  it('round-trips through JSON text', () => {
    const back = spaceFromJSON(JSON.parse(JSON.stringify(space.toJSON())));
    expect(back.equals(space)).toBe(true);
    expect(back.toJSON()).toEqual(space.toJSON());
  });

  it('flattens and unflattens members at an offset', () => {
    const x = space.sample(Rng.fromSeed(1));
    const flat = space.flatten(x as never, new Float32Array(space.flatDim + 2), 2);
    expect(flat.length).toBe(space.flatDim + 2);
    expect(space.unflatten(flat, 2)).toEqual(x);
  });
});

describe('Box', () => {
  it('infers its shape, broadcasts scalars and stores float32 bounds', () => {
    const b = new Box(0, [1, 2, 3]);
    expect(b.shape).toEqual([3]);
    expect(Array.from(b.low)).toEqual([0, 0, 0]);
    expect(new Box(-1, 1, [2, 3]).flatDim).toBe(6);
    expect(new Box(0.1, 0.2, [1]).low[0]).toBe(Math.fround(0.1));
    expect(new Box(-1, 1, [2]).isBounded()).toBe(true);
    expect(new Box(-Infinity, 1, [2]).isBounded()).toBe(false);
  });

  it('samples unbounded sides from exponentials and stays inside float32-rounded bounds', () => {
    const lower = new Box(2, Infinity, [1000]).sample(Rng.fromSeed(0));
    expect(Math.min(...lower)).toBeGreaterThanOrEqual(2);
    const mean = lower.reduce((s, v) => s + v, 0) / lower.length;
    expect(mean).toBeCloseTo(3, 0); // 2 + Exp(1)
    const tight = new Box(0.1, 0.1 + 1e-7, [500]);
    expect(tight.contains(tight.sample(Rng.fromSeed(2)))).toBe(true);
  });

  it('clips in place', () => {
    const b = new Box([-1, 0], [1, 1]);
    const x = Float32Array.of(-5, 0.5);
    expect(b.clip(x)).toBe(x);
    expect(Array.from(x)).toEqual([-1, 0.5]);
  });

  it('rejects malformed bounds with messages naming the problem', () => {
    expect(() => new Box(1, 0, [1])).toThrow(/low <= high at index 0, got low=1, high=0/);
    expect(() => new Box([0, 0], [1], [2])).toThrow(/`high` to have 2 entries/);
    expect(() => new Box(NaN, 1, [1])).toThrow(/`low` to be a number, got NaN/);
    expect(() => new Box(0, 1)).toThrow(InvalidArgumentError);
    expect(() => new Box(0, 1, [0])).toThrow(/positive integers/);
  });

  it('batches into a [n, ...shape] Box', () => {
    const b = batchBox(new Box([-1, 0], [1, 2]), 3);
    expect(b.shape).toEqual([3, 2]);
    expect(Array.from(b.high)).toEqual([1, 2, 1, 2, 1, 2]);
    expect(() => batchBox(new Box(0, 1, [1]), 0)).toThrow(/positive integer, got 0/);
  });
});

describe('Discrete, MultiDiscrete, Dict', () => {
  it('validate their arguments', () => {
    expect(() => new Discrete(0)).toThrow(/`n` to be a positive integer, got 0/);
    expect(() => new Discrete(2, 0.5)).toThrow(/`start` to be an integer/);
    expect(() => new MultiDiscrete([])).toThrow(/non-empty/);
    expect(() => new MultiDiscrete([2, 0])).toThrow(/`nvec\[1\]` to be a positive integer, got 0/);
    expect(() => new MultiDiscrete([2], [0, 0])).toThrow(/`start` to have 1 entries/);
    expect(() => new MultiDiscrete([2, 2], [0, 0.5])).toThrow(/`start\[1\]` to be an integer, got 0.5/);
    expect(() => new DictSpace({})).toThrow(/at least one sub-space/);
    expect(() => new DictSpace({ a: 3 as never })).toThrow(/entry `a` to be a Space/);
  });

  it('Discrete covers every value evenly', () => {
    const d = new Discrete(3, 5);
    const rng = Rng.fromSeed(4);
    const counts = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const v = d.sample(rng);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([5, 6, 7]);
    for (const c of counts.values()) expect(c).toBeGreaterThan(900);
    expect(Array.from(oneHot(d, 6))).toEqual([0, 1, 0]);
    expect(() => oneHot(d, 8)).toThrow(SpaceError);
  });

  it('Dict orders keys whatever order they were given in', () => {
    const a = new DictSpace({ b: new Discrete(2), a: new Box(0, 1, [1]) });
    const b = new DictSpace({ a: new Box(0, 1, [1]), b: new Discrete(2) });
    expect(a.keys).toEqual(['a', 'b']);
    expect(a.equals(b)).toBe(true);
    expect(a.sample(Rng.fromSeed(1))).toEqual(b.sample(Rng.fromSeed(1)));
    expect(a.explain({ a: Float32Array.of(2), b: 0 })).toMatch(/at key `a`: expected index 0 in \[0, 1\], got 2/);
  });

  it('equals tells spaces apart', () => {
    expect(new Discrete(3).equals(new Discrete(3, 1))).toBe(false);
    expect(new Box(0, 1, [2]).equals(new Box(0, 1, [1, 2]))).toBe(false);
    expect(new Box(0, 1, [2]).equals(new Discrete(2))).toBe(false);
  });
});

describe('spaceFromJSON', () => {
  it('keeps infinite bounds through JSON text', () => {
    const b = new Box([-Infinity, 0], [Infinity, 1]);
    const json = JSON.stringify(b.toJSON());
    expect(json).toContain('"-inf"');
    expect(spaceFromJSON(JSON.parse(json)).equals(b)).toBe(true);
  });

  it('names the malformed field', () => {
    expect(() => spaceFromJSON(null)).toThrow(/Expected a space JSON object, got null/);
    expect(() => spaceFromJSON({ type: 'Tuple' })).toThrow(/one of Box, Discrete, MultiDiscrete, Dict, got "Tuple"/);
    expect(() => spaceFromJSON({ type: 'Box', low: [0], high: [1] })).toThrow(/array fields low, high and shape/);
    expect(() => spaceFromJSON({ type: 'Box', low: ['x'], high: [1], shape: [1] })).toThrow(SpaceError);
    expect(() => spaceFromJSON({ type: 'Discrete', n: -1 })).toThrow(/Malformed Discrete JSON: .*positive integer, got -1/);
  });
});
