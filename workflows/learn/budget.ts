/**
 * How `learn` splits what is left of its wall-time budget between the rounds still to run.
 *
 * Each round gets an equal share of the remaining time, less what it needs besides training: its quick
 * validation and, should that pass, the confirmation episodes that decide the stop rule. Both are
 * measured on the previous round. Only the rounds that fit are planned: a round whose share could not
 * pay for its own validation and confirmation would leave its training nothing, so the remaining time is
 * split among fewer, longer rounds. The last planned round keeps the confirmation's time free — a
 * confirmation cut off by the budget's hard stop wastes the whole round — while earlier rounds may run
 * into later rounds' shares (the shares are recomputed from the clock before each round).
 *
 * Why: with equal shares and only the quick validation reserved, CartPole-v0 (500-step balanced episodes,
 * 20 confirmation episodes ≈ 2 minutes at 128 × 30 × 3) trained 36 s in round 0 and 10 s in round 1, whose
 * confirmation the 3-minute budget then cut off (docs/learn.md).
 *
 * @module
 */
import { CONFIRM_EPISODES } from './round.js';
import type { LearnRoundRecord } from './state.js';

/** Training steps per second assumed before the first round measured them. */
export const FIRST_RATE = 100;
/** Fewest training steps of a round. */
export const MIN_STEPS = 50;
/** Share of round 0's time assumed for its quick validation (nothing has been measured yet). */
const FIRST_VALIDATE_SHARE = 0.15;
/** A round is planned only when the remaining time pays for this many times its validation and confirmation. */
const ROUND_FIT_FACTOR = 1.5;
/**
 * The last round keeps its validation and confirmation estimates times this free: both are measured on the
 * previous round's model, and learned-MPC step times vary between rounds by up to ~45 % (PushBox, chain
 * seed 2, 2026-12-07: 10.6, 14.0, 10.1, 14.4 ms; with 1.15 on the confirmation alone that run ended 6 s past
 * its 600 s budget).
 */
const CERTIFY_MARGIN = 1.5;
/** How far a round's training may run past its allotment (its rate estimate can be off); the last planned round may not. */
const OVERRUN = 1.25;
const OVERRUN_SLACK_MS = 2000;

/** The time plan of the next round. */
export interface RoundBudget {
  /** Rounds planned from here on, this one included. */
  readonly rounds: number;
  /** This round's wall time, ms. */
  readonly shareMs: number;
  /** Of that, what it keeps free from training: its validation, and its confirmation when it is the last planned round, ms. */
  readonly reserveMs: number;
  /** The training's hard stop for an allotment of `allotMs`: some overrun into later rounds' shares, none in the last planned round. */
  trainLimitMs(allotMs: number): number;
}

/** Mean transitions per episode of a round's collection. */
export const episodeLength = (r: LearnRoundRecord) => r.transitions / Math.max(1, r.episodes);

/** Wall time of the round's quick validation (without its confirmation), ms. */
export function quickValidationMs(r: LearnRoundRecord): number {
  return Math.max(0, r.times.validateMs - (r.times.confirmMs ?? 0));
}

/** The wall time {@link CONFIRM_EPISODES} learned-MPC episodes would take at the round's measured step time and episode length, ms. */
export function confirmationEstimateMs(r: LearnRoundRecord): number {
  if (r.mpcStepMs === undefined) return r.times.confirmMs ?? 0;
  return CONFIRM_EPISODES * (r.mpcEpisodeSteps ?? episodeLength(r)) * r.mpcStepMs;
}

/**
 * The next round's time plan, from the last finished round (`undefined` before round 0), the rounds the
 * settings still allow and the time left; `undefined` when not even a quick validation and the fewest
 * training steps fit any more.
 */
export function roundBudget(last: LearnRoundRecord | undefined, roundsLeft: number, remainingMs: number): RoundBudget | undefined {
  if (remainingMs <= 0 || roundsLeft <= 0) return undefined;
  if (last === undefined) {
    const shareMs = remainingMs / roundsLeft;
    return withLimit(roundsLeft, shareMs, FIRST_VALIDATE_SHARE * shareMs);
  }
  const minTrainMs = (MIN_STEPS / Math.max(1e-6, last.trainStepsPerSecond)) * 1000;
  const quickMs = quickValidationMs(last);
  if (quickMs + minTrainMs > remainingMs) return undefined;
  const certifyMs = CERTIFY_MARGIN * (quickMs + confirmationEstimateMs(last));
  const rounds = Math.max(1, Math.min(roundsLeft, Math.floor(remainingMs / (ROUND_FIT_FACTOR * certifyMs))));
  const shareMs = remainingMs / rounds;
  const reserveMs = rounds === 1 && certifyMs + minTrainMs <= remainingMs ? certifyMs : quickMs;
  return withLimit(rounds, shareMs, reserveMs);
}

function withLimit(rounds: number, shareMs: number, reserveMs: number): RoundBudget {
  const trainLimitMs = (allotMs: number) => (rounds === 1 ? allotMs : allotMs * OVERRUN + OVERRUN_SLACK_MS);
  return { rounds, shareMs, reserveMs, trainLimitMs };
}
