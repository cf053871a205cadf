/**
 * A key's entry in the shared key-state store and the rules that merge marks into it. The
 * memory backend runs these; the Redis backend runs the same rules as a Lua script
 * (redis-scripts.ts), and a test holds the two to the same answers.
 */
export interface SharedRecord {
  readonly permanent: boolean;
  /** The temporary cooldown's deadline, epoch ms (0: none). Temporary while `now < until`. */
  readonly until: number;
  /** When the latest mark merged into this record was made, epoch ms. */
  readonly since: number;
  /** When the key was last re-enabled, epoch ms (0: never): marks replayed from before it are stale. */
  readonly enabledAt: number;
}

export const EMPTY_RECORD: SharedRecord = { permanent: false, until: 0, since: 0, enabledAt: 0 };

/**
 * A mark on its way to the store, the key named by its fingerprint only.
 *
 * Live marks are applied in the order the store receives them: a longer cooldown wins,
 * permanent wins, re-enable clears. Replayed marks are what a process held while it could
 * not reach the store (they may be older than what the store knows), so they are also
 * weighed by when they were made: a mark from before the key's last re-enable is stale, and
 * a re-enable clears only marks made before it.
 */
export interface SharedMark {
  readonly fingerprint: string;
  readonly kind: 'temporary' | 'permanent' | 'enable';
  /** The cooldown's deadline for a temporary mark, else 0. */
  readonly until: number;
  /** When the mark was made, epoch ms. */
  readonly at: number;
  readonly replay: boolean;
}

/**
 * How long a re-enable is remembered after the record's cooldown is over, so that a process
 * cut off for up to this long cannot bring back a mark the re-enable cleared.
 */
export const ENABLE_MEMORY_MS = 24 * 60 * 60 * 1000;

export function applyMark(record: SharedRecord, mark: SharedMark): SharedRecord {
  let { permanent, until, since, enabledAt } = record;
  if (mark.kind === 'enable') {
    if (!mark.replay || mark.at >= since) {
      // What it cleared counts as before it, even if a clock ran ahead of the operator's.
      enabledAt = Math.max(enabledAt, mark.at, since);
      permanent = false;
      until = 0;
    } else enabledAt = Math.max(enabledAt, mark.at);
  } else if (!mark.replay || mark.at > enabledAt) {
    if (mark.kind === 'permanent') permanent = true;
    else until = Math.max(until, mark.until);
    since = Math.max(since, mark.at);
  }
  return { permanent, until, since, enabledAt };
}

/**
 * When the store may forget the record (epoch ms), or undefined for never: a permanent mark
 * lasts until a re-enable; a cooldown as long as itself; a re-enable for ENABLE_MEMORY_MS.
 */
export function forgetAt(record: SharedRecord): number | undefined {
  if (record.permanent) return undefined;
  return record.enabledAt === 0
    ? record.until
    : Math.max(record.until, record.enabledAt + ENABLE_MEMORY_MS);
}

/** A mark applied as a backend applies it: a record it may forget is gone. */
export function applyMarkAt(record: SharedRecord, mark: SharedMark, now: number): SharedRecord {
  const next = applyMark(record, mark);
  const forget = forgetAt(next);
  return forget !== undefined && forget <= now ? EMPTY_RECORD : next;
}
