import type { Clock } from '../keypool/clock.js';
import type { Logger } from '../log/logger.js';
import { describeDatabaseError } from './sql/database-errors.js';

export interface RetentionOptions {
  /** Deletes up to `limit` of the oldest records started before `cutoff`; says how many. */
  readonly deleteStartedBefore: (cutoff: number, limit: number) => Promise<number>;
  /** `recording.retention`; 0 keeps records forever. */
  readonly retentionMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Between sweeps. */
  readonly intervalMs?: number;
  /** From start to the first sweep, so that startup does not pay for it. */
  readonly firstSweepAfterMs?: number;
  /** Records per delete statement: short transactions leave room for the recorder's writes. */
  readonly batchSize?: number;
}

/**
 * Deletes records older than the retention period, on a timer and in small batches with a
 * turn of the event loop between them, so that neither a request nor the recorder waits
 * long behind it.
 */
export class RetentionSweeper {
  private cancelTimer: (() => void) | undefined;
  private sweeping: Promise<number> | undefined;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly batchSize: number;

  constructor(private readonly options: RetentionOptions) {
    this.intervalMs = options.intervalMs ?? 600_000;
    this.batchSize = options.batchSize ?? 500;
  }

  start(): void {
    if (this.options.retentionMs <= 0) return;
    this.schedule(this.options.firstSweepAfterMs ?? 60_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.sweeping;
  }

  /** One sweep now: deletes batch after batch until none is full. Returns how many went. */
  sweep(): Promise<number> {
    this.sweeping ??= this.deleteExpired().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.cancelTimer = this.options.clock.schedule(delayMs, () => {
      this.cancelTimer = undefined;
      void this.sweep().finally(() => {
        this.schedule(this.intervalMs);
      });
    });
  }

  private async deleteExpired(): Promise<number> {
    const cutoff = this.options.clock.now() - this.options.retentionMs;
    let total = 0;
    try {
      for (;;) {
        const deleted = await this.options.deleteStartedBefore(cutoff, this.batchSize);
        total += deleted;
        if (deleted < this.batchSize || this.stopped) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.options.logger.warn(
        { error: describeDatabaseError(error), deleted: total },
        'retention: could not delete old records; trying again at the next sweep',
      );
      return total;
    }
    if (total > 0) {
      this.options.logger.info(
        { deleted: total, before: new Date(cutoff).toISOString() },
        'retention: deleted old records',
      );
    }
    return total;
  }
}
