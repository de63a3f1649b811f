import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { expressionObjective, expressionSymbols } from '../../src/planning/expression-objective.js';
import type { PlanningObjective, RolloutBatch } from '../../src/planning/objectives.js';
import { PlanningError } from '../../src/planning/optimizer.js';
import { Rng } from '../../src/rng.js';

const FIELDS = [
  { name: 'box position', start: 0, size: 3, unit: 'm' },
  { name: 'box yaw rate', start: 3, size: 1 },
  { name: 'goal position', start: 4, size: 2, unit: 'm' },
];
const O = 6;

function randomBatch(n: number, h: number, s: number, seed: number): RolloutBatch {
  const rng = Rng.fromSeed(seed);
  const fill = (len: number) => Float32Array.from({ length: len }, () => rng.uniformRange(-2, 2));
  return { count: n, horizon: h, stateDim: s, actionDim: 2, startStates: fill(n * s), actions: fill(n * h * 2), rollout: { states: fill(n * h * s), rewards: fill(n * h) } };
}

async function costsOf(objective: PlanningObjective, batch: RolloutBatch): Promise<Float32Array> {
  const costs = new Float32Array(batch.count).fill(0.5);
  await objective.evaluate(batch, costs);
  return costs;
}

describe('expressionObjective', () => {
  it('names entries o0…, single fields by name and wider fields by offset', () => {
    const symbols = expressionSymbols(FIELDS, O);
    expect([...symbols]).toEqual([
      ['o0', 0],
      ['o1', 1],
      ['o2', 2],
      ['o3', 3],
      ['o4', 4],
      ['o5', 5],
      ['box_position_0', 0],
      ['box_position_1', 1],
      ['box_position_2', 2],
      ['box_yaw_rate', 3],
      ['goal_position_0', 4],
      ['goal_position_1', 5],
    ]);
    expect(expressionSymbols(['x', 'v'], 2).get('v')).toBe(1);
  });

  it('scores like the same objective written by hand', async () => {
    const [n, h, discount] = [7, 5, 0.9];
    const batch = randomBatch(n, h, O, 3);
    const objective = expressionObjective('-(box_position_0 - goal_position_0)^2 - (box_position_2 - goal_position_1)^2 + 0.1 * reward * t', {
      fields: FIELDS,
      discount,
    });
    const expected = new Float32Array(n).fill(0.5);
    const { states, rewards } = batch.rollout;
    for (let i = 0; i < n; i++) {
      let g = 0;
      let w = 1;
      for (let t = 0; t < h; t++) {
        const o = (i * h + t) * O;
        g += w * (-((states[o]! - states[o + 4]!) ** 2) - (states[o + 2]! - states[o + 5]!) ** 2 + 0.1 * rewards[i * h + t]! * t);
        w *= discount;
      }
      expected[i] = expected[i]! - g;
    }
    expect(await costsOf(objective, batch)).toEqual(expected);
    const indexed = expressionObjective('-(o0 - o4)^2 - (o2 - o5)^2 + 0.1 * reward * t', { observationDim: O, discount });
    expect(await costsOf(indexed, batch)).toEqual(expected);
  });

  it('reads decoded observations when given a decoder', async () => {
    const batch = randomBatch(4, 3, 2, 5);
    const decode = (z: Float32Array, m: number) => Float32Array.from({ length: m * O }, (_, k) => z[Math.floor(k / O) * 2]! + (k % O));
    const decoded = await costsOf(expressionObjective('box_yaw_rate', { fields: FIELDS, decode }), batch);
    const plain = new Float32Array(4).fill(0.5);
    for (let i = 0; i < 4; i++) {
      let g = 0;
      for (let t = 0; t < 3; t++) g += Math.fround(batch.rollout.states[(i * 3 + t) * 2]! + 3);
      plain[i] = plain[i]! - g;
    }
    expect(decoded).toEqual(plain);
  });

  it.each([
    ['-(box_x - goal_x)^2', /the expression "-\(box_x - goal_x\)\^2" reads the unknown symbol `box_x`; known: box_position_0/],
    ['-(o0 - o9)^2', /reads the unknown symbol `o9`.*o0 … o5/],
    ['sqr(o1)', /reads the unknown function `sqr`/],
    ['-(o0 - ', /cannot parse the expression "-\(o0 - ": Unexpected end of expression/],
    ['x = o1', /assigns \(x = o1\)/],
  ])('rejects %j', (expression, message) => {
    const build = () => expressionObjective(expression, { fields: FIELDS });
    expect(build).toThrow(InvalidArgumentError);
    expect(build).toThrow(message);
  });

  it('rejects bad options', () => {
    expect(() => expressionObjective('o0', {})).toThrow(/expected `fields` or `observationDim`/);
    expect(() => expressionObjective('o0', { observationDim: 2, discount: 0 })).toThrow(/expected `discount` in \(0, 1\], got 0/);
    expect(() => expressionObjective('x', { fields: ['x', 'box x'] })).toThrow(/expected `fields\[1\]` to be an identifier/);
    expect(() => expressionObjective('  ', { observationDim: 1 })).toThrow(/expected `expression` to be a non-empty formula/);
  });

  it('says when the states are latents, not observations', async () => {
    const objective = expressionObjective('-(o0 - o4)^2', { fields: FIELDS });
    await expect(costsOf(objective, randomBatch(2, 2, 16, 1))).rejects.toThrow(PlanningError);
    await expect(costsOf(objective, randomBatch(2, 2, 16, 1))).rejects.toThrow(
      /the model's states have 16 values but the expression reads observations of 6; a world model's states are latents: pass `decode`/,
    );
  });
});
