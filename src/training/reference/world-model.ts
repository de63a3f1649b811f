/**
 * The world-model loss, its gradients and Adam written as plain TypeScript loops — an independent
 * implementation of `WorldModelObjective` + `adamStep`. It is the oracle the graph version is tested
 * against and the "plain TS" side of the training benchmark; it is ~10–30× slower than onnxruntime.
 *
 * @module
 */
import type { NormalizationStats } from '../batch.js';
import type { AdamOptions } from '../optimizer.js';
import type { ParamInfo } from '../train-step.js';
import type { WorldModelConfig } from '../wm-config.js';
import { activate, concatCols, concatRows, layerNorm, linear, simNorm, sliceRows, weightedBce, weightedSquaredError, weightedSum } from './ops.js';
import { Mat, Tape } from './tape.js';

/** Result of {@link ReferenceWorldModel.lossAndGrad}. */
export interface ReferenceLoss {
  readonly loss: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** Plain-TS world model holding parameters (flat, in the trainer's layout) and Adam moments. */
export class ReferenceWorldModel {
  /** Flat parameters, gradients and Adam moments, in the order of `params`. */
  readonly flat: Float32Array;
  readonly grad: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  private readonly mats = new Map<string, Mat>();
  private stepCount = 0;

  constructor(
    readonly config: WorldModelConfig,
    readonly stats: NormalizationStats,
    readonly params: readonly ParamInfo[],
    initial: Float32Array,
  ) {
    this.flat = initial.slice();
    const n = initial.length;
    this.grad = new Float32Array(n);
    this.m = new Float32Array(n);
    this.v = new Float32Array(n);
    for (const p of params) {
      const [rows, cols] = p.shape.length === 2 ? [p.shape[0]!, p.shape[1]!] : [1, p.shape[0]!];
      const mat = new Mat(rows, cols, this.flat.subarray(p.offset, p.offset + p.size));
      mat.grad = this.grad.subarray(p.offset, p.offset + p.size);
      this.mats.set(p.name, mat);
    }
  }

  private p(name: string): Mat {
    const m = this.mats.get(name);
    if (!m) throw new Error(`reference world model: no parameter ${name}`);
    return m;
  }

  private mlp(tape: Tape, prefix: string, x: Mat, hidden: readonly number[], out: 'linear' | 'simnorm'): Mat {
    const c = this.config;
    let h = x;
    hidden.forEach((_w, i) => {
      h = linear(tape, h, this.p(`${prefix}.l${i}.w`), this.p(`${prefix}.l${i}.b`));
      if (c.layerNorm) h = layerNorm(tape, h, this.p(`${prefix}.l${i}.ln_scale`), this.p(`${prefix}.l${i}.ln_bias`));
      h = activate(tape, c.activation, h);
    });
    h = linear(tape, h, this.p(`${prefix}.out.w`), this.p(`${prefix}.out.b`));
    if (out === 'simnorm') h = simNorm(tape, layerNorm(tape, h, this.p(`${prefix}.out.ln_scale`), this.p(`${prefix}.out.ln_bias`)), c.simNormGroup);
    return h;
  }

  /**
   * Loss and gradients (into `grad`) of one minibatch in the objective's time-major layout
   * (`obs` [H+1, B, O], `actions` [H, B, A], `rewards`, `terminated`, `mask` [H, B]).
   */
  lossAndGrad(data: Readonly<Record<string, Float32Array>>): ReferenceLoss {
    const c = this.config;
    const { horizon: H, batchSize: B, obsDim: O, actionDim: A, latentDim: L, ensembleSize: E } = c;
    const HB = H * B;
    const latentOut = c.simNormGroup > 0 ? 'simnorm' : 'linear';
    this.grad.fill(0);
    const tape = new Tape();
    const obsN = new Float32Array((H + 1) * B * O);
    for (let i = 0; i < obsN.length; i++) obsN[i] = (data.obs![i]! - this.stats.obsMean[i % O]!) / this.stats.obsStd[i % O]!;
    const zAll = this.mlp(tape, 'encoder', new Mat((H + 1) * B, O, obsN, false), c.encoderHidden, latentOut);
    const z0 = sliceRows(tape, zAll, 0, B);
    const targets = zAll.data.slice(B * L);
    const w = new Float32Array(HB);
    for (let t = 0; t < H; t++) for (let b = 0; b < B; b++) w[t * B + b] = c.rho ** t * data.mask![t * B + b]!;
    const rewardT = data.rewards!.map((r) => (r - this.stats.rewardMean) / this.stats.rewardStd);
    const cons: Mat[] = [];
    const rew: Mat[] = [];
    const term: Mat[] = [];
    const preds: Mat[] = [];
    for (let m = 0; m < E; m++) {
      let z = z0;
      const joints: Mat[] = [];
      const steps: Mat[] = [];
      for (let t = 0; t < H; t++) {
        const a = new Mat(B, A, data.actions!.slice(t * B * A, (t + 1) * B * A), false);
        const j = concatCols(tape, z, a);
        joints.push(j);
        z = this.mlp(tape, `dynamics${m}`, j, c.dynamicsHidden, latentOut);
        steps.push(z);
      }
      const P = concatRows(tape, steps);
      const J = concatRows(tape, joints);
      preds.push(P);
      cons.push(weightedSquaredError(tape, P, targets, w, HB * L));
      rew.push(weightedSquaredError(tape, this.mlp(tape, `reward${m}`, J, c.rewardHidden, 'linear'), rewardT, w, HB));
      if (c.terminal) term.push(weightedBce(tape, this.mlp(tape, `terminal${m}`, J, c.terminalHidden, 'linear'), data.terminated!, w, HB));
    }
    const mean = (xs: Mat[]) =>
      weightedSum(
        tape,
        xs,
        xs.map(() => 1 / xs.length),
      );
    const metrics: Record<string, Mat> = { consistency: mean(cons), reward: mean(rew) };
    if (c.terminal) metrics.terminal = mean(term);
    if (c.decoder) {
      const decoded = this.mlp(tape, 'decoder', concatRows(tape, [z0, ...preds]), c.decoderHidden, 'linear');
      const target = new Float32Array(decoded.data.length);
      target.set(obsN.subarray(0, B * O));
      const rowW = new Float32Array(decoded.rows);
      rowW.fill(1, 0, B);
      for (let m = 0; m < E; m++) {
        target.set(obsN.subarray(B * O), (B + m * HB) * O);
        for (let i = 0; i < HB; i++) rowW[B + m * HB + i] = w[i]! / E;
      }
      metrics.decoder = weightedSquaredError(tape, decoded, target, rowW, (H + 1) * B * O);
    }
    const terms = [metrics.consistency!, metrics.reward!];
    const coefs = [c.consistencyCoef, c.rewardCoef];
    if (metrics.terminal) terms.push(metrics.terminal), coefs.push(c.terminalCoef);
    if (metrics.decoder) terms.push(metrics.decoder), coefs.push(c.decoderCoef);
    const loss = weightedSum(tape, terms, coefs);
    loss.g()[0] = 1;
    tape.backward();
    return { loss: loss.data[0]!, metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, v.data[0]!])) };
  }

  /** One Adam/AdamW step on the current gradients (same semantics as the graph's `adamStep`). */
  adamStep(lr: number, options: AdamOptions): number {
    const { beta1, beta2, eps, weightDecay, gradClipNorm } = options;
    const t = ++this.stepCount;
    let sq = 0;
    for (let i = 0; i < this.grad.length; i++) sq += this.grad[i]! * this.grad[i]!;
    const norm = Math.sqrt(sq);
    const scale = gradClipNorm > 0 ? Math.min(1, gradClipNorm / (norm + 1e-6)) : 1;
    const stepSize = lr / (1 - beta1 ** t);
    const invSqrtBc2 = 1 / Math.sqrt(1 - beta2 ** t);
    const decay = 1 - lr * weightDecay;
    for (let i = 0; i < this.flat.length; i++) {
      const g = this.grad[i]! * scale;
      const m = beta1 * this.m[i]! + (1 - beta1) * g;
      this.m[i] = m;
      const v = beta2 * this.v[i]! + (1 - beta2) * g * g;
      this.v[i] = v;
      this.flat[i] = this.flat[i]! * decay - (stepSize * m) / (Math.sqrt(v) * invSqrtBc2 + eps);
    }
    return norm;
  }
}
