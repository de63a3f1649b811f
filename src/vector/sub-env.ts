/**
 * One sub-environment of a vector env and its autoreset bookkeeping. The same class runs inside
 * `SyncVectorEnv` and inside each worker of `WorkerVectorEnv`, so both produce identical bits.
 *
 * @module
 */
import { EmbodiedError } from '../errors.js';
import type { Env, Info } from '../env.js';
import type { Box } from '../spaces.js';
import { withContext, type VectorBuffers } from './batch.js';
import type { AutoresetMode, VectorActionSpace } from './types.js';

/** A sub-environment at index `index` of a batch, reading its action row and writing its result rows. */
export class SubEnv {
  /** `'next-step'` mode: the last step ended the episode, so the next step resets. */
  private pendingReset = false;
  private readonly obsDim: number;
  private readonly actDim: number;

  constructor(
    /** Index of this env in the whole batch. */
    readonly index: number,
    /** The environment (usually with its TimeLimit). */
    readonly env: Env<Float32Array, unknown>,
    private readonly mode: AutoresetMode,
    private readonly observationSpace: Box,
    private readonly actionSpace: VectorActionSpace,
  ) {
    this.obsDim = observationSpace.flatDim;
    this.actDim = actionSpace.flatDim;
  }

  /** Resets the env (reseeding when `seed` is given) and writes its row; returns the reset info. */
  async reset(seed: number | undefined, options: Record<string, unknown> | undefined, buf: VectorBuffers): Promise<Info> {
    try {
      const result = await this.env.reset(seed === undefined ? { options: options ?? {} } : { seed, options: options ?? {} });
      this.writeObservation(result.observation, buf);
      this.clearRow(buf);
      this.pendingReset = false;
      return result.info;
    } catch (e) {
      throw withContext(e, `env ${this.index}: `);
    }
  }

  /** Steps the env with its action row (or autoresets it), writes its rows, returns its info. */
  async step(buf: VectorBuffers): Promise<Info> {
    try {
      if (this.pendingReset) {
        // Gymnasium's next-step autoreset: this step's action is ignored, reward 0, flags false.
        const { observation, info } = await this.env.reset();
        this.writeObservation(observation, buf);
        this.clearRow(buf);
        this.pendingReset = false;
        return info;
      }
      const action = this.actionSpace.unflatten(buf.actions, this.index * this.actDim);
      const result = await this.env.step(action);
      const i = this.index;
      buf.rewards[i] = result.reward;
      buf.terminated[i] = result.terminated ? 1 : 0;
      buf.truncated[i] = result.truncated ? 1 : 0;
      const ended = result.terminated || result.truncated;
      if (ended && this.mode === 'same-step') {
        const finalObservation = Float32Array.from(result.observation);
        const reset = await this.env.reset();
        this.writeObservation(reset.observation, buf);
        return { ...reset.info, finalObservation, finalInfo: result.info };
      }
      this.writeObservation(result.observation, buf);
      if (ended && this.mode === 'next-step') this.pendingReset = true;
      return result.info;
    } catch (e) {
      throw withContext(e, `env ${this.index}: `);
    }
  }

  /** Closes the env. */
  close(): Promise<void> {
    return this.env.close();
  }

  private clearRow(buf: VectorBuffers): void {
    buf.rewards[this.index] = 0;
    buf.terminated[this.index] = 0;
    buf.truncated[this.index] = 0;
  }

  private writeObservation(observation: unknown, buf: VectorBuffers): void {
    if (!(observation instanceof Float32Array) || observation.length !== this.obsDim) {
      throw new EmbodiedError(
        `${this.env.spec.id} returned an observation that is not a Float32Array of ${this.obsDim} values (its observation space): ${this.observationSpace.explain(observation) ?? 'wrong type'}`,
      );
    }
    buf.observations.set(observation, this.index * this.obsDim);
  }
}
