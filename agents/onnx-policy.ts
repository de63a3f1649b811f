/**
 * ONNX policies: an `.onnx` file mapping `obs` `[B, obsDim]` → `action` `[B, actionDim]`, run with
 * onnxruntime-node. {@link OnnxPolicy} is a {@link Policy} you own and close; {@link onnxPolicyAgent}
 * is an agent that opens its own session per episode and releases it when the episode ends.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { concatMap, defer, finalize, from, type Observable } from 'rxjs';
import { EmbodiedError, InvalidArgumentError, describeValue } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import type { Policy } from '../src/policy.js';
import type { Agent, Percept } from './types.js';
import { reportUnhandledError } from './unhandled.js';

/** The model file is not a usable policy (wrong inputs/outputs, wrong sizes, non-finite actions). */
export class OnnxPolicyError extends EmbodiedError {}

/** Zod schema of {@link OnnxPolicyOptions}. */
export const OnnxPolicyOptionsSchema = z
  .object({
    /** Name of the observation input. Default: `'obs'`. */
    inputName: z.string().min(1).default('obs'),
    /** Name of the action output. Default: `'action'`. */
    outputName: z.string().min(1).default('action'),
    /** Observation size, when the model's input shape leaves it symbolic. Default: read from the model. */
    obsDim: z.number().int().positive().optional(),
    /** Lower action bounds to clip into (length actionDim). Default: no clipping. */
    actionLow: z.custom<ArrayLike<number>>((v) => ArrayBuffer.isView(v) || Array.isArray(v)).optional(),
    /** Upper action bounds to clip into. Default: no clipping. */
    actionHigh: z.custom<ArrayLike<number>>((v) => ArrayBuffer.isView(v) || Array.isArray(v)).optional(),
    /** onnxruntime intra-op threads. Default: `1` (beside a simulator, one thread is faster). */
    intraOpNumThreads: z.number().int().positive().max(64).default(1),
    /** Name for logs. Default: `onnx:<file name>`. */
    name: z.string().min(1).optional(),
  })
  .strict();

/** Options of {@link OnnxPolicy.load} and {@link onnxPolicyAgent}. */
export type OnnxPolicyOptions = z.input<typeof OnnxPolicyOptionsSchema>;

let liveSessions = 0;

/** A policy backed by an ONNX model. Batch 1 via `act`, any batch via `actBatch`. */
export class OnnxPolicy implements Policy<Float32Array, Float32Array>, AsyncDisposable {
  /** ONNX sessions opened by policies and not yet closed, in this process (for leak checks). */
  static get live(): number {
    return liveSessions;
  }

  readonly name: string;
  /** Observation size. */
  readonly obsDim: number;
  /** Action size (known after the first call when the model leaves it symbolic). */
  actionDim: number | undefined;
  private closed = false;
  private readonly low: Float32Array | undefined;
  private readonly high: Float32Array | undefined;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly opts: z.output<typeof OnnxPolicyOptionsSchema>,
    name: string,
    obsDim: number,
    actionDim: number | undefined,
  ) {
    this.name = name;
    this.obsDim = obsDim;
    this.actionDim = actionDim;
    this.low = opts.actionLow ? Float32Array.from(opts.actionLow) : undefined;
    this.high = opts.actionHigh ? Float32Array.from(opts.actionHigh) : undefined;
  }

  /**
   * Opens a policy from a file path or model bytes and checks its input and output.
   * @throws {@link OnnxPolicyError} when the model lacks the named input/output or its sizes are unknown.
   */
  static async load(model: string | Uint8Array, options: OnnxPolicyOptions = {}): Promise<OnnxPolicy> {
    const opts = parseOptions(OnnxPolicyOptionsSchema, options, 'OnnxPolicy options');
    if (typeof model !== 'string' && !(model instanceof Uint8Array)) {
      throw new InvalidArgumentError(`OnnxPolicy.load: expected a file path or model bytes, got ${describeValue(model)}`);
    }
    if ((opts.actionLow === undefined) !== (opts.actionHigh === undefined)) {
      throw new InvalidArgumentError('OnnxPolicy options: give both `actionLow` and `actionHigh`, or neither');
    }
    const where = typeof model === 'string' ? model : 'model bytes';
    const bytes = typeof model === 'string' ? await readFile(model) : model;
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: opts.intraOpNumThreads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
      });
    } catch (error) {
      throw new OnnxPolicyError(`OnnxPolicy: onnxruntime could not load ${where}: ${(error as Error).message}`, { cause: error });
    }
    liveSessions++;
    try {
      const input = session.inputMetadata.find((m) => m.name === opts.inputName);
      const output = session.outputMetadata.find((m) => m.name === opts.outputName);
      if (input === undefined) throw new OnnxPolicyError(`OnnxPolicy: ${where} has no input named '${opts.inputName}' (inputs: ${session.inputNames.join(', ')})`);
      if (output === undefined) throw new OnnxPolicyError(`OnnxPolicy: ${where} has no output named '${opts.outputName}' (outputs: ${session.outputNames.join(', ')})`);
      const inShape = input.isTensor ? input.shape : [];
      const outShape = output.isTensor ? output.shape : [];
      if (inShape.length !== 2) throw new OnnxPolicyError(`OnnxPolicy: expected input '${opts.inputName}' of shape [B, obsDim], got [${inShape.join(', ')}]`);
      const declared = typeof inShape[1] === 'number' ? inShape[1] : undefined;
      if (opts.obsDim !== undefined && declared !== undefined && opts.obsDim !== declared) {
        throw new OnnxPolicyError(`OnnxPolicy: \`obsDim\` is ${opts.obsDim} but ${where} declares ${declared}`);
      }
      const obsDim = opts.obsDim ?? declared;
      if (obsDim === undefined) throw new OnnxPolicyError(`OnnxPolicy: ${where} leaves the observation size symbolic; pass \`obsDim\``);
      const actionDim = outShape.length === 2 && typeof outShape[1] === 'number' ? outShape[1] : undefined;
      if (opts.actionLow !== undefined && actionDim !== undefined && (opts.actionLow.length !== actionDim || opts.actionHigh!.length !== actionDim)) {
        throw new OnnxPolicyError(
          `OnnxPolicy: expected action bounds of length ${actionDim} (the model's action size), got ${opts.actionLow.length} and ${opts.actionHigh!.length}`,
        );
      }
      const name = opts.name ?? `onnx:${typeof model === 'string' ? model.split('/').pop() : 'bytes'}`;
      return new OnnxPolicy(session, opts, name, obsDim, actionDim);
    } catch (error) {
      liveSessions--;
      await session.release();
      throw error;
    }
  }

  /** The action for one observation (length obsDim). */
  async act(observation: Float32Array): Promise<Float32Array> {
    return this.actBatch(observation);
  }

  /** Actions `[B × actionDim]` for observations `[B × obsDim]`. */
  async actBatch(observations: Float32Array): Promise<Float32Array> {
    if (this.closed) throw new OnnxPolicyError(`OnnxPolicy ${this.name}: act() called after close()`);
    if (!(observations instanceof Float32Array) || observations.length === 0 || observations.length % this.obsDim !== 0) {
      throw new InvalidArgumentError(`OnnxPolicy ${this.name}: expected a Float32Array of B × ${this.obsDim} observation values, got ${describeValue(observations)}`);
    }
    const batch = observations.length / this.obsDim;
    const out = await this.session.run({ [this.opts.inputName]: new ort.Tensor('float32', observations, [batch, this.obsDim]) });
    const action = out[this.opts.outputName]!;
    const data = action.data as Float32Array;
    if (!(data instanceof Float32Array) || data.length % batch !== 0) {
      throw new OnnxPolicyError(`OnnxPolicy ${this.name}: expected a float32 output '${this.opts.outputName}' of B × actionDim values, got dims [${action.dims.join(', ')}]`);
    }
    const actionDim = data.length / batch;
    if (this.actionDim !== undefined && actionDim !== this.actionDim) {
      throw new OnnxPolicyError(`OnnxPolicy ${this.name}: expected ${this.actionDim} action values per row, got ${actionDim}`);
    }
    this.actionDim = actionDim;
    const result = Float32Array.from(data);
    for (let i = 0; i < result.length; i++) {
      const v = result[i]!;
      if (!Number.isFinite(v)) throw new OnnxPolicyError(`OnnxPolicy ${this.name}: the model returned ${v} at row ${Math.floor(i / actionDim)}, dimension ${i % actionDim}`);
      if (this.low !== undefined) result[i] = Math.min(this.high![i % actionDim]!, Math.max(this.low[i % actionDim]!, v));
    }
    return result;
  }

  /** Releases the session. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    liveSessions--;
    await this.session.release();
  }

  /** Same as {@link OnnxPolicy.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * An agent that runs an ONNX policy. Each episode (subscription) opens its own session and releases
 * it when the episode ends, fails or is unsubscribed — nothing to close by hand. Load errors and
 * inference errors go to `error`. (To share one session across episodes, use
 * `policyAgent(await OnnxPolicy.load(...))` and close it yourself.)
 */
export function onnxPolicyAgent(model: string | Uint8Array, options: OnnxPolicyOptions = {}): Agent<Float32Array, Float32Array> {
  parseOptions(OnnxPolicyOptionsSchema, options, 'onnxPolicyAgent options');
  return (percepts: Observable<Percept<Float32Array>>) =>
    defer(() => {
      let policy: OnnxPolicy | undefined;
      let released = false;
      const loading = OnnxPolicy.load(model, options).then((p) => {
        if (released) p.close().catch(reportUnhandledError);
        else policy = p;
        return p;
      });
      // A load failure reaches the subscriber through the first percept; with no percept, nobody asked.
      loading.catch(() => undefined);
      return percepts.pipe(
        concatMap((percept) => from(loading.then((p) => p.act(percept.observation)))),
        finalize(() => {
          released = true;
          policy?.close().catch(reportUnhandledError);
        }),
      );
    });
}
