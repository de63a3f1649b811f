/**
 * The training runtime: keeps parameters and Adam state in float32 buffers and runs training graphs in
 * onnxruntime-node, K optimiser steps per `session.run`. State ping-pongs between two pre-allocated
 * buffer sets (ORT writes the next state into the idle set), so a run never allocates state and a
 * failed run leaves the current state untouched — which is how a NaN loss stops training without
 * losing the last good state.
 *
 * @module
 */
import * as ort from 'onnxruntime-node';
import { InvalidArgumentError } from '../errors.js';
import { serializeModel } from '../graph/index.js';
import { parseOptions, z } from '../options.js';
import type { CheckpointData } from './checkpoint.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { CheckpointError, DivergedLossError, NonFiniteLossError } from './errors.js';
import type { Objective } from './objective.js';
import type { AdamOptions } from './optimizer.js';
import { AdamOptionsSchema } from './optimizer.js';
import type { ParamInfo } from './train-step.js';
import { TrainNames, buildTrainStep, flatSize, objectiveParams } from './train-step.js';
import { initialValues } from '../graph/index.js';

/** Zod schema of {@link TrainerOptions} (except the schedule function). */
export const TrainerOptionsSchema = z
  .object({
    /** Seed of the parameter initialisation. */
    seed: z.number().int().nonnegative(),
    /** Adam/AdamW settings. */
    adam: AdamOptionsSchema.default(AdamOptionsSchema.parse({})),
    /** Optimiser steps unrolled per `session.run` (amortises state traffic). Default 4. */
    stepsPerRun: z.number().int().positive().max(64).default(4),
    /** onnxruntime intra-op threads. Default 2 (use 1 beside a busy simulator or in tests). */
    intraOpNumThreads: z.number().int().positive().max(64, 'at most 64 threads').default(2),
    /** Learning rate: a number or a schedule `(step) => lr` of the 1-based step being taken. Default 3e-4. */
    lr: z.union([z.number().positive(), z.custom<(step: number) => number>((v) => typeof v === 'function', 'expected a number or a function')]).default(3e-4),
    /**
     * Training stops with `DivergedLossError` when a step's loss exceeds this multiple of
     * max(1, the first loss this trainer saw): a loss that grew 10⁴-fold has diverged, and a diverged
     * model must not be exported as if it were trained. Default 1e4.
     */
    divergenceFactor: z.number().gt(1).default(1e4),
  })
  .strict();

/** Trainer options. */
export type TrainerOptions = z.input<typeof TrainerOptionsSchema>;

/** One optimiser step's log. */
export interface StepLog {
  /** The step number (1-based). */
  readonly step: number;
  readonly lr: number;
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** The objective's loss components. */
  readonly metrics: Readonly<Record<string, number>>;
}

/** Options of {@link Trainer.train}. */
export interface TrainCallOptions {
  /** Called after every step. */
  readonly onLog?: (log: StepLog) => void;
  /** Checked between runs: training stops early (at a run boundary) once it is aborted. */
  readonly signal?: AbortSignal;
}

/** Writes one minibatch into the given input buffers (named as the objective's inputs). */
export type BatchFiller = (buffers: Readonly<Record<string, Float32Array>>) => void;

interface StateSet {
  readonly p: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  readonly feeds: Record<string, ort.Tensor>;
  readonly fetches: Record<string, ort.Tensor>;
}

interface Runner {
  readonly steps: number;
  readonly session: ort.InferenceSession;
  readonly data: Record<string, Float32Array>[];
  readonly dataFeeds: Record<string, ort.Tensor>;
  readonly lr: Float32Array;
  readonly t: Float32Array;
  readonly metricNames: readonly string[];
  readonly metricFetches: Record<string, null>;
}

/** Trains an {@link Objective} with Adam in onnxruntime-node. */
export class Trainer {
  private current: StateSet;
  private spare: StateSet;
  private runners = new Map<number, Runner>();
  private stepCount = 0;
  /** The first loss this trainer saw: the reference of the divergence check. */
  private firstLoss: number | undefined;
  private lastCheckpoint: { path: string; step: number } | undefined;
  private closed = false;

  private constructor(
    /** The objective being trained. */
    readonly objective: Objective,
    /** Its parameters, in order. */
    readonly params: readonly ParamInfo[],
    private readonly options: z.output<typeof TrainerOptionsSchema>,
  ) {
    this.current = this.allocate();
    this.spare = this.allocate();
    for (const q of params) this.current.p.set(initialValues(q.name, q.shape, q.init, options.seed), q.offset);
    this.link();
  }

  /** Builds the training graph and session. @throws {@link InvalidArgumentError} on bad options */
  static async create(objective: Objective, options: TrainerOptions): Promise<Trainer> {
    const opts = parseOptions(TrainerOptionsSchema, options, 'Trainer options');
    const trainer = new Trainer(objective, objectiveParams(objective), opts);
    await trainer.runner(opts.stepsPerRun);
    return trainer;
  }

  /** Optimiser steps taken so far. */
  get step(): number {
    return this.stepCount;
  }

  /** Adam settings in use. */
  get adam(): AdamOptions {
    return this.options.adam;
  }

  /** The checkpoint most recently written or loaded. */
  get checkpoint(): { path: string; step: number } | undefined {
    return this.lastCheckpoint;
  }

  /** The learning rate of 1-based step `step`. */
  learningRate(step: number): number {
    const lr = this.options.lr;
    return typeof lr === 'number' ? lr : lr(step);
  }

  /**
   * Takes `count` optimiser steps, `stepsPerRun` per session run (a one-step graph finishes a remainder).
   * `fill` is called once per minibatch, in step order. The third argument is the options object or,
   * for short, just the `onLog` callback. Returns the logs of the steps taken (fewer than `count` when
   * aborted).
   * @throws {@link NonFiniteLossError} when a loss or gradient norm is not finite; the state is kept at
   * the start of the failing run
   */
  async train(count: number, fill: BatchFiller, options: TrainCallOptions | ((log: StepLog) => void) = {}): Promise<StepLog[]> {
    this.assertOpen();
    if (!Number.isInteger(count) || count < 0) throw new InvalidArgumentError(`Expected a non-negative integer step count, got ${count}`);
    const { onLog, signal } = typeof options === 'function' ? { onLog: options, signal: undefined } : options;
    const logs: StepLog[] = [];
    let left = count;
    while (left > 0 && !signal?.aborted) {
      const k = left >= this.options.stepsPerRun ? this.options.stepsPerRun : 1;
      const runLogs = await this.runOnce(await this.runner(k), fill);
      for (const l of runLogs) {
        logs.push(l);
        onLog?.(l);
      }
      left -= k;
    }
    return logs;
  }

  private async runOnce(r: Runner, fill: BatchFiller): Promise<StepLog[]> {
    for (let k = 0; k < r.steps; k++) {
      fill(r.data[k]!);
      const step = this.stepCount + k + 1;
      r.lr[k] = this.learningRate(step);
      r.t[k] = step;
      if (!(r.lr[k]! >= 0) || !Number.isFinite(r.lr[k]!))
        throw new InvalidArgumentError(`Learning-rate schedule returned ${r.lr[k]} for step ${step}; expected a finite non-negative number`);
    }
    const out = await r.session.run({ ...this.current.feeds, ...r.dataFeeds }, { ...this.spare.fetches, ...r.metricFetches });
    const logs: StepLog[] = [];
    for (let k = 0; k < r.steps; k++) {
      const values: Record<string, number> = {};
      for (const n of r.metricNames) values[n] = (out[TrainNames.metric(n, k)]!.data as Float32Array)[0]!;
      const step = this.stepCount + k + 1;
      if (!Number.isFinite(values.loss!) || !Number.isFinite(values.grad_norm!)) {
        const where = this.lastCheckpoint ? `the last good checkpoint is ${this.lastCheckpoint.path} (step ${this.lastCheckpoint.step})` : 'no checkpoint was written';
        const comps = Object.entries(values)
          .map(([n, v]) => `${n}=${v}`)
          .join(', ');
        throw new NonFiniteLossError(
          `Training stopped: non-finite loss at step ${step} (${comps}); the trainer kept the state of step ${this.stepCount}; ${where}`,
          step,
          this.stepCount,
          this.lastCheckpoint?.path,
          values,
        );
      }
      this.checkDivergence(values.loss!, step);
      const { loss, grad_norm: gradNorm, ...metrics } = values;
      logs.push({ step, lr: r.lr[k]!, loss: loss!, gradNorm: gradNorm!, metrics });
    }
    [this.current, this.spare] = [this.spare, this.current];
    this.stepCount += r.steps;
    return logs;
  }

  /** Throws {@link DivergedLossError} when `loss` ran away from the first loss this trainer saw. */
  private checkDivergence(loss: number, step: number): void {
    this.firstLoss ??= loss;
    const limit = this.options.divergenceFactor * Math.max(1, this.firstLoss);
    if (loss <= limit) return;
    throw new DivergedLossError(
      `Training stopped: the loss diverged at step ${step} (${loss.toPrecision(3)}, more than ${this.options.divergenceFactor}× max(1, the first loss ${this.firstLoss.toPrecision(3)})); the trainer kept the state of step ${this.stepCount} — lower the learning rate`,
      step,
      this.stepCount,
      loss,
      limit,
    );
  }

  /** Copies of the current parameter values, by name. */
  paramValues(): Map<string, Float32Array> {
    return new Map(this.params.map((q) => [q.name, this.current.p.slice(q.offset, q.offset + q.size)]));
  }

  /** The full optimiser state (copies). */
  state(): CheckpointData {
    return {
      objective: this.objective.name,
      step: this.stepCount,
      params: this.params.map((q) => {
        const part = (a: Float32Array) => a.slice(q.offset, q.offset + q.size);
        return { name: q.name, shape: q.shape, value: part(this.current.p), m: part(this.current.m), v: part(this.current.v) };
      }),
      extra: {},
    };
  }

  /** Restores a state from {@link state} or a checkpoint. @throws {@link CheckpointError} when it does not fit */
  restore(data: CheckpointData, source = 'checkpoint'): void {
    if (data.objective !== this.objective.name) throw new CheckpointError(`${source}: trained objective '${data.objective}', this trainer has '${this.objective.name}'`);
    if (data.params.length !== this.params.length) throw new CheckpointError(`${source}: has ${data.params.length} parameters, expected ${this.params.length}`);
    data.params.forEach((p, i) => {
      const want = this.params[i]!;
      if (p.name !== want.name || p.shape.join(',') !== want.shape.join(',')) {
        throw new CheckpointError(`${source}: parameter ${i} is ${p.name} [${p.shape.join(', ')}], expected ${want.name} [${want.shape.join(', ')}]`);
      }
    });
    data.params.forEach((p, i) => {
      const { offset } = this.params[i]!;
      this.current.p.set(p.value, offset);
      this.current.m.set(p.m, offset);
      this.current.v.set(p.v, offset);
    });
    this.stepCount = data.step;
  }

  /** Writes the state atomically to `path`, with caller data `extra`. */
  async saveCheckpoint(path: string, extra: Record<string, unknown> = {}): Promise<void> {
    await writeCheckpoint(path, { ...this.state(), extra });
    this.lastCheckpoint = { path, step: this.stepCount };
  }

  /** Loads a checkpoint written by {@link saveCheckpoint}; returns its caller data. */
  async loadCheckpoint(path: string): Promise<Readonly<Record<string, unknown>>> {
    const data = await readCheckpoint(path);
    this.restore(data, path);
    this.lastCheckpoint = { path, step: data.step };
    return data.extra;
  }

  /** Releases the onnxruntime sessions. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.runners.values()) await r.session.release();
    this.runners.clear();
  }

  /** Releases the onnxruntime sessions (same as {@link Trainer.close}), for `await using` declarations. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidArgumentError('Trainer is closed');
  }

  private allocate(): StateSet {
    const n = flatSize(this.params);
    return { p: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n), feeds: {}, fetches: {} };
  }

  /** Wraps each set's buffers once: as feeds when it is current, as pre-allocated outputs when spare. */
  private link(): void {
    const n = flatSize(this.params);
    for (const s of [this.current, this.spare]) {
      for (const [name, arr] of [
        [TrainNames.params, s.p],
        [TrainNames.m, s.m],
        [TrainNames.v, s.v],
      ] as const) {
        const t = new ort.Tensor('float32', arr, [n]);
        s.feeds[name] = t;
        s.fetches[TrainNames.next(name)] = t;
      }
    }
  }

  private async runner(steps: number): Promise<Runner> {
    const cached = this.runners.get(steps);
    if (cached) return cached;
    const built = buildTrainStep(this.objective, this.params, steps, this.options.adam);
    const bytes = serializeModel({ graph: built.graph, inputs: built.inputs, outputs: built.outputs, name: `${this.objective.name}-train-${steps}` });
    const session = await ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: this.options.intraOpNumThreads,
      interOpNumThreads: 1,
    });
    const data: Record<string, Float32Array>[] = [];
    const dataFeeds: Record<string, ort.Tensor> = {};
    for (let k = 0; k < steps; k++) {
      const bufs: Record<string, Float32Array> = {};
      for (const i of this.objective.inputs) {
        const arr = new Float32Array(i.shape.reduce((a, b) => a * b, 1));
        bufs[i.name] = arr;
        dataFeeds[TrainNames.data(i.name, k)] = new ort.Tensor('float32', arr, i.shape);
      }
      data.push(bufs);
    }
    const lr = new Float32Array(steps);
    const t = new Float32Array(steps);
    dataFeeds.lr = new ort.Tensor('float32', lr, [steps]);
    dataFeeds.t = new ort.Tensor('float32', t, [steps]);
    const metricFetches = Object.fromEntries(built.metricNames.flatMap((name) => Array.from({ length: steps }, (_v, k) => [TrainNames.metric(name, k), null])));
    const r: Runner = { steps, session, data, dataFeeds, lr, t, metricNames: built.metricNames, metricFetches };
    this.runners.set(steps, r);
    return r;
  }
}
