/**
 * `WorldModel`: a loaded bundle run by onnxruntime-node — batched `encode`, `step`, `decode` and
 * `rollout`, with ensemble handling (mean, TS1, TS∞; PETS's propagation methods) and ensemble
 * disagreement as uncertainty. It implements {@link RolloutModel} with latents as states, so every
 * planner runs on it unchanged.
 *
 * Shapes are batch-major and flat: `B × D` means B rows of D float32 values.
 *
 * @module
 */
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { EnvStateError, InvalidArgumentError, describeValue } from '../errors.js';
import { parseOptions } from '../options.js';
import type { RolloutModel, RolloutResult } from '../planning/rollout-model.js';
import { Rng } from '../rng.js';
import { BundleError, loadBundle, type BundleFile, type LoadedBundle } from './bundle.js';
import type { Manifest } from './manifest.js';

/**
 * How an ensemble propagates: `'mean'` averages the members; `'ts1'` draws a random member for every
 * row at every step; `'tsinf'` keeps one member per row (particle) for a whole rollout.
 */
export type EnsembleMode = 'mean' | 'ts1' | 'tsinf';

/** Per-call options of {@link WorldModel.step} and {@link WorldModel.rollout}. */
export interface StepCallOptions {
  /** Member of each row (`B` entries in [0, K)), overriding the ensemble mode's choice. */
  readonly members?: Int32Array;
  /** Random stream for TS1/TS∞ draws in this call. Default: the model's own. */
  readonly rng?: Rng;
}

/** What {@link WorldModel.step} returns (all `B`-major). */
export interface StepOutput {
  /** `B × latentDim`. */
  readonly nextLatent: Float32Array;
  /** `B`. */
  readonly reward: Float32Array;
  /** `B`, sigmoid of the terminal logit (when the model has a terminal head). */
  readonly terminalProb?: Float32Array;
  /** `B`, mean over latent dimensions of the standard deviation across members (ensembles only). */
  readonly uncertainty?: Float32Array;
}

/** Zod schema of {@link WorldModelOptions}. */
export const WorldModelOptionsSchema = z
  .object({
    /** Ensemble propagation. Default `'mean'`. */
    ensembleMode: z.enum(['mean', 'ts1', 'tsinf']).default('mean'),
    /** Seed of the member draws of `'ts1'`/`'tsinf'`. Default 0. */
    seed: z.number().int().nonnegative().default(0),
    /**
     * onnxruntime intra-op threads per session. Default 1: measured here, 2 threads help only when the
     * other core is idle and are 2–4× slower beside a busy simulator.
     */
    intraOpNumThreads: z.number().int().positive().max(64).default(1),
    /** Use `rollout.onnx` when it applies (`'auto'`), always (error if it cannot), or never. Default `'auto'`. */
    fused: z.union([z.literal('auto'), z.boolean()]).default('auto'),
    /** Compute ensemble disagreement (runs every member on every row). Default: true when the ensemble has > 1 member. */
    uncertainty: z.boolean().optional(),
    /**
     * Run a probe batch through encoder → every dynamics member → decoder at load and refuse non-finite
     * outputs, and check that `rollout.onnx` computes what stepping the dynamics does (a {@link BundleError}
     * naming the file). Default `true`; `false` only to load a bundle known to be broken (e.g. to test the
     * checks made at each step).
     */
    probe: z.boolean().default(true),
  })
  .strict();

/** Options of {@link WorldModel.load}. */
export type WorldModelOptions = z.input<typeof WorldModelOptionsSchema>;

type Session = ort.InferenceSession;

async function createSession(file: BundleFile, threads: number): Promise<Session> {
  try {
    return await ort.InferenceSession.create(file.bytes, {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential', // 'parallel' measured 2.5× slower on these MLPs
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      logSeverityLevel: 3,
      // External data comes from the bundle, read and confined by loadBundle: onnxruntime opens no file.
      ...(file.externalData && { externalData: file.externalData.map((d) => ({ path: d.path, data: d.data })) }),
    });
  } catch (e) {
    throw new BundleError(`${file.file}: onnxruntime could not load the model: ${(e as Error).message}`, { cause: e });
  }
}

/** Largest relative difference between `rollout.onnx` and stepping the dynamics at the load-time probe. */
const PROBE_TOLERANCE = 1e-3;

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * A learned world model: encoder, latent dynamics ensemble, reward (and terminal) heads, optional decoder.
 *
 * @example
 * ```ts
 * const model = await WorldModel.load('models/pushbox', { ensembleMode: 'tsinf', seed: 1 });
 * const z = await model.encode(obs);                         // B × latentDim
 * const { states, rewards } = await model.rollout(z, actions, 12);
 * await model.close();
 * ```
 */
export class WorldModel implements RolloutModel {
  /** The bundle's manifest. */
  readonly manifest: Manifest;
  readonly obsDim: number;
  readonly actionDim: number;
  readonly latentDim: number;
  /** Number of ensemble members K. */
  readonly ensembleSize: number;
  readonly ensembleMode: EnsembleMode;
  /** Whether `decode` is available. */
  readonly hasDecoder: boolean;
  /** Whether `step` returns `terminalProb`. */
  readonly hasTerminal: boolean;
  /** Whether ensemble disagreement is computed. */
  readonly computesUncertainty: boolean;
  /** Start observations stored in the bundle (`N × obsDim`), if any. */
  readonly initialObservations: Float32Array | undefined;
  private readonly rng: Rng;
  private closed = false;

  private constructor(
    private readonly bundle: LoadedBundle,
    private readonly encoder: Session,
    private readonly members: Session[],
    private readonly decoder: Session | undefined,
    private readonly fusedSession: Session | undefined,
    opts: z.output<typeof WorldModelOptionsSchema>,
  ) {
    const m = bundle.manifest;
    this.manifest = m;
    this.obsDim = m.obsDim;
    this.actionDim = m.actionDim;
    this.latentDim = m.latentDim;
    this.ensembleSize = members.length;
    this.ensembleMode = opts.ensembleMode;
    this.hasDecoder = decoder !== undefined;
    this.hasTerminal = m.hasTerminal;
    this.computesUncertainty = opts.uncertainty ?? members.length > 1;
    this.initialObservations = bundle.initialObservations;
    this.rng = Rng.fromSeed(opts.seed);
  }

  /**
   * Loads and validates a bundle directory (or an already loaded bundle) and creates its sessions.
   * @throws {@link BundleError} for any contract violation; {@link InvalidArgumentError} for bad options.
   */
  static async load(source: string | LoadedBundle, options: WorldModelOptions = {}): Promise<WorldModel> {
    const opts = parseOptions(WorldModelOptionsSchema, options, 'WorldModel options');
    const bundle = typeof source === 'string' ? await loadBundle(source) : source;
    const t = opts.intraOpNumThreads;
    const sessions: Session[] = [];
    try {
      const encoder = await createSession(bundle.encoder, t);
      sessions.push(encoder);
      const members: Session[] = [];
      for (const f of bundle.dynamics) {
        const s = await createSession(f, t);
        sessions.push(s);
        members.push(s);
      }
      const decoder = bundle.decoder ? await createSession(bundle.decoder, t) : undefined;
      if (decoder) sessions.push(decoder);
      const fused = bundle.rollout && opts.fused !== false ? await createSession(bundle.rollout, t) : undefined;
      if (fused) sessions.push(fused);
      if (opts.fused === true && !fused) throw new InvalidArgumentError(`WorldModel options: \`fused: true\` but the bundle at ${bundle.dir} has no rollout file`);
      const model = new WorldModel(bundle, encoder, members, decoder, fused, opts);
      if (opts.probe) await model.probe();
      return model;
    } catch (e) {
      for (const s of sessions) await s.release();
      throw e;
    }
  }

  /** Same as {@link WorldModel.latentDim}: states of this {@link RolloutModel} are latents. */
  get stateDim(): number {
    return this.latentDim;
  }

  /** The bundle directory. */
  get dir(): string {
    return this.bundle.dir;
  }

  /** Encodes observations `B × obsDim` into latents `B × latentDim`. */
  async encode(observations: Float32Array): Promise<Float32Array> {
    const B = this.rows(observations, this.obsDim, 'encode', 'observations');
    const out = await this.run(this.encoder, this.bundle.encoder, { obs: [observations, [B, this.obsDim]] }, ['latent']);
    return this.checked(out.latent!, B * this.latentDim, this.bundle.encoder, 'latent');
  }

  /** Decodes latents `B × latentDim` into observations `B × obsDim`. @throws {@link EnvStateError} without a decoder. */
  async decode(latents: Float32Array): Promise<Float32Array> {
    if (!this.decoder) throw new EnvStateError(`WorldModel.decode: the bundle at ${this.bundle.dir} has no decoder (files.decoder)`);
    const B = this.rows(latents, this.latentDim, 'decode', 'latents');
    const out = await this.run(this.decoder, this.bundle.decoder!, { latent: [latents, [B, this.latentDim]] }, ['obs']);
    return this.checked(out.obs!, B * this.obsDim, this.bundle.decoder!, 'obs');
  }

  /** Member indices for `B` rows drawn uniformly (TS∞ assigns them once per particle). */
  sampleMembers(batch: number, rng: Rng = this.rng): Int32Array {
    const out = new Int32Array(batch);
    if (this.ensembleSize > 1) for (let i = 0; i < batch; i++) out[i] = rng.integer(0, this.ensembleSize - 1);
    return out;
  }

  /**
   * One latent step for `B` rows: `latents` `B × latentDim`, `actions` `B × actionDim`.
   * In `'tsinf'` mode pass `members` (fixed per particle); otherwise the mode decides.
   */
  async step(latents: Float32Array, actions: Float32Array, options: StepCallOptions = {}): Promise<StepOutput> {
    const B = this.rows(latents, this.latentDim, 'step', 'latents');
    if (actions.length !== B * this.actionDim) {
      throw new InvalidArgumentError(`WorldModel.step: expected \`actions\` of ${B} × ${this.actionDim} = ${B * this.actionDim} values (B × actionDim), got ${actions.length}`);
    }
    return this.stepRows(B, latents, actions, this.membersFor(B, options, 'step'));
  }

  /**
   * Rolls `B` latents forward under action sequences `B × H × actionDim`. Uses `rollout.onnx` when it
   * applies (a single member, or mode `'mean'` without uncertainty and a manifest `rolloutMode: 'mean'`;
   * matching horizon; terminal logits present if needed); otherwise H calls of {@link WorldModel.step}.
   * TS∞ draws one member per row per call.
   */
  async rollout(states: Float32Array, actions: Float32Array, horizon: number, options: StepCallOptions = {}): Promise<RolloutResult> {
    if (!Number.isSafeInteger(horizon) || horizon <= 0)
      throw new InvalidArgumentError(`WorldModel.rollout: expected \`horizon\` to be a positive integer, got ${describeValue(horizon)}`);
    const B = this.rows(states, this.latentDim, 'rollout', 'states');
    const A = this.actionDim;
    const L = this.latentDim;
    const H = horizon;
    if (actions.length !== B * H * A) {
      throw new InvalidArgumentError(`WorldModel.rollout: expected \`actions\` of ${B} × ${H} × ${A} = ${B * H * A} values (B × H × actionDim), got ${actions.length}`);
    }
    if (this.canFuse(H, options)) return this.fusedRollout(B, H, states, actions);
    const outStates = new Float32Array(B * H * L);
    const rewards = new Float32Array(B * H);
    const terminals = this.hasTerminal ? new Float32Array(B * H) : undefined;
    const uncertainty = this.computesUncertainty && this.ensembleSize > 1 ? new Float32Array(B * H) : undefined;
    const fixed = options.members ?? (this.ensembleMode === 'tsinf' ? this.sampleMembers(B, options.rng) : undefined);
    if (fixed) this.checkMembers(fixed, B, 'rollout');
    const act = new Float32Array(B * A);
    let z = states;
    for (let h = 0; h < H; h++) {
      for (let b = 0; b < B; b++) act.set(actions.subarray((b * H + h) * A, (b * H + h + 1) * A), b * A);
      const members = fixed ?? this.membersFor(B, options, 'rollout');
      const s = await this.stepRows(B, z, act, members);
      z = s.nextLatent;
      for (let b = 0; b < B; b++) {
        outStates.set(z.subarray(b * L, (b + 1) * L), (b * H + h) * L);
        rewards[b * H + h] = s.reward[b]!;
        if (terminals) terminals[b * H + h] = s.terminalProb![b]!;
        if (uncertainty) uncertainty[b * H + h] = s.uncertainty![b]!;
      }
    }
    return { states: outStates, rewards, ...(terminals && { terminals }), ...(uncertainty && { uncertainty }) };
  }

  /** Releases every onnxruntime session; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of [this.encoder, ...this.members, this.decoder, this.fusedSession]) await s?.release();
  }

  /** `await using model = await WorldModel.load(...)` closes it at scope exit. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Whether `rollout(…, H)` would use the fused graph. */
  canFuse(horizon: number, options: StepCallOptions = {}): boolean {
    if (!this.fusedSession || options.members !== undefined) return false;
    if (this.bundle.rolloutHorizon !== undefined && this.bundle.rolloutHorizon !== horizon) return false;
    if (this.hasTerminal && !this.bundle.rolloutHasTerminal) return false;
    return this.ensembleSize === 1 || (this.fusedIsMean && this.ensembleMode === 'mean' && !this.computesUncertainty);
  }

  /** Whether `rollout.onnx` computes the ensemble mean (manifest `rolloutMode`, or the trainer's recorded config). */
  private get fusedIsMean(): boolean {
    return this.fusedMode === 'mean';
  }

  /** What `rollout.onnx` computes: stepping member 0, the ensemble mean, or unknown (manifest `rolloutMode`, else the trainer's recorded config). */
  private get fusedMode(): 'member0' | 'mean' | undefined {
    const mode = this.manifest.rolloutMode ?? this.manifest.provenance.config?.rolloutMode;
    if (mode === 'member0' || mode === 'mean') return mode;
    return this.ensembleSize === 1 ? 'member0' : undefined;
  }

  /**
   * The load-time probe: a few rows through encoder → every dynamics member → decoder must give finite
   * values, and `rollout.onnx` must agree with stepping the dynamics it stands for.
   * @throws {@link BundleError} naming the file that failed.
   */
  private async probe(): Promise<void> {
    const { observations, actions, rows: B } = this.probeInputs();
    const enc = this.bundle.encoder;
    const encoded = await this.run(this.encoder, enc, { obs: [observations, [B, this.obsDim]] }, ['latent']);
    const latents = this.probed(this.checked(encoded.latent!, B * this.latentDim, enc, 'latent'), enc, 'latent');
    let next: Float32Array | undefined;
    for (let k = 0; k < this.ensembleSize; k++) {
      const f = this.bundle.dynamics[k]!;
      const s = await this.runMember(k, B, latents, actions);
      this.probed(s.nextLatent, f, 'next_latent');
      this.probed(s.reward, f, 'reward');
      if (s.terminalProb) this.probed(s.terminalProb, f, 'terminal_logit');
      next ??= s.nextLatent;
    }
    if (this.decoder) {
      const dec = this.bundle.decoder!;
      const decoded = await this.run(this.decoder, dec, { latent: [next!, [B, this.latentDim]] }, ['obs']);
      this.probed(this.checked(decoded.obs!, B * this.obsDim, dec, 'obs'), dec, 'obs');
    }
    if (this.fusedSession) await this.crossCheckRollout(latents, actions, B);
  }

  /** Up to 4 probe rows: the bundle's start observations (else the recorded normalisation mean, else zeros) and actions across the bounds. */
  private probeInputs(): { observations: Float32Array; actions: Float32Array; rows: number } {
    const O = this.obsDim;
    const A = this.actionDim;
    const init = this.initialObservations;
    const mean = (this.manifest.provenance.config?.normalization as { obsMean?: unknown } | undefined)?.obsMean;
    const rows = init !== undefined ? Math.min(4, init.length / O) : 4;
    const observations = new Float32Array(rows * O);
    if (init !== undefined) observations.set(init.subarray(0, rows * O));
    else if (Array.isArray(mean) && mean.length === O && mean.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      for (let b = 0; b < rows; b++) observations.set(mean as number[], b * O);
    }
    const actions = new Float32Array(rows * A);
    const fractions = [0.5, 0.25, 0.75, 0];
    for (let b = 0; b < rows; b++) {
      for (let j = 0; j < A; j++) {
        const lo = this.manifest.actionLow[j]!;
        const hi = this.manifest.actionHigh[j]!;
        actions[b * A + j] = lo + fractions[b]! * (hi - lo);
      }
    }
    return { observations, actions, rows };
  }

  /** Checks `rollout.onnx` against stepping member 0 (or the ensemble mean) from the probe latents. */
  private async crossCheckRollout(latents: Float32Array, actions: Float32Array, B: number): Promise<void> {
    const mode = this.fusedMode;
    if (mode === undefined) return; // several members and no record of what the fused graph computes: it is never used
    const f = this.bundle.rollout!;
    const L = this.latentDim;
    const A = this.actionDim;
    const H = this.bundle.rolloutHorizon ?? 3;
    const seq = new Float32Array(B * H * A);
    for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) seq.set(actions.subarray(((b + h) % B) * A, ((b + h) % B) * A + A), (b * H + h) * A);
    const out = await this.run(this.fusedSession!, f, { latent: [latents, [B, L]], actions: [seq, [B, H, A]] }, ['latents', 'rewards']);
    const fusedLatents = this.probed(this.checked(out.latents!, B * H * L, f, 'latents'), f, 'latents');
    const fusedRewards = this.probed(this.checked(out.rewards!, B * H, f, 'rewards'), f, 'rewards');
    const stepped = mode === 'mean' ? `the ensemble mean of ${this.bundle.dynamics.map((d) => d.file).join(', ')}` : this.bundle.dynamics[0]!.file;
    const act = new Float32Array(B * A);
    let z = latents;
    for (let h = 0; h < H; h++) {
      for (let b = 0; b < B; b++) act.set(seq.subarray((b * H + h) * A, (b * H + h + 1) * A), b * A);
      const s = mode === 'mean' ? await this.stepRows(B, z, act, undefined) : await this.runMember(0, B, z, act);
      for (let b = 0; b < B; b++) {
        for (let j = 0; j <= L; j++) {
          const got = j < L ? fusedLatents[(b * H + h) * L + j]! : fusedRewards[b * H + h]!;
          const want = j < L ? s.nextLatent[b * L + j]! : s.reward[b]!;
          if (Math.abs(got - want) > PROBE_TOLERANCE * (1 + Math.abs(want))) {
            const what = j < L ? `latent index ${j}` : 'the reward';
            throw new BundleError(
              `${this.bundle.dir}/${f.file}: does not compute what the dynamics do (rolloutMode ${mode}): at probe row ${b}, step ${h + 1}, ${what} is ${got}, stepping ${stepped} gives ${want}; re-export the bundle`,
            );
          }
        }
      }
      z = s.nextLatent;
    }
  }

  /** `data` when every value is finite; else a {@link BundleError} naming the file and tensor. */
  private probed(data: Float32Array, file: BundleFile, tensor: string): Float32Array {
    const i = data.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw new BundleError(
        `${this.bundle.dir}/${file.file}: the load-time probe gave a non-finite \`${tensor}\` (${data[i]} at index ${i}) for finite inputs; its weights hold NaN/Inf or overflow — retrain or re-export the bundle`,
      );
    }
    return data;
  }

  private async fusedRollout(B: number, H: number, states: Float32Array, actions: Float32Array): Promise<RolloutResult> {
    const f = this.bundle.rollout!;
    const fetch = ['latents', 'rewards', ...(this.hasTerminal ? ['terminal_logits'] : [])];
    const out = await this.run(this.fusedSession!, f, { latent: [states, [B, this.latentDim]], actions: [actions, [B, H, this.actionDim]] }, fetch);
    const result: { states: Float32Array; rewards: Float32Array; terminals?: Float32Array } = {
      states: this.checked(out.latents!, B * H * this.latentDim, f, 'latents'),
      rewards: this.checked(out.rewards!, B * H, f, 'rewards'),
    };
    if (this.hasTerminal) result.terminals = this.checked(out.terminal_logits!, B * H, f, 'terminal_logits').map(sigmoid);
    return result;
  }

  private membersFor(B: number, o: StepCallOptions, where: string): Int32Array | undefined {
    if (o.members) return this.checkMembers(o.members, B, where);
    if (this.ensembleSize === 1 || this.ensembleMode === 'mean') return undefined;
    if (this.ensembleMode === 'tsinf' && where === 'step') {
      throw new InvalidArgumentError("WorldModel.step: ensembleMode 'tsinf' needs `members` (one per row, fixed for the particle's life; see sampleMembers)");
    }
    return this.sampleMembers(B, o.rng);
  }

  private checkMembers(members: Int32Array, B: number, where: string): Int32Array {
    if (!(members instanceof Int32Array) || members.length !== B)
      throw new InvalidArgumentError(`WorldModel.${where}: expected \`members\` to be an Int32Array of ${B} entries, got ${describeValue(members)}`);
    for (const k of members)
      if (k < 0 || k >= this.ensembleSize) throw new InvalidArgumentError(`WorldModel.${where}: expected member indices in [0, ${this.ensembleSize - 1}], got ${k}`);
    return members;
  }

  /** Runs the dynamics: every member on every row (mean / uncertainty), or each row on its member only. */
  private async stepRows(B: number, latents: Float32Array, actions: Float32Array, members: Int32Array | undefined): Promise<StepOutput> {
    const K = this.ensembleSize;
    const L = this.latentDim;
    if (K > 1 && members !== undefined && !this.computesUncertainty) return this.stepPartitioned(B, latents, actions, members);
    const outs: StepOutput[] = [];
    for (let k = 0; k < K; k++) outs.push(await this.runMember(k, B, latents, actions));
    if (K === 1) return outs[0]!;
    const nextLatent = new Float32Array(B * L);
    const reward = new Float32Array(B);
    const terminalProb = this.hasTerminal ? new Float32Array(B) : undefined;
    for (let b = 0; b < B; b++) {
      if (members) {
        const o = outs[members[b]!]!;
        nextLatent.set(o.nextLatent.subarray(b * L, (b + 1) * L), b * L);
        reward[b] = o.reward[b]!;
        if (terminalProb) terminalProb[b] = o.terminalProb![b]!;
      } else {
        for (let j = 0; j < L; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += outs[k]!.nextLatent[b * L + j]!;
          nextLatent[b * L + j] = s / K;
        }
        let r = 0;
        let t = 0;
        for (let k = 0; k < K; k++) {
          r += outs[k]!.reward[b]!;
          if (terminalProb) t += outs[k]!.terminalProb![b]!;
        }
        reward[b] = r / K;
        if (terminalProb) terminalProb[b] = t / K;
      }
    }
    let uncertainty: Float32Array | undefined;
    if (this.computesUncertainty) {
      uncertainty = new Float32Array(B);
      for (let b = 0; b < B; b++) {
        let acc = 0;
        for (let j = 0; j < L; j++) {
          let m = 0;
          for (let k = 0; k < K; k++) m += outs[k]!.nextLatent[b * L + j]!;
          m /= K;
          let v = 0;
          for (let k = 0; k < K; k++) v += (outs[k]!.nextLatent[b * L + j]! - m) ** 2;
          acc += Math.sqrt(v / K);
        }
        uncertainty[b] = acc / L;
      }
    }
    return { nextLatent, reward, ...(terminalProb && { terminalProb }), ...(uncertainty && { uncertainty }) };
  }

  /** Gathers the rows of each member into one batch, runs it, scatters the results back. */
  private async stepPartitioned(B: number, latents: Float32Array, actions: Float32Array, members: Int32Array): Promise<StepOutput> {
    const L = this.latentDim;
    const A = this.actionDim;
    const nextLatent = new Float32Array(B * L);
    const reward = new Float32Array(B);
    const terminalProb = this.hasTerminal ? new Float32Array(B) : undefined;
    for (let k = 0; k < this.ensembleSize; k++) {
      const rows: number[] = [];
      for (let b = 0; b < B; b++) if (members[b] === k) rows.push(b);
      if (rows.length === 0) continue;
      const zk = new Float32Array(rows.length * L);
      const ak = new Float32Array(rows.length * A);
      rows.forEach((b, i) => {
        zk.set(latents.subarray(b * L, (b + 1) * L), i * L);
        ak.set(actions.subarray(b * A, (b + 1) * A), i * A);
      });
      const o = await this.runMember(k, rows.length, zk, ak);
      rows.forEach((b, i) => {
        nextLatent.set(o.nextLatent.subarray(i * L, (i + 1) * L), b * L);
        reward[b] = o.reward[i]!;
        if (terminalProb) terminalProb[b] = o.terminalProb![i]!;
      });
    }
    return { nextLatent, reward, ...(terminalProb && { terminalProb }) };
  }

  private async runMember(k: number, B: number, latents: Float32Array, actions: Float32Array): Promise<StepOutput> {
    const f = this.bundle.dynamics[k]!;
    const fetch = ['next_latent', 'reward', ...(this.hasTerminal ? ['terminal_logit'] : [])];
    const out = await this.run(this.members[k]!, f, { latent: [latents, [B, this.latentDim]], action: [actions, [B, this.actionDim]] }, fetch);
    return {
      nextLatent: this.checked(out.next_latent!, B * this.latentDim, f, 'next_latent'),
      reward: this.checked(out.reward!, B, f, 'reward'),
      ...(this.hasTerminal && { terminalProb: this.checked(out.terminal_logit!, B, f, 'terminal_logit').map(sigmoid) }),
    };
  }

  private async run(session: Session, file: BundleFile, feeds: Record<string, [Float32Array, number[]]>, fetch: string[]): Promise<Record<string, Float32Array>> {
    if (this.closed) throw new EnvStateError('WorldModel: used after close()');
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, [data, dims]] of Object.entries(feeds)) inputs[name] = new ort.Tensor('float32', data, dims);
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await session.run(inputs, fetch);
    } catch (e) {
      throw new BundleError(`${file.file}: onnxruntime failed to run the model: ${(e as Error).message}`, { cause: e });
    }
    const result: Record<string, Float32Array> = {};
    for (const name of fetch) result[name] = out[name]!.data as Float32Array;
    return result;
  }

  private checked(data: Float32Array, expected: number, file: BundleFile, tensor: string): Float32Array {
    if (data.length !== expected) throw new BundleError(`${file.file}: output \`${tensor}\` held ${data.length} values at run time, expected ${expected}`);
    return data;
  }

  private rows(data: Float32Array, width: number, where: string, name: string): number {
    if (!(data instanceof Float32Array)) throw new InvalidArgumentError(`WorldModel.${where}: expected \`${name}\` to be a Float32Array, got ${describeValue(data)}`);
    if (data.length === 0 || data.length % width !== 0) {
      throw new InvalidArgumentError(`WorldModel.${where}: expected \`${name}\` to hold B × ${width} values (B ≥ 1), got ${data.length}`);
    }
    return data.length / width;
  }
}
