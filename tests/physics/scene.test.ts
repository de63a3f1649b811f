import { beforeAll, describe, expect, it } from 'vitest';
import type { RevoluteImpulseJoint } from '@dimforge/rapier3d-deterministic-compat';
import { InvalidArgumentError } from '../../src/errors.js';
import { initRapier } from '../../src/physics/rapier.js';
import { Scene, type BodySpec, type JointSpec } from '../../src/physics/scene.js';
import { restoreWorld, stateHash, takeSnapshot } from '../../src/physics/snapshot.js';

beforeAll(async () => {
  await initRapier();
});

const ground: BodySpec = { name: 'ground', kind: 'fixed', shape: { type: 'box', halfExtents: [1, 0.05, 1] }, position: [0, -0.05, 0] };
const pendulum = (): [BodySpec[], JointSpec[]] => [
  [
    { name: 'anchor', kind: 'fixed', shape: { type: 'ball', radius: 0.01 }, position: [0, 1, 0], collisionGroups: 0 },
    { name: 'bob', kind: 'dynamic', shape: { type: 'box', halfExtents: [0.25, 0.02, 0.02] }, position: [0.25, 1, 0], mass: 1, canSleep: false, collisionGroups: 0 },
  ],
  [{ name: 'hinge', type: 'revolute', body1: 'anchor', body2: 'bob', anchor1: [0, 0, 0], anchor2: [-0.25, 0, 0], axis: [0, 0, 1], motorModel: 'force', motorMaxForce: 50 }],
];

describe('Scene joints', () => {
  it('builds a revolute joint that keeps the bob on its circle and whose motor is driven by name', () => {
    const [bodies, joints] = pendulum();
    using scene = Scene.build(bodies, { timestep: 0.01 }, joints);
    expect(scene.jointNames).toEqual(['hinge']);
    for (let i = 0; i < 50; i++) scene.world.step();
    const p = scene.body('bob').translation();
    // The bob's centre stays 0.25 m from the hinge (joint constraint) while it swings down.
    expect(Math.hypot(p.x, p.y - 1)).toBeCloseTo(0.25, 2);
    expect(p.y).toBeLessThan(0.95);

    // A velocity motor with a large gain turns the link at the commanded rate (no gravity here).
    using spinning = Scene.build(bodies, { timestep: 0.01, gravity: [0, 0, 0] }, joints);
    (spinning.joint('hinge') as RevoluteImpulseJoint).configureMotorVelocity(1.5, 1000);
    for (let i = 0; i < 20; i++) spinning.world.step();
    expect(spinning.body('bob').angvel().z).toBeCloseTo(1.5, 3);
  });

  it('keeps joint motors and joint lookups across snapshot/restore, and counts restores', () => {
    const [bodies, joints] = pendulum();
    using scene = Scene.build(bodies, { timestep: 0.01, gravity: [0, 0, 0] }, joints);
    (scene.joint('hinge') as RevoluteImpulseJoint).configureMotorVelocity(2, 1000);
    const bytes = scene.snapshot();
    for (let i = 0; i < 10; i++) scene.world.step();
    const after = scene.snapshot();
    expect(scene.restoreCount).toBe(0);
    scene.restore(bytes);
    expect(scene.restoreCount).toBe(1);
    for (let i = 0; i < 10; i++) scene.world.step();
    expect(stateHash(scene.snapshot())).toBe(stateHash(after));
    expect(scene.joint('hinge').body2().handle).toBe(scene.bodyHandle('bob'));
  });

  it('sets initial velocities and gravity scale from the spec', () => {
    using scene = Scene.build(
      [
        { name: 'thrown', kind: 'dynamic', shape: { type: 'ball', radius: 0.1 }, position: [0, 5, 0], mass: 2, linearVelocity: [1, 2, 3], angularVelocity: [0, 4, 0] },
        { name: 'floating', kind: 'dynamic', shape: { type: 'ball', radius: 0.1 }, position: [3, 5, 0], mass: 2, gravityScale: 0 },
      ],
      { timestep: 0.01 },
    );
    expect(scene.body('thrown').linvel()).toEqual({ x: 1, y: 2, z: 3 });
    expect(scene.body('thrown').angvel().y).toBe(4);
    for (let i = 0; i < 10; i++) scene.world.step();
    expect(scene.body('floating').translation().y).toBe(5);
    expect(scene.body('thrown').translation().y).toBeLessThan(5.2);
  });

  it('adds markers to frames only when given', () => {
    using scene = Scene.build([ground]);
    expect(scene.frame(0)).not.toHaveProperty('markers');
    const frame = scene.frame(1.5, [{ name: 'goal', position: [1, 0, 2], radius: 0.05, tag: 'goal' }]);
    expect(frame.time).toBe(1.5);
    expect(frame.markers).toEqual([{ name: 'goal', position: [1, 0, 2], radius: 0.05, tag: 'goal' }]);
    expect(frame.bodies.map((b) => b.name)).toEqual(['ground']);
  });

  it('rejects malformed joints with messages that name the joint and the problem', () => {
    const [bodies, joints] = pendulum();
    const hinge = joints[0]!;
    const bad = (j: Partial<JointSpec>) => () => Scene.build(bodies, {}, [{ ...hinge, ...j } as JointSpec]);
    expect(bad({ body2: 'nope' })).toThrow(InvalidArgumentError);
    expect(bad({ body2: 'nope' })).toThrow(/Joint `hinge`: expected `body2` to name a body of the scene \(anchor, bob\), got "nope"/);
    expect(bad({ axis: [0, 0, 2] } as Partial<JointSpec>)).toThrow(/Joint `hinge`: expected `axis` to be a unit vector, got \[0,0,2\]/);
    expect(bad({ limits: [1, -1] } as Partial<JointSpec>)).toThrow(/expected `limits` \[min, max\] with min <= max, got \[1,-1\]/);
    expect(bad({ motorMaxForce: -1 } as Partial<JointSpec>)).toThrow(/motorMaxForce to be a positive number, got -1/);
    expect(() => Scene.build(bodies, {}, [hinge, hinge])).toThrow(/Duplicate joint name `hinge`/);
    using scene = Scene.build(bodies, {}, joints);
    expect(() => scene.joint('elbow')).toThrow(/No joint named "elbow" in scene \(joints: hinge\)/);
  });

  it('enforces joint limits', () => {
    const [bodies, joints] = pendulum();
    using scene = Scene.build(bodies, { timestep: 0.01 }, [{ ...joints[0]!, limits: [-0.3, 0.3] } as JointSpec]);
    for (let i = 0; i < 100; i++) scene.world.step();
    const q = scene.body('bob').rotation();
    const angle = 2 * Math.atan2(q.z, q.w);
    expect(angle).toBeGreaterThan(-0.32);
    expect(angle).toBeLessThan(-0.25); // it fell onto the lower limit
  });
});

describe('snapshots', () => {
  it('restoreWorld reproduces a world bit for bit and rejects junk', () => {
    using scene = Scene.build([ground, { name: 'box', kind: 'dynamic', shape: { type: 'box', halfExtents: [0.1, 0.1, 0.1] }, position: [0, 0.5, 0], mass: 1 }]);
    const bytes = takeSnapshot(scene.world);
    const copy = restoreWorld(bytes);
    try {
      for (let i = 0; i < 30; i++) {
        scene.world.step();
        copy.step();
      }
      expect(stateHash(copy.takeSnapshot())).toBe(stateHash(scene.snapshot()));
    } finally {
      copy.free();
    }
    expect(() => restoreWorld(new Uint8Array(0))).toThrow(/expected non-empty snapshot bytes \(Uint8Array\), got Uint8Array/);
    expect(() => restoreWorld(new Uint8Array([1, 2, 3]))).toThrow(/3 bytes are not a Rapier .* snapshot/);
  });
});
