/**
 * Options of `validate`, their defaults (full and `quick`), and their validation.
 *
 * @module
 */
import type { Env } from '../env.js';
import { InvalidArgumentError, describeValue } from '../errors.js';
import { parseOptions, z } from '../options.js';
import type { Policy } from '../policy.js';
import type { ClosedLoopContender } from './closed-loop.js';
import type { ValidationModel } from './model.js';
import type { ValidationSpec } from './spec.js';

/** A named source of action sequences for open-loop drift: a policy run in the real environment. */
export interface ActionSource {
  /** Name for the report, e.g. `scripted:push-box`, `planner:oracle-mpc`. */
  readonly name: string;
  readonly policy: Policy<Float32Array, Float32Array>;
}

/** Where the per-dimension σ comes from: statistics of the training data, or a dataset. */
export type DataScale =
  | { readonly obsStd: ArrayLike<number> }
  | {
      readonly size: number;
      /** Normalisation statistics of the dataset; `obsStd` is the per-dimension observation σ. */
      stats(): { readonly obsStd: ArrayLike<number> };
    };

/** What `validate` reports while it runs. */
export interface ValidateProgress {
  /** `drift`, `plausibility`, `causal`, `closed-loop`. */
  readonly stage: string;
  /** What just finished. */
  readonly message: string;
  /** Units of work done and in all (stages, scenarios, contenders). */
  readonly done: number;
  readonly total: number;
}

const positiveInt = z.number().int().positive();

/** Zod schema of {@link ValidateOptions}. */
export const ValidateOptionsSchema = z
  .object({
    /** The real environment (ground truth). The caller owns it; it is reset many times. */
    env: z.custom<Env<Float32Array, Float32Array>>((v) => typeof v === 'object' && v !== null && typeof (v as Env).reset === 'function' && typeof (v as Env).step === 'function', {
      message: 'expected an environment (reset/step)',
    }),
    /** The model under test. */
    model: z.custom<ValidationModel>((v) => typeof v === 'object' && v !== null && typeof (v as ValidationModel).predict === 'function', {
      message: 'expected a ValidationModel (predict); adapt a WorldModel with worldModelForValidation(model)',
    }),
    /** What validation knows about the environment (from `environments/validation`). Without it, plausibility and counterfactual checks are "not available". */
    spec: z
      .custom<ValidationSpec>((v) => typeof v === 'object' && v !== null && typeof (v as ValidationSpec).makeEnv === 'function', { message: 'expected a ValidationSpec' })
      .optional(),
    /** σ per observation entry: training-data statistics or a dataset. Default: σ of the real rollouts. */
    data: z
      .custom<DataScale>((v) => typeof v === 'object' && v !== null && ('obsStd' in v || typeof (v as { stats?: unknown }).stats === 'function'), {
        message: 'expected `{ obsStd }` or a dataset with stats()',
      })
      .optional(),
    /** Seed of everything random. Default 0. */
    seed: z.number().int().nonnegative().default(0),
    /** Smaller sizes (about 4× less work). Default false. */
    quick: z.boolean().default(false),
    /**
     * Start states of the uniform-random-action rows (drift, plausibility over those rows, controllability).
     * Default 96 (quick 8): one glancing contact in a row of 24 moved PushBox's controllability anywhere from
     * 0.24 to 0.93 over six validation seeds of one model (docs/validation.md).
     */
    starts: positiveInt.optional(),
    /** Start states of each policy action source's drift rows: the first of `starts`. Default min(`starts`, 24) (quick 8). */
    sourceStarts: positiveInt.optional(),
    /** Drift horizon H. Default 30 (quick 15). */
    horizon: positiveInt.max(1000).optional(),
    /** Most random warm-up actions before a start. Default 10. */
    maxWarmup: z.number().int().nonnegative().default(10),
    /** Policy action sources for drift, besides uniform random actions. Default none. */
    sources: z
      .array(
        z.object({
          /** Name for the report, e.g. `scripted:push-box`, `planner:oracle-mpc`. */
          name: z.string().min(1),
          /** The policy run in the real environment. */
          policy: z.custom<Policy<Float32Array, Float32Array>>((p) => typeof (p as Policy)?.act === 'function', { message: 'expected a Policy (act)' }),
        }),
      )
      .readonly()
      .default([]),
    /** Instances per plausibility scenario. Default 6 (quick 3). */
    scenarioInstances: positiveInt.optional(),
    /** Horizon of the permanence rollouts. Default 100 (quick 50). */
    permanenceHorizon: positiveInt.max(5000).optional(),
    /** Rows of the permanence rollouts. Default 8 (quick 4). */
    permanenceRows: positiveInt.optional(),
    /** Start states per counterfactual intervention. Default 6 (quick 3). */
    counterfactualStarts: positiveInt.optional(),
    /** Mean normalised error defining the valid horizon. Default 0.5. */
    driftThreshold: z.number().positive().default(0.5),
    /** Floor of σ, in the entry's units. Default 0.01. */
    stdFloor: z.number().positive().default(0.01),
    /** Rows drawn in each dream-vs-real overlay. Default 3. */
    overlayRows: z.number().int().nonnegative().default(3),
    /** Closed-loop contenders and their seeds (default seeds: 10, quick 5). Omitted: closed loop "not available". */
    closedLoop: z
      .object({
        /** The contenders, each run once per seed. At least one. */
        contenders: z.array(z.custom<ClosedLoopContender>()).min(1, 'expected at least one contender').readonly(),
        /** Seeds of the closed-loop episodes. Default: 10 (quick 5) seeds from `1000 + seed`. */
        seeds: z.array(z.number().int().nonnegative()).min(1).readonly().optional(),
      })
      .optional(),
    /** Called after each unit of work. */
    onProgress: z.custom<(p: ValidateProgress) => void>((f) => typeof f === 'function').optional(),
    /** Stops validation between units of work (the promise rejects with the signal's reason). */
    signal: z.custom<AbortSignal>((s) => typeof s === 'object' && s !== null && 'aborted' in s).optional(),
  })
  .strict();

/** Options of `validate`. Sizes default to the full preset, or the `quick` one. */
export type ValidateOptions = z.input<typeof ValidateOptionsSchema>;

/** Options with every size resolved. */
export type ResolvedValidateOptions = z.output<typeof ValidateOptionsSchema> & {
  readonly starts: number;
  readonly sourceStarts: number;
  readonly horizon: number;
  readonly scenarioInstances: number;
  readonly permanenceHorizon: number;
  readonly permanenceRows: number;
  readonly counterfactualStarts: number;
  readonly closedLoopSeeds: readonly number[];
};

/** Parses and fills defaults. @throws {@link InvalidArgumentError} naming the first bad option. */
export function resolveValidateOptions(options: ValidateOptions): ResolvedValidateOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError(`validate: expected an options object { env, model, … }, got ${describeValue(options)}`);
  const o = parseOptions(ValidateOptionsSchema, options, 'validate options');
  const q = o.quick;
  const seeds = o.closedLoop?.seeds ?? Array.from({ length: q ? 5 : 10 }, (_, i) => 1000 + o.seed + i);
  return {
    ...o,
    starts: o.starts ?? (q ? 8 : 96),
    sourceStarts: Math.min(o.starts ?? (q ? 8 : 96), o.sourceStarts ?? (q ? 8 : 24)),
    horizon: o.horizon ?? (q ? 15 : 30),
    scenarioInstances: o.scenarioInstances ?? (q ? 3 : 6),
    permanenceHorizon: o.permanenceHorizon ?? (q ? 50 : 100),
    permanenceRows: o.permanenceRows ?? (q ? 4 : 8),
    counterfactualStarts: o.counterfactualStarts ?? (q ? 3 : 6),
    closedLoopSeeds: seeds,
  };
}

/** The settings recorded in the report (no functions, no environment). */
export function reportedSettings(o: ResolvedValidateOptions): Record<string, unknown> {
  return {
    seed: o.seed,
    quick: o.quick,
    starts: o.starts,
    sourceStarts: o.sourceStarts,
    horizon: o.horizon,
    maxWarmup: o.maxWarmup,
    sources: ['random', ...o.sources.map((s) => s.name)],
    scenarioInstances: o.scenarioInstances,
    permanenceHorizon: o.permanenceHorizon,
    permanenceRows: o.permanenceRows,
    counterfactualStarts: o.counterfactualStarts,
    driftThreshold: o.driftThreshold,
    stdFloor: o.stdFloor,
    closedLoopSeeds: o.closedLoop ? o.closedLoopSeeds : [],
  };
}
