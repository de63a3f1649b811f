/**
 * `mpcController`: the one place a plan becomes an action. Plan from the percept, take the plan's
 * actions one step at a time, replan every `replanEvery` steps warm-started by the shifted plan, with
 * one seed per plan derived from the controller seed, the episode seed and the step. `mpcAgent` adds
 * deadlines, fallbacks and telemetry around the same plan memory; {@link controllerPolicy} turns a
 * controller into a plain {@link Policy} (data collection, validation's drift sources, the demo).
 *
 * @module
 */
import { firstValueFrom, from } from 'rxjs';
import { InvalidArgumentError, describeValue } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import type { Policy } from '../src/policy.js';
import { PlanningError } from '../src/planning/optimizer.js';
import { AgentProtocolError } from './errors.js';
import { PlanMemory } from './plan-memory.js';
import type { PlanOutcome, PlanSource } from './plan-source.js';
import type { Percept } from './types.js';

const isPlanSource = (v: unknown): v is PlanSource<unknown> => typeof v === 'object' && v !== null && typeof (v as PlanSource).plan === 'function';

/** Zod schema of {@link MpcControllerOptions} (`source` is checked to be an object with `plan`). */
export const MpcControllerOptionsSchema = z
  .object({
    /** Computes plans: `localPlanSource(...)` on this thread, or a `PlanWorker`. Required. */
    source: z.custom<PlanSource<unknown>>(isPlanSource, {
      message: 'expected a PlanSource (an object with `plan(request)`, e.g. localPlanSource(...) or a PlanWorker)',
    }),
    /** Actions taken from one plan before replanning (1 = replan every step; at most the horizon). Default: `1`. */
    replanEvery: z.number().int().positive().default(1),
    /**
     * Seed from which each plan's seed is derived: the plan for step t of the episode seeded e gets
     * `Rng.fromSeed(seed).derive(e).derive(t).nextSeed()`. Default: `0`.
     */
    seed: z.number().int().nonnegative().default(0),
  })
  .strict();

/** Options of {@link mpcController}: those of {@link MpcControllerOptionsSchema}, with `source` typed by observation. */
export type MpcControllerOptions<O = Float32Array> = Omit<z.input<typeof MpcControllerOptionsSchema>, 'source'> & {
  /** Computes plans: `localPlanSource(...)` on this thread, or a `PlanWorker`. Required. */
  readonly source: PlanSource<O>;
};

/** What {@link MpcController.act} decided for one percept. */
export interface MpcDecision {
  /** The action to apply now, length A (a copy: the caller may keep or change it). */
  readonly action: Float32Array;
  /** The plan made for this percept, or `undefined` when the action came from an earlier plan. */
  readonly outcome: PlanOutcome | undefined;
}

/** An MPC controller: one episode at a time, one percept at a time. Built by {@link mpcController}. */
export interface MpcController<O = Float32Array> {
  /** The plan source. */
  readonly source: PlanSource<O>;
  /** Actions taken from one plan before replanning. */
  readonly replanEvery: number;
  /** Starts an episode seeded `episodeSeed`: forgets the plan (the next one is planned cold). */
  reset(episodeSeed: number): void;
  /**
   * The action for `percept`: from the current plan, or from a new plan when one is due. An act at
   * step 0 not preceded by {@link reset} starts a new episode seeded `percept.seed` (0 when unseeded).
   * Await each act before the next. Rejects with {@link PlanningError} when the plan is unusable (non-finite
   * actions, the wrong length) or the source completes without one, and with the source's own error.
   */
  act(percept: Percept<O>): Promise<MpcDecision>;
}

const NO_PLAN: unique symbol = Symbol('no plan');

/**
 * An MPC controller over `options.source`, deterministic: the same source, options, episode seeds
 * and percepts give the same requests and actions. `mpcAgent` with `deadlineMs: Infinity` (its
 * default) acts exactly like this controller.
 *
 * @example
 * ```ts
 * const controller = mpcController({ source: localPlanSource({ planner }), replanEvery: 2, seed: 7 });
 * controller.reset(episodeSeed);
 * const { action, outcome } = await controller.act({ observation, info, step: 0, seed: episodeSeed });
 * ```
 * @throws {@link InvalidArgumentError} on invalid options, a source whose horizon is not a positive
 * integer, or `replanEvery` above the horizon.
 */
export function mpcController<O = Float32Array>(options: MpcControllerOptions<O>): MpcController<O> {
  const opts = parseOptions(MpcControllerOptionsSchema, options, 'mpcController options');
  const source = options.source;
  const memory = PlanMemory.forSource(source, opts.replanEvery, opts.seed, 'mpcController');
  let fresh = true; // no act since the last reset (or ever)
  let busy = false;

  const plan = async (percept: Percept<O>): Promise<PlanOutcome> => {
    const request = memory.request(percept);
    const outcome = await firstValueFrom<PlanOutcome, typeof NO_PLAN>(from(source.plan(request)), { defaultValue: NO_PLAN });
    if (outcome === NO_PLAN) throw new PlanningError(`mpcController: the plan source completed without a plan at step ${percept.step}`);
    memory.check(outcome, percept.step, 'mpcController');
    memory.adopt(outcome, percept.step, 0);
    return outcome;
  };

  return {
    source,
    replanEvery: opts.replanEvery,
    reset(episodeSeed: number) {
      if (!Number.isSafeInteger(episodeSeed) || episodeSeed < 0) {
        throw new InvalidArgumentError(`mpcController.reset: expected \`episodeSeed\` to be a non-negative safe integer, got ${describeValue(episodeSeed)}`);
      }
      memory.reset();
      memory.seedEpisode(episodeSeed);
      fresh = true;
    },
    async act(percept: Percept<O>) {
      if (busy) throw new AgentProtocolError(`mpcController: act(step ${percept.step}) was called before the previous act settled; await each act`);
      busy = true;
      try {
        if (percept.step === 0 && !fresh) memory.reset();
        fresh = false;
        const outcome = memory.planDue ? await plan(percept) : undefined;
        const action = memory.nextAction()!;
        memory.advance();
        return { action, outcome };
      } finally {
        busy = false;
      }
    },
  };
}

/** Zod schema of {@link ControllerPolicyOptions}. */
export const ControllerPolicyOptionsSchema = z
  .object({
    /** Name for logs and dataset provenance, e.g. `planner:learned-mpc`. Required. */
    name: z.string().min(1),
    /**
     * The acting environment's exact state at the current observation, for sources that plan from it
     * (the physics oracle); called only while a plan is requested. Default: none.
     */
    state: z.custom<() => unknown>((v) => typeof v === 'function', { message: 'expected a function returning the environment state' }).optional(),
  })
  .strict();

/** Options of {@link controllerPolicy}. */
export type ControllerPolicyOptions = z.input<typeof ControllerPolicyOptionsSchema>;

/**
 * `controller` as a plain {@link Policy}: `reset(seed)` starts an episode of the controller seeded
 * `seed`, and `act(observation, info)` answers with the controller's action for the next step.
 *
 * Seeds: plan t of the episode reset with seed e is seeded `Rng.fromSeed(s).derive(e).derive(t).nextSeed()`
 * (s: the controller's `seed` option), exactly as in `mpcAgent`. This replaced the formulas of the
 * earlier policy adapters (`(e · 7919 + t) mod 2³²` and variants), so data collected or validated with
 * them before is not reproduced bit for bit.
 *
 * @example
 * ```ts
 * const policy = controllerPolicy(mpcController({ source, replanEvery: 2, seed }), { name: 'planner:oracle-mpc', state: () => env.getState() });
 * ```
 * @throws {@link InvalidArgumentError} when `controller` is not a controller or the options are invalid.
 */
export function controllerPolicy<O = Float32Array>(controller: MpcController<O>, options: ControllerPolicyOptions): Policy<O, Float32Array> {
  if (typeof controller !== 'object' || controller === null || typeof controller.act !== 'function' || typeof controller.reset !== 'function') {
    throw new InvalidArgumentError(`controllerPolicy: expected an MpcController (from mpcController(...)), got ${describeValue(controller)}`);
  }
  const { name, state } = parseOptions(ControllerPolicyOptionsSchema, options, 'controllerPolicy options');
  let step = 0;
  let episodeSeed = 0;
  return {
    name,
    reset(seed: number) {
      controller.reset(seed);
      episodeSeed = seed;
      step = 0;
    },
    async act(observation, info) {
      const percept: Percept<O> = { observation, info: info ?? {}, step: step++, seed: episodeSeed, ...(state && { state }) };
      return (await controller.act(percept)).action;
    },
  };
}
