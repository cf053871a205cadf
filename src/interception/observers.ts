import type { Logger } from '../log/logger.js';
import type { AttemptStart, AttemptWatch } from '../upstream/attempt-observer.js';
import type { InterceptionObserver, InterceptionStart, InterceptionWatch } from './observer.js';

/** An observer that throws is logged, never allowed to break the response. */
function failed(logger: Logger, error: unknown): void {
  logger.error({ err: error }, 'an interception observer failed');
}

// Plain loops with try/catch rather than a closure per call: these run for every chunk of
// every answer while observers are on.
function combineAttempts(watches: readonly AttemptWatch[], logger: Logger): AttemptWatch {
  return {
    head: (status, headers) => {
      for (const w of watches) {
        try {
          w.head?.(status, headers);
        } catch (error) {
          failed(logger, error);
        }
      }
    },
    data: (chunk) => {
      for (const w of watches) {
        try {
          w.data?.(chunk);
        } catch (error) {
          failed(logger, error);
        }
      }
    },
    end: (attempt, error) => {
      for (const w of watches) {
        try {
          w.end?.(attempt, error);
        } catch (thrown) {
          failed(logger, thrown);
        }
      }
    },
  };
}

function combine(watches: readonly InterceptionWatch[], logger: Logger): InterceptionWatch {
  return {
    attempt: (start: AttemptStart) => {
      let attempts: AttemptWatch[] | undefined;
      for (const w of watches) {
        try {
          const watch = w.attempt?.(start);
          if (watch !== undefined) (attempts ??= []).push(watch);
        } catch (error) {
          failed(logger, error);
        }
      }
      if (attempts === undefined) return undefined;
      return attempts.length === 1
        ? guardedAttempt(attempts[0] as AttemptWatch, logger)
        : combineAttempts(attempts, logger);
    },
    committed: (at) => {
      for (const w of watches) {
        try {
          w.committed?.(at);
        } catch (error) {
          failed(logger, error);
        }
      }
    },
    toolCall: (call, endedAt) => {
      for (const w of watches) {
        try {
          w.toolCall?.(call, endedAt);
        } catch (error) {
          failed(logger, error);
        }
      }
    },
    end: (end) => {
      for (const w of watches) {
        try {
          w.end?.(end);
        } catch (error) {
          failed(logger, error);
        }
      }
    },
  };
}

/** One attempt watcher, guarded, with only the methods it has (no per-chunk call without `data`). */
function guardedAttempt(watch: AttemptWatch, logger: Logger): AttemptWatch {
  const guarded: AttemptWatch = {};
  if (watch.head !== undefined) {
    guarded.head = (status, headers) => {
      try {
        watch.head?.(status, headers);
      } catch (error) {
        failed(logger, error);
      }
    };
  }
  if (watch.data !== undefined) {
    guarded.data = (chunk) => {
      try {
        watch.data?.(chunk);
      } catch (error) {
        failed(logger, error);
      }
    };
  }
  if (watch.end !== undefined) {
    guarded.end = (attempt, error) => {
      try {
        watch.end?.(attempt, error);
      } catch (thrown) {
        failed(logger, thrown);
      }
    };
  }
  return guarded;
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
        try {
          const watch = observer.start(start);
          if (watch !== undefined) watches.push(watch);
        } catch (error) {
          failed(logger, error);
        }
      }
      return watches.length === 0 ? undefined : combine(watches, logger);
    },
  };
}
