import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log/logger.js';
import type { Clock } from '../clock.js';
import type { Key, KeyMark } from '../key.js';
import type { Pool } from '../pool.js';
import type { ChannelEvents, KeyStateChannel, SharedChange } from './channel.js';
import type { Fingerprinter } from './fingerprint.js';
import { EMPTY_RECORD, type SharedMark } from './shared-record.js';

/** For /readyz, logs and metrics. */
export interface KeyStateStatus {
  readonly backend: KeyStateChannel['backend'];
  /** degraded: marks stay in this process until the backend is back (requests are served all the same). */
  readonly state: 'ok' | 'degraded';
  readonly connection: 'connecting' | 'up' | 'down';
  /** Epoch ms since when the state is degraded; undefined while ok. */
  readonly degradedSince: number | undefined;
  /** Times the backend was lost after having been reached (a failed first connection counts too). */
  readonly outages: number;
  /** The last failure's code (ECONNREFUSED…) or message; the log line has the whole error. */
  readonly lastError: string | undefined;
  /** Epoch ms of the last time this process's mirror was reconciled with the backend. */
  readonly lastSyncAt: number | undefined;
  /** Marks this process sent to the backend. */
  readonly marksShared: number;
  /** Marks made while the backend was out of reach, kept for the reconciliation. */
  readonly marksHeld: number;
  /** Changes from the backend applied to this process's keys (its own marks' echoes included). */
  readonly changesApplied: number;
}

export interface KeyStateStoreOptions {
  readonly channel: KeyStateChannel;
  readonly fingerprint: Fingerprinter;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Retry delay bounds of a reconciliation that failed while connected. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

/**
 * One process's side of shared key state. The pools stay the mirror that requests walk,
 * synchronously and in memory; this store sends every mark they make to the backend and
 * brings every change the backend pushes into them (`Key.adopt`).
 *
 * On each (re)connection it reconciles: first it replays what this process holds (every key
 * not valid here, with when it was marked, and the re-enables made while cut off), which
 * the backend merges — longer cooldown wins, permanent wins, a mark older than a re-enable
 * is stale — then it takes the backend's records as the mirror's state. Changes that arrive
 * meanwhile wait, and only those newer than the snapshot are applied.
 *
 * While a mark of this process is on its way, changes for that key are not adopted: the
 * mark's own echo comes after them and carries the record with everything before it merged,
 * so the key never flickers back to a state it has already left.
 */
export class KeyStateStore {
  private readonly origin = randomUUID();
  private readonly keysOf = new Map<string, Key[]>();
  private readonly fingerprintOf = new Map<Key, string>();
  /** When each key's current mark was made (local or adopted), for replays. */
  private readonly markedAt = new Map<Key, number>();
  /** Re-enables made while cut off, to replay. */
  private readonly heldEnables = new Map<Key, number>();
  /** Marks sent and not yet echoed, per fingerprint. */
  private readonly inFlight = new Map<string, number>();
  /** Each mirrored pool and what stops following it. */
  private readonly attached = new Map<Pool, () => void>();

  private connection: KeyStateStatus['connection'] = 'connecting';
  private synced = false;
  private buffering = true;
  private buffered: SharedChange[] = [];
  private lastSeq = 0;
  private reconciling: Promise<void> | undefined;
  private again = false;
  private retryMs: number;
  private cancelRetry: (() => void) | undefined;
  private closed = false;

  private degradedSince: number | undefined;
  private outageLogged = false;
  private outages = 0;
  private lastError: string | undefined;
  private lastSyncAt: number | undefined;
  private marksShared = 0;
  private marksHeld = 0;
  private changesApplied = 0;
  private firstOutcome: (() => void) | undefined;

  constructor(private readonly options: KeyStateStoreOptions) {
    this.retryMs = options.retryMinMs ?? 250;
    this.degradedSince = options.clock.now();
  }

  get backend(): KeyStateChannel['backend'] {
    return this.options.channel.backend;
  }

  /** Mirrors these pools' keys (those not mirrored yet): call before `start`. */
  attach(pools: readonly Pool[]): void {
    for (const pool of pools) {
      if (this.attached.has(pool)) continue;
      for (const key of pool.keys) {
        const fingerprint = this.options.fingerprint(key.secret);
        this.fingerprintOf.set(key, fingerprint);
        const keys = this.keysOf.get(fingerprint) ?? [];
        keys.push(key);
        this.keysOf.set(fingerprint, keys);
      }
      this.attached.set(
        pool,
        pool.onMark((key, mark) => {
          this.marked(key, mark);
        }),
      );
      pool.coordinateRechecks((key, ttlMs) => this.claimRecheck(key, ttlMs));
    }
  }

  /**
   * A reload: mirrors exactly these pools from now on (those it already mirrors keep their
   * keys as they are) and reconciles with the backend, so that new keys take the state
   * other processes left for them.
   */
  replacePools(pools: readonly Pool[]): void {
    const keep = new Set(pools);
    for (const [pool, unsubscribe] of this.attached) {
      if (keep.has(pool)) continue;
      unsubscribe();
      this.attached.delete(pool);
      const gone = new Set(pool.keys);
      for (const key of pool.keys) {
        const fingerprint = this.fingerprintOf.get(key);
        this.fingerprintOf.delete(key);
        this.markedAt.delete(key);
        this.heldEnables.delete(key);
        if (fingerprint === undefined) continue;
        const left = (this.keysOf.get(fingerprint) ?? []).filter((k) => !gone.has(k));
        if (left.length === 0) this.keysOf.delete(fingerprint);
        else this.keysOf.set(fingerprint, left);
      }
    }
    this.attach(pools);
    if (this.connection === 'up') this.reconcile();
  }

  /**
   * Connects and waits for the first reconciliation (the state other processes left), or
   * for the first failure, or `waitMs`: a backend out of reach never holds the gateway back.
   */
  async start(waitMs: number): Promise<void> {
    const outcome = new Promise<void>((resolve) => (this.firstOutcome = resolve));
    const events: ChannelEvents = {
      change: (change) => {
        this.received(change);
      },
      up: () => {
        this.connection = 'up';
        this.reconcile();
      },
      down: (error) => {
        this.lost(error, 'down');
      },
    };
    this.options.channel.connect(events);
    let cancel: (() => void) | undefined;
    await Promise.race([
      outcome,
      new Promise<void>((resolve) => (cancel = this.options.clock.schedule(waitMs, resolve))),
    ]);
    cancel?.();
    this.firstOutcome = undefined;
  }

  status(): KeyStateStatus {
    return {
      backend: this.backend,
      state: this.synced ? 'ok' : 'degraded',
      connection: this.connection,
      degradedSince: this.synced ? undefined : this.degradedSince,
      outages: this.outages,
      lastError: this.lastError,
      lastSyncAt: this.lastSyncAt,
      marksShared: this.marksShared,
      marksHeld: this.marksHeld,
      changesApplied: this.changesApplied,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelRetry?.();
    for (const unsubscribe of this.attached.values()) unsubscribe();
    await this.reconciling?.catch(() => undefined);
    await this.options.channel.close();
  }

  private marked(key: Key, mark: KeyMark): void {
    if (mark.kind !== 'enable') this.markedAt.set(key, mark.at);
    const fingerprint = this.fingerprintOf.get(key);
    if (fingerprint === undefined) return;
    if (!this.synced) {
      // Kept in the key itself (and, for a re-enable, here) until the backend is back.
      if (mark.kind === 'enable') this.heldEnables.set(key, mark.at);
      this.marksHeld++;
      if (this.reconciling !== undefined) this.again = true;
      return;
    }
    const shared: SharedMark = {
      fingerprint,
      kind: mark.kind,
      until: mark.kind === 'temporary' ? mark.until : 0,
      at: mark.at,
      replay: false,
    };
    this.inFlight.set(fingerprint, (this.inFlight.get(fingerprint) ?? 0) + 1);
    this.marksShared++;
    this.options.channel.apply([shared], this.origin, this.options.clock.now()).then(
      () => undefined,
      (error: unknown) => {
        this.landed(fingerprint);
        if (mark.kind === 'enable') this.heldEnables.set(key, mark.at);
        this.marksHeld++;
        this.lost(asError(error), this.connection);
      },
    );
  }

  private landed(fingerprint: string): void {
    const count = (this.inFlight.get(fingerprint) ?? 0) - 1;
    if (count > 0) this.inFlight.set(fingerprint, count);
    else this.inFlight.delete(fingerprint);
  }

  private received(change: SharedChange): void {
    if (this.buffering) this.buffered.push(change);
    else this.applyChange(change);
  }

  private applyChange(change: SharedChange): void {
    if (change.seq <= this.lastSeq) return;
    this.lastSeq = change.seq;
    const keys = this.keysOf.get(change.fingerprint);
    if (keys === undefined) return;
    if (change.origin === this.origin) this.landed(change.fingerprint);
    if (this.inFlight.has(change.fingerprint)) return;
    this.changesApplied++;
    for (const key of keys) {
      key.adopt(change);
      this.markedAt.set(key, change.since);
    }
  }

  /** Cut off, or a mark or a reconciliation failed: marks stay here until reconciled. */
  private lost(error: Error, connection: KeyStateStatus['connection']): void {
    if (this.closed) return;
    this.connection = connection;
    // /readyz shows it to anyone: a code, when there is one, says what without saying where.
    this.lastError = (error as NodeJS.ErrnoException).code ?? error.message;
    if (this.synced || !this.outageLogged) {
      this.outages++;
      this.outageLogged = true;
      this.degradedSince = this.synced ? this.options.clock.now() : this.degradedSince;
      this.options.logger.warn(
        { backend: this.backend, error: error.message },
        `key state: ${this.backend} unavailable; serving on this process's key state until it returns`,
      );
    }
    this.synced = false;
    this.buffering = true;
    this.firstOutcome?.();
    if (connection === 'up') this.retryLater();
  }

  private retryLater(): void {
    if (this.cancelRetry !== undefined || this.closed) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.options.retryMaxMs ?? 5000);
    this.cancelRetry = this.options.clock.schedule(delay, () => {
      this.cancelRetry = undefined;
      if (this.connection === 'up') this.reconcile();
    });
  }

  private reconcile(): void {
    if (this.closed) return;
    if (this.reconciling !== undefined) {
      this.again = true;
      return;
    }
    this.reconciling = this.reconcileOnce().finally(() => {
      this.reconciling = undefined;
      if (this.again && this.connection === 'up') {
        this.again = false;
        this.reconcile();
      }
    });
  }

  private async reconcileOnce(): Promise<void> {
    this.synced = false;
    this.buffering = true;
    this.buffered = [];
    this.inFlight.clear();
    this.again = false;
    const held = new Map(this.heldEnables);
    const heldMarks = this.marksHeld;
    const replay = this.replayMarks(held);
    const fingerprints = [...this.keysOf.keys()];
    try {
      if (replay.length > 0) {
        await this.options.channel.apply(replay, this.origin, this.options.clock.now());
      }
      const snapshot = await this.options.channel.snapshot(fingerprints);
      if (this.closed) return;
      for (const [key, at] of held) {
        if (this.heldEnables.get(key) === at) this.heldEnables.delete(key);
      }
      for (const fingerprint of fingerprints) {
        const record = snapshot.records.get(fingerprint) ?? EMPTY_RECORD;
        for (const key of this.keysOf.get(fingerprint) ?? []) {
          key.adopt(record);
          this.markedAt.set(key, record.since);
        }
      }
      this.lastSeq = snapshot.seq;
      const buffered = this.buffered;
      this.buffered = [];
      this.buffering = false;
      for (const change of buffered) this.applyChange(change);
      const wasDegradedSince = this.outageLogged ? this.degradedSince : undefined;
      this.synced = true;
      this.outageLogged = false;
      this.retryMs = this.options.retryMinMs ?? 250;
      this.lastSyncAt = this.options.clock.now();
      if (wasDegradedSince !== undefined) {
        this.options.logger.info(
          {
            backend: this.backend,
            down_ms: this.lastSyncAt - wasDegradedSince,
            replayed: replay.length,
          },
          `key state: ${this.backend} is back; this process's key state is reconciled with it`,
        );
      }
      this.marksHeld -= heldMarks;
      this.firstOutcome?.();
    } catch (error) {
      this.lost(asError(error), this.connection);
    }
  }

  /** What this process holds that the backend may not: sorted by when it happened. */
  private replayMarks(heldEnables: ReadonlyMap<Key, number>): SharedMark[] {
    const marks: SharedMark[] = [];
    for (const [key, fingerprint] of this.fingerprintOf) {
      const enabledAt = heldEnables.get(key);
      if (enabledAt !== undefined) {
        marks.push({ fingerprint, kind: 'enable', until: 0, at: enabledAt, replay: true });
      }
      const state = key.state();
      if (state === 'valid') continue;
      const at = this.markedAt.get(key) ?? this.options.clock.now();
      marks.push(
        state === 'permanent'
          ? { fingerprint, kind: 'permanent', until: 0, at, replay: true }
          : {
              fingerprint,
              kind: 'temporary',
              until: this.options.clock.now() + key.cooldownRemainingMs(),
              at,
              replay: true,
            },
      );
    }
    return marks.sort((a, b) => a.at - b.at);
  }

  private claimRecheck(key: Key, ttlMs: number): Promise<boolean> {
    const fingerprint = this.fingerprintOf.get(key);
    // Cut off, a process probes its own keys: one probe per replica is the worst case.
    if (!this.synced || fingerprint === undefined) return Promise.resolve(true);
    return this.options.channel.claim(fingerprint, ttlMs).catch(() => true);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
