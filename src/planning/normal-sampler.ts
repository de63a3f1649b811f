/**
 * Fast standard-normal draws for the planners: Marsaglia and Tsang's ziggurat (128 layers) over the
 * raw 32-bit draws of an {@link Rng}.
 *
 * A plan draws hundreds of thousands of normals (512 samples × 12 steps × 4 actions × 6 iterations ≈
 * 150k); Box–Muller over 53-bit floats costs ~37 ns each here, which is several percent of a whole
 * plan on the reference model. The ziggurat needs one 32-bit draw and one multiply for ~99% of its
 * outputs.
 *
 * Unlike the original RNOR, the layer index and the abscissa use disjoint bits of the draw (low 7 bits
 * choose the layer, the high 25 bits the signed abscissa), which removes RNOR's known correlation
 * between the two (Doornik 2005).
 *
 * @module
 */
import type { Rng } from '../rng.js';

const LAYERS = 128;
/** Right edge of the base layer, and the start of the tail (Marsaglia & Tsang 2000, 128 layers). */
const TAIL_START = 3.442619855899;
/** Area of each layer (and of the base layer plus the tail). */
const LAYER_AREA = 9.91256303526217e-3;
/** Scale of the 25-bit signed abscissa: |j| < 2^24. */
const ABSCISSA_SCALE = 2 ** 24;

/** `KN[i]`: accept without a density test when |j| < KN[i]. */
const KN = new Float64Array(LAYERS);
/** `WN[i]`: abscissa of layer i per unit of j. */
const WN = new Float64Array(LAYERS);
/** `FN[i]`: unnormalised density exp(−x²/2) at the right edge of layer i. */
const FN = new Float64Array(LAYERS);

{
  let dn = TAIL_START;
  let tn = dn;
  const q = LAYER_AREA / Math.exp(-0.5 * dn * dn);
  KN[0] = (dn / q) * ABSCISSA_SCALE;
  KN[1] = 0;
  WN[0] = q / ABSCISSA_SCALE;
  WN[LAYERS - 1] = dn / ABSCISSA_SCALE;
  FN[0] = 1;
  FN[LAYERS - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = LAYERS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(LAYER_AREA / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = (dn / tn) * ABSCISSA_SCALE;
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / ABSCISSA_SCALE;
  }
}

/** The slow path: the tail beyond {@link TAIL_START} and the wedges between layers. */
function rejected(rng: Rng, j: number, layer: number): number {
  for (;;) {
    const x = j * WN[layer]!;
    if (layer === 0) {
      // Marsaglia's tail method: exact draws from the normal tail x > TAIL_START.
      let tx: number;
      let ty: number;
      do {
        tx = -Math.log(1 - rng.uniform()) / TAIL_START;
        ty = -Math.log(1 - rng.uniform());
      } while (ty + ty < tx * tx);
      return j > 0 ? TAIL_START + tx : -TAIL_START - tx;
    }
    if (FN[layer]! + rng.uniform() * (FN[layer - 1]! - FN[layer]!) < Math.exp(-0.5 * x * x)) return x;
    const u = rng.int32();
    layer = u & (LAYERS - 1);
    j = u >> 7;
    if (Math.abs(j) < KN[layer]!) return j * WN[layer]!;
  }
}

/** One standard-normal draw. */
export function standardNormal(rng: Rng): number {
  const u = rng.int32();
  const layer = u & (LAYERS - 1);
  const j = u >> 7;
  return Math.abs(j) < KN[layer]! ? j * WN[layer]! : rejected(rng, j, layer);
}

/** Fills `out[start, end)` with standard-normal draws. */
export function fillStandardNormal<T extends Float32Array | Float64Array>(rng: Rng, out: T, start = 0, end = out.length): T {
  for (let i = start; i < end; i++) {
    const u = rng.int32();
    const layer = u & (LAYERS - 1);
    const j = u >> 7;
    out[i] = Math.abs(j) < KN[layer]! ? j * WN[layer]! : rejected(rng, j, layer);
  }
  return out;
}

/**
 * The fused sampling kernel of the Gaussian planners: row r of `out` (for r in [0, rows)) is
 * `clip(mean + std ⊙ ε, low, high)` with ε ~ N(0, I), all vectors of length `dim`. One pass, no
 * temporary buffers; clipping keeps every sample inside the bounds.
 */
export function sampleClippedGaussian(rng: Rng, mean: Float32Array, std: Float32Array, low: Float32Array, high: Float32Array, out: Float32Array, rows: number): void {
  const dim = mean.length;
  let k = 0;
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < dim; d++, k++) {
      const u = rng.int32();
      const layer = u & (LAYERS - 1);
      const j = u >> 7;
      const eps = Math.abs(j) < KN[layer]! ? j * WN[layer]! : rejected(rng, j, layer);
      const x = mean[d]! + std[d]! * eps;
      const lo = low[d]!;
      const hi = high[d]!;
      out[k] = x < lo ? lo : x > hi ? hi : x;
    }
  }
}
