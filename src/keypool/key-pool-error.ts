export type ExhaustionReason = 'rate-limited' | 'permanent';

/**
 * Every key of a pool is unusable right now. Dialects map this to their own error shape:
 * 429 with Retry-After when any key is cooling down, 502 when all failed authentication.
 */
export class KeyPoolError extends Error {
  constructor(
    readonly reason: ExhaustionReason,
    /** The smallest remaining cooldown of a temporary key; 0 when none is cooling down. */
    readonly retryAfterMs: number,
  ) {
    super(
      reason === 'permanent'
        ? 'all configured keys failed authentication'
        : 'all configured keys are rate-limited',
    );
    this.name = 'KeyPoolError';
  }

  get status(): 429 | 502 {
    return this.reason === 'permanent' ? 502 : 429;
  }

  /** Whole seconds rounded up, or undefined when a key has just recovered. */
  get retryAfterHeader(): string | undefined {
    return retryAfterHeaderValue(this.retryAfterMs);
  }
}

export function retryAfterHeaderValue(ms: number): string | undefined {
  return ms > 0 ? String(Math.ceil(ms / 1000)) : undefined;
}

/** Raised while building a pool from configuration. */
export class KeyPoolConfigError extends Error {
  constructor(
    message: 'no keys' | 'empty key' | 'duplicate key',
    /** Positions in the key list; never the key itself. */
    readonly indexes: readonly number[] = [],
  ) {
    super(message);
    this.name = 'KeyPoolConfigError';
  }
}
