/**
 * The world-model configuration: every size, loss coefficient and optimiser setting in one object
 * (TD-MPC2 style). Parse user input with {@link parseWorldModelConfig}; every field except `obsDim` and
 * `actionDim` has a documented default.
 *
 * @module
 */
import { parseOptions, z } from '../options.js';

/** Widest hidden layer accepted: wider ones exhaust memory long before they train (a 100 000-wide layer alone is 40 GB). */
export const MAX_WIDTH = 16_384;
/** Most parameters a world model may have (with Adam's two moments and the spare set: ~1.6 GB of float32). */
export const MAX_PARAMETERS = 100_000_000;

const widths = z.array(z.number().int().positive().max(MAX_WIDTH, `at most ${MAX_WIDTH} units per layer: wider layers exhaust memory`));

/** Zod schema of {@link WorldModelConfig}. */
export const WorldModelConfigSchema = z
  .object({
    /** Observation length (raw units; normalisation happens inside the graphs). */
    obsDim: z.number().int().positive(),
    /** Action length. */
    actionDim: z.number().int().positive(),
    /**
     * Where the dynamics run. `'latent'` (TD-MPC2): a learned encoder, latent dynamics and a decoder.
     * `'observation'` (PETS / MBRL-Lib): the latent is the standardised observation itself (identity
     * encoder and decoder, `latentDim` = `obsDim`, no SimNorm) and each dynamics member predicts the change
     * per step, scaled per entry by the data's root-mean-square change — an entry that never changes within
     * an episode (a goal) is carried over exactly, an object at rest stays where it is unless pushed.
     * Default `'latent'`.
     */
    space: z.enum(['latent', 'observation']).default('latent'),
    /** Latent length. Default 64; a multiple of `simNormGroup` when SimNorm is on. With `space: 'observation'` it is `obsDim`. */
    latentDim: z.number().int().positive().default(64),
    /**
     * Observation space only: each dynamics member adds a linear map of its input (state, action) to the
     * MLP's predicted change (zero-initialised, no bias). Kinematics that are linear in the action — a
     * velocity-commanded body moves `a · v_max · Δt` — are then exact at once instead of being
     * approximated by the MLP beside the contact dynamics it must also fit. Default false.
     */
    linearSkip: z.boolean().default(false),
    /**
     * Observation space only: pairs `[entry, base]` of observation entries measured relative to another
     * (entry = world − base: a package's offset from the robot observing it, a goal's offset from the
     * agent). The model's state holds entry + base instead (src/training/world-frame.ts), so a body at
     * rest keeps its state whatever the observer does. A base may not itself be an entry. Default none.
     */
    worldFrame: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])).default([]),
    /** Hidden widths of the encoder MLP (obs → latent). Default [256]. */
    encoderHidden: widths.default([256]),
    /** Hidden widths of each dynamics member ((latent, action) → next latent). Default [256, 256]. */
    dynamicsHidden: widths.default([256, 256]),
    /**
     * What the reward and terminal heads read. `'latent-action'` (TD-MPC2): (z_t, a_t). `'transition'`:
     * (z_t, a_t, ẑ_{t+1}) — the predicted next state too, since a step's reward and termination are
     * usually computed from the state it leads to (a distance to a goal after the move); the head then
     * need not re-learn the dynamics inside itself. Default `'latent-action'`.
     */
    headInput: z.enum(['latent-action', 'transition']).default('latent-action'),
    /**
     * Train the reward and terminal heads on the data's own states (the encoded observations, teacher
     * forcing) instead of the dynamics' unrolled predictions: a sharper reward near its optimum, which is
     * where a planner needs it. Default false (TD-MPC2 trains them on the unrolled latents).
     */
    headsOnData: z.boolean().default(false),
    /** Hidden widths of the reward head ((latent, action) → reward). Default [256]. */
    rewardHidden: widths.default([256]),
    /** Hidden widths of the terminal head ((latent, action) → logit). Default [128]. */
    terminalHidden: widths.default([128]),
    /** Hidden widths of the decoder (latent → obs). Default [256]. */
    decoderHidden: widths.default([256]),
    /** Hidden activation. Default `'mish'` (TD-MPC2). */
    activation: z.enum(['mish', 'silu', 'relu', 'elu', 'tanh']).default('mish'),
    /** LayerNorm after every hidden linear layer. Default true. */
    layerNorm: z.boolean().default(true),
    /** SimNorm group size for encoder and dynamics outputs; 0 turns SimNorm off (plain linear output). Default 8. */
    simNormGroup: z.number().int().nonnegative().default(8),
    /** Number of dynamics members (each with its own reward and terminal head). Default 1. */
    ensembleSize: z.number().int().positive().default(1),
    /** Predict episode termination (a logit) and train it with BCE. Default false. */
    terminal: z.boolean().default(false),
    /** Train a decoder latent → observation. Default true. */
    decoder: z.boolean().default(true),
    /** Training horizon H: steps unrolled in latent space per window (≤ 64: the training graph unrolls all H steps). Default 5. */
    horizon: z.number().int().positive().max(64, 'at most 64: the training graph unrolls every step of the horizon').default(5),
    /** Weight ρ^t of step t of the unrolled losses. Default 0.5 (TD-MPC2). */
    rho: z.number().positive().max(1).default(0.5),
    /**
     * Units of the consistency error. `'state'`: the latent's own (standardised observation units in
     * observation space). `'change'` (observation space only): each entry's error is divided by its RMS
     * change per step (the same scale the dynamics predict in), so entries that move a little per step
     * but integrate over a plan — positions of directly driven bodies — weigh as much as velocities that
     * jump on contact; the weights are scaled to average 1 over the entries that change. `'larger'`
     * (observation space only): each entry's error in the larger of the two, so slowly changing entries
     * (positions) gain weight and none loses it (velocities and flags that jump keep their state-unit
     * weight). `'mixed'` (observation space only): change units for the entries that change on at least
     * half of the data's transitions (positions, velocities), the larger of the two for the others — events
     * such as a flag, a counter or a body that moves only when touched, whose rare jumps would make their
     * change-unit weight tiny. Default `'state'`.
     */
    consistencyUnits: z.enum(['state', 'change', 'larger', 'mixed']).default('state'),
    /** Latent-consistency coefficient. Default 20 (TD-MPC2). */
    consistencyCoef: z.number().nonnegative().default(20),
    /** Reward coefficient (MSE on standardised rewards). Default 1. */
    rewardCoef: z.number().nonnegative().default(1),
    /** Terminal BCE coefficient. Default 1 (TD-MPC2). */
    terminalCoef: z.number().nonnegative().default(1),
    /** Decoder reconstruction coefficient (MSE on standardised observations). Default 1. */
    decoderCoef: z.number().nonnegative().default(1),
    /** Minibatch size (windows; ≤ 65536, which already needs gigabytes of activations). Default 256. */
    batchSize: z.number().int().positive().max(65_536, 'at most 65536 windows: larger batches exhaust memory').default(256),
    /** Peak learning rate. Default 3e-4 (TD-MPC2). */
    lr: z.number().positive().default(3e-4),
    /** Learning-rate schedule after warm-up. Default `'constant'`. */
    lrSchedule: z.enum(['constant', 'cosine']).default('constant'),
    /** Cosine schedule: steps over which the rate falls from `lr` to `lr·lrMinRatio` (then stays). Default 100000. */
    lrDecaySteps: z.number().int().positive().default(100_000),
    /** Cosine schedule: final rate as a fraction of `lr`. Default 0.1. */
    lrMinRatio: z.number().min(0).max(1).default(0.1),
    /** Linear warm-up steps. Default 0. */
    warmupSteps: z.number().int().nonnegative().default(0),
    /** Decoupled weight decay (AdamW); 0 gives Adam. Default 0. */
    weightDecay: z.number().nonnegative().default(0),
    /** Adam β₁. Default 0.9. */
    beta1: z.number().min(0).lt(1).default(0.9),
    /** Adam β₂. Default 0.999. */
    beta2: z.number().min(0).lt(1).default(0.999),
    /** Adam ε. Default 1e-8. */
    eps: z.number().positive().default(1e-8),
    /** Global gradient-norm clip; 0 disables. Default 20 (TD-MPC2). */
    gradClipNorm: z.number().nonnegative().default(20),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.space === 'latent' && c.simNormGroup > 0 && c.latentDim % c.simNormGroup !== 0) {
      ctx.addIssue({ code: 'custom', path: ['latentDim'], message: `expected a multiple of simNormGroup (${c.simNormGroup}), got ${c.latentDim}` });
    }
    if (c.linearSkip && c.space !== 'observation') {
      ctx.addIssue({ code: 'custom', path: ['linearSkip'], message: "expected false: a linear skip needs space 'observation'" });
    }
    if (c.worldFrame.length > 0) {
      const entries = new Set(c.worldFrame.map(([e]) => e));
      const problem =
        c.space !== 'observation'
          ? "a world frame needs space 'observation'"
          : c.worldFrame.some(([e, b]) => e >= c.obsDim || b >= c.obsDim)
            ? `entries and bases below obsDim (${c.obsDim})`
            : c.worldFrame.some(([e, b]) => e === b || entries.has(b))
              ? 'no entry relative to itself, and no base that is itself an entry'
              : entries.size !== c.worldFrame.length
                ? 'each entry once'
                : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: ['worldFrame'], message: `expected ${problem}, got ${JSON.stringify(c.worldFrame)}` });
    }
    if (c.consistencyUnits !== 'state' && c.space !== 'observation') {
      ctx.addIssue({
        code: 'custom',
        path: ['consistencyUnits'],
        message: `expected 'state': '${c.consistencyUnits}' needs space 'observation' (a learned latent has no per-entry change scale)`,
      });
    }
    const n = parameterCount(c);
    if (n > MAX_PARAMETERS) {
      ctx.addIssue({
        code: 'custom',
        path: ['dynamicsHidden'],
        message: `expected at most ${MAX_PARAMETERS.toLocaleString('en')} parameters in all, these widths give ${n.toLocaleString('en')}`,
      });
    }
  })
  // An observation-space model's latent is the standardised observation: its length, no SimNorm.
  .transform((c) => (c.space === 'observation' ? { ...c, latentDim: c.obsDim, simNormGroup: 0 } : c));

/** Weights and biases of an MLP `input → hidden… → output`. */
function mlpParameters(input: number, hidden: readonly number[], output: number): number {
  let n = 0;
  let last = input;
  for (const w of [...hidden, output]) {
    n += last * w + w;
    last = w;
  }
  return n;
}

/** About how many parameters a configuration has (the linear layers; layer norms add a few per unit). */
function parameterCount(
  c: { obsDim: number; actionDim: number; latentDim: number; space: string; ensembleSize: number; linearSkip?: boolean } & Record<
    'encoderHidden' | 'dynamicsHidden' | 'rewardHidden' | 'terminalHidden' | 'decoderHidden',
    readonly number[]
  >,
): number {
  const L = c.space === 'observation' ? c.obsDim : c.latentDim;
  const joint = L + c.actionDim;
  const heads = mlpParameters(joint + L, c.rewardHidden, 1) + mlpParameters(joint + L, c.terminalHidden, 1);
  const own = c.space === 'observation' ? 0 : mlpParameters(c.obsDim, c.encoderHidden, L) + mlpParameters(L, c.decoderHidden, c.obsDim);
  const skip = c.linearSkip ? joint * L : 0;
  return own + c.ensembleSize * (mlpParameters(joint, c.dynamicsHidden, L) + skip + heads);
}

/** A complete, validated world-model configuration. */
export type WorldModelConfig = z.output<typeof WorldModelConfigSchema>;
/** World-model configuration input: `obsDim` and `actionDim` are required, everything else defaults. */
export type WorldModelConfigInput = z.input<typeof WorldModelConfigSchema>;

/** Validates and fills defaults. @throws {@link InvalidArgumentError} naming the first bad field. */
export function parseWorldModelConfig(input: WorldModelConfigInput): WorldModelConfig {
  return parseOptions(WorldModelConfigSchema, input, 'World-model config');
}

/**
 * The learning rate of 1-based step `step`: linear warm-up over `warmupSteps`, then constant or a cosine
 * from `lr` to `lr·lrMinRatio` over `lrDecaySteps`.
 */
export function learningRateAt(config: WorldModelConfig, step: number): number {
  const { lr, warmupSteps, lrSchedule, lrDecaySteps, lrMinRatio } = config;
  if (step <= warmupSteps) return (lr * step) / warmupSteps;
  if (lrSchedule === 'constant') return lr;
  const progress = Math.min(1, (step - warmupSteps) / lrDecaySteps);
  return lr * (lrMinRatio + (1 - lrMinRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}
