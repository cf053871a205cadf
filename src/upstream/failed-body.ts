import type { Clock } from '../keypool/clock.js';
import type { UpstreamBody } from './upstream-body.js';

export interface FailedBodyLimits {
  /** Past this many bytes the connection is closed instead of read to its end. */
  readonly maxBytes: number;
  /** Past this long likewise: a stalled error body must not hold anything up. */
  readonly maxMs: number;
  /** How much of the start is kept, for the provider's error message. */
  readonly keepBytes: number;
}

export const FAILED_BODY_LIMITS: FailedBodyLimits = {
  maxBytes: 64 * 1024,
  maxMs: 1000,
  keepBytes: 16 * 1024,
};

export interface FailedBody {
  /** The first `keepBytes` bytes. */
  readonly head: Buffer;
  /** Whether the whole body arrived (and fits in `head`). */
  readonly complete: boolean;
}

/**
 * Reads a failed-over answer (429, 401, 403) for its message and drops the rest, so its
 * connection can be reused; a body that is too large or too slow is aborted instead, which
 * closes that one connection. Never rejects. Nobody waits on this to try the next key.
 */
export function readFailedBody(
  body: UpstreamBody,
  clock: Clock,
  limits: FailedBodyLimits = FAILED_BODY_LIMITS,
): Promise<FailedBody> {
  return new Promise((resolve) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let total = 0;
    let settled = false;
    const settle = (complete: boolean): void => {
      if (settled) return;
      settled = true;
      cancelTimer();
      resolve({ head: Buffer.concat(kept, keptBytes), complete: complete && total === keptBytes });
    };
    const giveUp = (reason: string): void => {
      if (settled) return;
      settle(false);
      body.abort(reason);
    };
    const cancelTimer = clock.schedule(limits.maxMs, () => {
      giveUp('a failed-over body took too long');
    });
    body.pipeTo({
      onData(chunk) {
        if (settled) return;
        total += chunk.length;
        if (keptBytes < limits.keepBytes) {
          const part = chunk.subarray(0, limits.keepBytes - keptBytes);
          kept.push(part);
          keptBytes += part.length;
        }
        if (total > limits.maxBytes) giveUp('a failed-over body was too large');
      },
      onEnd() {
        settle(true);
      },
      onError() {
        settle(false);
      },
    });
  });
}
