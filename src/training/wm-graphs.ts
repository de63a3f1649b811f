/**
 * The inference graphs of a trained world model, in the bundle's layout (see `src/worldmodel/manifest.ts`):
 * raw units in and out (normalisation inside), a symbolic batch axis `B`, weights baked in.
 *
 * - encoder: `obs` [B, obsDim] → `latent` [B, latentDim]
 * - dynamics member m: `latent`, `action` → `next_latent`, `reward` [B, 1], optional `terminal_logit` [B, 1]
 * - decoder: `latent` → `obs`
 * - rollout: `latent` [B, latentDim], `actions` [B, H, actionDim] → `latents` [B, H, latentDim],
 *   `rewards` [B, H], and `terminal_logits` [B, H] when the model predicts termination — a `Scan` over
 *   H (any H at run time) of member 0, or of the ensemble mean (of latents, rewards and logits).
 *
 * @module
 */
import type { GraphSpec, Tensor } from '../graph/index.js';
import { Graph, ParamScope, SIMNORM_BOUND, add, div, reshape, scan } from '../graph/index.js';
import type { NormalizationStats } from './batch.js';
import type { WorldModelConfig } from './wm-config.js';
import { WorldModelNetwork } from './wm-network.js';

/** Which dynamics the fused rollout uses. */
export type RolloutMode = 'member0' | 'mean';

/** Builds the inference graphs of one model (weights in `params`, by name). */
export class WorldModelGraphs {
  readonly network: WorldModelNetwork;

  /** The trained weights with the reward de-normalisation folded into each reward head's output layer. */
  readonly params: ReadonlyMap<string, Float32Array>;

  constructor(
    readonly config: WorldModelConfig,
    readonly stats: NormalizationStats,
    params: ReadonlyMap<string, Float32Array>,
  ) {
    this.params = foldRewardScale(config, stats, params);
    this.network = new WorldModelNetwork(config, stats, boundedSimNormPrefixes(config, params));
  }

  /** `obs` → `latent`. */
  encoder(): GraphSpec {
    const g = new Graph();
    const obs = g.input('obs', ['B', this.config.obsDim]);
    const latent = this.network.encode(new ParamScope(g), this.network.normalizeObs(obs));
    return { graph: g, inputs: [obs], outputs: { latent }, paramValues: this.params, name: 'encoder' };
  }

  /** `latent` → `obs`. */
  decoder(): GraphSpec {
    const g = new Graph();
    const latent = g.input('latent', ['B', this.config.latentDim]);
    const obs = this.network.denormalizeObs(this.network.decode(new ParamScope(g), latent));
    return { graph: g, inputs: [latent], outputs: { obs }, paramValues: this.params, name: 'decoder' };
  }

  /** One dynamics member with its heads. */
  dynamics(member: number): GraphSpec {
    const g = new Graph();
    const latent = g.input('latent', ['B', this.config.latentDim]);
    const action = g.input('action', ['B', this.config.actionDim]);
    const outputs = this.step(new ParamScope(g), member, latent, action);
    return { graph: g, inputs: [latent, action], outputs, paramValues: this.params, name: `dynamics_${member}` };
  }

  /** The fused H-step rollout (`Scan`). */
  rollout(mode: RolloutMode = 'member0'): GraphSpec {
    const { latentDim: L, actionDim: A } = this.config;
    const body = new Graph();
    const zIn = body.input('latent_in', ['B', L]);
    const aIn = body.input('action_in', ['B', A]);
    const bodyScope = new ParamScope(body);
    const members = mode === 'mean' ? Array.from({ length: this.config.ensembleSize }, (_v, m) => m) : [0];
    const steps = members.map((m) => this.step(bodyScope, m, zIn, aIn));
    const average = (xs: Tensor[]) =>
      xs.length === 1
        ? xs[0]!
        : div(
            xs.reduce((a, b) => add(a, b)),
            xs.length,
          );
    const next = average(steps.map((s) => s.next_latent!));
    const reward = reshape(average(steps.map((s) => s.reward!)), ['B']);
    const bodyOutputs: Record<string, Tensor> = { latent_out: next, latent_step: next, reward_step: reward };
    if (this.config.terminal) bodyOutputs.terminal_step = reshape(average(steps.map((s) => s.terminal_logit!)), ['B']);
    const bodySpec = { graph: body, inputs: [zIn, aIn], outputs: bodyOutputs, paramValues: this.params, name: 'rollout_body' };

    const g = new Graph();
    const latent = g.input('latent', ['B', L]);
    const actions = g.input('actions', ['B', 'H', A]);
    const perStep = Object.keys(bodyOutputs).length - 1;
    const [, latents, rewards, terminals] = scan(g, bodySpec, [latent], [actions], { scanInputAxes: [1], scanOutputAxes: new Array<number>(perStep).fill(1) });
    const outputs: Record<string, Tensor> = { latents: latents!, rewards: rewards! };
    if (terminals) outputs.terminal_logits = terminals;
    return { graph: g, inputs: [latent, actions], outputs, name: 'rollout' };
  }

  private step(scope: ParamScope, member: number, latent: Tensor, action: Tensor): Record<string, Tensor> {
    const net = this.network;
    const joint = net.joint(latent, action);
    const next = net.dynamics(scope, member, latent, joint);
    const heads = net.headInput(joint, next);
    const out: Record<string, Tensor> = {
      next_latent: next,
      reward: net.reward(scope, member, heads), // in raw units: foldRewardScale scaled the output layer
    };
    if (this.config.terminal) out.terminal_logit = net.terminalLogit(scope, member, heads);
    return out;
  }
}

/**
 * The MLPs whose SimNorm input provably lies within ±{@link SIMNORM_BOUND}: a layer norm over D entries
 * outputs (x − μ)/σ·γ + β with |(x − μ)/σ| ≤ √(D−1), so |y| ≤ √(D−1)·max|γ| + max|β|. Their inference
 * graphs use the faster, equivalent `simNormBounded`; any other keeps the Softmax.
 */
export function boundedSimNormPrefixes(config: WorldModelConfig, params: ReadonlyMap<string, Float32Array>): Set<string> {
  const out = new Set<string>();
  if (config.simNormGroup === 0) return out;
  const maxAbs = (v: Float32Array | undefined) => (v ? v.reduce((m, x) => Math.max(m, Math.abs(x)), 0) : Infinity);
  const prefixes = ['encoder', ...Array.from({ length: config.ensembleSize }, (_v, m) => `dynamics${m}`)];
  for (const prefix of prefixes) {
    const bound = Math.sqrt(config.latentDim - 1) * maxAbs(params.get(`${prefix}.out.ln_scale`)) + maxAbs(params.get(`${prefix}.out.ln_bias`));
    if (bound <= SIMNORM_BOUND) out.add(prefix);
  }
  return out;
}

/**
 * The weights with r = r̂·std + mean folded into each reward head's output layer (w·std, b·std + mean), so
 * the inference graphs predict raw rewards without two extra per-step nodes (each costs onnxruntime ~20 µs
 * of fixed overhead inside the rollout's Scan at any batch size). Equal to de-normalising afterwards up to
 * rounding.
 */
export function foldRewardScale(config: WorldModelConfig, stats: NormalizationStats, params: ReadonlyMap<string, Float32Array>): Map<string, Float32Array> {
  const folded = new Map(params);
  for (let m = 0; m < config.ensembleSize; m++) {
    const w = params.get(`reward${m}.out.w`);
    const b = params.get(`reward${m}.out.b`);
    if (!w || !b) continue; // nothing to fold
    folded.set(
      `reward${m}.out.w`,
      w.map((v) => v * stats.rewardStd),
    );
    folded.set(
      `reward${m}.out.b`,
      b.map((v) => v * stats.rewardStd + stats.rewardMean),
    );
  }
  return folded;
}
