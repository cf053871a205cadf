import type { Clock } from '../keypool/clock.js';
import type { Logger } from '../log/logger.js';
import type { Interception, InterceptionSink } from './interception.js';
import { RejectedRecordsError, type RecordStore } from './record-store.js';
import type { RecorderStatus } from './recorder-status.js';
import { describeDatabaseError } from './sql/database-errors.js';

export interface RecorderOptions {
  readonly store: RecordStore;
  /** For the status and the log: the engine and where, never a password. */
  readonly database: string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** What `recording.prompts` and `recording.thoughts` allow to be kept. */
  readonly keep: { readonly prompts: boolean; readonly thoughts: boolean };
  /** Interceptions held in memory at most; more are dropped and counted. */
  readonly capacity?: number;
  /** Interceptions per write (one transaction). */
  readonly batchSize?: number;
  /** The first retry after a failed write; doubled after each further failure up to the max. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  /**
   * How long a batch smaller than `batchSize` waits for more before it is written (0: it
   * goes after the current I/O phase). Each write is a transaction, and a SQLite commit
   * costs about as much as a few hundred rows: fewer, larger batches cost less CPU.
   */
  readonly lingerMs?: number;
  /** Told of every batch written or failed (tracing); must not throw. */
  readonly onWrite?: (write: RecorderWrite) => void;
}

/** One batch write, as tracing shows it. */
export interface RecorderWrite {
  readonly interceptions: number;
  readonly startedAt: number;
  readonly endedAt: number;
  /** What went wrong, in words safe to log; undefined when it was written. */
  readonly error: string | undefined;
}

const DEFAULTS = {
  capacity: 10_000,
  batchSize: 500,
  retryMinMs: 250,
  retryMaxMs: 5_000,
  lingerMs: 0,
};

/** A run of failed writes or of overflow, logged when it starts and when it ends. */
interface Burst {
  readonly since: number;
  failedWrites: number;
  dropped: number;
}

/**
 * The interception sink that records into a database off the hot path. `record` only
 * appends to a bounded in-memory queue; one writer takes batches from it, each in one
 * transaction. A failed batch stays at the head of the queue and is retried with backoff
 * while new interceptions queue behind it; when the queue is full, new ones are dropped
 * and counted. Failures and overflow are logged once when a burst starts and once, with
 * its counts, when it ends, never per interception.
 */
export class Recorder implements InterceptionSink {
  private readonly store: RecordStore;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly onWrite: RecorderOptions['onWrite'];
  private readonly lingerMs: number;

  private queue: Interception[] = [];
  private writing: Promise<void> | undefined;
  private flushScheduled = false;
  private cancelRetry: (() => void) | undefined;
  private cancelLinger: (() => void) | undefined;
  private draining = false;
  private retryDelayMs: number;
  private closed = false;
  private connected = false;
  private idleWaiters: (() => void)[] = [];

  private recorded = 0;
  private dropped = 0;
  private rejected = 0;
  private failedWrites = 0;
  private lastError: string | undefined;
  private lastErrorAt: number | undefined;
  private failing: Burst | undefined;
  private overflowing: Burst | undefined;
  private rejecting: Burst | undefined;

  constructor(private readonly options: RecorderOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.clock = options.clock;
    this.capacity = options.capacity ?? DEFAULTS.capacity;
    this.batchSize = options.batchSize ?? DEFAULTS.batchSize;
    this.retryMinMs = options.retryMinMs ?? DEFAULTS.retryMinMs;
    this.retryMaxMs = options.retryMaxMs ?? DEFAULTS.retryMaxMs;
    this.onWrite = options.onWrite;
    this.lingerMs = options.lingerMs ?? DEFAULTS.lingerMs;
    this.retryDelayMs = this.retryMinMs;
  }

  /** Never blocks, never throws. */
  record(interception: Interception): void {
    try {
      if (this.closed) {
        // Only what ends after shutdown's drain: counted, not announced again.
        this.dropped++;
        return;
      }
      if (this.queue.length >= this.capacity) {
        this.drop(1);
        return;
      }
      this.queue.push(this.kept(interception));
      this.scheduleFlush();
    } catch (error) {
      // Nothing here should throw; if it does, the response must not notice.
      this.logger.error({ err: error }, 'recorder: could not queue an interception');
    }
  }

  status(): RecorderStatus {
    return {
      state: this.failing !== undefined || this.overflowing !== undefined ? 'degraded' : 'ok',
      database: this.options.database,
      queued: this.queue.length,
      capacity: this.capacity,
      recorded: this.recorded,
      dropped: this.dropped,
      rejected: this.rejected,
      failedWrites: this.failedWrites,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
    };
  }

  /**
   * Waits until everything queued is written or `timeoutMs` has passed (retries go on
   * meanwhile), then counts what is left as dropped, stops accepting and closes the store.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    if (this.queue.length > 0 || this.writing !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      // A real timer that keeps the process alive: shutdown is waiting for this.
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      const idle = new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
      });
      // Retry at once rather than after the current backoff.
      this.cancelRetry?.();
      this.cancelRetry = undefined;
      this.scheduleFlush();
      await Promise.race([idle, deadline]);
      clearTimeout(timer);
    }
    this.closed = true;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    this.cancelLinger?.();
    this.cancelLinger = undefined;
    await this.writing;
    const left = this.queue.length;
    if (left > 0) {
      this.queue = [];
      this.dropped += left;
      this.logger.error(
        { dropped: left, database: this.options.database, last_error: this.lastError },
        'recorder: shutting down with interceptions not recorded',
      );
    }
    await this.store.close();
  }

  /** Drops what `recording` says not to keep, before it is held in memory. */
  private kept(interception: Interception): Interception {
    const { prompts, thoughts } = this.options.keep;
    if (
      (prompts || interception.prompt === undefined) &&
      (thoughts || interception.thoughts === undefined)
    )
      return interception;
    const copy: { -readonly [K in keyof Interception]: Interception[K] } = { ...interception };
    if (!prompts) delete copy.prompt;
    if (!thoughts) delete copy.thoughts;
    return copy;
  }

  private drop(count: number): void {
    this.dropped += count;
    if (this.overflowing === undefined) {
      this.overflowing = { since: this.clock.now(), failedWrites: 0, dropped: 0 };
      this.logger.warn(
        { capacity: this.capacity, database: this.options.database, last_error: this.lastError },
        'recorder: queue full, dropping interceptions until the database catches up',
      );
    }
    this.overflowing.dropped += count;
  }

  /** `lingered`: the batch has waited its `lingerMs` already. */
  private scheduleFlush(lingered = false): void {
    if (this.flushScheduled || this.writing !== undefined || this.cancelRetry !== undefined) return;
    if (
      !lingered &&
      this.lingerMs > 0 &&
      this.queue.length > 0 &&
      this.queue.length < this.batchSize &&
      !this.draining &&
      this.failing === undefined
    ) {
      // A real timer, like the setImmediate below, not the injected clock: this is I/O
      // batching, and on a test's fake clock nothing would ever be written.
      if (this.cancelLinger === undefined) {
        const timer = setTimeout(() => {
          this.cancelLinger = undefined;
          this.scheduleFlush(true);
        }, this.lingerMs);
        timer.unref();
        this.cancelLinger = () => {
          clearTimeout(timer);
        };
      }
      return;
    }
    this.cancelLinger?.();
    this.cancelLinger = undefined;
    this.flushScheduled = true;
    // After the current I/O phase, so that what arrives together is written together.
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.closed) return;
      this.writing = this.writeBatch().finally(() => {
        this.writing = undefined;
        this.afterWrite();
      });
    });
  }

  private afterWrite(): void {
    if (this.queue.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
      return;
    }
    if (this.cancelRetry === undefined) this.scheduleFlush();
  }

  /** Connects at once, so that a database that cannot be opened shows before any request. */
  start(): void {
    this.scheduleFlush();
  }

  private async writeBatch(): Promise<void> {
    const batch = this.queue.slice(0, this.batchSize);
    // Nothing to write, but a connection to prove: at start, and to end an outage while idle.
    if (batch.length === 0 && this.connected && this.failing === undefined) return;
    const startedAt = this.clock.now();
    let failure: string | undefined;
    try {
      if (batch.length === 0) await this.store.connect();
      else await this.store.write(batch);
      this.connected = true;
      this.written(batch.length);
    } catch (error) {
      failure = describeDatabaseError(error);
      if (error instanceof RejectedRecordsError) await this.writeOneByOne(batch);
      else this.writeFailed(error);
    }
    if (batch.length > 0) {
      this.onWrite?.({
        interceptions: batch.length,
        startedAt,
        endedAt: this.clock.now(),
        error: failure,
      });
    }
  }

  /** The database refused something in the batch: find what, keep the rest. */
  private async writeOneByOne(batch: readonly Interception[]): Promise<void> {
    for (const interception of batch) {
      try {
        await this.store.write([interception]);
        this.written(1);
      } catch (error) {
        if (!(error instanceof RejectedRecordsError)) {
          this.writeFailed(error);
          return;
        }
        this.queue.shift();
        this.rejectedOne(interception, error.reason);
      }
    }
  }

  private written(count: number): void {
    this.queue.splice(0, count);
    this.recorded += count;
    this.retryDelayMs = this.retryMinMs;
    const now = this.clock.now();
    if (this.failing !== undefined) {
      this.logger.warn(
        {
          database: this.options.database,
          failed_writes: this.failing.failedWrites,
          outage_ms: now - this.failing.since,
          queued: this.queue.length,
        },
        'recorder: database writes resumed',
      );
      this.failing = undefined;
    }
    // Half empty, not merely one below full: a database writing just slower than requests
    // arrive would otherwise start and end a burst at every batch.
    if (this.overflowing !== undefined && this.queue.length <= this.capacity / 2) {
      this.logger.warn(
        { dropped: this.overflowing.dropped, for_ms: now - this.overflowing.since },
        'recorder: queue has room again; interceptions were dropped',
      );
      this.overflowing = undefined;
    }
    if (this.rejecting !== undefined) {
      this.logger.warn(
        { rejected: this.rejecting.dropped },
        'recorder: the database accepts interceptions again',
      );
      this.rejecting = undefined;
    }
  }

  private writeFailed(error: unknown): void {
    const now = this.clock.now();
    this.failedWrites++;
    this.lastError = describeDatabaseError(error);
    this.lastErrorAt = now;
    if (this.failing === undefined) {
      this.failing = { since: now, failedWrites: 0, dropped: 0 };
      this.logger.error(
        { database: this.options.database, error: this.lastError, queued: this.queue.length },
        'recorder: database write failed; interceptions stay queued and are retried',
      );
    }
    this.failing.failedWrites++;
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.retryMaxMs);
    if (this.closed) return;
    this.cancelRetry = this.options.clock.schedule(delay, () => {
      this.cancelRetry = undefined;
      this.scheduleFlush();
    });
  }

  private rejectedOne(interception: Interception, reason: string): void {
    this.rejected++;
    this.lastError = reason;
    this.lastErrorAt = this.clock.now();
    if (this.rejecting === undefined) {
      this.rejecting = { since: this.clock.now(), failedWrites: 0, dropped: 0 };
      this.logger.error(
        { database: this.options.database, error: reason, interception_id: interception.id },
        'recorder: the database refused an interception; it is not recorded',
      );
    }
    this.rejecting.dropped++;
  }
}
