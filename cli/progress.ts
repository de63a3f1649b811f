/**
 * Progress bars for the `embodied` subcommands: workflows report progress as events, and the commands
 * draw them with cli-progress on stderr.
 *
 * @module
 */
import cliProgress from 'cli-progress';

/** A bar that starts on its first update and can be restarted after `stop`. */
export interface ProgressBar {
  /** Shows `value` of `total` with the format's payload fields. */
  update(value: number, total: number, payload?: Record<string, unknown>): void;
  /** Updates the payload fields only. */
  payload(payload: Record<string, unknown>): void;
  /** Ends the bar (a later update starts a new one). */
  stop(): void;
}

/** Whether to draw bars: `--no-progress` turns them off; they are drawn only on a TTY. */
export function showProgress(flag: boolean): boolean {
  return flag && process.stderr.isTTY === true;
}

/** A cli-progress bar on stderr in `format`; does nothing when `show` is false. */
export function progressBar(show: boolean, format: string, options: cliProgress.Options = {}): ProgressBar {
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(value, total, payload = {}) {
      if (!show) return;
      if (bar === undefined) {
        bar = new cliProgress.SingleBar({ format, stream: process.stderr, hideCursor: true, ...options }, cliProgress.Presets.shades_classic);
        bar.start(total, value, payload);
        return;
      }
      bar.setTotal(total);
      bar.update(value, payload);
    },
    payload(payload) {
      bar?.update(payload);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
