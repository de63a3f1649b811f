/**
 * The reference MLP {@link RolloutModel}: a seeded random TD-MPC2-sized latent model (latent 64,
 * action 4, dynamics 68→256→256→64, reward 68→256→1) run by onnxruntime-node as ONE fused graph for
 * the whole horizon. It is the fixed workload of the planning benchmarks and a realistic model for
 * tests; its numbers say what planning costs, not what it achieves.
 *
 * @module
 */
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { EnvStateError, InvalidArgumentError, describeValue } from '../errors.js';
import { parseOptions, z } from '../options.js';
import { buildMlpRolloutGraph, mlpFlopsPerStep, randomMlpWeights, type MlpWeights } from './mlp-rollout-graph.js';
import type { RolloutModel, RolloutResult } from './rollout-model.js';

/** Zod schema of {@link ReferenceMlpOptions}. */
export const ReferenceMlpOptionsSchema = z
  .object({
    /** Latent size S. Default: `64`. */
    stateDim: z.number().int().positive().default(64),
    /** Action size A. Default: `4`. */
    actionDim: z.number().int().positive().default(4),
    /** Hidden width of the dynamics and reward head. Default: `256`. */
    hidden: z.number().int().positive().default(256),
    /** Hidden nonlinearity. Default: `'relu'`. */
    activation: z.enum(['relu', 'mish']).default('relu'),
    /** Seed of the random weights. Default: `0`. */
    seed: z.number().int().nonnegative().default(0),
    /**
     * onnxruntime intra-op threads. Default: `1`. Use 2 only when nothing else competes for the cores:
     * beside a busy simulator two threads were measured 2–4× slower than one.
     */
    intraOpNumThreads: z.number().int().positive().default(1),
    /**
     * Write results into buffers owned by the model and reused by the next `rollout` with the same batch
     * and horizon (saves one allocation and copy per call). The returned arrays are then valid only until
     * the next call. Default: `false` (fresh arrays every call).
     */
    reuseOutputs: z.boolean().default(false),
  })
  .strict();

/** Options of {@link ReferenceMlpModel.create}. */
export type ReferenceMlpOptions = z.input<typeof ReferenceMlpOptionsSchema>;

interface Bound {
  readonly session: InferenceSession;
  readonly outputs: Map<number, { latents: Tensor; rewards: Tensor }>;
}

type Ort = typeof import('onnxruntime-node');

/**
 * A seeded random MLP latent model, rolled out by onnxruntime-node in one graph per horizon.
 *
 * @example
 * ```ts
 * const model = await ReferenceMlpModel.create({ seed: 1, intraOpNumThreads: 2 });
 * const { states, rewards } = await model.rollout(z0 /* B×64 *\/, actions /* B×12×4 *\/, 12);
 * await model.close();
 * ```
 */
export class ReferenceMlpModel implements RolloutModel, AsyncDisposable {
  readonly stateDim: number;
  readonly actionDim: number;
  /** The weights (row-major `in × out`). */
  readonly weights: MlpWeights;
  /** Matrix FLOPs of one sample-step (dynamics + reward head). */
  readonly flopsPerStep: number;
  private readonly sessions = new Map<number, Promise<Bound>>();
  private closed = false;

  private constructor(
    private readonly ort: Ort,
    weights: MlpWeights,
    private readonly threads: number,
    private readonly reuseOutputs: boolean,
  ) {
    this.weights = weights;
    this.stateDim = weights.stateDim;
    this.actionDim = weights.actionDim;
    this.flopsPerStep = mlpFlopsPerStep(weights);
  }

  /** Builds the model (loads onnxruntime-node lazily). Sessions are created per horizon on first use. */
  static async create(options: ReferenceMlpOptions = {}): Promise<ReferenceMlpModel> {
    const o = parseOptions(ReferenceMlpOptionsSchema, options, 'ReferenceMlpModel options');
    const ort = await import('onnxruntime-node');
    const weights = randomMlpWeights({ stateDim: o.stateDim, actionDim: o.actionDim, hidden: o.hidden, activation: o.activation }, o.seed);
    return new ReferenceMlpModel(ort, weights, o.intraOpNumThreads, o.reuseOutputs);
  }

  /** Creates the session for `horizon` now, so the first `rollout` is not slowed by graph optimisation. */
  async prepare(horizon: number): Promise<void> {
    await this.bound(horizon);
  }

  async rollout(states: Float32Array, actions: Float32Array, horizon: number): Promise<RolloutResult> {
    if (this.closed) throw new EnvStateError('ReferenceMlpModel: rollout() called after close()');
    if (!Number.isSafeInteger(horizon) || horizon <= 0) {
      throw new InvalidArgumentError(`ReferenceMlpModel.rollout: expected \`horizon\` to be a positive integer, got ${describeValue(horizon)}`);
    }
    if (!(states instanceof Float32Array) || states.length === 0 || states.length % this.stateDim !== 0) {
      throw new InvalidArgumentError(`ReferenceMlpModel.rollout: expected \`states\` to be a non-empty Float32Array of B × ${this.stateDim} values, got ${describeValue(states)}`);
    }
    const batch = states.length / this.stateDim;
    if (!(actions instanceof Float32Array) || actions.length !== batch * horizon * this.actionDim) {
      throw new InvalidArgumentError(
        `ReferenceMlpModel.rollout: expected \`actions\` to be a Float32Array of B × H × A = ${batch} × ${horizon} × ${this.actionDim} = ${batch * horizon * this.actionDim} values, got ${describeValue(actions)}`,
      );
    }
    const { session, outputs } = await this.bound(horizon);
    const { Tensor } = this.ort;
    const feeds = {
      latent: new Tensor('float32', states, [batch, this.stateDim]),
      actions: new Tensor('float32', actions, [batch, horizon, this.actionDim]),
    };
    let fetches = this.reuseOutputs ? outputs.get(batch) : undefined;
    if (fetches === undefined) {
      fetches = {
        latents: new Tensor('float32', new Float32Array(batch * horizon * this.stateDim), [batch, horizon, this.stateDim]),
        rewards: new Tensor('float32', new Float32Array(batch * horizon), [batch, horizon]),
      };
      if (this.reuseOutputs) outputs.set(batch, fetches);
    }
    // Pre-allocated fetches make onnxruntime write straight into our buffers.
    await session.run(feeds, fetches);
    return { states: fetches.latents.data as Float32Array, rewards: fetches.rewards.data as Float32Array };
  }

  /** Releases every session. Calling it twice has no effect. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const p of all) {
      const b = await p.catch(() => undefined);
      await b?.session.release();
    }
  }

  /** Same as `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private bound(horizon: number): Promise<Bound> {
    let p = this.sessions.get(horizon);
    if (p === undefined) {
      const bytes = buildMlpRolloutGraph(this.weights, horizon);
      p = this.ort.InferenceSession.create(bytes, {
        intraOpNumThreads: this.threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
      }).then((session) => ({ session, outputs: new Map() }));
      this.sessions.set(horizon, p);
    }
    return p;
  }
}
