/** A snapshot of the recorder for /readyz and, later, metrics. */
export interface RecorderStatus {
  /** degraded: writes are failing, or the queue is full and interceptions are being dropped. */
  readonly state: 'ok' | 'degraded';
  /** The engine and where (never a password), or off. */
  readonly database: string;
  readonly queued: number;
  readonly capacity: number;
  /** Interceptions written since start. */
  readonly recorded: number;
  /** Interceptions lost because the queue was full (or left over at shutdown). */
  readonly dropped: number;
  /** Interceptions the database refused as data; retrying would not help. */
  readonly rejected: number;
  /** Batch writes that failed and were retried. */
  readonly failedWrites: number;
  readonly lastError: string | undefined;
  /** Epoch ms. */
  readonly lastErrorAt: number | undefined;
}
