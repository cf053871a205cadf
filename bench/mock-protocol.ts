/** What the runner and the mock upstream agree on, outside the provider APIs themselves. */

/**
 * Keys with this prefix are rate-limited: 429 with `retry-after: 3600`, every time, while
 * rate limiting is on (the default).
 */
export const RATE_LIMITED_PREFIX = 'rl-';

/** POST `on` or `off` to the mock: whether keys with {@link RATE_LIMITED_PREFIX} get 429s. */
export const RATE_LIMITING_PATH = '/__bench/rate-limiting';

/** GET on the mock: its counters, as {@link MockStats} JSON. Never routed via a gateway. */
export const STATS_PATH = '/__bench/stats';

export interface MockStats {
  /** Requests received per upstream path. */
  readonly requests: Record<string, number>;
  /** Requests received per credential. */
  readonly byKey: Record<string, number>;
  /** 429 answers given to rate-limited keys. */
  readonly rateLimited: number;
  readonly streamsStarted: number;
  /** Streams still being written right now. */
  readonly streamsOpen: number;
  /** Streams whose downstream (the gateway) hung up before the last event. */
  readonly streamsAborted: number;
}

/** The first message a child process sends over IPC once it listens. */
export interface ListeningMessage {
  readonly listening: number;
}

export function isListeningMessage(message: unknown): message is ListeningMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as Record<string, unknown>)['listening'] === 'number'
  );
}
