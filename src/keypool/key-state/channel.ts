import type { SharedMark, SharedRecord } from './shared-record.js';

/**
 * The port between one process's key-state store (its mirror of every key) and the shared
 * backend: memory (one process), Redis (replicas), or — for `--workers` — the primary
 * process over IPC, which would hold a MemoryKeyStateHub and answer its workers' channels.
 */
export interface KeyStateChannel {
  readonly backend: 'memory' | 'redis' | 'primary';
  /** Starts connecting; `events` hear every change and every connection change from now on. */
  connect(events: ChannelEvents): void;
  /**
   * Merges marks atomically under the rules of shared-record.ts, in order, and pushes the
   * resulting record of each to every connected process, this one included, as a
   * SharedChange. Rejects when the backend cannot be reached: the marks may or may not
   * have been applied.
   */
  apply(marks: readonly SharedMark[], origin: string, now: number): Promise<void>;
  /** The records of these keys (absent: never marked, or forgotten) and the last change they reflect. */
  snapshot(fingerprints: readonly string[]): Promise<Snapshot>;
  /** True for the one caller that takes a key's re-check round (held for `ttlMs`). */
  claim(fingerprint: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface ChannelEvents {
  /** Changes arrive in the order the backend applied them. */
  change(change: SharedChange): void;
  /** Connected and receiving changes: whatever was missed before is for a snapshot to tell. */
  up(): void;
  /** Cut off (or the first connection failed): changes may be missed until the next `up`. */
  down(error: Error): void;
}

/** One key's record after a mark, pushed to every process. */
export interface SharedChange {
  /** Increases with every change the backend applies; starts over if the backend lost its data. */
  readonly seq: number;
  readonly fingerprint: string;
  readonly permanent: boolean;
  readonly until: number;
  readonly since: number;
  /** The process whose mark this is: its own echo tells it the mark has landed. */
  readonly origin: string;
}

export interface Snapshot {
  /** The seq of the last change the records include. */
  readonly seq: number;
  readonly records: ReadonlyMap<string, SharedRecord>;
}
