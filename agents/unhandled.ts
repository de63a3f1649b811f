/**
 * Reports an error that has no subscriber left to receive it (e.g. `close()` failing after the
 * consumer unsubscribed). RxJS's own rule applies: hand it to `config.onUnhandledError` when set,
 * otherwise rethrow it asynchronously so it surfaces as an uncaught exception instead of vanishing.
 *
 * @module
 */
import { config } from 'rxjs';

/** Reports `error` through RxJS's unhandled-error channel. */
export function reportUnhandledError(error: unknown): void {
  const handler = config.onUnhandledError;
  if (handler) {
    handler(error);
    return;
  }
  setTimeout(() => {
    throw error;
  });
}
