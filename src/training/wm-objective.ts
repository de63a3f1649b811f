/**
 * The world-model training loss (TD-MPC2 style), for one minibatch of B windows of H steps:
 *
 * - latent consistency: z₀ = enc(o₀); ẑ_{t+1} = dyn(ẑ_t, a_t); target sg(enc(o_{t+1})) (stop-gradient
 *   encoder); `(1/H) Σ_t ρ^t · mean_b[mask_t · mean_l (ẑ_{t+1} − target)²]`;
 * - reward: the same weights on `(r̂_t − r_t)²` in standardised reward units;
 * - terminal (optional): the same weights on the BCE of the terminal logit;
 * - decoder (optional): reconstruction of o₀ from z₀ (weight 1) and of o_{t+1} from ẑ_{t+1} (weights
 *   ρ^t · mask_t), in standardised observation units, divided by H + 1.
 *
 * With an ensemble every member unrolls from the same z₀; member losses are averaged. Data inputs are
 * time-major (`[H+1, B, obsDim]` etc.) so each step is a contiguous slice; {@link packBatch} fills them.
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import type { ParamScope, Tensor } from '../graph/index.js';
import { add, bceWithLogitsElements, concat, div, mul, reduceSum, reshape, slice, square, stopGradient, sub } from '../graph/index.js';
import type { NormalizationStats, SequenceBatch } from './batch.js';
import type { InputSpec, LossOutputs, Objective } from './objective.js';
import type { WorldModelConfig } from './wm-config.js';
import { WorldModelNetwork } from './wm-network.js';

/** Checks that `stats` fits `config` (lengths, finite, positive standard deviations). */
export function checkStats(stats: NormalizationStats, obsDim: number): void {
  const bad = (why: string) => new InvalidArgumentError(`Normalization stats: ${why}`);
  if (stats.obsMean.length !== obsDim || stats.obsStd.length !== obsDim) {
    throw bad(`expected obsMean and obsStd of length ${obsDim} (obsDim), got ${stats.obsMean.length} and ${stats.obsStd.length}`);
  }
  for (let i = 0; i < obsDim; i++) {
    if (!Number.isFinite(stats.obsMean[i]!)) throw bad(`expected finite obsMean, got obsMean[${i}] = ${stats.obsMean[i]}`);
    if (!(stats.obsStd[i]! > 0) || !Number.isFinite(stats.obsStd[i]!)) throw bad(`expected positive finite obsStd, got obsStd[${i}] = ${stats.obsStd[i]}`);
  }
  if (!Number.isFinite(stats.rewardMean)) throw bad(`expected a finite rewardMean, got ${stats.rewardMean}`);
  if (!(stats.rewardStd > 0) || !Number.isFinite(stats.rewardStd)) throw bad(`expected a positive finite rewardStd, got ${stats.rewardStd}`);
}

/** The world-model objective for `config` (validated) and dataset statistics `stats`. */
export class WorldModelObjective implements Objective {
  readonly name = 'world-model';
  readonly inputs: readonly InputSpec[];
  /** The networks (shared with the exporter). */
  readonly network: WorldModelNetwork;

  constructor(
    readonly config: WorldModelConfig,
    readonly stats: NormalizationStats,
  ) {
    checkStats(stats, config.obsDim);
    this.network = new WorldModelNetwork(config, stats);
    const { horizon: H, batchSize: B, obsDim: O, actionDim: A } = config;
    this.inputs = [
      { name: 'obs', shape: [H + 1, B, O] },
      { name: 'actions', shape: [H, B, A] },
      { name: 'rewards', shape: [H, B] },
      { name: 'terminated', shape: [H, B] },
      { name: 'mask', shape: [H, B] },
    ];
  }

  build(params: ParamScope, data: Readonly<Record<string, Tensor>>): LossOutputs {
    const c = this.config;
    const net = this.network;
    const g = params.graph;
    const { horizon: H, batchSize: B, obsDim: O, actionDim: A, latentDim: L, ensembleSize: E } = c;
    const HB = H * B;
    const obsN = net.normalizeObs(reshape(data.obs!, [(H + 1) * B, O]));
    const zAll = net.encode(params, obsN);
    const z0 = slice(zAll, 0, 0, B);
    const targets = stopGradient(slice(zAll, 0, B, (H + 1) * B));
    // Row weights ρ^t·mask_t of the H·B predicted steps (time-major rows).
    const rhoT = g.constant(
      Array.from({ length: H }, (_v, t) => c.rho ** t),
      [H, 1],
    );
    const w = reshape(mul(data.mask!, rhoT), [HB, 1]);
    const rewardT = net.normalizeReward(reshape(data.rewards!, [HB, 1]));
    const terminatedT = reshape(data.terminated!, [HB, 1]);
    const actions = Array.from({ length: H }, (_v, t) => reshape(slice(data.actions!, 0, t, t + 1), [B, A]));
    // Teacher forcing (`headsOnData`): the heads read the encoded o_t, a_t (and o_{t+1}).
    const dataHeads = c.headsOnData ? net.headInput(net.joint(slice(zAll, 0, 0, HB), concat(actions, 0)), targets) : undefined;

    const entryWeights = c.consistencyUnits === 'state' ? undefined : g.constant(consistencyUnitWeights(c.consistencyUnits, net.deltaScale(), this.stats.changeRate), [1, L]);
    const consistency: Tensor[] = [];
    const reward: Tensor[] = [];
    const terminal: Tensor[] = [];
    const predictions: Tensor[] = [];
    const extras: Record<string, Tensor> = { latent0: z0 };
    for (let m = 0; m < E; m++) {
      let z = z0;
      const joints: Tensor[] = [];
      const preds: Tensor[] = [];
      for (let t = 0; t < H; t++) {
        const j = net.joint(z, actions[t]!);
        joints.push(j);
        z = net.dynamics(params, m, z, j);
        preds.push(z);
      }
      const P = concat(preds, 0);
      const J = concat(joints, 0);
      predictions.push(P);
      const err = square(sub(P, targets));
      const perRow = reduceSum(entryWeights ? mul(err, entryWeights) : err, [-1], true);
      consistency.push(div(reduceSum(mul(perRow, w)), HB * L));
      const heads = dataHeads ?? net.headInput(J, P);
      const rHat = net.reward(params, m, heads);
      reward.push(div(reduceSum(mul(square(sub(rHat, rewardT)), w)), HB));
      let logit: Tensor | undefined;
      if (c.terminal) {
        logit = net.terminalLogit(params, m, heads);
        terminal.push(div(reduceSum(mul(bceWithLogitsElements(logit, terminatedT), w)), HB));
      }
      if (m === 0) {
        extras.predLatents = P;
        extras.nextLatent0 = preds[0]!;
        extras.reward0 = net.denormalizeReward(slice(rHat, 0, 0, B));
        if (logit) extras.terminalLogit0 = slice(logit, 0, 0, B);
      }
    }
    const mean = (xs: Tensor[]) =>
      xs.length === 1
        ? xs[0]!
        : div(
            xs.reduce((a, b) => add(a, b)),
            xs.length,
          );
    const metrics: Record<string, Tensor> = { consistency: mean(consistency), reward: mean(reward) };
    if (c.terminal) metrics.terminal = mean(terminal);
    // In observation space the decoder is the identity: its loss would repeat the consistency term.
    if (c.decoder && !net.observationSpace) {
      const decoded = net.decode(params, concat([z0, ...predictions], 0));
      const targetObs = concat([slice(obsN, 0, 0, B), ...predictions.map(() => slice(obsN, 0, B, (H + 1) * B))], 0);
      const rowWeights = concat([g.constant(new Array<number>(B).fill(1), [B, 1]), ...predictions.map(() => (E === 1 ? w : div(w, E)))], 0);
      const err = reduceSum(mul(reduceSum(square(sub(decoded, targetObs)), [-1], true), rowWeights));
      metrics.decoder = div(err, (H + 1) * B * O);
      extras.decoded0 = net.denormalizeObs(slice(decoded, 0, 0, B));
    }
    const terms: Tensor[] = [mul(metrics.consistency!, c.consistencyCoef), mul(metrics.reward!, c.rewardCoef)];
    if (metrics.terminal) terms.push(mul(metrics.terminal, c.terminalCoef));
    if (metrics.decoder) terms.push(mul(metrics.decoder, c.decoderCoef));
    const loss = terms.reduce((a, b) => add(a, b));
    return { loss, metrics, extras };
  }
}

/**
 * Copies a batch-major {@link SequenceBatch} into the objective's time-major inputs.
 * @throws {@link InvalidArgumentError} when the batch does not match the config
 */
export function packBatch(batch: SequenceBatch, config: WorldModelConfig, out: Record<string, Float32Array>): void {
  const { horizon: H, batchSize: B, obsDim: O, actionDim: A } = config;
  if (batch.batchSize !== B || batch.horizon !== H || batch.obsDim !== O || batch.actionDim !== A) {
    throw new InvalidArgumentError(
      `Expected a batch of ${B} windows, horizon ${H}, obsDim ${O}, actionDim ${A}; got ${batch.batchSize}, ${batch.horizon}, ${batch.obsDim}, ${batch.actionDim}`,
    );
  }
  const obs = out.obs!;
  const act = out.actions!;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t <= H; t++) obs.set(batch.observations.subarray((b * (H + 1) + t) * O, (b * (H + 1) + t + 1) * O), (t * B + b) * O);
    for (let t = 0; t < H; t++) {
      act.set(batch.actions.subarray((b * H + t) * A, (b * H + t + 1) * A), (t * B + b) * A);
      out.rewards![t * B + b] = batch.rewards[b * H + t]!;
      out.terminated![t * B + b] = batch.terminated[b * H + t]!;
      out.mask![t * B + b] = batch.mask[b * H + t]!;
    }
  }
}

/**
 * Per-entry weights of the consistency error in change units (`consistencyUnits: 'change'`): 1 / s_j²
 * for an entry whose RMS change per step is s_j standard deviations, 0 for entries that never change
 * (carried over exactly), scaled so the weights of the changing entries average 1.
 */
export function changeUnitWeights(deltaScale: Float32Array): Float32Array {
  const raw = Float32Array.from(deltaScale, (s) => (s > 0 ? 1 / (s * s) : 0));
  const changing = raw.filter((v) => v > 0);
  if (changing.length === 0) return raw;
  const avg = changing.reduce((a, b) => a + b, 0) / changing.length;
  return raw.map((v) => v / avg);
}

/** Entries that change on fewer than this fraction of the transitions are events to `consistencyUnits: 'mixed'`. */
export const EVENT_CHANGE_RATE = 0.5;

/**
 * The per-entry weights of the consistency error for `units` other than `'state'` (where every weight is
 * 1): `'change'` gives {@link changeUnitWeights}; `'larger'` gives each entry the larger of its state-unit
 * weight (1) and its change-unit weight, so slowly changing entries gain and none loses; `'mixed'` gives
 * the change-unit weight to entries that change on at least {@link EVENT_CHANGE_RATE} of the transitions
 * (`changeRate`, from the data's statistics) and the larger of the two to the others (events).
 * @throws {@link InvalidArgumentError} for `'mixed'` without `changeRate` of the entries' length
 */
export function consistencyUnitWeights(units: 'change' | 'larger' | 'mixed', deltaScale: Float32Array, changeRate?: Float32Array): Float32Array {
  const w = changeUnitWeights(deltaScale);
  if (units === 'change') return w;
  if (units === 'larger') return w.map((v) => Math.max(1, v));
  if (changeRate?.length !== deltaScale.length) {
    throw new InvalidArgumentError(
      `consistencyUnits 'mixed': expected the statistics' changeRate for ${deltaScale.length} entries (a Dataset's stats() has it), got ${changeRate ? `${changeRate.length} entries` : 'none'}`,
    );
  }
  return w.map((v, j) => (changeRate[j]! < EVENT_CHANGE_RATE ? Math.max(1, v) : v));
}
