/**
 * Validation spec of `CartPole-v0`. Nothing collides and nothing rests on a support (only the joints
 * act), so gravity-drop, support, non-penetration and momentum do not apply; gravity shows up in the
 * energy check (with zero force the cart–pole's mechanical energy, including the pole's height, must
 * not grow), and the causal checks push the cart left and right.
 *
 * Energy of an observation `[x, ẋ, cos θ, sin θ, θ̇]` (pole: uniform rod of mass m, half length l,
 * pivot on the cart): `½ M ẋ² + ½ m |v_c|² + ½ (m (2l)²/12) θ̇² + m g l cos θ` with the pole centre's
 * velocity `v_c = (ẋ + l cos θ θ̇, −l sin θ θ̇)`.
 *
 * @module
 */
import { parseOptions } from '../../src/options.js';
import type { ScenarioInstance, ValidationSpec } from '../../src/validation/spec.js';
import type { Rng } from '../../src/rng.js';
import { CartPoleEnv, CartPoleOptionsSchema, type CartPoleOptions } from './cart-pole-env.js';

/** The validation spec of `CartPole-v0` built with `options`. */
export function cartPoleValidationSpec(options: CartPoleOptions = {}): ValidationSpec {
  const c = parseOptions(CartPoleOptionsSchema, options, 'cartPoleValidationSpec options');
  const dt = c.physicsDt * c.substeps;
  const l = c.poleLength / 2;
  const M = c.cartMass;
  const m = c.poleMass;
  // Balance mode ends the episode beyond failAngle, so starts stay well inside it there.
  const spread = c.swingUp ? Math.PI : c.failAngle / 3;
  const starts = (count: number, rng: Rng, seedBase: number): ScenarioInstance[] =>
    Array.from({ length: count }, (_, i) => {
      const theta = c.swingUp ? rng.uniformRange(-spread, spread) : rng.uniformRange(-spread, spread);
      const state = [rng.uniformRange(-0.5, 0.5), rng.uniformRange(-0.2, 0.2), theta, rng.uniformRange(-0.1, 0.1)];
      return { seed: seedBase + i, resetOptions: { state }, action: [0], label: `θ₀ = ${theta.toFixed(2)} rad` };
    });
  return {
    envId: 'CartPole-v0',
    makeEnv: (overrides = {}) => new CartPoleEnv({ ...options, ...overrides }),
    obsDim: 5,
    actionDim: 1,
    controlDt: dt,
    gravity: c.gravity,
    fields: [
      { name: 'cart position', start: 0, size: 1, unit: 'm' },
      { name: 'cart velocity', start: 1, size: 1, unit: 'm/s' },
      { name: 'pole angle (cos, sin)', start: 2, size: 2 },
      { name: 'pole angular velocity', start: 4, size: 1, unit: 'rad/s' },
    ],
    bodies: [{ name: 'cart', position: [0, -1, -1], velocity: [1, -1, -1], halfExtents: [0.2, 0.1, 0.1], mass: M, dynamic: true }],
    obstacles: [],
    invariants: { unitPairs: [[2, 3]], bounds: [{ index: 0, min: -c.xLimit - 1, max: c.xLimit + 1, name: 'cart x' }] },
    energy: (o, k) => {
      const xd = o[k + 1]!;
      const cos = o[k + 2]!;
      const sin = o[k + 3]!;
      const w = o[k + 4]!;
      const vx = xd + l * cos * w;
      const vy = -l * sin * w;
      return 0.5 * M * xd * xd + 0.5 * m * (vx * vx + vy * vy) + 0.5 * ((m * (2 * l) ** 2) / 12) * w * w + m * c.gravity * l * cos;
    },
    // Raising the pole's centre by a tenth of its half length.
    energyScale: 0.1 * m * c.gravity * l,
    idleAction: [0],
    scenarios: {
      energy: {
        description: `zero force from ${c.swingUp ? 'any pole angle' : 'near upright'} (the pole swings or falls freely)`,
        body: 'cart',
        horizon: Math.max(1, Math.round(0.4 / dt)),
        instances: (n, rng) => starts(n, rng, 4100),
      },
    },
    notApplicable: {
      gravity: 'CartPole-v0 has no free body to drop; gravity enters through the pole and is checked by the energy check',
      support: 'nothing rests on a support in CartPole-v0',
      contact: 'nothing collides in CartPole-v0: only the joints act',
      push: 'CartPole-v0 has nothing to push',
    },
    interventions: [
      { name: 'force +x vs −x', starts: (n, rng) => starts(n, rng, 4200), actionA: [1], actionB: [-1], horizon: 5, outcome: [0, 1, 2, 3, 4] },
      { name: 'force +x vs none', starts: (n, rng) => starts(n, rng, 4300), actionA: [1], actionB: [0], horizon: 5, outcome: [0, 1, 2, 3, 4] },
    ],
    resetFromObservation: (o) => ({ state: [o[0]!, o[1]!, Math.atan2(o[3]!, o[2]!), o[4]!] }),
    overlays: [{ name: 'cart x vs pole sin θ', x: 0, y: 3, xLabel: 'cart x (m)', yLabel: 'sin θ' }],
  };
}
