/**
 * The least-squares start of an observation-space world model's linear skip (`linearSkip`): the linear
 * map from (standardised state, action) to the change per step, in the units the dynamics predict in,
 * fitted to the data before the first optimiser step. Kinematics that are linear in the action are then
 * right from step 0; the MLP learns what is left (contact, friction, gravity on a body in the air).
 *
 * Why not let Adam find it: a velocity-commanded body needs skip weights near 2 in change units, and
 * Adam moves a weight by at most about the learning rate per step, so at 1e-3 with a cosine schedule
 * 5000 steps reached 0.65 (measured on PushBox; docs/learn.md).
 *
 * @module
 */
import { lusolve } from 'mathjs';
import type { Rng } from '../rng.js';
import type { BatchSource, NormalizationStats } from './batch.js';
import { toWorldFrame, type WorldFramePairs } from './world-frame.js';

/** Transitions the fit draws (in batches of {@link FIT_BATCH}). */
const FIT_TRANSITIONS = 32_768;
const FIT_BATCH = 4096;
/** Ridge strength relative to the mean diagonal of XᵀX (keeps constant or collinear entries solvable). */
const RIDGE = 1e-4;

/**
 * Fits `W` (`[obsDim + actionDim, obsDim]`, row-major) minimising ‖X W − Y‖² + λ‖W‖² over transitions
 * drawn from `source` with `rng`: X = (standardised o_t, a_t), Y_j = (standardised o_{t+1} − o_t)_j / s_j (standardised
 * observations in `worldFrame`, as the graphs hold them)
 * with `scale` s (0 columns where s_j = 0: those entries are carried over exactly).
 */
export function fitLinearSkip(source: BatchSource, stats: NormalizationStats, scale: Float32Array, rng: Rng, worldFrame: WorldFramePairs = []): Float32Array {
  const O = source.obsDim;
  const J = O + source.actionDim;
  const xtx = Array.from({ length: J }, () => new Float64Array(J));
  const xty = Array.from({ length: J }, () => new Float64Array(O));
  const x = new Float64Array(J);
  const y = new Float64Array(O);
  const next = new Float64Array(O);
  for (let drawn = 0; drawn < Math.min(FIT_TRANSITIONS, Math.max(FIT_BATCH, source.size)); drawn += FIT_BATCH) {
    const batch = source.sample(FIT_BATCH, 1, rng);
    for (let b = 0; b < batch.batchSize; b++) {
      if (batch.mask[b] === 0) continue;
      for (let j = 0; j < O; j++) {
        x[j] = (batch.observations[b * 2 * O + j]! - stats.obsMean[j]!) / stats.obsStd[j]!;
        next[j] = (batch.observations[(b * 2 + 1) * O + j]! - stats.obsMean[j]!) / stats.obsStd[j]!;
      }
      toWorldFrame(worldFrame, stats.obsStd, x);
      toWorldFrame(worldFrame, stats.obsStd, next);
      for (let j = 0; j < O; j++) y[j] = scale[j]! > 0 ? (next[j]! - x[j]!) / scale[j]! : 0;
      for (let k = 0; k < source.actionDim; k++) x[O + k] = batch.actions[b * source.actionDim + k]!;
      for (let r = 0; r < J; r++) {
        const xr = x[r]!;
        for (let c = 0; c < J; c++) xtx[r]![c]! += xr * x[c]!;
        for (let c = 0; c < O; c++) xty[r]![c]! += xr * y[c]!;
      }
    }
  }
  const ridge = RIDGE * Math.max(1e-12, xtx.reduce((s, row, i) => s + row[i]!, 0) / J);
  const a = xtx.map((row, i) => Array.from(row, (v, c) => (c === i ? v + ridge : v)));
  const w = new Float32Array(J * O);
  for (let c = 0; c < O; c++) {
    if (!(scale[c]! > 0)) continue;
    const solved = lusolve(
      a,
      Array.from(xty, (row) => [row[c]!]),
    ) as number[][];
    for (let r = 0; r < J; r++) w[r * O + c] = solved[r]![0]!;
  }
  return w;
}
