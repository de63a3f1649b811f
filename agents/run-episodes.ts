/**
 * `runEpisodes`: one seeded episode per seed, each reduced to an {@link EpisodeResult}.
 *
 * @module
 */
import { concatMap, defer, from, lastValueFrom, mergeMap, reduce, toArray, type Observable } from 'rxjs';
import type { Env } from '../src/env.js';
import { InvalidArgumentError, describeValue } from '../src/errors.js';
import { parseOptions, z } from '../src/options.js';
import { summarizeEpisodes, type EpisodeResult, type EpisodesSummary } from './episode-stats.js';
import { runEpisode } from './run-episode.js';
import type { Agent, Transition } from './types.js';

/** Zod schema of {@link RunEpisodesOptions}. */
export const RunEpisodesOptionsSchema = z
  .object({
    /** One episode per seed, in this order. Required. */
    seeds: z.array(z.number().int().nonnegative()).min(1, 'expected at least one seed').readonly(),
    /** Step limit per episode (see `runEpisode`). Default: the environment's own limit. */
    maxSteps: z.number().int().positive().optional(),
    /**
     * Episodes run at once, each with its own environment from the factory. Default: `1`. Results
     * are emitted in completion order when above 1; `seed` says which is which.
     */
    concurrency: z.number().int().positive().default(1),
    /** Environment-specific `reset` options. Default: none. */
    resetOptions: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Options of {@link runEpisodes}. */
export type RunEpisodesOptions = z.input<typeof RunEpisodesOptionsSchema>;

/**
 * Runs one episode per seed, each in a fresh environment from `envFactory` (closed when its episode
 * ends), and emits each episode's {@link EpisodeResult}. Cold; unsubscribing stops the running
 * episodes and closes their environments.
 */
export function runEpisodes<O, A>(envFactory: () => Env<O, A>, agent: Agent<O, A>, options: RunEpisodesOptions): Observable<EpisodeResult> {
  if (typeof envFactory !== 'function') {
    throw new InvalidArgumentError(`runEpisodes: expected an environment factory \`() => Env\`, got ${describeValue(envFactory)}`);
  }
  const opts = parseOptions(RunEpisodesOptionsSchema, options, 'runEpisodes options');
  const one = (seed: number): Observable<EpisodeResult> =>
    defer(() =>
      runEpisode(envFactory, agent, { seed, ...(opts.maxSteps !== undefined && { maxSteps: opts.maxSteps }), ...(opts.resetOptions && { resetOptions: opts.resetOptions }) }).pipe(
        reduce(accumulate, { seed, return: 0, length: 0, success: false, terminated: false, truncated: false } as EpisodeResult),
      ),
    );
  return defer(() => (opts.concurrency === 1 ? seedsOf(opts.seeds).pipe(concatMap(one)) : seedsOf(opts.seeds).pipe(mergeMap(one, opts.concurrency))));
}

/** Runs the episodes and returns their results (in seed order) with the summary. */
export async function evaluateAgent<O, A>(
  envFactory: () => Env<O, A>,
  agent: Agent<O, A>,
  options: RunEpisodesOptions,
): Promise<{ results: EpisodeResult[]; summary: EpisodesSummary }> {
  const results = await lastValueFrom(runEpisodes(envFactory, agent, options).pipe(toArray()));
  const order = new Map(options.seeds.map((s, i) => [s, i]));
  results.sort((a, b) => order.get(a.seed)! - order.get(b.seed)!);
  return { results, summary: summarizeEpisodes(results) };
}

function accumulate<O, A>(acc: EpisodeResult, t: Transition<O, A>): EpisodeResult {
  return {
    seed: acc.seed,
    return: acc.return + t.reward,
    length: acc.length + 1,
    success: t.info.success === true,
    terminated: t.terminated,
    truncated: t.truncated,
  };
}

function seedsOf(seeds: readonly number[]): Observable<number> {
  return from([...seeds]);
}
