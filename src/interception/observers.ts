import type { Logger } from '../telemetry/logger.js';
import type { AttemptStart, AttemptWatch } from '../upstream/attempt-observer.js';
import type { InterceptionObserver, InterceptionStart, InterceptionWatch } from './observer.js';

/** Runs `fn`; an observer that throws is logged, never allowed to break the response. */
function guarded(logger: Logger, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    logger.error({ err: error }, 'an interception observer failed');
  }
}

function combineAttempts(watches: readonly AttemptWatch[], logger: Logger): AttemptWatch {
  return {
    head: (status, headers) => {
      for (const w of watches) guarded(logger, () => w.head?.(status, headers));
    },
    data: (chunk) => {
      for (const w of watches) guarded(logger, () => w.data?.(chunk));
    },
    end: (attempt, error) => {
      for (const w of watches) guarded(logger, () => w.end?.(attempt, error));
    },
  };
}

function combine(watches: readonly InterceptionWatch[], logger: Logger): InterceptionWatch {
  return {
    attempt: (start: AttemptStart) => {
      const attempts: AttemptWatch[] = [];
      for (const w of watches) {
        guarded(logger, () => {
          const watch = w.attempt?.(start);
          if (watch !== undefined) attempts.push(watch);
        });
      }
      return attempts.length === 0 ? undefined : combineAttempts(attempts, logger);
    },
    committed: (at) => {
      for (const w of watches) guarded(logger, () => w.committed?.(at));
    },
    toolCall: (call, endedAt) => {
      for (const w of watches) guarded(logger, () => w.toolCall?.(call, endedAt));
    },
    end: (end) => {
      for (const w of watches) guarded(logger, () => w.end?.(end));
    },
  };
}

/**
 * The observers the gateway runs (metrics, tracing, the API dump) as one; undefined when
 * there are none, so that a gateway without them pays nothing per request.
 */
export function observeWith(
  observers: readonly InterceptionObserver[],
  logger: Logger,
): InterceptionObserver | undefined {
  if (observers.length === 0) return undefined;
  return {
    start(start: InterceptionStart) {
      const watches: InterceptionWatch[] = [];
      for (const observer of observers) {
        guarded(logger, () => {
          const watch = observer.start(start);
          if (watch !== undefined) watches.push(watch);
        });
      }
      return watches.length === 0 ? undefined : combine(watches, logger);
    },
  };
}
