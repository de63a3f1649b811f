/**
 * Scripted baseline for `CartPole-v0`: LQR on the linearised cart-pole for balance; for `swingUp`,
 * energy pumping (Åström–Furuta) with cart centring, handing over to the LQR near upright.
 *
 * The model is derived from the environment's own options (masses, pole length, force limit,
 * control period), so the controller matches whatever cart-pole it is given.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type { Policy } from '../../src/policy.js';
import { parseOptions } from '../../src/options.js';
import { CartPoleOptionsSchema, type CartPoleOptions } from './cart-pole-env.js';

type Mat = number[][];
type MathJs = typeof import('mathjs');
type Matrix = import('mathjs').Matrix;

let math: MathJs | undefined;

/**
 * mathjs, loaded on first use: it takes 0.5–2 s to load, and only building a cart-pole controller
 * needs it (once per policy, never per step), so importing the environments must not pay for it.
 */
function mathjs(): MathJs {
  math ??= createRequire(import.meta.url)('mathjs') as MathJs;
  return math;
}

/**
 * The continuous-time linearisation about upright of the cart-pole with a uniform box pole
 * (state `[x, ẋ, θ, θ̇]`, input force F):
 * `M ẍ + m l θ̈ = F`, `m l ẍ + (I + m l²) θ̈ = m g l θ`, with M = cart + pole mass, l = half length,
 * I = the pole's inertia about its centre.
 */
export function linearisedCartPole(options: CartPoleOptions = {}): { A: number[][]; B: number[][] } {
  const c = parseOptions(CartPoleOptionsSchema, options, 'linearisedCartPole options');
  const m = c.poleMass;
  const M = c.cartMass + m;
  const l = c.poleLength / 2;
  const width = 0.04; // the environment's pole is a 0.04 m square box
  const I = (m * (c.poleLength ** 2 + width ** 2)) / 12;
  const g = c.gravity;
  const J = I + m * l * l;
  const det = M * J - (m * l) ** 2;
  return {
    A: [
      [0, 1, 0, 0],
      [0, 0, -(m * l * m * g * l) / det, 0],
      [0, 0, 0, 1],
      [0, 0, (M * m * g * l) / det, 0],
    ],
    B: [[0], [J / det], [0], [-(m * l) / det]],
  };
}

/** Zero-order-hold discretisation by truncated power series (the period is short against the dynamics). */
function discretise(A: Mat, B: Mat, dt: number): { Ad: Mat; Bd: Mat } {
  const { add, divide, identity, multiply } = mathjs();
  const I = (identity(A.length) as Matrix).toArray() as Mat;
  let term = I; // (A dt)^k / k!
  let Ad = I;
  let S = multiply(I, dt) as Mat; // Σ A^k dt^(k+1) / (k+1)!
  for (let k = 1; k < 20; k++) {
    term = divide(multiply(multiply(term, A), dt), k) as Mat;
    Ad = add(Ad, term);
    S = add(S, divide(multiply(term, dt), k + 1) as Mat);
  }
  return { Ad, Bd: multiply(S, B) };
}

/**
 * Discrete-time LQR gain K (u = −K s) for a single-input system, by iterating the Riccati equation
 * `P ← Q + Aᵀ P A − Aᵀ P B (R + Bᵀ P B)⁻¹ Bᵀ P A` to convergence.
 */
export function dlqr(Ad: number[][], Bd: number[][], Q: number[][], R: number): number[] {
  const { add, multiply, subtract, transpose } = mathjs();
  let P = Q;
  const At = transpose(Ad);
  const Bt = transpose(Bd);
  let K: number[] = [];
  for (let it = 0; it < 10_000; it++) {
    const PB = multiply(P, Bd);
    const s = R + multiply(Bt, PB)[0]![0]!;
    const BtPA = multiply(Bt, multiply(P, Ad));
    K = BtPA[0]!.map((v) => v / s);
    const next = subtract(add(Q, multiply(At, multiply(P, Ad))), multiply(multiply(At, PB), [K]));
    const delta = Math.max(...next.flatMap((row, i) => row.map((v, j) => Math.abs(v - P[i]![j]!))));
    P = next;
    if (delta < 1e-10) break;
  }
  return K;
}

/** Options of {@link cartPolePolicy}. */
export interface CartPolePolicyOptions {
  /** The environment's options (the model is built from them). Default: the environment defaults. */
  readonly env?: CartPoleOptions;
  /** |θ| (rad) under which the swing-up hands over to the LQR. Default 0.5. */
  readonly catchAngle?: number;
  /** Energy-pumping gain, (m/s²)/(J·rad/s). Default 25. */
  readonly energyGain?: number;
  /** Largest cart acceleration the energy pump asks for, m/s². Default 8. */
  readonly pumpAcceleration?: number;
  /** Cart-centring gains during swing-up: `[position (1/s²), velocity (1/s)]`. Default `[1, 1]`. */
  readonly centring?: readonly [number, number];
}

/**
 * LQR balance (and energy-based swing-up when the environment has `swingUp`) for `CartPole-v0`.
 *
 * @example
 * ```ts
 * const env = make('CartPole-v0', { swingUp: true });
 * const policy = cartPolePolicy({ env: { swingUp: true } });
 * ```
 */
export function cartPolePolicy(options: CartPolePolicyOptions = {}): Policy {
  const c = parseOptions(CartPoleOptionsSchema, options.env ?? {}, 'cartPolePolicy env options');
  const { A, B } = linearisedCartPole(c);
  const { Ad, Bd } = discretise(A, B, c.physicsDt * c.substeps);
  const K = dlqr(
    Ad,
    Bd,
    [
      [1, 0, 0, 0],
      [0, 0.1, 0, 0],
      [0, 0, 10, 0],
      [0, 0, 0, 0.1],
    ],
    0.01,
  );
  const catchAngle = options.catchAngle ?? 0.5;
  const energyGain = options.energyGain ?? 25;
  const pumpAcceleration = options.pumpAcceleration ?? 8;
  const [kx, kv] = options.centring ?? [1, 1];
  const m = c.poleMass;
  const l = c.poleLength / 2;
  const J = (m * (c.poleLength ** 2 + 0.04 ** 2)) / 12 + m * l * l;
  const M = c.cartMass + m;
  const out = new Float32Array(1);
  return {
    name: c.swingUp ? 'scripted:cart-pole-swing-up' : 'scripted:cart-pole-lqr',
    act(obs: Float32Array): Float32Array {
      const x = obs[0]!;
      const xDot = obs[1]!;
      const theta = Math.atan2(obs[3]!, obs[2]!);
      const thetaDot = obs[4]!;
      let force: number;
      if (!c.swingUp || Math.abs(theta) < catchAngle) {
        force = -(K[0]! * x + K[1]! * xDot + K[2]! * theta + K[3]! * thetaDot);
      } else {
        // Energy relative to resting upright; dE/dt = −m l cos θ θ̇ ẍ, so this ẍ drives E to 0.
        const energy = 0.5 * J * thetaDot * thetaDot + m * c.gravity * l * (Math.cos(theta) - 1);
        const pump = Math.max(-pumpAcceleration, Math.min(pumpAcceleration, energyGain * energy * thetaDot * Math.cos(theta)));
        const acc = pump - kx * x - kv * xDot;
        force = M * acc;
      }
      out[0] = Math.max(-1, Math.min(1, force / c.maxForce));
      return out.slice();
    },
  };
}
