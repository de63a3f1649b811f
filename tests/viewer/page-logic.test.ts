/**
 * The viewer's DOM-free logic, in Node: which replays it accepts (and the messages for those it does
 * not), the keyboard's action, and the imagined scene and per-field errors drawn from an observation.
 */
import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { validationSpecFor } from '../../environments/cards.js';
import type { Frame } from '../../src/physics/scene.js';
import { make } from '../../src/registry.js';
import type { Box } from '../../src/spaces.js';
import { fieldErrors, imaginedFrame } from '../../viewer/imagined-frame.js';
import { keyAction } from '../../viewer/keys.js';
import { checkReplay } from '../../viewer/replay-check.js';

const frame = (): Frame => ({ time: 0, bodies: [] });

describe('checkReplay', () => {
  it('accepts an embodied.replay/v1 episode', () => {
    const replay = { format: 'embodied.replay/v1', frames: [frame(), frame()], actions: [[0]], rewards: [1] };
    expect(checkReplay(replay, 'r.json')).toBe(replay);
  });

  it.each([
    [null, /r\.json is not a replay: expected a JSON object with "format": "embodied\.replay\/v1"/],
    [{ format: 'embodied.replay/v2', frames: [] }, /r\.json is a replay of format "embodied\.replay\/v2"; this viewer plays "embodied\.replay\/v1"/],
    [{ frames: [] }, /is a replay of format null/],
    [{ format: 'embodied.replay/v1', frames: [] }, /r\.json: expected "frames" to be a non-empty list of scenes with "bodies"/],
    [{ format: 'embodied.replay/v1', frames: [frame(), frame()], actions: [], rewards: [] }, /r\.json: expected 1 actions and rewards for 2 frames, got 0 and 0/],
  ])('refuses %j with a message for the page', (json, message) => {
    expect(() => checkReplay(json, 'r.json')).toThrow(message);
  });
});

describe('keyAction', () => {
  const pushBox = make('PushBox-v0').actionSpace as Box;
  const warehouse = make('Warehouse-v0').actionSpace as Box;

  it('maps arrows to planar velocity within the bounds, and space to the grip', () => {
    expect(Array.from(keyAction(new Set(), false, pushBox))).toEqual([0, 0]);
    expect(Array.from(keyAction(new Set(['ArrowRight', 'ArrowUp']), false, pushBox))).toEqual([1, -1]);
    // Opposite keys cancel; a key and its WASD twin do not exceed the bound.
    expect(Array.from(keyAction(new Set(['ArrowLeft', 'd']), false, pushBox))).toEqual([0, 0]);
    expect(Array.from(keyAction(new Set(['ArrowDown', 's']), false, pushBox))).toEqual([0, 1]);
    expect(Array.from(keyAction(new Set(['a']), true, warehouse))).toEqual([-1, 0, 1]);
    expect(Array.from(keyAction(new Set(), false, warehouse))).toEqual([0, 0, -1]);
  });
});

describe('imaginedFrame and fieldErrors', () => {
  it('puts the observed bodies where the observation says, over the real fixed bodies', async () => {
    const env = make<Float32Array, Float32Array>('PushBox-v0');
    const { observation } = await env.reset({ seed: 2 });
    const real = env.render!('frame') as Frame;
    const spec = validationSpecFor('PushBox-v0');
    const moved = Float32Array.from(observation);
    moved[0] = moved[0]! + 0.1; // the box 10 cm along +x
    const imagined = imaginedFrame(spec, real, moved);
    const box = imagined.bodies.find((b) => b.name === 'box')!;
    const realBox = real.bodies.find((b) => b.name === 'box')!;
    expect(box.position[0]).toBeCloseTo(realBox.position[0] + 0.1, 5);
    expect(box.shape).toEqual(realBox.shape);
    expect(imagined.bodies.filter((b) => b.kind === 'fixed').map((b) => b.name)).toEqual(real.bodies.filter((b) => b.kind === 'fixed').map((b) => b.name));
    expect(imagined.markers).toEqual(real.markers);
    const errors = fieldErrors(spec.fields, moved, observation);
    expect(errors[0]).toBeCloseTo(0.1 / Math.sqrt(3), 5); // box position: RMS over its 3 entries
    expect(errors.slice(1).every((e) => e === 0)).toBe(true);
    await env.close();
  });

  it('draws a robot-relative target (Warehouse-v0) at the robot plus its offset', async () => {
    const env = make<Float32Array, Float32Array>('Warehouse-v0');
    const { observation } = await env.reset({ seed: 1 });
    const spec = validationSpecFor('Warehouse-v0');
    const imagined = imaginedFrame(spec, env.render!('frame') as Frame, observation);
    const robot = imagined.bodies.find((b) => b.name === 'robot-0')!;
    const target = imagined.bodies.find((b) => b.name === 'target0')!;
    expect(target.tag).toBe('package');
    expect(robot.position[0]).toBeCloseTo(observation[0]!, 5);
    const dx = spec.bodies.find((b) => b.name === 'target0')!.position[0]!;
    expect(target.position[0]).toBeCloseTo(observation[0]! + observation[dx]!, 5);
    await env.close();
  });
});
