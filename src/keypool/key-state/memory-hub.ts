import type { Clock } from '../clock.js';
import type { ChannelEvents, KeyStateChannel, SharedChange, Snapshot } from './channel.js';
import {
  applyMarkAt,
  EMPTY_RECORD,
  forgetAt,
  type SharedMark,
  type SharedRecord,
} from './shared-record.js';

/**
 * Key state held in one process's memory: the backend of a single gateway process, and the
 * part a primary process would hold for its workers. Each `channel()` is one process's
 * connection to it; changes reach every channel in the order they were applied, each in a
 * microtask of its own, never inside the mark that caused them.
 */
export class MemoryKeyStateHub {
  private seq = 0;
  private readonly records = new Map<string, SharedRecord>();
  private readonly claims = new Map<string, number>();
  private readonly listeners = new Set<(change: SharedChange) => void>();

  constructor(private readonly clock: Clock) {}

  apply(marks: readonly SharedMark[], origin: string): void {
    for (const mark of marks) {
      const record = applyMarkAt(this.current(mark.fingerprint), mark, this.clock.now());
      if (record === EMPTY_RECORD) this.records.delete(mark.fingerprint);
      else this.records.set(mark.fingerprint, record);
      const change: SharedChange = {
        seq: ++this.seq,
        fingerprint: mark.fingerprint,
        permanent: record.permanent,
        until: record.until,
        since: record.since,
        origin,
      };
      for (const listener of this.listeners) {
        queueMicrotask(() => {
          listener(change);
        });
      }
    }
  }

  snapshot(fingerprints: readonly string[]): Snapshot {
    const records = new Map<string, SharedRecord>();
    for (const fingerprint of fingerprints) {
      const record = this.current(fingerprint);
      if (record !== EMPTY_RECORD) records.set(fingerprint, record);
    }
    return { seq: this.seq, records };
  }

  claim(fingerprint: string, ttlMs: number): boolean {
    const now = this.clock.now();
    if ((this.claims.get(fingerprint) ?? 0) > now) return false;
    this.claims.set(fingerprint, now + ttlMs);
    return true;
  }

  subscribe(listener: (change: SharedChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  channel(): KeyStateChannel {
    return new MemoryChannel(this);
  }

  /** The record, or EMPTY_RECORD once it may be forgotten. */
  private current(fingerprint: string): SharedRecord {
    const record = this.records.get(fingerprint);
    if (record === undefined) return EMPTY_RECORD;
    const until = forgetAt(record);
    if (until !== undefined && until <= this.clock.now()) {
      this.records.delete(fingerprint);
      return EMPTY_RECORD;
    }
    return record;
  }
}

class MemoryChannel implements KeyStateChannel {
  readonly backend = 'memory';
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly hub: MemoryKeyStateHub) {}

  connect(events: ChannelEvents): void {
    this.unsubscribe = this.hub.subscribe((change) => {
      events.change(change);
    });
    queueMicrotask(() => {
      events.up();
    });
  }

  apply(marks: readonly SharedMark[], origin: string): Promise<void> {
    this.hub.apply(marks, origin);
    return Promise.resolve();
  }

  snapshot(fingerprints: readonly string[]): Promise<Snapshot> {
    return Promise.resolve(this.hub.snapshot(fingerprints));
  }

  claim(fingerprint: string, ttlMs: number): Promise<boolean> {
    return Promise.resolve(this.hub.claim(fingerprint, ttlMs));
  }

  close(): Promise<void> {
    this.unsubscribe?.();
    return Promise.resolve();
  }
}
