/**
 * `PlanMemory`: the bookkeeping of one MPC episode — the current plan, which of its actions comes
 * next, when the next plan is due, what a plan request carries (warm start, shift, seed), and the
 * checks every plan passes before it is used. {@link mpcController} and `mpcAgent` both keep their
 * plans here, so a plan becomes an action in exactly one way.
 *
 * @module
 */
import { InvalidArgumentError, describeValue } from '../src/errors.js';
import { Rng } from '../src/rng.js';
import { PlanningError } from '../src/planning/optimizer.js';
import type { PlanOutcome, PlanRequest, PlanSource } from './plan-source.js';
import type { Percept } from './types.js';

/**
 * The plan memory of one episode (create one per episode, or `reset` it between episodes).
 *
 * Plan seeds: the plan for the percept at step t of the episode seeded e, under controller seed s, is
 * seeded `Rng.fromSeed(s).derive(e).derive(t).nextSeed()` — the one derivation every MPC path uses.
 * @internal
 */
export class PlanMemory {
  private plan: Float32Array | undefined; // H × A
  private cursor = 0; // index in `plan` of the next action
  private sinceReplan = 0; // actions taken since the plan's percept
  private episodeRng: Rng | undefined;
  private lastPlanStep: number | undefined; // percept step of the last plan adopted

  /**
   * @param horizon H, the actions in a plan.
   * @param actionDim A, the size of one action.
   * @param replanEvery Actions taken from one plan before the next is due.
   * @param seed The controller seed from which every plan seed is derived.
   */
  constructor(
    readonly horizon: number,
    readonly actionDim: number,
    readonly replanEvery: number,
    private readonly seed: number,
  ) {}

  /**
   * A memory for plans from `source`.
   * @throws {@link InvalidArgumentError} `<where>: …` when the source's horizon is not a positive
   * integer, `<where> options: …` when `replanEvery` exceeds it.
   */
  static forSource(source: PlanSource<unknown>, replanEvery: number, seed: number, where: string): PlanMemory {
    const { horizon: H, actionDim: A } = source;
    if (!Number.isSafeInteger(H) || H <= 0) throw new InvalidArgumentError(`${where}: expected the plan source's \`horizon\` to be a positive integer, got ${describeValue(H)}`);
    if (replanEvery > H) throw new InvalidArgumentError(`${where} options: \`replanEvery\` (${replanEvery}) must not exceed the horizon (${H})`);
    return new PlanMemory(H, A, replanEvery, seed);
  }

  /** Forgets the plan and the episode seed (the next request starts a cold episode). */
  reset(): void {
    this.plan = undefined;
    this.cursor = 0;
    this.sinceReplan = 0;
    this.episodeRng = undefined;
    this.lastPlanStep = undefined;
  }

  /** Seeds the episode's plans from `episodeSeed`; keeps the plan itself. */
  seedEpisode(episodeSeed: number): void {
    this.episodeRng = Rng.fromSeed(this.seed).derive(episodeSeed);
  }

  /** Whether {@link seedEpisode} has been called since the last {@link reset}. */
  get seeded(): boolean {
    return this.episodeRng !== undefined;
  }

  /** Whether the next action needs a new plan: none yet, `replanEvery` actions taken, or the plan used up. */
  get planDue(): boolean {
    return !(this.plan !== undefined && this.sinceReplan < this.replanEvery && this.cursor < this.horizon);
  }

  /** The plan's action for the next step (a copy), or `undefined` when there is no plan or it is used up. */
  nextAction(): Float32Array | undefined {
    const { plan, cursor, horizon: H, actionDim: A } = this;
    return plan !== undefined && cursor < H ? plan.slice(cursor * A, (cursor + 1) * A) : undefined;
  }

  /** Records that one action was taken (from the plan or not): the plan's next row is now one further. */
  advance(): void {
    this.cursor++;
    this.sinceReplan++;
  }

  /**
   * The request for a plan from `percept`: the current plan shifted to start here as the warm start,
   * the steps since the last adopted plan as `shift`, and the derived seed. Seeds the episode from
   * `percept.seed` (0 when unseeded) when it is not seeded yet.
   */
  request<O>(percept: Percept<O>): PlanRequest<O> {
    if (this.episodeRng === undefined) this.seedEpisode(percept.seed ?? 0);
    const warmStart = this.plan === undefined ? undefined : shifted(this.plan, this.cursor, this.horizon, this.actionDim);
    const shift = this.lastPlanStep === undefined ? undefined : percept.step - this.lastPlanStep;
    return { percept, warmStart, shift, seed: this.episodeRng!.derive(percept.step).nextSeed() };
  }

  /**
   * Checks that `outcome` is a usable plan for this memory (see {@link checkPlanOutcome}).
   * @throws {@link PlanningError} `<where>: the planner returned an unusable plan at step <step>: <why>`.
   */
  check(outcome: PlanOutcome, step: number, where: string): void {
    checkPlanOutcome(outcome, this.horizon, this.actionDim, `${where}: the planner returned an unusable plan at step ${step}`);
  }

  /**
   * Adopts `outcome` (already {@link check}ed) as the plan made for the percept at `step`;
   * `stepsPassed` actions were taken while it was computed, so it is used from that row on.
   */
  adopt(outcome: PlanOutcome, step: number, stepsPassed: number): void {
    this.plan = outcome.actions;
    this.lastPlanStep = step;
    this.cursor = stepsPassed;
    this.sinceReplan = stepsPassed;
  }
}

/**
 * The plan from row `from` on, padded to `horizon` rows by repeating its last row: the warm start a
 * plan request carries.
 */
export function shifted(plan: Float32Array, from: number, horizon: number, actionDim: number): Float32Array {
  const out = new Float32Array(horizon * actionDim);
  const keep = Math.max(0, Math.min(horizon, horizon - from));
  if (keep > 0) out.set(plan.subarray(from * actionDim, horizon * actionDim), 0);
  const last = plan.subarray((horizon - 1) * actionDim, horizon * actionDim);
  for (let h = keep; h < horizon; h++) out.set(last, h * actionDim);
  return out;
}

/**
 * Checks that `outcome` holds a plan of `horizon × actionDim` finite actions.
 * @throws {@link PlanningError} `<where>: <what is wrong>` otherwise.
 */
export function checkPlanOutcome(outcome: PlanOutcome, horizon: number, actionDim: number, where: string): void {
  const why = explainOutcome(outcome, horizon, actionDim);
  if (why !== undefined) throw new PlanningError(`${where}: ${why}`);
}

function explainOutcome(outcome: PlanOutcome, H: number, A: number): string | undefined {
  if (typeof outcome !== 'object' || outcome === null || !(outcome.actions instanceof Float32Array)) {
    return `expected { actions: Float32Array, … }, got ${describeValue(outcome)}`;
  }
  if (outcome.actions.length !== H * A) return `expected ${H * A} action values (H=${H} × A=${A}), got ${outcome.actions.length}`;
  for (let i = 0; i < outcome.actions.length; i++) {
    if (!Number.isFinite(outcome.actions[i]!)) return `expected finite actions, got ${outcome.actions[i]} at index ${i} (step ${Math.floor(i / A)}, dimension ${i % A})`;
  }
  return undefined;
}
