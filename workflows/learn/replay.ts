/**
 * Replaying a learn run: the same rounds again, each with the episodes it collected and the training
 * steps it ran, without a clock. `learn` is budgeted in wall time, so how much a round collects and
 * trains depends on the machine; a replay re-runs what one run recorded, so the same command gives the
 * same data and (on the same platform) the same bundle bits — how the shipped models are remade.
 *
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EmbodiedError, InvalidArgumentError } from '../../src/errors.js';
import { parseOptions, z } from '../../src/options.js';
import { BundleError } from '../../src/worldmodel/bundle-error.js';
import { readBundleManifest } from '../../src/worldmodel/bundle.js';
import { bestRound } from './publish.js';
import type { ResolvedLearnSettings } from './settings.js';
import { LEARN_STATE_FORMAT, readLearnState, type LearnRoundRecord } from './state.js';

/** A replayed round's collection or training did not reproduce what the run recorded. */
export class ReplayMismatchError extends EmbodiedError {}

/** What one recorded round did, as a replay repeats it. */
export interface ReplayRound {
  readonly round: number;
  /** Episodes its collection finished. */
  readonly episodes: number;
  /** Training steps it ran. */
  readonly trainSteps: number;
  /** The length of the learning-rate schedule those steps belonged to (more than `trainSteps` when the round's time ran out). */
  readonly trainStepsPlanned: number;
  /** Its dataset's content hash. */
  readonly datasetHash: string;
}

/** A learn run to replay: its seed, settings and rounds up to the published one, and that round's bundle. */
export interface ReplaySource {
  readonly env: string;
  readonly seed: number;
  readonly settings: ResolvedLearnSettings;
  /** Rounds 0 … the published round. */
  readonly rounds: readonly ReplayRound[];
  /** The published round's bundle, to compare the replay's with. */
  readonly bundle: string;
}

const replayRound = (r: Pick<LearnRoundRecord, 'round' | 'episodes' | 'trainSteps' | 'datasetHash'> & { trainStepsPlanned?: number }): ReplayRound => ({
  round: r.round,
  episodes: r.episodes,
  trainSteps: r.trainSteps,
  trainStepsPlanned: r.trainStepsPlanned ?? r.trainSteps,
  datasetHash: r.datasetHash,
});

/**
 * Reads what a replay of `path` repeats: a learn run's folder (its `state.json`; the best finished
 * round is the one replayed up to) or a bundle `learn` published (`provenance.learn` in its manifest).
 * @throws {@link InvalidArgumentError} when `path` is neither, records another environment than `env`,
 * or was published before learn recorded its settings and episodes.
 */
export async function readReplaySource(path: string, env: string): Promise<ReplaySource> {
  const dir = resolve(path);
  const state = await readLearnState(dir).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  });
  const source = state ? fromState(dir, state) : await fromBundle(dir);
  if (source.env !== env) throw new InvalidArgumentError(`learn: \`replay\` ${dir} is a run of ${source.env}, not of ${env}`);
  return source;
}

function fromState(dir: string, state: NonNullable<Awaited<ReturnType<typeof readLearnState>>>): ReplaySource {
  const best = bestRound(state.rounds);
  if (!best) throw new InvalidArgumentError(`learn: \`replay\` ${dir} holds a learn run with no finished round`);
  return {
    env: state.env,
    seed: state.seed,
    settings: state.settings,
    rounds: state.rounds.filter((r) => r.round <= best.round).map(replayRound),
    bundle: join(dir, best.model),
  };
}

/**
 * The part of a published bundle's `provenance.learn` a replay reads. `settings` and each round's
 * `episodes` are optional: bundles published before learn recorded them cannot be replayed (a clear
 * error below), and the settings are learn's own record, compared whole by the replay's datasets.
 */
const ReplayProvenanceSchema = z.object({
  env: z.string().min(1),
  seed: z.number().int().nonnegative(),
  settings: z.record(z.string(), z.unknown()).optional(),
  selectedRound: z.number().int().nonnegative(),
  rounds: z.array(
    z.object({
      round: z.number().int().nonnegative(),
      episodes: z.number().int().nonnegative().optional(),
      trainSteps: z.number().int().nonnegative(),
      trainStepsPlanned: z.number().int().nonnegative().optional(),
      datasetHash: z.string().min(1),
    }),
  ),
});

/** Whether `e` or an error in its `cause` chain is a missing file or folder (ENOENT, ENOTDIR). */
function missingFile(e: unknown): boolean {
  for (let c: unknown = e; c instanceof Error; c = c.cause) {
    const code = (c as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return true;
  }
  return false;
}

async function fromBundle(dir: string): Promise<ReplaySource> {
  let manifest: Awaited<ReturnType<typeof readBundleManifest>>;
  try {
    manifest = await readBundleManifest(dir);
  } catch (e) {
    if (!(e instanceof BundleError) || !missingFile(e)) throw e;
    throw new InvalidArgumentError(
      `learn: \`replay\` expected a learn run's folder (state.json with format "${LEARN_STATE_FORMAT}") or a bundle learn published; ${dir} is neither`,
    );
  }
  const learn = manifest.provenance.learn;
  if (!learn) throw new InvalidArgumentError(`learn: \`replay\` ${dir} is a bundle, but not one learn published (its manifest has no provenance.learn)`);
  const p = parseOptions(ReplayProvenanceSchema, learn, `learn: \`replay\` ${dir}: provenance.learn`);
  const rounds = p.rounds.filter((r) => r.round <= p.selectedRound);
  if (!p.settings || rounds.some((r) => r.episodes === undefined))
    throw new InvalidArgumentError(`learn: \`replay\` ${dir} was published before learn recorded its settings and episodes; replay the run's folder (its state.json) instead`);
  return {
    env: p.env,
    seed: p.seed,
    settings: p.settings as unknown as ResolvedLearnSettings,
    rounds: rounds.map((r) => replayRound({ ...r, episodes: r.episodes! })),
    bundle: dir,
  };
}

/** Throws unless round `k`'s replayed dataset has the recorded content hash. */
export function checkReplayedData(source: ReplaySource, k: number, hash: string): void {
  const want = source.rounds[k]!.datasetHash;
  if (hash !== want)
    throw new ReplayMismatchError(
      `learn: replaying round ${k}: its data has content hash ${hash}, the run recorded ${want} (the environment, its options or the collection code changed since the run)`,
    );
}

/** The files of two bundles that differ, `manifest.json` aside (it records times and paths); empty when every other file is the same byte for byte. */
export async function differingBundleFiles(a: string, b: string): Promise<string[]> {
  const list = async (d: string) => (await readdir(d)).filter((f) => f !== 'manifest.json').sort();
  const [fa, fb] = await Promise.all([list(a), list(b)]);
  const names = [...new Set([...fa, ...fb])].sort();
  const differ: string[] = [];
  for (const f of names) {
    // A file only one bundle has differs; any other read error is thrown.
    const read = (d: string) =>
      readFile(join(d, f)).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      });
    const [x, y] = await Promise.all([read(a), read(b)]);
    if (!x || !y || !x.equals(y)) differ.push(f);
  }
  return differ;
}
