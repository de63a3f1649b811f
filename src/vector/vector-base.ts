/**
 * What both vector envs share: options, spaces, seeds, masks, action checks, lifecycle and the result
 * arrays. Subclasses only say how a batch of resets or steps runs (in this thread or in workers).
 *
 * @module
 */
import { z } from 'zod';
import { EnvStateError, InvalidArgumentError, describeValue } from '../errors.js';
import type { EnvSpec, Info } from '../env.js';
import { batchBox, type Box, type MultiDiscrete } from '../spaces.js';
import { batchActionSpace, lifecycleError, resolveMask, resolveSeeds, validateActions, type VectorBuffers } from './batch.js';
import type { AutoresetMode, VectorActionSpace, VectorEnv, VectorEnvOptions, VectorResetOptions, VectorResetResult, VectorStepResult } from './types.js';

/** zod schema of {@link VectorEnvOptions}; subclasses extend it. */
export const VectorEnvOptionsSchema = z.object({
  /** See {@link AutoresetMode}. Default `'next-step'`. */
  autoresetMode: z.enum(['next-step', 'same-step', 'disabled']).default('next-step'),
  /**
   * Return fresh arrays from `reset`/`step` (default true). `false` returns views of internal buffers
   * that the next call overwrites — no copy at all, for loops that consume each batch at once.
   */
  copy: z.boolean().default(true),
});

/** Base class of {@link VectorEnv} implementations. */
export abstract class VectorEnvBase implements VectorEnv {
  readonly autoresetMode: AutoresetMode;
  readonly observationSpace: Box;
  readonly actionSpace: Box | MultiDiscrete;
  /** Seed of each env's last seeded reset (reported when a worker crashes). */
  protected readonly lastSeeds: (number | undefined)[];
  protected closed = false;
  protected busy = false;
  /** Why the vector env must be reset before the next step, if it must. */
  private needsReset: string | undefined = 'step() called before reset(); call reset() first';
  private everReset = false;
  /** `'disabled'` mode: envs whose episode ended and that were not reset since. */
  private readonly ended: Uint8Array;
  private readonly copy: boolean;

  protected constructor(
    readonly numEnvs: number,
    readonly spec: EnvSpec,
    readonly singleObservationSpace: Box,
    readonly singleActionSpace: VectorActionSpace,
    options: z.output<typeof VectorEnvOptionsSchema>,
  ) {
    this.autoresetMode = options.autoresetMode;
    this.copy = options.copy;
    this.observationSpace = batchBox(singleObservationSpace, numEnvs);
    this.actionSpace = batchActionSpace(singleActionSpace, numEnvs);
    this.lastSeeds = new Array<number | undefined>(numEnvs).fill(undefined);
    this.ended = new Uint8Array(numEnvs);
  }

  /** The buffers the subclass writes results into. */
  protected abstract get buffers(): VectorBuffers;
  /** Name used in error messages. */
  protected abstract get name(): string;
  /** Crash description when a worker died, for error messages. */
  protected get crashed(): string | undefined {
    return undefined;
  }
  /** Resets env `i` where `mask[i]`; returns one info per env (`{}` where not reset). */
  protected abstract runReset(seeds: (number | undefined)[], options: (Record<string, unknown> | undefined)[], mask: boolean[]): Promise<Info[]>;
  /** Steps every env with its row of `buffers.actions`; returns one info per env. */
  protected abstract runStep(): Promise<Info[]>;
  /** Releases the sub-environments (called once). */
  protected abstract runClose(): Promise<void>;

  async reset(opts: VectorResetOptions = {}): Promise<VectorResetResult> {
    this.assertCallable('reset');
    const where = `${this.name}.reset`;
    const seeds = resolveSeeds(opts.seed, this.numEnvs, !this.everReset, where);
    const mask = resolveMask(opts.mask, this.numEnvs, where);
    if (!this.everReset && mask.some((m) => !m)) {
      throw new EnvStateError(`${where}: the first reset must reset every env; omit \`mask\``);
    }
    // Recorded before the reset runs, so a crash during it reports the seed being used.
    for (let i = 0; i < this.numEnvs; i++) if (mask[i] && seeds[i] !== undefined) this.lastSeeds[i] = seeds[i];
    this.busy = true;
    try {
      const infos = await this.runReset(seeds, resolveResetOptions(opts.options, this.numEnvs, where), mask);
      for (let i = 0; i < this.numEnvs; i++) if (mask[i]) this.ended[i] = 0;
      this.everReset = true;
      this.needsReset = undefined;
      const b = this.buffers;
      return { observations: this.copy ? b.observations.slice() : b.observations, infos };
    } catch (e) {
      this.needsReset = `a previous reset() failed (${(e as Error).message}); call reset() again`;
      throw e;
    } finally {
      this.busy = false;
    }
  }

  async step(actions: Float32Array): Promise<VectorStepResult> {
    this.assertCallable('step');
    const where = `${this.name}.step`;
    if (this.needsReset !== undefined) throw new EnvStateError(`${where}: ${this.needsReset}`);
    validateActions(actions, this.singleActionSpace, this.numEnvs, where);
    if (this.autoresetMode === 'disabled') {
      const i = this.ended.indexOf(1);
      if (i >= 0) {
        throw new EnvStateError(`${where}: env ${i}'s episode ended and autoreset is 'disabled'; reset it first with reset({ mask })`);
      }
    }
    const b = this.buffers;
    b.actions.set(actions);
    this.busy = true;
    try {
      const infos = await this.runStep();
      if (this.autoresetMode === 'disabled') {
        for (let i = 0; i < this.numEnvs; i++) this.ended[i] = b.terminated[i]! | b.truncated[i]!;
      }
      if (!this.copy) return { observations: b.observations, rewards: b.rewards, terminated: b.terminated, truncated: b.truncated, infos };
      return { observations: b.observations.slice(), rewards: b.rewards.slice(), terminated: b.terminated.slice(), truncated: b.truncated.slice(), infos };
    } catch (e) {
      // Some envs may have stepped and others not: the batch is no longer in step.
      this.needsReset = `a previous step() failed (${(e as Error).message}); call reset() first`;
      throw e;
    } finally {
      this.busy = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.runClose();
  }

  private assertCallable(call: string): void {
    const err = lifecycleError(this.name, { closed: this.closed, busy: this.busy, crashed: this.crashed }, call);
    if (err) throw err;
  }
}

/** `options` as one entry per env. @throws {@link InvalidArgumentError} for an array of the wrong length or a non-object entry */
function resolveResetOptions(options: VectorResetOptions['options'], n: number, where: string): (Record<string, unknown> | undefined)[] {
  if (!Array.isArray(options)) return new Array<Record<string, unknown> | undefined>(n).fill(options as Record<string, unknown> | undefined);
  if (options.length !== n) throw new InvalidArgumentError(`${where}: expected \`options\` to be one object or an array of ${n} (one per env), got an array of ${options.length}`);
  options.forEach((o, i) => {
    if (o !== undefined && (typeof o !== 'object' || o === null || Array.isArray(o))) {
      throw new InvalidArgumentError(`${where}: expected options[${i}] to be an object or undefined, got ${describeValue(o)}`);
    }
  });
  return [...options];
}
