/**
 * SyncVectorEnv: the sub-environments run one after another in this thread (Gymnasium's
 * `SyncVectorEnv`). Cheapest for fast environments, where a thread hop costs more than a step.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../errors.js';
import type { Env, Info } from '../env.js';
import { parseOptions } from '../options.js';
import { allocateBuffers, assertBatchableActionSpace, assertBatchableObservationSpace, type VectorBuffers } from './batch.js';
import { SubEnv } from './sub-env.js';
import type { VectorEnvOptions } from './types.js';
import { VectorEnvBase, VectorEnvOptionsSchema } from './vector-base.js';

/**
 * Steps `envs.length` environments sequentially in this thread.
 *
 * @example
 * ```ts
 * const envs = new SyncVectorEnv(Array.from({ length: 4 }, () => () => make('LineWorld-v0')));
 * const { observations } = await envs.reset({ seed: 0 });
 * ```
 */
export class SyncVectorEnv extends VectorEnvBase {
  /** The sub-environments, in batch order. */
  readonly envs: readonly Env<Float32Array, unknown>[];
  private readonly subs: SubEnv[];
  private readonly buf: VectorBuffers;

  /**
   * @param envs - environments, or functions that build them (called once each, in order); all must
   *   have equal spaces, a Box observation space and a Box, Discrete or MultiDiscrete action space
   * @param options - see {@link VectorEnvOptions}; defaults: `'next-step'` autoreset, copies returned
   * @throws {@link InvalidArgumentError} for an empty list or mismatched spaces.
   */
  constructor(envs: readonly (Env<Float32Array, unknown> | (() => Env<Float32Array, unknown>))[], options: VectorEnvOptions = {}) {
    const opts = parseOptions(VectorEnvOptionsSchema.strict(), options, 'SyncVectorEnv options');
    if (!Array.isArray(envs) || envs.length === 0) {
      throw new InvalidArgumentError(`SyncVectorEnv: expected a non-empty array of environments or factories, got ${describeValue(envs)}`);
    }
    const built = envs.map((e) => (typeof e === 'function' ? e() : e));
    const first = built[0]!;
    const obsSpace = assertBatchableObservationSpace(first.observationSpace, 'SyncVectorEnv');
    const actSpace = assertBatchableActionSpace(first.actionSpace, 'SyncVectorEnv');
    built.forEach((e, i) => {
      if (!e.observationSpace.equals(obsSpace) || !e.actionSpace.equals(actSpace)) {
        throw new InvalidArgumentError(
          `SyncVectorEnv: expected every env to have env 0's spaces; env ${i} has observation ${describeValue(e.observationSpace.toJSON())} and action ${describeValue(e.actionSpace.toJSON())}`,
        );
      }
    });
    super(built.length, first.spec, obsSpace, actSpace, opts);
    this.envs = built;
    this.subs = built.map((e, i) => new SubEnv(i, e, opts.autoresetMode, obsSpace, actSpace));
    this.buf = allocateBuffers(built.length, obsSpace.flatDim, actSpace.flatDim, false);
  }

  protected get buffers(): VectorBuffers {
    return this.buf;
  }

  protected get name(): string {
    return 'SyncVectorEnv';
  }

  protected async runReset(seeds: (number | undefined)[], options: (Record<string, unknown> | undefined)[], mask: boolean[]): Promise<Info[]> {
    const infos: Info[] = [];
    for (const sub of this.subs) infos.push(mask[sub.index] ? await sub.reset(seeds[sub.index], options[sub.index], this.buf) : {});
    return infos;
  }

  protected async runStep(): Promise<Info[]> {
    const infos: Info[] = [];
    for (const sub of this.subs) infos.push(await sub.step(this.buf));
    return infos;
  }

  protected async runClose(): Promise<void> {
    // Close every env even if one fails, then report the first failure.
    const results = await Promise.allSettled(this.subs.map((s) => s.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
