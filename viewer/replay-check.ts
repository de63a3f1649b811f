/**
 * Which replays the viewer plays: the format tag, frames, and matching actions and rewards; anything
 * else becomes a message for the page. DOM-free.
 *
 * @module
 */
import { REPLAY_FORMAT, type Replay } from '../workflows/demo/replay.js';

/**
 * The replay in `json`, checked: the format tag, frames, and matching actions and rewards.
 * @throws Error with a message for the page when `json` is not a replay this viewer plays.
 */
export function checkReplay(json: unknown, path: string): Replay {
  const r = json as Partial<Replay> | null;
  if (typeof r !== 'object' || r === null) throw new Error(`${path} is not a replay: expected a JSON object with "format": "${REPLAY_FORMAT}"`);
  if (r.format !== REPLAY_FORMAT) {
    throw new Error(
      `${path} is a replay of format ${JSON.stringify(r.format ?? null)}; this viewer plays "${REPLAY_FORMAT}" (written by \`embodied demo\` of this version). Re-run the demo to write a replay in this format.`,
    );
  }
  const frames = r.frames;
  if (!Array.isArray(frames) || frames.length === 0 || !frames.every((f) => f && Array.isArray(f.bodies))) {
    throw new Error(`${path}: expected "frames" to be a non-empty list of scenes with "bodies"`);
  }
  if (!Array.isArray(r.actions) || r.actions.length !== frames.length - 1 || !Array.isArray(r.rewards) || r.rewards.length !== r.actions.length) {
    throw new Error(`${path}: expected ${frames.length - 1} actions and rewards for ${frames.length} frames, got ${r.actions?.length} and ${r.rewards?.length}`);
  }
  return r as Replay;
}
