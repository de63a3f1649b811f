/**
 * Validation spec of `Reach-v0`: a force-driven ball on a frictionless floor. Its observation has no
 * height and nothing to collide with, so gravity, non-penetration and momentum transfer do not apply;
 * support (a ball at rest stays at rest), energy (a coasting ball only loses energy to damping),
 * permanence and the causal checks do.
 *
 * @module
 */
import { parseOptions } from '../../src/options.js';
import type { ScenarioInstance, ValidationSpec } from '../../src/validation/spec.js';
import type { Rng } from '../../src/rng.js';
import { ReachEnv, ReachOptionsSchema, type ReachOptions } from './reach-env.js';

/** The validation spec of `Reach-v0` built with `options`. */
export function reachValidationSpec(options: ReachOptions = {}): ValidationSpec {
  const c = parseOptions(ReachOptionsSchema, options, 'reachValidationSpec options');
  const a = c.arenaHalfSize;
  const dt = c.physicsDt * c.substeps;
  const inner = 0.5 * a;
  const clampTo = (v: number, lim: number) => Math.max(-lim, Math.min(lim, v));
  // Goals far from the start so an episode never ends on success during a scenario.
  const goalAway = (x: number, z: number): [number, number] => [x > 0 ? -0.8 * a : 0.8 * a, z > 0 ? -0.8 * a : 0.8 * a];
  const starts = (count: number, rng: Rng, speed: [number, number], seedBase: number): ScenarioInstance[] =>
    Array.from({ length: count }, (_, i) => {
      const x = rng.uniformRange(-inner, inner);
      const z = rng.uniformRange(-inner, inner);
      const s = rng.uniformRange(speed[0], speed[1]);
      const angle = rng.uniformRange(-Math.PI, Math.PI);
      return {
        seed: seedBase + i,
        resetOptions: { start: [x, z], velocity: [s * Math.cos(angle), s * Math.sin(angle)], goal: goalAway(x, z) },
        action: [0, 0],
        label: s > 0 ? `coast ${s.toFixed(2)} m/s` : `rest ${i}`,
      };
    });
  return {
    envId: 'Reach-v0',
    makeEnv: (overrides = {}) => new ReachEnv({ ...options, ...overrides }),
    obsDim: 6,
    actionDim: 2,
    controlDt: dt,
    gravity: c.gravity,
    fields: [
      { name: 'ball position', start: 0, size: 2, unit: 'm' },
      { name: 'ball velocity', start: 2, size: 2, unit: 'm/s' },
      { name: 'goal position', start: 4, size: 2, unit: 'm' },
    ],
    bodies: [
      { name: 'ball', position: [0, -1, 1], velocity: [2, -1, 3], defaultPosition: [0, c.radius, 0], halfExtents: [c.radius, c.radius, c.radius], mass: c.mass, dynamic: true },
    ],
    obstacles: [],
    invariants: {
      constant: [4, 5],
      bounds: [
        { index: 0, min: -a - 0.5, max: a + 0.5, name: 'ball x' },
        { index: 1, min: -a - 0.5, max: a + 0.5, name: 'ball z' },
      ],
    },
    energy: (o, k) => 0.5 * c.mass * (o[k + 2]! ** 2 + o[k + 3]! ** 2),
    // Kinetic energy of the ball at 0.5 m/s.
    energyScale: 0.125 * c.mass,
    idleAction: [0, 0],
    scenarios: {
      support: {
        description: 'the ball at rest with zero force for 1 s',
        body: 'ball',
        horizon: Math.max(1, Math.round(1 / dt)),
        instances: (n, rng) => starts(n, rng, [0, 0], 5100),
      },
      energy: {
        description: 'the ball coasting at 0.3–0.8 m/s with zero force (damping slows it)',
        body: 'ball',
        horizon: Math.max(1, Math.round(0.75 / dt)),
        instances: (n, rng) => starts(n, rng, [0.3, 0.8], 5200),
      },
    },
    notApplicable: {
      gravity: 'Reach-v0 observes no height: the ball is held on the floor',
      contact: 'Reach-v0 has no obstacles: the ball moves on an open floor',
      push: 'Reach-v0 has nothing to push',
    },
    interventions: [
      { name: 'force +x vs −x', starts: (n, rng) => starts(n, rng, [0, 0.3], 5300), actionA: [1, 0], actionB: [-1, 0], horizon: 10, outcome: [0, 1, 2, 3] },
      { name: 'force +z vs none', starts: (n, rng) => starts(n, rng, [0, 0.3], 5400), actionA: [0, 1], actionB: [0, 0], horizon: 10, outcome: [0, 1, 2, 3] },
    ],
    resetFromObservation: (o) => ({ start: [clampTo(o[0]!, a), clampTo(o[1]!, a)], velocity: [o[2]!, o[3]!], goal: [clampTo(o[4]!, a), clampTo(o[5]!, a)] }),
    overlays: [{ name: 'ball (top view)', x: 0, y: 1, xLabel: 'ball x (m)', yLabel: 'ball z (m)', topView: true }],
  };
}
