/**
 * Misuse of every built-in environment gives a typed error that says what was expected (issue 14):
 * `setState` with something that is not a state, and `render()` after `close()`.
 */
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { environmentCards } from '../../environments/cards.js';
import { EnvStateError, InvalidArgumentError } from '../../src/errors.js';
import { make } from '../../src/registry.js';
import type { Stateful } from '../../src/env.js';

const ids = environmentCards().map((c) => c.id);

describe.each(ids)('%s', (id) => {
  it('refuses setState(null) and a foreign object, and render() after close()', async () => {
    const env = make(id);
    await env.reset({ seed: 1 });
    const stateful = env as unknown as Stateful<unknown>;
    expect(() => stateful.setState(null)).toThrow(InvalidArgumentError);
    expect(() => stateful.setState({ bogus: 1 })).toThrow(/setState: expected /);
    await env.close();
    const render = (env as unknown as { render(mode?: string): unknown }).render.bind(env);
    expect(() => render()).toThrow(EnvStateError);
    expect(() => render()).toThrow(/render\(\) called after close\(\)/);
  });
});

describe('physical options outside what Rapier simulates faithfully', () => {
  it.each([
    ['PushBox-v0', { boxMass: 1e-30 }, /PushBox-v0 options: `boxMass`: .*\(got 1e-30\)/],
    ['CartPole-v0', { maxForce: 1e30 }, /CartPole-v0 options: `maxForce`: .*\(got 1e\+30\)/],
    ['Reach-v0', { gravity: 1e300 }, /Reach-v0 options: `gravity`: .*\(got 1e\+300\)/],
    ['Arm-v0', { maxJointSpeed: 1e9 }, /Arm-v0 options: `maxJointSpeed`: .*\(got 1000000000\)/],
    ['Warehouse-v0', { robotMass: 1e-30 }, /Warehouse-v0 options: `robotMass`: .*\(got 1e-30\)/],
    ['Warehouse-v0', { packageMass: 1e30 }, /Warehouse-v0 options: `packageMass`: .*\(got 1e\+30\)/],
    ['Warehouse-v0', { gravity: 1e300 }, /Warehouse-v0 options: `gravity`: .*\(got 1e\+300\)/],
    ['Warehouse-v0', { maxSpeed: 1e9 }, /Warehouse-v0 options: `maxSpeed`: .*\(got 1000000000\)/],
    ['Warehouse-v0', { packageFriction: 1e6 }, /Warehouse-v0 options: `packageFriction`: .*\(got 1000000\)/],
    ['Warehouse-v0', { cellSize: 1e6, robotSize: 0.5 }, /Warehouse-v0 options: `cellSize`: .*\(got 1000000\)/],
    ['Warehouse-v0', { maxAcceleration: 1e30 }, /Warehouse-v0 options: `maxAcceleration`: .*\(got 1e\+30\)/],
    [
      'Warehouse-v0',
      { robotMass: 1e4, maxAcceleration: 100 },
      /Warehouse-v0 options: expected the drive force `robotMass` × `maxAcceleration` ≤ 100 kN .*got 10000 × 100 = 1000000 N/,
    ],
  ])('%s %j is refused instead of freezing the simulation', (id, options, message) => {
    expect(() => make(id, options)).toThrow(InvalidArgumentError);
    expect(() => make(id, options)).toThrow(message);
  });
});
