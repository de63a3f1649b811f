/**
 * Closed-loop evaluation: how well plans made in imagination work in the real (simulated) world.
 * Contenders — MPC with the learned model, MPC with the Rapier oracle (same planner, same budget),
 * scripted and random baselines — each run one episode per seed; the report gives success rates
 * with Wilson 95% intervals and returns with Student-t 95% intervals.
 *
 * Contenders are supplied by the caller (the CLI builds them with `agents/`' `evaluateAgent`), so
 * `src/` stays independent of the agents package; {@link policyContender} covers plain policies.
 *
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { Env } from '../env.js';
import { InvalidArgumentError, describeValue } from '../errors.js';
import type { Policy } from '../policy.js';
import type { ContenderResult } from './report-types.js';
import { tInterval, wilsonInterval } from '../stats.js';

/** One episode's outcome. */
export interface EpisodeOutcome {
  readonly seed: number;
  readonly return: number;
  readonly length: number;
  readonly success: boolean;
}

/** Something that plays episodes: one per seed, results in seed order. */
export interface ClosedLoopContender {
  readonly name: string;
  /** `learned-mpc`, `oracle-mpc`, `scripted`, `random`, … */
  readonly kind: string;
  /** Runs one episode per seed and returns the outcomes in seed order (one per seed). */
  evaluate(seeds: readonly number[]): Promise<readonly EpisodeOutcome[]>;
}

/** Summarises a contender's episodes. */
export function summarizeContender(name: string, kind: string, outcomes: readonly EpisodeOutcome[], wallMs: number): ContenderResult {
  return {
    name,
    kind,
    episodes: outcomes.length,
    successRate: wilsonInterval(outcomes.filter((o) => o.success).length, outcomes.length),
    return: tInterval(outcomes.map((o) => o.return)),
    length: tInterval(outcomes.map((o) => o.length)),
    wallMs,
  };
}

/** Runs every contender on the same seeds, one after another. */
export async function evaluateContenders(contenders: readonly ClosedLoopContender[], seeds: readonly number[], onDone?: (name: string) => void): Promise<ContenderResult[]> {
  const out: ContenderResult[] = [];
  for (const c of contenders) {
    if (typeof c?.evaluate !== 'function') throw new InvalidArgumentError(`validate closedLoop: expected contenders with \`evaluate(seeds)\`, got ${describeValue(c)}`);
    const t0 = performance.now();
    const outcomes = await c.evaluate(seeds);
    if (outcomes.length !== seeds.length)
      throw new InvalidArgumentError(`validate closedLoop: contender \`${c.name}\` returned ${outcomes.length} episodes for ${seeds.length} seeds`);
    out.push(summarizeContender(c.name, c.kind, outcomes, performance.now() - t0));
    onDone?.(c.name);
  }
  return out;
}

/** Options of {@link policyContender}. */
export interface PolicyContenderOptions {
  /** Step limit per episode. Default: until the environment ends the episode (use a TimeLimit). */
  readonly maxSteps?: number;
}

/**
 * A contender that runs a {@link Policy} in a fresh environment per episode (closed after it). A
 * minimal loop for callers without `agents/`; the CLI uses `evaluateAgent` instead.
 */
export function policyContender(
  name: string,
  kind: string,
  envFactory: () => Env<Float32Array, Float32Array>,
  policy: Policy<Float32Array, Float32Array>,
  options: PolicyContenderOptions = {},
): ClosedLoopContender {
  const maxSteps = options.maxSteps ?? Number.POSITIVE_INFINITY;
  return {
    name,
    kind,
    async evaluate(seeds) {
      const out: EpisodeOutcome[] = [];
      for (const seed of seeds) {
        const env = envFactory();
        try {
          let { observation, info } = await env.reset({ seed });
          policy.reset?.(seed);
          let ret = 0;
          let length = 0;
          let success = false;
          for (;;) {
            const r = await env.step(Float32Array.from(await policy.act(observation, info)));
            ret += r.reward;
            length++;
            success = r.info.success === true;
            observation = r.observation;
            info = r.info;
            if (r.terminated || r.truncated || length >= maxSteps) break;
          }
          out.push({ seed, return: ret, length, success });
        } finally {
          await env.close();
        }
      }
      return out;
    },
  };
}
