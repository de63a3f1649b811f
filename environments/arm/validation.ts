/**
 * Validation spec of `Arm-v0` (a 3-link arm in the horizontal plane). The links collide with nothing
 * and nothing falls, so gravity, non-penetration and momentum do not apply. In velocity mode a zero
 * action commands zero joint speed: the arm must hold still (support) and a moving arm must only lose
 * energy to its motors (energy). Position mode has no "no actuation" action, so those two do not
 * apply there.
 *
 * Energy (the plane is horizontal, so kinetic only): each link is a uniform rod; with absolute
 * headings φᵢ = θ₁ + … + θᵢ, link i's centre moves with
 * `Σ_{j<i} Lⱼ φ̇ⱼ (−sin φⱼ, −cos φⱼ) + (Lᵢ/2) φ̇ᵢ (−sin φᵢ, −cos φᵢ)` and spins at φ̇ᵢ.
 *
 * @module
 */
import { parseOptions } from '../../src/options.js';
import type { Rng } from '../../src/rng.js';
import type { ScenarioInstance, ScenarioSet, ValidationSpec } from '../../src/validation/spec.js';
import { ArmEnv, ArmOptionsSchema, type ArmConfig, type ArmOptions } from './arm-env.js';

/** The validation spec of `Arm-v0` built with `options`. */
export function armValidationSpec(options: ArmOptions = {}): ValidationSpec {
  const c = parseOptions(ArmOptionsSchema, options, 'armValidationSpec options');
  const dt = c.physicsDt * c.substeps;
  const L = c.linkLengths;
  const reach = L[0] + L[1] + L[2];
  const velocityMode = c.controlMode === 'velocity';
  const kinetic = (theta: readonly number[], rates: readonly number[]) => kineticEnergy(c, theta, rates);
  const poses = posesOf(c);
  const positionReason = 'in position mode no action means "no actuation" (0 commands the zero angle)';
  return {
    envId: 'Arm-v0',
    makeEnv: (overrides = {}) => new ArmEnv({ ...options, ...overrides }),
    obsDim: 13,
    actionDim: 3,
    controlDt: dt,
    gravity: c.gravity,
    fields: [
      { name: 'joint angles (cos)', start: 0, size: 3 },
      { name: 'joint angles (sin)', start: 3, size: 3 },
      { name: 'joint velocities', start: 6, size: 3, unit: 'rad/s' },
      { name: 'tip position', start: 9, size: 2, unit: 'm' },
      { name: 'target position', start: 11, size: 2, unit: 'm' },
    ],
    bodies: [{ name: 'tip', position: [9, -1, 10], halfExtents: [0.02, 0.02, 0.02], mass: c.linkMasses[2], dynamic: true }],
    obstacles: [],
    invariants: {
      constant: [11, 12],
      unitPairs: [
        [0, 3],
        [1, 4],
        [2, 5],
      ],
      bounds: [
        { index: 9, min: -reach - 0.2, max: reach + 0.2, name: 'tip x' },
        { index: 10, min: -reach - 0.2, max: reach + 0.2, name: 'tip z' },
      ],
    },
    energy: (o, k) =>
      kinetic(
        [0, 1, 2].map((i) => Math.atan2(o[k + 3 + i]!, o[k + i]!)),
        [0, 1, 2].map((i) => o[k + 6 + i]!),
      ),
    // The stretched arm turning about its base at 0.5 rad/s.
    energyScale: kinetic([0, 0, 0], [0.5, 0, 0]),
    idleAction: [0, 0, 0],
    scenarios: velocityMode ? stillScenarios(dt, poses) : {},
    notApplicable: {
      gravity: 'Arm-v0 moves in the horizontal plane: nothing falls',
      contact: 'the links of Arm-v0 collide with nothing',
      push: 'Arm-v0 has nothing to push',
      ...(!velocityMode && { support: positionReason, energy: positionReason }),
    },
    interventions: [
      { name: 'joint 1 +speed vs −speed', starts: (n, rng) => poses(n, rng, 0, 3300), actionA: [1, 0, 0], actionB: [-1, 0, 0], horizon: 6, outcome: [6, 7, 8, 9, 10] },
      { name: 'joint 3 +speed vs none', starts: (n, rng) => poses(n, rng, 0, 3400), actionA: [0, 0, 1], actionB: [0, 0, 0], horizon: 6, outcome: [6, 7, 8, 9, 10] },
    ],
    resetFromObservation: (o) => ({
      angles: [0, 1, 2].map((i) => Math.max(-c.jointLimits[i]!, Math.min(c.jointLimits[i]!, Math.atan2(o[3 + i]!, o[i]!)))),
      velocities: [o[6]!, o[7]!, o[8]!],
      target: [o[11]!, o[12]!],
    }),
    overlays: [{ name: 'tip (top view)', x: 9, y: 10, xLabel: 'tip x (m)', yLabel: 'tip z (m)', topView: true }],
  };
}

/** Kinetic energy of the arm at joint angles `theta` and joint rates `rates` (uniform rods; see the module notes). */
function kineticEnergy(c: ArmConfig, theta: readonly number[], rates: readonly number[]): number {
  const L = c.linkLengths;
  const masses = c.linkMasses;
  let phi = 0;
  let phiDot = 0;
  let jx = 0; // velocity of the current joint
  let jz = 0;
  let e = 0;
  for (let i = 0; i < 3; i++) {
    phi += theta[i]!;
    phiDot += rates[i]!;
    const s = Math.sin(phi);
    const co = Math.cos(phi);
    const cx = jx + (L[i]! / 2) * phiDot * -s;
    const cz = jz + (L[i]! / 2) * phiDot * -co;
    e += 0.5 * masses[i]! * (cx * cx + cz * cz) + 0.5 * ((masses[i]! * L[i]! ** 2) / 12) * phiDot * phiDot;
    jx += L[i]! * phiDot * -s;
    jz += L[i]! * phiDot * -co;
  }
  return e;
}

/** Random poses within 60 % of the joint limits, joint rates up to `rate`, zero action, a target away from the tip. */
function posesOf(c: ArmConfig): (count: number, rng: Rng, rate: number, seedBase: number) => ScenarioInstance[] {
  const L = c.linkLengths;
  const reach = L[0] + L[1] + L[2];
  return (count, rng, rate, seedBase) =>
    Array.from({ length: count }, (_, i) => {
      const angles = c.jointLimits.map((lim) => rng.uniformRange(-0.6 * lim, 0.6 * lim));
      const velocities = [0, 1, 2].map(() => rng.uniformRange(-rate, rate));
      // A target on the far side of the base from the tip, so no episode ends on success during a scenario.
      let phi = 0;
      let tx = 0;
      let tz = 0;
      for (let k = 0; k < 3; k++) {
        phi += angles[k]!;
        tx += L[k]! * Math.cos(phi);
        tz -= L[k]! * Math.sin(phi);
      }
      const norm = Math.hypot(tx, tz) || 1;
      const target = [(-0.8 * reach * tx) / norm, (-0.8 * reach * tz) / norm];
      return { seed: seedBase + i, resetOptions: { angles, velocities, target }, action: [0, 0, 0], label: rate > 0 ? `swing ${i}` : `hold ${i}` };
    });
}

/** Velocity mode's support (hold still) and energy (swing, zero commanded speed) scenarios. */
function stillScenarios(dt: number, poses: ReturnType<typeof posesOf>): ScenarioSet {
  return {
    support: {
      description: 'the arm at rest with zero commanded joint speed for 1 s',
      body: 'tip',
      horizon: Math.max(1, Math.round(1 / dt)),
      instances: (n: number, rng: Rng) => poses(n, rng, 0, 3100),
    },
    energy: {
      description: 'the arm swinging (joint speeds up to 1.5 rad/s) with zero commanded speed',
      body: 'tip',
      horizon: Math.max(1, Math.round(0.5 / dt)),
      instances: (n: number, rng: Rng) => poses(n, rng, 1.5, 3200),
    },
  };
}
