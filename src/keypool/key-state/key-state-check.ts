import type { KeyStateStatus } from './key-state-store.js';

/**
 * The `redis` check of /readyz, which answers without authentication: how key state is
 * shared, never where Redis is (the log says that).
 */
export interface KeyStateCheck {
  readonly state: KeyStateStatus['state'];
  readonly connection: KeyStateStatus['connection'];
  readonly degraded_since: string | null;
  readonly outages: number;
  readonly last_error: string | null;
  readonly last_sync_at: string | null;
  readonly marks_shared: number;
  readonly marks_held: number;
  readonly changes_applied: number;
}

const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();

export function keyStateCheck(status: KeyStateStatus): KeyStateCheck {
  return {
    state: status.state,
    connection: status.connection,
    degraded_since: iso(status.degradedSince),
    outages: status.outages,
    last_error: status.lastError ?? null,
    last_sync_at: iso(status.lastSyncAt),
    marks_shared: status.marksShared,
    marks_held: status.marksHeld,
    changes_applied: status.changesApplied,
  };
}
